package gatewayapi

import (
	"testing"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

func TestBarePathOfAPrefixEndingInSlash(t *testing.T) {
	cases := []struct {
		name   string
		rules  []vsOpt
		want   string
		codes  []model.Code
		absent []model.Code
	}{
		{"the bare path gets an exact match in the later rule Istio sends it to",
			[]vsOpt{http(when(prefix("/api/")), to("shop", "a", 0, 100)), http(to("shop", "b", 0, 100))},
			"a: PathPrefix /api | b: PathPrefix /; Exact /api",
			[]model.Code{model.CodeGWBarePathAdded}, []model.Code{model.CodeGWBarePathMisrouted}},
		{"the bare path gets an exact match in the earlier rule Istio sends it to",
			[]vsOpt{
				http(when(exact("/api"), header("x", model.MatchExact, "1")), to("shop", "b", 0, 100)),
				http(when(prefix("/api/"), header("x", model.MatchExact, "1")), to("shop", "a", 0, 100)),
			},
			"b: Exact /api x=1 | a: PathPrefix /api x=1",
			nil, []model.Code{model.CodeGWBarePathAdded, model.CodeGWBarePathMisrouted}},
		{"a later prefix without the slash takes the bare path, which it would otherwise lose on the tie",
			[]vsOpt{http(when(prefix("/api/")), to("shop", "a", 0, 100)), http(when(prefix("/api")), to("shop", "b", 0, 100))},
			"a: PathPrefix /api | b: PathPrefix /api; RegularExpression /api[^/].*; Exact /api",
			[]model.Code{model.CodeGWBarePathAdded}, []model.Code{model.CodeGWBarePathMisrouted, model.CodeGWRuleUnreachable}},
		{"a rule that also matches the bare path itself needs nothing",
			[]vsOpt{http(when(prefix("/api/")), when(exact("/api")), to("shop", "a", 0, 100))},
			"a: PathPrefix /api; Exact /api",
			nil, []model.Code{model.CodeGWBarePathAdded, model.CodeGWBarePathMisrouted}},
		{"a bare path Istio routes nowhere now reaches the rule: an error",
			[]vsOpt{http(when(prefix("/api/")), to("shop", "a", 0, 100))},
			"a: PathPrefix /api",
			[]model.Code{model.CodeGWBarePathMisrouted}, []model.Code{model.CodeGWBarePathAdded}},
		{"a later rule that takes part of the bare path's requests gets that part; the rest reaching the rule is an error",
			[]vsOpt{http(when(prefix("/api/")), to("shop", "a", 0, 100)), http(when(header("x", model.MatchExact, "1")), to("shop", "b", 0, 100))},
			"a: PathPrefix /api | b: PathPrefix / x=1; Exact /api x=1",
			[]model.Code{model.CodeGWBarePathMisrouted}, []model.Code{model.CodeGWBarePathAdded}},
		{"each rule that takes part of the bare path's requests first gets its part, the catch-all the rest",
			[]vsOpt{
				http(when(header("x", model.MatchExact, "1"), method(model.MatchExact, "GET")), to("shop", "b", 0, 100)),
				http(when(prefix("/api/")), to("shop", "a", 0, 100)),
				http(to("shop", "web", 0, 100)),
			},
			"b: PathPrefix / x=1 GET; Exact /api x=1 GET; PathPrefix /api x=1 GET | a: PathPrefix /api | web: PathPrefix /; Exact /api",
			[]model.Code{model.CodeGWBarePathAdded}, []model.Code{model.CodeGWBarePathMisrouted}},
		{"the exact match keeps the headers of the prefix's match",
			[]vsOpt{http(when(prefix("/api/"), header("x", model.MatchExact, "1")), to("shop", "a", 0, 100)), http(to("shop", "b", 0, 100))},
			"a: PathPrefix /api x=1 | b: PathPrefix /; Exact /api x=1",
			[]model.Code{model.CodeGWBarePathAdded}, nil},
		{"a prefix rewrite on the rule does not follow the bare path to the catch-all",
			[]vsOpt{http(when(prefix("/v1/")), rewrite(model.Rewrite{Path: "/v2/"}), to("shop", "a", 0, 100)), http(to("shop", "b", 0, 100))},
			"a: PathPrefix /v1 | b: PathPrefix /; Exact /v1",
			[]model.Code{model.CodeGWBarePathAdded}, nil},
		{"a later rule that rewrites a prefix cannot take the bare path by an exact match: an error",
			[]vsOpt{http(when(prefix("/v1/")), to("shop", "a", 0, 100)), http(when(prefix("/")), rewrite(model.Rewrite{Path: "/x/"}), to("shop", "b", 0, 100))},
			"a: PathPrefix /v1 | b: PathPrefix /",
			[]model.Code{model.CodeGWBarePathMisrouted}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := write(t, orderSnap(c.rules...), emit.Options{})
			r.want(c.codes...)
			r.wantNot(c.absent...)
			r.wantNot(model.CodeGWPrefixTrailingSlash)
			if got := routeSummary(t, r.get("HTTPRoute", "shop", "web")); got != c.want {
				t.Errorf("rules = %s\nwant    %s", got, c.want)
			}
		})
	}

	linkerd := []struct {
		name  string
		rules []vsOpt
		want  string
	}{
		{"for Linkerd, which ranks an Exact and a PathPrefix of one path alike, the exact match gets a rule ahead of the prefix's",
			[]vsOpt{http(when(prefix("/api/")), to("shop", "a", 0, 100)), http(to("shop", "b", 0, 100))},
			"b: Exact /api | a: PathPrefix /api | b: PathPrefix /"},
		{"for Linkerd, a later rule's own exact match for the bare path moves ahead of the prefix's rule",
			[]vsOpt{http(when(prefix("/api/")), to("shop", "a", 0, 100)), http(when(exact("/api")), to("shop", "b", 0, 100))},
			"b: Exact /api | a: PathPrefix /api"},
	}
	for _, c := range linkerd {
		t.Run(c.name, func(t *testing.T) {
			r := write(t, orderSnap(c.rules...), emit.Options{Mesh: MeshLinkerd})
			r.wantNot(model.CodeGWBarePathMisrouted)
			if got := routeSummary(t, r.get("HTTPRoute", "shop", "web")); got != c.want {
				t.Errorf("rules = %s\nwant    %s", got, c.want)
			}
		})
	}
	t.Run("elsewhere an Exact outranks any PathPrefix, so the rules keep Istio's order", func(t *testing.T) {
		r := write(t, orderSnap(http(when(prefix("/api/")), to("shop", "a", 0, 100)), http(when(exact("/api")), to("shop", "b", 0, 100))), emit.Options{})
		if got := routeSummary(t, r.get("HTTPRoute", "shop", "web")); got != "a: PathPrefix /api | b: Exact /api" {
			t.Errorf("rules = %s", got)
		}
	})

	t.Run("a GRPCRoute service match never matches the bare path, so nothing is added or reported", func(t *testing.T) {
		r := write(t, snapshot(
			svc("shop", "pricing", port("grpc", 9090)), svc("shop", "b", port("grpc", 9090)),
			vs("shop", "pricing", host("shop", "pricing"),
				http(when(prefix("/pricing.v1.Quotes/")), to("shop", "b", 0, 100)), http(to("shop", "pricing", 0, 100))),
		), emit.Options{})
		r.wantNot(model.CodeGWBarePathAdded, model.CodeGWBarePathMisrouted, model.CodeGWPrefixTrailingSlash)
		if n := length(t, r.get("GRPCRoute", "shop", "pricing"), "spec.rules.0.matches"); n != 1 {
			t.Errorf("first rule has %d matches, want 1", n)
		}
	})
}
