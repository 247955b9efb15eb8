package linkerd

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
)

// routeNamesOf returns the HTTPRoutes' names, with the hash of a rule route's requests
// written "#".
func routeNamesOf(objs []*unstructured.Unstructured) []string {
	var out []string
	for _, r := range ofKind(objs, "HTTPRoute") {
		out = append(out, hashSuffix.ReplaceAllString(r.GetName(), "-#"))
	}
	slices.Sort(out)
	return out
}

var hashSuffix = regexp.MustCompile(`-[0-9a-f]{8}$`)

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
			routes: []string{"reviews-8080-#", "reviews-9090-#"},
			codes:  []string{"MB5008"},
		},
		{
			name: "a rule for every path beside a path rule stays on the Server, with a catch-all route",
			rules: []model.AccessRule{
				{From: from(shopNS)},
				{From: from(monitoring), To: to(model.Operation{Paths: []string{"/metrics"}})},
			},
			routes: []string{"reviews-8080-#", "reviews-8080-any", "reviews-9090-#", "reviews-9090-any"},
			codes:  []string{"MB5008"},
		},
		{
			name: "rules with the same requests share a route",
			rules: []model.AccessRule{
				{From: from(shopNS), To: to(model.Operation{Paths: []string{"/api/*"}})},
				{From: from(monitoring), To: to(model.Operation{Paths: []string{"/api/*"}})},
			},
			routes: []string{"reviews-8080-#", "reviews-9090-#"},
			codes:  []string{"MB5008", "MB5010"},
		},
		{
			name: "a route inside another carries the other's authorizations too",
			rules: []model.AccessRule{
				{From: from(shopNS), To: to(model.Operation{Paths: []string{"/api/*"}})},
				{From: from(monitoring), To: to(model.Operation{Methods: []string{"GET"}, Paths: []string{"/api/health"}})},
			},
			routes: []string{"reviews-8080-#", "reviews-8080-#", "reviews-9090-#", "reviews-9090-#"},
			codes:  []string{"MB5008", "MB5010"},
		},
		{
			name: "overlapping routes Linkerd may pick either of are reported as narrowing",
			rules: []model.AccessRule{
				{From: from(shopNS), To: to(model.Operation{Paths: []string{"/api/*"}})},
				{From: from(monitoring), To: to(model.Operation{Paths: []string{"*.json"}})},
			},
			routes: []string{"reviews-8080-#", "reviews-8080-#", "reviews-9090-#", "reviews-9090-#"},
			codes:  []string{"MB5008", "MB5010", "MB5011"},
			// The request classes hold no path both patterns match; TestOverlapNarrows has one.
		},
		{
			name:   "a header presence condition becomes a header match",
			rules:  []model.AccessRule{{From: from(shopNS), When: []model.Condition{{Key: "request.headers[X-Tenant]", Values: []string{"*"}}}}},
			routes: []string{"reviews-8080-#", "reviews-9090-#"},
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

func TestOverlapNarrows(t *testing.T) {
	snap := shop(policy("shop", "reviews-access", model.Allow, reviews,
		model.AccessRule{From: from(model.Source{Namespaces: []string{"shop"}}), To: to(model.Operation{Paths: []string{"/api/*"}})},
		model.AccessRule{From: from(model.Source{Namespaces: []string{"monitoring"}}), To: to(model.Operation{Paths: []string{"*.json"}})}))
	objs, findings := run(t, snap)
	req := model.Request{Namespace: "shop", Labels: reviews, Port: 8080, Method: "GET", Path: "/api/a.json",
		Principal: "cluster.local/ns/monitoring/sa/prometheus"}
	if v := linkerdDecide(t, objs, req, "cluster.local"); v.allowAll {
		t.Errorf("%s is allowed whichever route Linkerd picks; the overlap test is moot", render(req))
	}
	if f := findingsOf(findings, model.CodeLinkerdRouteOverlap); len(f) == 0 || f[0].Severity != model.Error {
		t.Errorf("no error MB5011:\n%v", findings)
	}
}
