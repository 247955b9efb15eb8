package gatewayapi_test

import (
	"strings"
	"testing"

	_ "github.com/meshbridge/meshbridge/internal/golden"
	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/verify"
	"github.com/meshbridge/meshbridge/verify/gatewayapi"
	"github.com/meshbridge/meshbridge/verify/semantics"
)

const routes = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: reviews, namespace: shop}
spec:
  parentRefs: [{group: "", kind: Service, name: reviews, port: 9080}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /api}}]
    backendRefs: [{name: prefix, port: 9080}]
  - matches: [{path: {type: Exact, value: /api/v1}}]
    backendRefs: [{name: exact, port: 9080}]
  - matches: [{path: {type: PathPrefix, value: /api}, method: POST}]
    backendRefs: [{name: method, port: 9080}]
  - matches: [{path: {type: PathPrefix, value: /api}, headers: [{name: X-User, value: jason}]}]
    backendRefs: [{name: header, port: 9080}]
  - matches: [{path: {type: RegularExpression, value: "/api/v[0-9]+"}}]
    backendRefs: [{name: regex, port: 9080}]
  - matches: [{path: {type: PathPrefix, value: /redirect}}]
    filters: [{type: RequestRedirect, requestRedirect: {hostname: example.com}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: reviews-for-test, namespace: test}
spec:
  parentRefs: [{group: "", kind: Service, name: reviews, namespace: shop}]
  rules:
  - backendRefs: [{name: canary, namespace: shop, port: 9080}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ingress, namespace: shop}
spec:
  parentRefs: [{name: public-gateway}]
  rules:
  - backendRefs: [{name: gateway-only, port: 9080}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: reviews-grpc, namespace: shop}
spec:
  parentRefs: [{group: "", kind: Service, name: reviews, port: 9090}]
  rules:
  - matches: [{method: {service: reviews.v1.Reviews}}]
    backendRefs: [{name: grpc, port: 9090}]
`

func TestRouter(t *testing.T) {
	objs, err := verify.DecodeObjects("routes.yaml", []byte(routes))
	if err != nil {
		t.Fatal(err)
	}
	inv := &model.Inventory{Services: []model.Service{{Namespace: "shop", Name: "reviews", Selector: map[string]string{"app": "reviews"},
		Ports: []model.ServicePort{{Name: "http", Port: 9080}, {Name: "grpc", Port: 9090}, {Name: "admin", Port: 9091}}}}}
	services := semantics.NewServices(objs, inv)
	req := func(ns, method, path string, h map[string]string) semantics.RouteRequest {
		return semantics.RouteRequest{ClientNamespace: ns, Service: model.ServiceRef{Namespace: "shop", Name: "reviews", Port: 9080},
			Method: method, Path: path, Headers: h}
	}
	cases := []struct {
		name    string
		reading gatewayapi.Ranking
		req     semantics.RouteRequest
		want    string // the backend Service name, "404", "default" or "redirect"
	}{
		{"an Exact path beats the longest PathPrefix", gatewayapi.RegexBelowPrefix, req("shop", "GET", "/api/v1", nil), "exact"},
		{"PathPrefix matches whole segments only", gatewayapi.RegexBelowPrefix, req("shop", "GET", "/apix", nil), "404"},
		{"a method match beats header matches", gatewayapi.RegexBelowPrefix, req("shop", "POST", "/api/x", map[string]string{"x-user": "jason"}), "method"},
		{"header matches beat a bare prefix", gatewayapi.RegexBelowPrefix, req("shop", "GET", "/api/x", map[string]string{"x-user": "jason"}), "header"},
		{"a regex ranked below prefixes loses to them", gatewayapi.RegexBelowPrefix, req("shop", "GET", "/api/v2", nil), "prefix"},
		{"a regex ranked above prefixes wins", gatewayapi.RegexAbovePrefix, req("shop", "GET", "/api/v2", nil), "regex"},
		{"Linkerd ranks by the length of path matched", gatewayapi.ByMatchedLength, req("shop", "GET", "/api/v2", nil), "regex"},
		{"a redirect answers instead of forwarding", gatewayapi.RegexBelowPrefix, req("shop", "GET", "/redirect", nil), "redirect"},
		{"a consumer route replaces the producer routes in its namespace", gatewayapi.RegexBelowPrefix, req("test", "GET", "/api/v1", nil), "canary"},
		{"a parent port limits the route to that port", gatewayapi.RegexBelowPrefix, func() semantics.RouteRequest {
			r := req("shop", "GET", "/api/v1", nil)
			r.Service.Port = 9091
			return r
		}(), "default"},
		{"a port a GRPCRoute takes is left undecided", gatewayapi.RegexBelowPrefix, func() semantics.RouteRequest {
			r := req("shop", "GET", "/", nil)
			r.Service.Port = 9090
			return r
		}(), "unknown"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := gatewayapi.NewRouter(objs, gatewayapi.Reading{Ranking: c.reading, PathRegex: semantics.FullMatch, HeaderRegex: semantics.FullMatch}, services)
			got := r.Route(c.req)
			var name string
			switch got.Kind {
			case semantics.Unknown:
				name = "unknown"
			case semantics.NotFound:
				name = "404"
			case semantics.Redirect:
				name = "redirect"
			case semantics.Forward:
				name = got.Backends[0].Key
				if got.By == "default" {
					name = "default"
				}
			}
			if !strings.HasSuffix(name, c.want) {
				t.Errorf("routed to %s, want %s", got, c.want)
			}
		})
	}
}

func TestPrefixMatch(t *testing.T) {
	for _, c := range []struct {
		prefix, path string
		want         bool
	}{
		{"/", "/anything", true}, {"/foo", "/foo", true}, {"/foo", "/foo/bar", true}, {"/foo/", "/foo", true},
		{"/foo", "/foobar", false}, {"/foo/bar", "/foo", false},
	} {
		if got := gatewayapi.PrefixMatch(c.prefix, c.path); got != c.want {
			t.Errorf("PrefixMatch(%q, %q) = %v", c.prefix, c.path, got)
		}
	}
}
