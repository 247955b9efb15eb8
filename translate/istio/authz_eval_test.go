package istio

import (
	"testing"

	"github.com/meshbridge/meshbridge/model"
)

// TestIstioTaskExamples replays the istio.io authorization tasks: the policies of each step,
// read through the reader, must decide the task's requests the way the task says Istio does.
func TestIstioTaskExamples(t *testing.T) {
	const td = "cluster.local"
	peer := func(ns, sa string) string { return model.Peer(td, ns, sa) }
	httpbin := labels("app", "httpbin", "version", "v1")
	echo := labels("app", "tcp-echo")
	productpage := labels("app", "productpage", "version", "v1")
	details := labels("app", "details", "version", "v1")
	get := func(ns string, l map[string]string, principal, path string) model.Request {
		return request(ns, l, 8000, principal, "GET", path)
	}
	tcp := func(port int32) model.Request {
		return model.Request{Namespace: "foo", Labels: echo, Port: port, TCP: true, Principal: peer("foo", "sleep")}
	}
	with := func(r model.Request, f func(*model.Request)) model.Request { f(&r); return r }
	type check struct {
		name  string
		req   model.Request
		allow bool
	}
	cases := []struct {
		task   string
		files  []string
		checks []check
	}{
		{"authz-http: allow-nothing", []string{"authz-http/01-allow-nothing.yaml"}, []check{
			{"productpage is closed", get("default", productpage, "", "/productpage"), false},
		}},
		{"authz-http: productpage viewer", []string{"authz-http/01-allow-nothing.yaml", "authz-http/02-productpage-viewer.yaml"}, []check{
			{"anyone may GET productpage, even without mTLS", get("default", productpage, "", "/productpage"), true},
			{"nobody may POST it", with(get("default", productpage, "", "/"), func(r *model.Request) { r.Method = "POST" }), false},
			{"details is still closed", get("default", details, peer("default", "bookinfo-productpage"), "/details/0"), false},
		}},
		{"authz-http: details viewer", []string{"authz-http/01-allow-nothing.yaml", "authz-http/04-details-viewer.yaml"}, []check{
			{"productpage's account may GET details", get("default", details, peer("default", "bookinfo-productpage"), "/details/0"), true},
			{"another account may not", get("default", details, peer("default", "bookinfo-reviews"), "/details/0"), false},
			{"a plain-text caller may not", get("default", details, "", "/details/0"), false},
		}},
		{"authz-http: gateway viewer", []string{"authz-http/01-allow-nothing.yaml", "authz-http/03-bookinfo-gateway-viewer.yaml"}, []check{
			{"the gateway takes GET", get("default", labels(model.GatewayNameLabel, "bookinfo-gateway"), "", "/productpage"), true},
		}},
		{"authz-deny: deny GET", []string{"authz-deny/01-deny-method-get.yaml"}, []check{
			{"GET is denied", get("foo", httpbin, peer("foo", "sleep"), "/get"), false},
			{"POST is allowed", with(get("foo", httpbin, peer("foo", "sleep"), "/post"), func(r *model.Request) { r.Method = "POST" }), true},
		}},
		{"authz-deny: unless admin", []string{"authz-deny/02-deny-method-get-unless-admin-token.yaml"}, []check{
			{"GET without the token is denied", get("foo", httpbin, peer("foo", "sleep"), "/get"), false},
			{"GET with x-token admin is allowed", with(get("foo", httpbin, peer("foo", "sleep"), "/get"), func(r *model.Request) { r.Headers = map[string]string{"x-token": "admin"} }), true},
		}},
		{"authz-deny: allow /ip", []string{"authz-deny/02-deny-method-get-unless-admin-token.yaml", "authz-deny/03-allow-path-ip.yaml"}, []check{
			{"an admin may GET /ip", with(get("foo", httpbin, peer("foo", "sleep"), "/ip"), func(r *model.Request) { r.Headers = map[string]string{"x-token": "admin"} }), true},
			{"an admin may not GET /get", with(get("foo", httpbin, peer("foo", "sleep"), "/get"), func(r *model.Request) { r.Headers = map[string]string{"x-token": "admin"} }), false},
		}},
		{"authz-tcp: ports", []string{"authz-tcp/01-tcp-policy-allow-ports.yaml"}, []check{
			{"port 9000 is open", tcp(9000), true},
			{"port 9001 is open", tcp(9001), true},
			{"port 9002 is closed", tcp(9002), false},
		}},
		{"authz-tcp: a method on a TCP port", []string{"authz-tcp/02-tcp-policy-allow-get-port-9000.yaml"}, []check{
			{"the ALLOW rule with a method never matches TCP", tcp(9000), false},
		}},
		{"authz-tcp: DENY GET", []string{"authz-tcp/03-tcp-policy-deny-get.yaml"}, []check{
			{"TCP 9000 is denied", tcp(9000), false},
			{"TCP 9001 is denied", tcp(9001), false},
		}},
		{"authz-jwt: require JWT", []string{"authz-jwt/02-require-jwt.yaml"}, []check{
			{"no token is denied", get("foo", httpbin, peer("foo", "sleep"), "/headers"), false},
			{"the token is allowed", with(get("foo", httpbin, "", "/headers"), func(r *model.Request) {
				r.RequestPrincipal = "testing@secure.istio.io/testing@secure.istio.io"
			}), true},
		}},
		{"authz-jwt: groups claim", []string{"authz-jwt/03-require-jwt-groups-claim.yaml"}, []check{
			{"a token without the group is denied", with(get("foo", httpbin, "", "/headers"), func(r *model.Request) {
				r.RequestPrincipal = "testing@secure.istio.io/testing@secure.istio.io"
			}), false},
			{"a token with group1 is allowed", with(get("foo", httpbin, "", "/headers"), func(r *model.Request) {
				r.RequestPrincipal = "testing@secure.istio.io/testing@secure.istio.io"
				r.Claims = map[string][]string{"groups": {"group1", "group2"}}
			}), true},
		}},
		{"authz-custom: ext-authz on /headers", []string{"authz-custom/01-ext-authz-custom-action.yaml"}, []check{
			{"/headers is denied when the provider denies", get("default", httpbin, "", "/headers"), false},
			{"/headers is allowed when it allows", with(get("default", httpbin, "", "/headers"), func(r *model.Request) {
				r.ProviderAllows = map[string]bool{"sample-ext-authz-grpc": true}
			}), true},
			{"/ip is not checked", get("default", httpbin, "", "/ip"), true},
		}},
		{"authz-dry-run: DENY /headers in dry-run", []string{"authz-dry-run/01-deny-path-headers-dry-run.yaml"}, []check{
			{"/headers is allowed", get("default", httpbin, "", "/headers"), true},
		}},
		{"authz-ingress: ipBlocks", []string{"authz-ingress/01-ingress-allow-ipblocks.yaml"}, []check{
			{"1.2.3.4 is allowed", with(get("istio-system", labels("app", "istio-ingressgateway"), "", "/"), func(r *model.Request) { r.SourceIP = "1.2.3.4" }), true},
			{"5.6.7.9 is allowed", with(get("istio-system", labels("app", "istio-ingressgateway"), "", "/"), func(r *model.Request) { r.SourceIP = "5.6.7.9" }), true},
			{"9.9.9.9 is denied", with(get("istio-system", labels("app", "istio-ingressgateway"), "", "/"), func(r *model.Request) { r.SourceIP = "9.9.9.9" }), false},
			{"a gateway in another namespace is covered too", with(get("other", labels("app", "istio-ingressgateway"), "", "/"), func(r *model.Request) { r.SourceIP = "9.9.9.9" }), false},
		}},
		{"authz-ingress: remoteIpBlocks", []string{"authz-ingress/02-ingress-allow-remoteipblocks.yaml"}, []check{
			{"the original client 1.2.3.4 is allowed", with(get("istio-system", labels("app", "istio-ingressgateway"), "", "/"), func(r *model.Request) {
				r.SourceIP, r.RemoteIP = "10.0.0.9", "1.2.3.4"
			}), true},
			{"the direct peer's address does not count", with(get("istio-system", labels("app", "istio-ingressgateway"), "", "/"), func(r *model.Request) {
				r.SourceIP, r.RemoteIP = "1.2.3.4", "9.9.9.9"
			}), false},
		}},
		{"authz-td-migration: old trust domain", []string{"authz-td-migration/01-service-httpbin-old-td.yaml"}, []check{
			{"the old-td identity is allowed", get("default", httpbin, "old-td/ns/sleep-allow/sa/sleep", "/ip"), true},
			{"the new-td identity is not (no alias configured)", get("default", httpbin, peer("sleep-allow", "sleep"), "/ip"), false},
		}},
	}
	for _, c := range cases {
		t.Run(c.task, func(t *testing.T) {
			var docs []string
			for _, f := range c.files {
				docs = append(docs, corpusFile(t, "istio-docs-tasks/"+f))
			}
			snap, fs := readYAML(t, docs...)
			if fs.Count(model.Error) > 0 {
				t.Errorf("errors reading the task: %v", fs)
			}
			for _, ch := range c.checks {
				if d := model.Evaluate(snap, ch.req); d.Allow != ch.allow {
					t.Errorf("%s: got %s, want allow=%v", ch.name, d, ch.allow)
				}
			}
		})
	}
}
