package linkerd

import (
	"reflect"
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

func TestIndexGivesEachNamespaceItsCandidatesInSnapshotOrder(t *testing.T) {
	guard := policy("shop", "guard-edge", model.Deny, nil)
	guard.Target.Namespace = "edge" // attached by targetRefs to an object of another namespace
	guard.Target.Refs = []model.ObjectRef{{Kind: "Gateway", Name: "public"}}
	snap := snapshot(nil, []model.AccessPolicy{
		policy("shop", "a", model.Allow, nil),
		policy("istio-system", "mesh", model.Deny, nil),
		policy("edge", "b", model.Allow, nil),
		guard,
		policy("shop", "c", model.Allow, nil),
	}, peerAuth("shop", "strict", model.MTLSStrict, nil), peerAuth("istio-system", "default", model.MTLSStrict, nil),
		peerAuth("edge", "permissive", model.MTLSPermissive, nil))
	w := &writer{snap: snap}
	w.index()
	cases := []struct {
		name, ns      string
		access, peers []string
	}{
		{"a namespace gets its own and the mesh-wide ones", "shop", []string{"a", "mesh", "guard-edge", "c"}, []string{"strict", "default"}},
		{"a namespace gets the policies attached to its objects", "edge", []string{"mesh", "b", "guard-edge"}, []string{"default", "permissive"}},
		{"a namespace without policies gets the mesh-wide ones", "other", []string{"mesh"}, []string{"default"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var access, peers []string
			for _, p := range w.accessIn(c.ns) {
				access = append(access, p.Name)
			}
			for _, p := range w.peersIn(c.ns) {
				peers = append(peers, p.Name)
			}
			if !reflect.DeepEqual(access, c.access) || !reflect.DeepEqual(peers, c.peers) {
				t.Errorf("access %v and peers %v, want %v and %v", access, peers, c.access, c.peers)
			}
		})
	}
}

func TestANamespaceIsWrittenAloneExceptForMeshWidePolicies(t *testing.T) {
	shop := workload("shop", "reviews", "reviews", map[string]string{"app": "reviews"}, 8080)
	other := workload("other", "reviews", "reviews", map[string]string{"app": "reviews"}, 8080)
	onlyShop := policy("shop", "from-shop", model.Allow, map[string]string{"app": "reviews"},
		model.AccessRule{From: from(model.Source{Namespaces: []string{"shop"}})})
	elsewhere := policy("other", "deny-all", model.Deny, nil, model.AccessRule{})
	meshWide := policy("istio-system", "no-delete", model.Deny, nil, model.AccessRule{To: to(model.Operation{Methods: []string{"DELETE"}})})
	inShop := func(policies ...model.AccessPolicy) []string {
		objs, _ := Write(snapshot([]model.Workload{shop, other}, policies), emit.Options{})
		var out []string
		for _, o := range objs {
			if o.GetNamespace() == "shop" {
				b, _ := o.MarshalJSON()
				out = append(out, string(b))
			}
		}
		return out
	}
	alone := inShop(onlyShop)
	if len(alone) == 0 {
		t.Fatal("nothing written for shop")
	}
	if got := inShop(onlyShop, elsewhere); !slices.Equal(got, alone) {
		t.Errorf("a policy of another namespace changed shop's objects:\n%v\nwant\n%v", got, alone)
	}
	if got := inShop(onlyShop, meshWide); slices.Equal(got, alone) {
		t.Errorf("a mesh-wide DENY left shop's objects unchanged")
	}
}

func TestStreamHandsOverWhatWriteReturns(t *testing.T) {
	v1 := workload("shop", "reviews-v1", "reviews", map[string]string{"app": "reviews", "version": "v1"}, 8080)
	v2 := workload("shop", "reviews-v2", "reviews", map[string]string{"app": "reviews", "version": "v2"}, 8080)
	fe := workload("web", "frontend", "frontend", map[string]string{"app": "frontend"}, 8080)
	snap := snapshot([]model.Workload{v1, v2, fe}, []model.AccessPolicy{
		policy("shop", "from-web", model.Allow, map[string]string{"app": "reviews"},
			model.AccessRule{From: from(model.Source{Namespaces: []string{"web"}}), To: to(model.Operation{Paths: []string{"/api/*"}})}),
		policy("shop", "v2-no-delete", model.Deny, map[string]string{"version": "v2"}, model.AccessRule{To: to(model.Operation{Methods: []string{"DELETE"}})}),
	}, peerAuth("web", "strict", model.MTLSStrict, nil))
	want, wantFindings := Write(snap, emit.Options{})
	var got []*unstructured.Unstructured
	findings := Stream(snap, emit.Options{}, func(o *unstructured.Unstructured) { got = append(got, o) })
	if len(got) != len(want) || len(want) == 0 {
		t.Fatalf("Stream handed over %d objects, Write returned %d", len(got), len(want))
	}
	emit.Sort(got)
	for i := 1; i < len(got); i++ {
		if a, b := got[i-1], got[i]; a.GetKind() == b.GetKind() && a.GetNamespace() == b.GetNamespace() && a.GetName() == b.GetName() {
			t.Errorf("%s %s/%s handed over twice", a.GetKind(), a.GetNamespace(), a.GetName())
		}
	}
	for i := range want {
		if !reflect.DeepEqual(got[i].Object, want[i].Object) {
			t.Errorf("object %d: Stream gave %v, Write %v", i, got[i].Object, want[i].Object)
		}
	}
	if !reflect.DeepEqual(findings, wantFindings) {
		t.Errorf("findings differ:\n%v\nwant\n%v", findings, wantFindings)
	}
}
