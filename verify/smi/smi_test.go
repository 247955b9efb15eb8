package smi_test

import (
	"testing"

	_ "github.com/meshbridge/meshbridge/internal/golden"
	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/verify"
	"github.com/meshbridge/meshbridge/verify/semantics"
	"github.com/meshbridge/meshbridge/verify/smi"
)

func objects(t *testing.T, y string) semantics.Objects {
	t.Helper()
	objs, err := verify.DecodeObjects("test.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

const access = `
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: readers, namespace: shop}
spec:
  destination: {kind: ServiceAccount, name: reviews, namespace: shop}
  sources: [{kind: ServiceAccount, name: frontend, namespace: shop}]
  rules:
  - {kind: HTTPRouteGroup, name: reads, matches: [api]}
  - {kind: TCPRoute, name: metrics}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: reads, namespace: shop}
spec:
  matches:
  - {name: api, methods: [GET], pathRegex: /api, headers: [{x-user: jason}]}
  - {name: all, methods: ["*"], pathRegex: /.*}
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: metrics, namespace: shop}
spec:
  matches: {ports: [9090]}
---
apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata: {name: elsewhere, namespace: other}
spec:
  destination: {kind: ServiceAccount, name: reviews, namespace: shop}
  sources: [{kind: ServiceAccount, name: batch, namespace: other}]
  rules: [{kind: HTTPRouteGroup, name: reads}]
---
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: reads, namespace: other}
spec:
  matches: [{name: all, methods: ["*"]}]
`

var reviews = model.Workload{Namespace: "shop", Name: "reviews", ServiceAccount: "reviews", Labels: map[string]string{"app": "reviews"}}

func get(from, path string) model.Request {
	return model.Request{Namespace: "shop", Port: 8080, Principal: from, Method: "GET", Path: path,
		Headers: map[string]string{"x-user": "jason"}}
}

func TestAccess(t *testing.T) {
	frontend := model.Peer("cluster.local", "shop", "frontend")
	batch := model.Peer("cluster.local", "other", "batch")
	cases := []struct {
		name, mesh string
		req        model.Request
		allow      bool
	}{
		{"a source reaches the destination on a rule's match", "osm", get(frontend, "/api"), true},
		{"only the matches a rule names count", "osm", get(frontend, "/other"), false},
		{"OSM reads pathRegex in full", "osm", get(frontend, "/api/v1"), false},
		{"Traefik Mesh reads pathRegex as a prefix", "traefik-mesh", get(frontend, "/api/v1"), true},
		{"the specification anchors pathRegex at the start", "smi", get(frontend, "/api/v1"), true},
		{"every header of the match must hold", "osm", func() model.Request { r := get(frontend, "/api"); r.Headers = nil; return r }(), false},
		{"a caller that is not a source is denied", "osm", get(model.Peer("cluster.local", "shop", "stranger"), "/api"), false},
		{"a caller without mTLS is denied", "osm", get("", "/api"), false},
		{"another trust domain's identity is no service account", "osm", get(model.Peer("other.domain", "shop", "frontend"), "/api"), false},
		{"a TCPRoute admits a TCP connection on its ports", "osm", model.Request{Namespace: "shop", Port: 9090, Principal: frontend, TCP: true}, true},
		{"a TCPRoute admits no other port", "osm", model.Request{Namespace: "shop", Port: 9091, Principal: frontend, TCP: true}, false},
		{"an HTTPRouteGroup admits no TCP connection", "osm", model.Request{Namespace: "shop", Port: 8080, Principal: frontend, TCP: true}, false},
		{"OSM ignores a TrafficTarget outside its destination's namespace", "osm", get(batch, "/x"), false},
		{"the specification does not", "smi", get(batch, "/x"), true},
		{"linkerd-smi enforces no access", "linkerd-smi", get("", "/anything"), true},
	}
	objs := objects(t, access)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			reading, err := smi.ReadingFor(c.mesh)
			if err != nil {
				t.Fatal(err)
			}
			v := smi.NewAccess(objs, reading, "cluster.local").Authorize(reviews, c.req)
			if v.Allow != c.allow {
				t.Errorf("got %s, want allow=%v", v, c.allow)
			}
		})
	}
	if _, err := smi.ReadingFor("consul"); err == nil {
		t.Errorf("an unknown mesh has a reading")
	}
}

const splits = `
apiVersion: v1
kind: Service
metadata: {name: reviews-v2, namespace: shop}
spec: {selector: {app: reviews, version: v2}}
---
apiVersion: split.smi-spec.io/v1alpha3
kind: TrafficSplit
metadata: {name: canary, namespace: shop}
spec:
  service: reviews
  backends: [{service: reviews-v1, weight: 90}, {service: reviews-v2, weight: 10}]
---
apiVersion: split.smi-spec.io/v1alpha3
kind: TrafficSplit
metadata: {name: testers, namespace: shop}
spec:
  service: reviews
  matches: [{kind: HTTPRouteGroup, name: testers}]
  backends: [{service: reviews-v2, weight: 1}]
---
apiVersion: specs.smi-spec.io/v1alpha3
kind: HTTPRouteGroup
metadata: {name: testers, namespace: shop}
spec:
  matches: [{name: jason, headers: {x-user: jason}}]
`

func TestSplits(t *testing.T) {
	inv := &model.Inventory{Services: []model.Service{
		{Namespace: "shop", Name: "reviews", Selector: map[string]string{"app": "reviews"}},
		{Namespace: "shop", Name: "reviews-v1", Selector: map[string]string{"app": "reviews", "version": "v1"}},
	}}
	objs := objects(t, splits)
	reading, _ := smi.ReadingFor("traefik-mesh")
	r := smi.NewSplits(objs, reading, semantics.NewServices(objs, inv))
	v1 := semantics.PodsKey("shop", map[string]string{"app": "reviews", "version": "v1"})
	v2 := semantics.PodsKey("shop", map[string]string{"app": "reviews", "version": "v2"})
	cases := []struct {
		name    string
		req     semantics.RouteRequest
		want    semantics.Outcome
		service string
	}{
		{"a split without matches takes every request", semantics.RouteRequest{Service: model.ServiceRef{Namespace: "shop", Name: "reviews"}, Method: "GET", Path: "/"},
			semantics.Outcome{Kind: semantics.Forward, Backends: semantics.Weighted([]string{v1, v2}, []float64{90, 10})}, ""},
		{"a split whose matches match wins", semantics.RouteRequest{Service: model.ServiceRef{Namespace: "shop", Name: "reviews"}, Method: "GET", Path: "/",
			Headers: map[string]string{"x-user": "jason"}},
			semantics.Outcome{Kind: semantics.Forward, Backends: []semantics.Backend{{Key: v2, Share: 1}}}, ""},
		{"a Service without split keeps its own endpoints", semantics.RouteRequest{Service: model.ServiceRef{Namespace: "shop", Name: "reviews-v1"}, Method: "GET", Path: "/"},
			semantics.Outcome{Kind: semantics.Forward, Backends: []semantics.Backend{{Key: v1, Share: 1}}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := r.Route(c.req); !got.Equal(c.want) {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}
