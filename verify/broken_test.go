package verify_test

import (
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/verify"
	"github.com/meshbridge/meshbridge/verify/cases"
)

const intruder = "cluster.local/ns/shop/sa/intruder"

// TestBrokenOutputIsCaught edits emitted objects the way a bug (or a hand edit) would and
// wants verify to name the exact request the edit lets through.
func TestBrokenOutputIsCaught(t *testing.T) {
	cases := []struct {
		name, fixture, target, mesh string
		// linkerdDefault is the cluster's default inbound policy (deny, as MB5008 recommends,
		// keeps undeclared ports out of the picture).
		linkerdDefault string
		// kind is the kind of object break edits; break returns false when it found nothing to edit.
		kind  string
		brk   func(o *unstructured.Unstructured) bool
		check func(t *testing.T, rep *verify.Report)
	}{
		{
			name: "a source added to a TrafficTarget widens access for that service account", fixture: "authz-allow-principal-methods-paths",
			target: "smi", mesh: "osm", kind: "TrafficTarget",
			brk: func(o *unstructured.Unstructured) bool {
				return appendTo(o, []string{"spec", "sources"}, map[string]any{"kind": "ServiceAccount", "name": "intruder", "namespace": "shop"})
			},
			check: wantWidenedFrom(intruder, "TrafficTarget shop/"),
		},
		{
			name: "an identity added to a MeshTLSAuthentication widens access for that service account", fixture: "authz-allow-principal-methods-paths",
			target: "linkerd", linkerdDefault: "deny", kind: "MeshTLSAuthentication",
			brk: func(o *unstructured.Unstructured) bool {
				return appendTo(o, []string{"spec", "identityRefs"}, map[string]any{"kind": "ServiceAccount", "name": "intruder", "namespace": "shop"})
			},
			check: wantWidenedFrom(intruder, "AuthorizationPolicy shop/"),
		},
		{
			name: "a principal added to an emitted AuthorizationPolicy widens access for it", fixture: "authz-allow-principal-methods-paths",
			target: "istio", kind: "AuthorizationPolicy",
			brk: func(o *unstructured.Unstructured) bool {
				rules, _, _ := unstructured.NestedSlice(o.Object, "spec", "rules")
				if len(rules) == 0 {
					return false
				}
				rules = append(rules, map[string]any{"from": []any{map[string]any{"source": map[string]any{"principals": []any{intruder}}}}})
				return unstructured.SetNestedSlice(o.Object, rules, "spec", "rules") == nil
			},
			check: wantWidenedFrom(intruder, "ALLOW policy shop/"),
		},
		{
			name: "swapped canary weights are rerouted with the request that shows it", fixture: "mesh-weighted-canary",
			target: "gatewayapi", kind: "HTTPRoute",
			brk: func(o *unstructured.Unstructured) bool {
				rules, _, _ := unstructured.NestedSlice(o.Object, "spec", "rules")
				changed := false
				for _, r := range rules {
					for _, b := range r.(map[string]any)["backendRefs"].([]any) {
						br := b.(map[string]any)
						br["weight"] = 100 - toInt(br["weight"])
						changed = true
					}
				}
				_ = unstructured.SetNestedSlice(o.Object, rules, "spec", "rules")
				return changed
			},
			check: func(t *testing.T, rep *verify.Report) {
				if rep.Summary.Rerouted == 0 || len(rep.Routes) == 0 || len(rep.Routes[0].Rerouted) == 0 {
					t.Fatalf("no rerouted request: %s", rep.SummaryLine())
				}
				d := rep.Routes[0].Rerouted[0]
				if !strings.Contains(d.Istio.String(), "version=v1} 75%") || !strings.Contains(d.Target.String(), "version=v1} 25%") {
					t.Errorf("the difference does not show the weights: istio %s, target %s", d.Istio, d.Target)
				}
				if d.Example.Service.Name != "reviews" || d.Example.Method == "" {
					t.Errorf("example %s is not a request to reviews", d.Example)
				}
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := verify.Options{Target: c.target, Mesh: c.mesh}
			opts.Linkerd.DefaultPolicy = c.linkerdDefault
			cs, rep := caseReport(t, c.fixture, opts, nil)
			if rep.Summary.Widened != 0 || (rep.Summary.Rerouted != 0 && c.target == "gatewayapi") {
				t.Fatalf("the unbroken output already differs: %s", rep.SummaryLine())
			}
			_, broken := caseReport(t, c.fixture, opts, func(objs []*unstructured.Unstructured) {
				n := 0
				for _, o := range objs {
					if o.GetKind() == c.kind && c.brk(o) {
						n++
					}
				}
				if n == 0 {
					t.Fatalf("no %s to break in the %s output of %s", c.kind, c.target, cs.Name)
				}
			})
			c.check(t, broken)
			if c.target != "gatewayapi" && !broken.Fails("widened") {
				t.Errorf("a widened report does not fail")
			}
		})
	}
}

// caseReport translates a fixture for target, lets edit change the objects, and verifies.
func caseReport(t *testing.T, fixture string, opts verify.Options, edit func([]*unstructured.Unstructured)) (cases.Case, *verify.Report) {
	t.Helper()
	c, err := cases.Open(filepath.Join(fixturesDir, fixture))
	if err != nil {
		t.Fatal(err)
	}
	target := opts.Target
	if opts.Mesh != "" {
		c.Options.Mesh = map[string]string{target: opts.Mesh}
	}
	res, err := c.Run([]string{target})
	if err != nil || res.LoadError != "" {
		t.Fatalf("%v %s", err, res.LoadError)
	}
	tr := res.Translations[target]
	objs := tr.Result.Objects
	if edit != nil {
		for i := range objs {
			objs[i] = objs[i].DeepCopy()
		}
		edit(objs)
	}
	rep, err := verify.Run(verify.Input{Snapshot: tr.Result.Snapshot, Inventory: res.Inventory, Objects: objs,
		Findings: tr.Result.Findings}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, rep
}

func wantWidenedFrom(principal, by string) func(*testing.T, *verify.Report) {
	return func(t *testing.T, rep *verify.Report) {
		t.Helper()
		found := false
		for _, w := range rep.Access {
			for _, d := range w.Widened {
				if d.Example.Principal != principal {
					t.Errorf("widened for %s, want only for %s: %s", d.Example.Principal, principal, verify.DescribeRequest(d.Example))
					continue
				}
				found = true
				if d.Istio.Allow || !d.Target.Allow || !strings.Contains(d.Target.By, by) {
					t.Errorf("widened request %s: istio %s, target %s (want allowed by %s)", verify.DescribeRequest(d.Example), d.Istio, d.Target, by)
				}
			}
		}
		if !found {
			var b strings.Builder
			_ = rep.Write(&b, "text")
			t.Errorf("no widened request from %s:\n%s", principal, b.String())
		}
	}
}

func appendTo(o *unstructured.Unstructured, path []string, v any) bool {
	l, ok, _ := unstructured.NestedSlice(o.Object, path...)
	if !ok {
		return false
	}
	return unstructured.SetNestedSlice(o.Object, append(l, v), path...) == nil
}

func toInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int32:
		return int64(n)
	case int:
		return int64(n)
	case float64:
		return int64(n)
	}
	return 0
}
