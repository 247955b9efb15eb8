package linkerd

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
)

func routeNamesOf(objs []*unstructured.Unstructured) []string {
	var out []string
	for _, r := range ofKind(objs, "HTTPRoute") {
		out = append(out, r.GetName())
	}
	return out
}

func TestInboundRoutes(t *testing.T) {
	monitoring := model.Source{Namespaces: []string{"monitoring"}}
	shopNS := model.Source{Namespaces: []string{"shop"}}
	cases := []struct {
		name   string
		rules  []model.AccessRule
		routes []string
		codes  []string
		// narrowed: the translation may deny something Istio allows.
		narrowed bool
	}{
		{
			name:   "path and method rules become routes on the Server, targeted by their authorizations",
			rules:  []model.AccessRule{{From: from(monitoring), To: to(model.Operation{Methods: []string{"GET"}, Paths: []string{"/metrics"}})}},
			routes: []string{"reviews-8080-9f4c8b0b", "reviews-9090-9f4c8b0b"},
			codes:  []string{"MB5008"},
		},
		{
			name: "a rule for every path beside a path rule stays on the Server, with a catch-all route",
			rules: []model.AccessRule{
				{From: from(shopNS)},
				{From: from(monitoring), To: to(model.Operation{Paths: []string{"/metrics"}})},
			},
			routes: []string{"reviews-8080-any", "reviews-8080-c6c9a83a", "reviews-9090-any", "reviews-9090-c6c9a83a"},
			codes:  []string{"MB5008"},
		},
		{
			name: "rules with the same requests share a route",
			rules: []model.AccessRule{
				{From: from(shopNS), To: to(model.Operation{Paths: []string{"/api/*"}})},
				{From: from(monitoring), To: to(model.Operation{Paths: []string{"/api/*"}})},
			},
			routes: []string{"reviews-8080-2e2d6e9d", "reviews-9090-2e2d6e9d"},
			codes:  []string{"MB5008", "MB5010"},
		},
		{
			name: "a route inside another carries the other's authorizations too",
			rules: []model.AccessRule{
				{From: from(shopNS), To: to(model.Operation{Paths: []string{"/api/*"}})},
				{From: from(monitoring), To: to(model.Operation{Methods: []string{"GET"}, Paths: []string{"/api/health"}})},
			},
			routes: []string{"reviews-8080-2e2d6e9d", "reviews-8080-e7d6bd0b", "reviews-9090-2e2d6e9d", "reviews-9090-e7d6bd0b"},
			codes:  []string{"MB5008", "MB5010"},
		},
		{
			name: "overlapping routes Linkerd may pick either of are reported as narrowing",
			rules: []model.AccessRule{
				{From: from(shopNS), To: to(model.Operation{Paths: []string{"/api/*"}})},
				{From: from(monitoring), To: to(model.Operation{Paths: []string{"*.json"}})},
			},
			routes:   []string{"reviews-8080-2e2d6e9d", "reviews-8080-ec8d0a06", "reviews-9090-2e2d6e9d", "reviews-9090-ec8d0a06"},
			codes:    []string{"MB5008", "MB5010", "MB5011"},
			narrowed: true,
		},
		{
			name:   "a header presence condition becomes a header match",
			rules:  []model.AccessRule{{From: from(shopNS), When: []model.Condition{{Key: "request.headers[X-Tenant]", Values: []string{"*"}}}}},
			routes: []string{"reviews-8080-any", "reviews-9090-any"},
			codes:  []string{"MB5008"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			snap := shop(policy("shop", "reviews-access", model.Allow, reviews, c.rules...))
			objs, findings := run(t, snap)
			narrowed := compare(t, snap, objs)
			if c.narrowed != (len(narrowed) > 0) {
				t.Errorf("narrowed = %v, want %v:\n%s", len(narrowed) > 0, c.narrowed, strings.Join(narrowed, "\n"))
			}
			if got := routeNamesOf(objs); !slices.Equal(got, c.routes) {
				t.Errorf("routes %v, want %v", got, c.routes)
			}
			if got := codes(findings); !slices.Equal(got, c.codes) {
				t.Errorf("finding codes %v, want %v:\n%v", got, c.codes, findings)
			}
		})
	}
}

func TestProbesGetRoutes(t *testing.T) {
	snap := shop(policy("shop", "reviews-access", model.Allow, reviews,
		model.AccessRule{From: from(model.Source{Namespaces: []string{"monitoring"}}), To: to(model.Operation{Paths: []string{"/metrics"}})}))
	for i := range snap.Inventory.Workloads {
		if snap.Inventory.Workloads[i].Name == "reviews" {
			snap.Inventory.Workloads[i].Probes = []model.HTTPProbe{{Port: 8080, Path: "/healthz?full=1"}, {Port: 8080, Path: "/ready"}}
		}
	}
	objs, findings := run(t, snap)
	compare(t, snap, objs)
	probe := find(objs, "HTTPRoute", "shop", "reviews-8080-probes")
	if probe == nil {
		t.Fatalf("no probe route; routes %v", routeNamesOf(objs))
	}
	if find(objs, "HTTPRoute", "shop", "reviews-9090-probes") != nil {
		t.Error("a probe route on port 9090, which no probe uses")
	}
	for _, path := range []string{"/healthz", "/ready"} {
		req := model.Request{Namespace: "shop", Labels: reviews, Port: 8080, Method: "GET", Path: path, SourceIP: "10.0.0.1"}
		if v := linkerdDecide(t, objs, req, "cluster.local"); !v.allowAll {
			t.Errorf("the kubelet cannot probe %s: %s", path, v.why)
		}
	}
	if !hasCode(findings, model.CodeLinkerdProbesAuthorized) {
		t.Errorf("no MB5012 finding:\n%v", findings)
	}
}

func TestManyMatchesAreSplitWithinTheGatewayAPILimits(t *testing.T) {
	var paths []string
	for i := range 150 {
		paths = append(paths, fmt.Sprintf("/item/%d", i))
	}
	snap := shop(policy("shop", "reviews-access", model.Allow, reviews,
		model.AccessRule{From: from(model.Source{Namespaces: []string{"shop"}}), To: to(model.Operation{Paths: paths})}))
	objs, _ := run(t, snap) // the CRDs' CEL rules check the limits
	if narrowed := compare(t, snap, objs); len(narrowed) > 0 {
		t.Errorf("narrowed:\n%s", strings.Join(narrowed, "\n"))
	}
	routes := ofKind(objs, "HTTPRoute")
	if len(routes) != 4 {
		t.Errorf("routes %v, want two parts per port", names(routes))
	}
	for _, r := range routes {
		if len(authzFor(objs, "shop", "HTTPRoute", r.GetName())) == 0 {
			t.Errorf("route %s has no AuthorizationPolicy", r.GetName())
		}
	}
}
