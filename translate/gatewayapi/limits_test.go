package gatewayapi

import (
	"fmt"
	"testing"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

func TestLimitsSplitRoutesInOrder(t *testing.T) {
	t.Run("more than 16 rules go to a second route named after the first", func(t *testing.T) {
		opts := []vsOpt{host("shop", "web")}
		for i := range 20 {
			opts = append(opts, http(when(exact(fmt.Sprintf("/p%02d", i))), to("shop", "web", 0, 100)))
		}
		r := write(t, snapshot(svc("shop", "web", port("http", 80)), vs("shop", "web", opts...)), emit.Options{})
		r.want(model.CodeGWRouteSplit)
		first, second := r.get("HTTPRoute", "shop", "web"), r.get("HTTPRoute", "shop", "web-part-02")
		if length(t, first, "spec.rules") != 16 || length(t, second, "spec.rules") != 4 ||
			field(t, second, "spec.rules.0.matches.0.path.value") != "/p16" {
			t.Errorf("split = %d + %d rules", length(t, first, "spec.rules"), length(t, second, "spec.rules"))
		}
	})
	t.Run("a rule with more than 64 matches is split into rules, and routes stay within 128 matches", func(t *testing.T) {
		var ms []ruleOpt
		for i := range 130 {
			ms = append(ms, when(exact(fmt.Sprintf("/m%03d", i))))
		}
		r := write(t, snapshot(svc("shop", "web", port("http", 80)),
			vs("shop", "web", host("shop", "web"), http(append(ms, to("shop", "web", 0, 100))...))), emit.Options{})
		first, second := r.get("HTTPRoute", "shop", "web"), r.get("HTTPRoute", "shop", "web-part-02")
		if length(t, first, "spec.rules") != 2 || length(t, second, "spec.rules") != 1 || length(t, second, "spec.rules.0.matches") != 2 {
			t.Errorf("split = %v / %v", length(t, first, "spec.rules"), length(t, second, "spec.rules"))
		}
	})
	t.Run("equal-precedence overlaps split across routes are reported", func(t *testing.T) {
		opts := []vsOpt{host("shop", "web")}
		for i := range 16 {
			opts = append(opts, http(when(header("x", model.MatchExact, fmt.Sprint(i))), to("shop", "web", 0, 100, "a")))
		}
		opts = append(opts, http(when(header("y", model.MatchExact, "1")), to("shop", "web", 0, 100, "b")))
		r := write(t, snapshot(svc("shop", "web", port("http", 80)), vs("shop", "web", opts...)), emit.Options{})
		r.want(model.CodeGWSplitOrder)
	})
}

// TestEveryProfileWritesValidObjects runs one snapshot with every feature through every mesh
// profile and both channels; write() checks each object against the CRDs.
func TestEveryProfileWritesValidObjects(t *testing.T) {
	snap := kitchen()
	for _, mesh := range []string{"", MeshIstio, MeshLinkerd, MeshCilium, MeshKuma} {
		for _, ch := range []string{"standard", "experimental"} {
			t.Run(fmt.Sprintf("mesh %q channel %s", mesh, ch), func(t *testing.T) {
				r := write(t, snap, emit.Options{Mesh: mesh, Channel: ch})
				if len(r.objs) == 0 {
					t.Error("nothing written")
				}
			})
		}
	}
}

// kitchen is a snapshot that uses every feature the writer knows.
func kitchen() *model.Snapshot {
	half := 12.5
	return snapshot(
		svc("shop", "web", port("http", 80), port("grpc-api", 9090), port("tcp-db", 5432)),
		svc("shop", "a", port("http", 80)),
		svc("other", "b", port("http", 8080)),
		workload("shop", "gw", map[string]string{"istio": "ingressgateway"}),
		gateway("shop", "public",
			model.GatewayServer{Port: 80, Protocol: "HTTP", Hosts: []string{"*"}},
			model.GatewayServer{Port: 443, Protocol: "HTTPS", Hosts: []string{"shop.example.com"}, TLS: &model.GatewayTLS{Mode: "SIMPLE", CredentialName: "cert"}},
			model.GatewayServer{Port: 5000, Protocol: "TCP", Hosts: []string{"*"}},
		),
		vs("shop", "web", host("shop", "web"),
			http(named("Canary"), when(prefix("/api"), header("x-user", model.MatchPrefix, "j")), when(regex("/v[0-9]+/.*"), method(model.MatchExact, "GET")),
				to("shop", "web", 0, 75, "v1"), to("shop", "web", 0, 25, "v2"), timeout(1500e6), retries(2, 500e6, "5xx"),
				mirror(backend("other", "b", 0, 0), &half),
				headers(model.HeaderEdits{Request: &model.HeaderOps{Set: []model.KeyValue{{Name: "x-a", Value: "1"}}}}),
				cors(model.CORS{AllowOrigins: []model.StringMatch{{Type: model.MatchExact, Value: "https://a.example.com"}}, AllowMethods: []string{"GET"}})),
			http(when(exact("/old"), query("q", model.MatchExact, "1")), redirect(model.Redirect{Path: "/new", StatusCode: 302})),
			http(when(prefix("/rw/")), to("other", "b", 0, 100), rewrite(model.Rewrite{Path: "/", Authority: "b.other"})),
			http(to("shop", "a", 80, 100)),
			tcp(model.L4Rule{Backends: []model.Backend{backend("shop", "web", 5432, 100)}}),
		),
		vs("client", "web", host("shop", "web"), exportTo("."), http(to("shop", "web", 0, 100, "v1"))),
		vs("shop", "ingress", rawHost("shop.example.com"), gateways("shop/public"),
			http(when(prefix("/")), to("shop", "a", 0, 100)),
			tcp(model.L4Rule{Matches: []model.L4Match{{Port: 5000}}, Backends: []model.Backend{backend("shop", "web", 5432, 100)}})),
	)
}
