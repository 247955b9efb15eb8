package linkerd

import (
	"bytes"
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/meshbridge/meshbridge/model"
)

// scenarios are snapshots that together make the writer emit every kind and shape it has.
func scenarios() map[string]*model.Snapshot {
	probed := shop(policy("shop", "reviews-access", model.Allow, reviews,
		model.AccessRule{From: from(model.Source{Principals: []string{"cluster.local/ns/shop/sa/frontend", "east.example/ns/shop/sa/frontend"}, IPBlocks: []string{"10.0.0.0/8"}, NotIPBlocks: []string{"10.9.0.0/16"}}),
			To: to(model.Operation{Methods: []string{"GET"}, Paths: []string{"/api/*", "*.json", "/health"}})},
		model.AccessRule{From: from(model.Source{Principals: []string{"cluster.local/ns/monitoring/*"}})},
		model.AccessRule{When: []model.Condition{{Key: "request.headers[x-tenant]", Values: []string{"*"}}}},
	))
	probed.Inventory.Workloads[2].Probes = []model.HTTPProbe{{Port: 8080, Path: "/healthz"}}
	return map[string]*model.Snapshot{
		"kserve":    kserveSnapshot(),
		"kubeflow":  kubeflowSnapshot(model.AccessRule{From: from(model.Source{Principals: []string{ingressSA}})}),
		"routes":    probed,
		"deny-fold": shop(policy("shop", "read-only", model.Deny, reviews, model.AccessRule{To: to(model.Operation{Methods: []string{"POST", "DELETE"}})})),
		"strict": func() *model.Snapshot {
			s := shop()
			s.PeerAuthentications = []model.PeerAuthentication{peerAuth("istio-system", "default", model.MTLSStrict, nil)}
			return s
		}(),
		"allow-none": shop(policy("shop", "nothing", model.Allow, nil)),
	}
}

func TestEmittedObjectsMatchTheOfficialCRDs(t *testing.T) {
	v, err := officialCRDs()
	if err != nil {
		t.Skipf("official CRDs not available (Linkerd's in ../shared/crds/linkerd, Gateway API's in the module cache): %v", err)
	}
	kinds := map[string]bool{}
	for name, snap := range scenarios() {
		t.Run(name, func(t *testing.T) {
			objs, _ := run(t, snap) // validates every object
			for _, o := range objs {
				kinds[o.GetKind()] = true
			}
		})
	}
	for _, k := range []string{"Server", "AuthorizationPolicy", "MeshTLSAuthentication", "NetworkAuthentication", "HTTPRoute"} {
		if !kinds[k] {
			t.Errorf("no scenario emitted a %s", k)
		}
	}
	t.Run("the validator refuses what Linkerd's CRDs refuse", func(t *testing.T) {
		objs, _ := Write(scenarios()["routes"], emptyOpts)
		mutations := []struct {
			kind   string
			mutate func(*unstructured.Unstructured)
		}{
			{"AuthorizationPolicy", func(u *unstructured.Unstructured) {
				unstructured.RemoveNestedField(u.Object, "spec", "requiredAuthenticationRefs")
			}},
			{"MeshTLSAuthentication", func(u *unstructured.Unstructured) {
				_ = unstructured.SetNestedStringSlice(u.Object, []string{"*"}, "spec", "identities")
				_ = unstructured.SetNestedSlice(u.Object, []any{map[string]any{"kind": "Namespace", "name": "shop"}}, "spec", "identityRefs")
			}},
			{"Server", func(u *unstructured.Unstructured) { _ = unstructured.SetNestedField(u.Object, "x", "spec", "colour") }},
		}
		for _, m := range mutations {
			u := ofKind(objs, m.kind)[0].DeepCopy()
			m.mutate(u)
			if errs := v.Validate(u); len(errs) == 0 {
				t.Errorf("a broken %s passed validation", m.kind)
			}
		}
	})
}

func TestOutputIsDeterministic(t *testing.T) {
	for name, snap := range scenarios() {
		t.Run(name, func(t *testing.T) {
			render := func() []byte {
				objs, findings := Write(snap, emptyOpts)
				var b bytes.Buffer
				for _, o := range objs {
					y, err := yaml.Marshal(o.Object)
					if err != nil {
						t.Fatal(err)
					}
					b.Write(append([]byte("---\n"), y...))
				}
				for _, f := range findings {
					b.WriteString(f.String() + "\n")
				}
				return b.Bytes()
			}
			first := render()
			for range 5 {
				if !bytes.Equal(first, render()) {
					t.Fatal("two runs gave different output")
				}
			}
			if !slices.IsSortedFunc(func() []string { o, _ := Write(snap, emptyOpts); return kindNames(o) }(), compareStrings) {
				t.Error("objects are not sorted by kind, namespace and name")
			}
		})
	}
}

func kindNames(objs []*unstructured.Unstructured) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.GetKind()+"\x00"+o.GetNamespace()+"\x00"+o.GetName())
	}
	return out
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
