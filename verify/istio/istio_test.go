package istio_test

import (
	"testing"

	_ "github.com/meshbridge/meshbridge/internal/golden"
	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/verify/istio"
	"github.com/meshbridge/meshbridge/verify/semantics"
)

func TestRoutesFirstMatchWins(t *testing.T) {
	reviews := model.ServiceRef{Namespace: "shop", Name: "reviews"}
	prefix := func(p string) *model.StringMatch { return &model.StringMatch{Type: model.MatchPrefix, Value: p} }
	to := func(subset string, w int32) model.Backend {
		return model.Backend{Service: reviews, Subset: subset, SubsetLabels: map[string]string{"version": subset}, Weight: w}
	}
	snap := &model.Snapshot{
		Inventory: model.Inventory{Services: []model.Service{{Namespace: "shop", Name: "reviews", Selector: map[string]string{"app": "reviews"}}}},
		Routes: []model.RouteSet{{Namespace: "shop", Name: "reviews", Mesh: true, Services: []model.ServiceRef{reviews}, HTTP: []model.HTTPRule{
			{Field: "spec.http[0]", Matches: []model.HTTPMatch{{Path: prefix("/api")}}, Backends: []model.Backend{to("v1", 0)}},
			{Field: "spec.http[1]", Matches: []model.HTTPMatch{{Path: &model.StringMatch{Type: model.MatchExact, Value: "/api/v2"}}}, Backends: []model.Backend{to("v2", 0)}},
			{Field: "spec.http[2]", Matches: []model.HTTPMatch{{Headers: []model.KeyMatch{{Name: "x-user", Present: true}}}}, Backends: []model.Backend{to("v1", 80), to("v2", 20)}},
		}}, {Namespace: "test", Name: "private", Mesh: true, ExportTo: []string{"."}, Services: []model.ServiceRef{reviews}}},
	}
	r := istio.NewRoutes(snap)
	v1 := semantics.PodsKey("shop", map[string]string{"app": "reviews", "version": "v1"})
	v2 := semantics.PodsKey("shop", map[string]string{"app": "reviews", "version": "v2"})
	req := func(ns, path string, h map[string]string) semantics.RouteRequest {
		return semantics.RouteRequest{ClientNamespace: ns, Service: reviews, Method: "GET", Path: path, Headers: h}
	}
	cases := []struct {
		name string
		req  semantics.RouteRequest
		want semantics.Outcome
	}{
		{"the first rule wins over a later, more specific one", req("shop", "/api/v2", nil), semantics.Outcome{Kind: semantics.Forward, Backends: []semantics.Backend{{Key: v1, Share: 1}}}},
		{"a single destination takes all traffic whatever its weight", req("shop", "/api", nil), semantics.Outcome{Kind: semantics.Forward, Backends: []semantics.Backend{{Key: v1, Share: 1}}}},
		{"weights split among destinations", req("shop", "/", map[string]string{"x-user": ""}), semantics.Outcome{Kind: semantics.Forward, Backends: semantics.Weighted([]string{v1, v2}, []float64{80, 20})}},
		{"no matching rule is a 404", req("shop", "/", nil), semantics.Outcome{Kind: semantics.NotFound}},
		{"a VirtualService exported to its own namespace hides the other from it", req("test", "/api", nil),
			semantics.Outcome{Kind: semantics.Forward, Backends: []semantics.Backend{{Key: semantics.PodsKey("shop", map[string]string{"app": "reviews"}), Share: 1}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := r.Route(c.req); !got.Equal(c.want) {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestHTTPMatch(t *testing.T) {
	req := semantics.RouteRequest{ClientNamespace: "shop", Service: model.ServiceRef{Port: 9080}, Method: "GET", Path: "/API/x?debug=1",
		Headers: map[string]string{"x-user": "jason"}}
	cases := []struct {
		name string
		m    model.HTTPMatch
		want bool
	}{
		{"ignoreUriCase folds the path", model.HTTPMatch{Path: &model.StringMatch{Type: model.MatchPrefix, Value: "/api"}, IgnoreURICase: true}, true},
		{"without it the case matters", model.HTTPMatch{Path: &model.StringMatch{Type: model.MatchPrefix, Value: "/api"}}, false},
		{"a regex matches the whole path", model.HTTPMatch{Path: &model.StringMatch{Type: model.MatchRegex, Value: "/API"}}, false},
		{"query parameters are matched apart from the path", model.HTTPMatch{QueryParams: []model.KeyMatch{{Name: "debug", Match: model.StringMatch{Type: model.MatchExact, Value: "1"}}}}, true},
		{"withoutHeaders fails on a matching header", model.HTTPMatch{WithoutHeaders: []model.KeyMatch{{Name: "x-user", Match: model.StringMatch{Type: model.MatchPrefix, Value: "ja"}}}}, false},
		{"a port match is the Service port", model.HTTPMatch{Port: 8080}, false},
		{"a source namespace must be the client's", model.HTTPMatch{SourceNamespace: "test"}, false},
		{"a rule bound to gateways only is not for sidecars", model.HTTPMatch{Gateways: []string{"shop/public"}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := istio.HTTPMatch(c.m, req); got != c.want {
				t.Errorf("got %v", got)
			}
		})
	}
}
