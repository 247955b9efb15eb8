package smi

import (
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

func TestPeerAuthenticationsOfANamespace(t *testing.T) {
	pa := func(ns, name string, meshWide bool) model.PeerAuthentication {
		return model.PeerAuthentication{Namespace: ns, Name: name, MeshWide: meshWide, Mode: model.MTLSStrict}
	}
	w := &writer{snap: &model.Snapshot{PeerAuthentications: []model.PeerAuthentication{
		pa("a", "one", false), pa("istio-system", "mesh", true), pa("b", "two", false), pa("a", "three", false),
	}}}
	cases := []struct {
		name, namespace string
		want            []string
	}{
		{"a namespace holds its own and the mesh-wide policies, in order", "a", []string{"one", "mesh", "three"}},
		{"another namespace does not hold them", "b", []string{"mesh", "two"}},
		{"a namespace without policies holds the mesh-wide ones", "c", []string{"mesh"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, p := range w.peerAuthentications(c.namespace).PeerAuthentications {
				got = append(got, p.Name)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// TestPeerAuthenticationsOfOtherNamespacesChangeNothing writes scenarios with port-level
// PeerAuthentications in several namespaces twice: with each namespace's view, and with every
// namespace seeing every policy, as before the views. Output and findings must not differ.
func TestPeerAuthenticationsOfOtherNamespacesChangeNothing(t *testing.T) {
	deny := model.AccessPolicy{Namespace: "legacy", Name: "deny-outsiders", Action: model.Deny,
		Target: model.Target{Selector: map[string]string{"app": "old-api"}},
		Rules:  []model.AccessRule{{From: []model.Source{{NotNamespaces: []string{"shop"}}}, To: []model.Operation{{Ports: []string{"9102", "8080"}}}}}}
	allow := oldAPI(model.AccessRule{From: fromNamespaces("shop")})
	scenarios := []struct {
		name string
		snap *model.Snapshot
	}{
		{"plain text by default but on 8443", legacy(model.MTLSDisable, map[int32]model.MTLSMode{8443: model.MTLSStrict}, allow)},
		{"plain text on 8080 only", legacy(model.MTLSStrict, map[int32]model.MTLSMode{8080: model.MTLSDisable}, allow, deny)},
		{"plain text by default with a deny", legacy(model.MTLSDisable, nil, deny)},
	}
	for _, sc := range scenarios {
		// Port-level modes elsewhere: shop sets ports of its own, one of them one old-api declares.
		sc.snap.PeerAuthentications = append(sc.snap.PeerAuthentications, model.PeerAuthentication{
			Origin:    model.Origin{Object: model.ObjectRef{Kind: "PeerAuthentication", Namespace: "shop", Name: "metrics"}},
			Namespace: "shop", Name: "metrics", Selector: map[string]string{"app": "metrics"}, Mode: model.MTLSStrict,
			PortModes: map[int32]model.MTLSMode{9102: model.MTLSDisable, 8080: model.MTLSDisable, 7000: model.MTLSStrict},
		})
		for _, mesh := range meshes {
			t.Run(sc.name+"/"+mesh, func(t *testing.T) {
				objs, fs := writeWithPeerAuthentications(sc.snap, mesh, false)
				wantObjs, wantFs := writeWithPeerAuthentications(sc.snap, mesh, true)
				if !hasCode(wantFs, model.CodeSMIPlainTextPorts) && !hasCode(wantFs, model.CodeSMIDenyFolded) {
					t.Fatalf("the scenario takes no plain-text port into account; it tests nothing: %v", wantFs)
				}
				if dump(objs...) != dump(wantObjs...) {
					t.Errorf("objects differ:\n%s\nwant:\n%s", dump(objs...), dump(wantObjs...))
				}
				if !slices.Equal(fs, wantFs) {
					t.Errorf("findings differ:\n%v\nwant:\n%v", fs, wantFs)
				}
			})
		}
	}
}

// writeWithPeerAuthentications writes s; with everywhere, every namespace sees every
// PeerAuthentication.
func writeWithPeerAuthentications(s *model.Snapshot, mesh string, everywhere bool) ([]*unstructured.Unstructured, model.Findings) {
	var objs []*unstructured.Unstructured
	w := &writer{snap: s, names: map[string]bool{}, each: func(o *unstructured.Unstructured) { objs = append(objs, o) }}
	w.prof, _ = lookupProfile(mesh)
	if everywhere {
		w.peerAuths, w.meshPeerAuths = map[string]*model.Snapshot{}, s
		for _, ns := range s.Inventory.Namespaces {
			w.peerAuths[ns] = s
		}
	}
	w.writeAccess()
	w.writeRoutes()
	emit.Sort(objs)
	return objs, w.findings.Sorted()
}
