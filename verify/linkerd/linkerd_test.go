package linkerd_test

import (
	"strings"
	"testing"

	_ "github.com/meshbridge/meshbridge/internal/golden"
	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/verify"
	"github.com/meshbridge/meshbridge/verify/linkerd"
	"github.com/meshbridge/meshbridge/verify/semantics"
)

func objects(t *testing.T, y string) semantics.Objects {
	t.Helper()
	objs, err := verify.DecodeObjects("test.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

const policy = `
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: reviews-http, namespace: shop}
spec: {podSelector: {matchLabels: {app: reviews}}, port: http, proxyProtocol: HTTP/1}
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: reviews-admin, namespace: shop}
spec: {podSelector: {matchLabels: {app: reviews}}, port: 9000}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: frontend-reads, namespace: shop}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: HTTPRoute, name: reads}
  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: MeshTLSAuthentication, name: frontend}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: frontend, namespace: shop}
spec:
  identityRefs: [{kind: ServiceAccount, name: frontend}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: reads, namespace: shop}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: reviews-http}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /reviews}, method: GET}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: ops-admin, namespace: shop}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: reviews-admin}
  requiredAuthenticationRefs:
  - {group: policy.linkerd.io, kind: MeshTLSAuthentication, name: ops}
  - {group: policy.linkerd.io, kind: NetworkAuthentication, name: office}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: ops, namespace: shop}
spec:
  identityRefs: [{kind: Namespace, name: ops}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: NetworkAuthentication
metadata: {name: office, namespace: shop}
spec:
  networks: [{cidr: 10.0.0.0/8, except: [10.9.0.0/16]}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: dangling, namespace: shop}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: reviews-admin}
  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: NetworkAuthentication, name: missing}]
`

var reviews = model.Workload{Namespace: "shop", Name: "reviews", ServiceAccount: "reviews", Labels: map[string]string{"app": "reviews"},
	Ports:  []model.ContainerPort{{Name: "http", Port: 8080}, {Port: 9000}},
	Probes: []model.HTTPProbe{{PortName: "http", Path: "/healthz"}}}

func TestAccess(t *testing.T) {
	frontend := model.Peer("cluster.local", "shop", "frontend")
	ops := model.Peer("cluster.local", "ops", "oncall")
	http := func(from, method, path string) model.Request {
		return model.Request{Namespace: "shop", Port: 8080, Principal: from, SourceIP: "192.0.2.1", Method: method, Path: path}
	}
	tcp := func(from, ip string, port int32) model.Request {
		return model.Request{Namespace: "shop", Port: port, Principal: from, SourceIP: ip, TCP: true}
	}
	cases := []struct {
		name   string
		opts   linkerd.Options
		req    model.Request
		allow  bool
		reason string
	}{
		{"a route's authorization admits its client", linkerd.Options{}, http(frontend, "GET", "/reviews/1"), true, "AuthorizationPolicy shop/frontend-reads"},
		{"a request no route matches gets 404", linkerd.Options{}, http(frontend, "POST", "/reviews/1"), false, "no inbound route matches"},
		{"PathPrefix matches whole segments", linkerd.Options{}, http(frontend, "GET", "/reviewsx"), false, "no inbound route matches"},
		{"a client the route does not authorize is denied", linkerd.Options{}, http(ops, "GET", "/reviews"), false, "no authorization admits"},
		{"routes on a Server turn off the implicit probe route", linkerd.Options{}, http("", "GET", "/healthz"), false, "no inbound route matches"},
		{"a plain TCP connection to an HTTP/1 Server fails", linkerd.Options{}, tcp(frontend, "192.0.2.1", 8080), false, "speaks HTTP/1"},
		{"authentications are ANDed: identity and network", linkerd.Options{}, tcp(ops, "10.1.2.3", 9000), true, "AuthorizationPolicy shop/ops-admin"},
		{"a network exception excludes its addresses", linkerd.Options{}, tcp(ops, "10.9.0.1", 9000), false, ""},
		{"an identity of another namespace fails the identity part", linkerd.Options{}, tcp(frontend, "10.1.2.3", 9000), false, ""},
		{"a port without Server takes the cluster's default", linkerd.Options{}, tcp("", "192.0.2.1", 7000), true, "all-unauthenticated"},
		{"a namespace annotation overrides the cluster default", linkerd.Options{NamespacePolicies: map[string]string{"shop": "deny"}}, tcp(frontend, "192.0.2.1", 7000), false, "namespace shop"},
		{"a workload annotation overrides its namespace's", linkerd.Options{NamespacePolicies: map[string]string{"shop": "deny"},
			WorkloadPolicies: map[string]string{"shop/reviews": "all-authenticated"}}, tcp(frontend, "192.0.2.1", 7000), true, "workload shop/reviews"},
		{"all-authenticated needs mTLS", linkerd.Options{DefaultPolicy: "all-authenticated"}, tcp("", "192.0.2.1", 7000), false, ""},
		{"cluster-unauthenticated needs a cluster address", linkerd.Options{DefaultPolicy: "cluster-unauthenticated"}, tcp("", "192.0.2.1", 7000), false, ""},
	}
	objs := objects(t, policy)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := linkerd.NewAccess(objs, c.opts).Authorize(reviews, c.req)
			if v.Allow != c.allow || !contains(v.By, c.reason) {
				t.Errorf("got %s, want allow=%v by %q", v, c.allow, c.reason)
			}
		})
	}
}

func TestProbesOnAServerWithoutRoutes(t *testing.T) {
	objs := objects(t, `
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: reviews-http, namespace: shop}
spec: {podSelector: {matchLabels: {app: reviews}}, port: 8080}
`)
	a := linkerd.NewAccess(objs, linkerd.Options{})
	probe := model.Request{Namespace: "shop", Port: 8080, SourceIP: "192.0.2.1", Method: "GET", Path: "/healthz"}
	if v := a.Authorize(reviews, probe); !v.Allow {
		t.Errorf("the kubelet's probe is denied: %s", v)
	}
	other := probe
	other.Path = "/admin"
	if v := a.Authorize(reviews, other); v.Allow {
		t.Errorf("a Server without authorization admits %s: %s", other.Path, v)
	}
}

func TestIdentities(t *testing.T) {
	id := linkerd.Identity("cluster.local/ns/shop/sa/frontend")
	if id != "frontend.shop.serviceaccount.identity.linkerd.cluster.local" {
		t.Errorf("Identity = %s", id)
	}
	if p, ok := linkerd.Principal(id); !ok || p != "cluster.local/ns/shop/sa/frontend" {
		t.Errorf("Principal(%s) = %s, %v", id, p, ok)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
