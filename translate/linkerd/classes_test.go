package linkerd

import (
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
)

func TestServersNeverOverlap(t *testing.T) {
	v1 := workload("shop", "reviews-v1", "reviews", map[string]string{"app": "reviews", "version": "v1"}, 8080)
	v2 := workload("shop", "reviews-v2", "reviews", map[string]string{"app": "reviews", "version": "v2"}, 8080)
	fe := workload("shop", "frontend", "frontend", map[string]string{"app": "frontend"}, 8080)
	ratings := workload("shop", "ratings", "ratings", map[string]string{"app": "ratings", "tier": "backend"}, 8080)
	mon := workload("monitoring", "prometheus", "prometheus", map[string]string{"app": "prometheus"}, 9090)
	snap := snapshot([]model.Workload{v1, v2, fe, ratings, mon}, []model.AccessPolicy{
		policy("shop", "shop-only", model.Allow, nil, model.AccessRule{From: from(model.Source{Namespaces: []string{"shop"}})}),
		policy("shop", "scrape-reviews", model.Allow, map[string]string{"app": "reviews"}, model.AccessRule{From: from(model.Source{Namespaces: []string{"monitoring"}})}),
		policy("shop", "v2-no-delete", model.Deny, map[string]string{"app": "reviews", "version": "v2"}, model.AccessRule{To: to(model.Operation{Methods: []string{"DELETE"}})}),
	}, peerAuth("shop", "backend-strict", model.MTLSStrict, map[string]string{"tier": "backend"}))
	objs, findings := run(t, snap) // run checks Linkerd's admission rules

	t.Run("each workload's port is selected by exactly one Server", func(t *testing.T) {
		for _, wl := range snap.Inventory.Workloads {
			if wl.Namespace != "shop" {
				continue
			}
			n := 0
			for _, s := range ofKind(objs, "Server") {
				v := linkerdDecide(t, []*unstructured.Unstructured{s}, model.Request{Namespace: "shop", Labels: wl.Labels, Port: 8080}, "cluster.local")
				if !strings.HasPrefix(v.why, "no Server") {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s is selected by %d Servers", wl.Name, n)
			}
		}
	})
	t.Run("decisions match Istio's but for the methods the DENY fold enumerates", func(t *testing.T) {
		for _, n := range compare(t, snap, objs) {
			if !strings.Contains(n, "version:v2") || !strings.Contains(n, "MESHBRIDGE") {
				t.Errorf("narrowed: %s", n)
			}
		}
		if got, want := codes(findings), []string{"MB5003", "MB5008"}; !slices.Equal(got, want) {
			t.Errorf("codes %v, want %v", got, want)
		}
	})
}

func TestAtomsSplitMultiLabelComplements(t *testing.T) {
	a := workload("ns", "a", "a", map[string]string{"app": "x", "track": "canary"})
	b := workload("ns", "b", "b", map[string]string{"app": "x", "track": "stable"})
	c := workload("ns", "c", "c", map[string]string{"app": "y", "track": "canary"})
	splitters := []map[string]string{{"app": "x", "track": "canary"}}
	got := atoms([]model.Workload{b, c}, splitters)
	var keys []string
	for _, cj := range got {
		keys = append(keys, cj.key())
	}
	// not(app=x and track=canary) = app≠x, or app=x and track≠canary.
	if want := []string{"app!=x", "app=x,track!=canary"}; !slices.Equal(keys, want) {
		t.Errorf("atoms %v, want %v", keys, want)
	}
	for _, cj := range got {
		if cj.selects(a.Labels) {
			t.Errorf("%s selects the canary of x", cj.key())
		}
	}
	if only := atoms([]model.Workload{a}, splitters); len(only) != 1 || only[0].key() != "app=x,track=canary" {
		t.Errorf("atoms of the selected workload: %v", only)
	}
}
