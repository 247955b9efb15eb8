package verify_test

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/meshbridge/meshbridge/verify"
	"github.com/meshbridge/meshbridge/verify/cases"
	"github.com/meshbridge/meshbridge/verify/semantics"
)

var fuzzBase = sync.OnceValues(func() (*cases.Result, error) {
	c, err := cases.Open(filepath.Join(fixturesDir, "authz-deny-beside-allow"))
	if err != nil {
		return nil, err
	}
	return c.Run([]string{"smi"})
})

// FuzzEvaluators feeds arbitrary objects to every destination's evaluators, as verify -t
// does with hand-written files: whatever the objects hold, verify must not panic, and its
// summary must count what it lists.
func FuzzEvaluators(f *testing.F) {
	for _, fixture := range []string{"authz-deny-beside-allow", "authz-allow-principal-methods-paths", "mesh-weighted-canary"} {
		c, err := cases.Open(filepath.Join(fixturesDir, fixture))
		if err != nil {
			f.Fatal(err)
		}
		res, err := c.Run([]string{"smi", "linkerd", "gatewayapi", "istio"})
		if err != nil || res.LoadError != "" {
			f.Fatal(err, res.LoadError)
		}
		for i, target := range verify.Targets {
			f.Add(res.Translations[target].Rendered, uint8(i))
		}
	}
	f.Add([]byte("apiVersion: policy.linkerd.io/v1beta3\nkind: Server\nmetadata: {name: s, namespace: shop}\nspec: {port: [1], podSelector: 7}\n"), uint8(2))
	f.Add([]byte("apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: shop}\nspec: {parentRefs: [{group: '', kind: Service, name: reviews}], rules: [{matches: [{path: {type: RegularExpression, value: '('}}], backendRefs: [{name: x, weight: -3}]}]}\n"), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		objs, err := verify.DecodeObjects("fuzz.yaml", data)
		if err != nil {
			return
		}
		base, err := fuzzBase()
		if err != nil {
			t.Fatal(err)
		}
		snap := base.Translations["smi"].Result.Snapshot
		target := verify.Targets[int(which)%len(verify.Targets)]
		rep, err := verify.Run(verify.Input{Snapshot: snap, Inventory: base.Inventory, Objects: objs}, verify.Options{Target: target})
		if err == nil { // istio decoding refuses what the loader refuses
			widened := 0
			for _, w := range rep.Access {
				widened += len(w.Widened)
			}
			if widened != rep.Summary.Widened {
				t.Errorf("%s: summary says %d widened, the report lists %d", target, rep.Summary.Widened, widened)
			}
		}
	})
}

// FuzzSamples wants every sample of a regular expression to match it in full.
func FuzzSamples(f *testing.F) {
	for _, s := range []string{"/api/.*", "/v[0-9]+/(a|bc)?", `^/reviews/(?:[^/%\\.][^/%\\]*)?$`, "(?i)ab{2,3}", "[^a-z]*x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		for _, s := range semantics.Samples(expr) {
			if !semantics.FullMatch(expr, s) {
				t.Errorf("sample %q does not match %q", s, expr)
			}
		}
	})
}
