package istio

import (
	"reflect"
	"testing"

	"github.com/meshbridge/meshbridge/model"
)

func TestReadPeerAuthentications(t *testing.T) {
	pa := func(ns, name, spec string) string {
		return "apiVersion: security.istio.io/v1beta1\nkind: PeerAuthentication\nmetadata: {name: " + name + ", namespace: " + ns + "}\nspec: " + spec + "\n---\n"
	}
	cases := []struct {
		name string
		doc  string
		want model.PeerAuthentication
		code model.Code
	}{
		{"a root namespace policy is mesh-wide", pa("istio-system", "default", "{mtls: {mode: STRICT}}"),
			model.PeerAuthentication{Namespace: "istio-system", Name: "default", MeshWide: true, Mode: model.MTLSStrict}, ""},
		{"a namespace policy", pa("foo", "default", "{mtls: {mode: PERMISSIVE}}"),
			model.PeerAuthentication{Namespace: "foo", Name: "default", Mode: model.MTLSPermissive}, ""},
		{"no mtls is UNSET", pa("foo", "default", "{}"),
			model.PeerAuthentication{Namespace: "foo", Name: "default", Mode: model.MTLSUnset}, ""},
		{"a workload policy with port-level modes", pa("foo", "httpbin", "{selector: {matchLabels: {app: httpbin}}, mtls: {mode: STRICT}, portLevelMtls: {8080: {mode: DISABLE}, 9090: {}}}"),
			model.PeerAuthentication{Namespace: "foo", Name: "httpbin", Selector: map[string]string{"app": "httpbin"}, Mode: model.MTLSStrict,
				PortModes: map[int32]model.MTLSMode{8080: model.MTLSDisable, 9090: model.MTLSUnset}}, ""},
		{"port-level mTLS without selector is refused as STRICT", pa("foo", "default", "{mtls: {mode: DISABLE}, portLevelMtls: {8080: {mode: DISABLE}}}"),
			model.PeerAuthentication{Namespace: "foo", Name: "default", Mode: model.MTLSStrict}, model.CodePeerAuthRefused},
		{"a wildcard selector is refused as STRICT for the namespace", pa("foo", "p", "{selector: {matchLabels: {app: 'a*'}}, mtls: {mode: DISABLE}}"),
			model.PeerAuthentication{Namespace: "foo", Name: "p", Mode: model.MTLSStrict}, model.CodePeerAuthRefused},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			snap, fs := readYAML(t, c.doc)
			if len(snap.PeerAuthentications) != 1 {
				t.Fatalf("got %+v", snap.PeerAuthentications)
			}
			got := snap.PeerAuthentications[0]
			got.Origin = model.Origin{}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %+v\nwant %+v", got, c.want)
			}
			if (c.code != "") != hasFinding(fs, c.code, "spec") {
				t.Errorf("findings %v, want %q", fs, c.code)
			}
		})
	}
	t.Run("two namespace-wide policies are reported", func(t *testing.T) {
		_, fs := readYAML(t, pa("foo", "a", "{mtls: {mode: STRICT}}")+pa("foo", "b", "{mtls: {mode: DISABLE}}"))
		if n := len(codesOf(fs)); n != 2 || !hasFinding(fs, model.CodePeerAuthConflict, "spec") {
			t.Errorf("findings %v", fs)
		}
	})
}
