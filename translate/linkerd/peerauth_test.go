package linkerd

import (
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
)

func TestPeerAuthentication(t *testing.T) {
	cases := []struct {
		name   string
		peers  []model.PeerAuthentication
		access []model.AccessPolicy
		// accessPolicies lists the Servers' accessPolicy values, sorted.
		accessPolicies []string
		meshes         []string
		codes          []string
	}{
		{
			name:  "PERMISSIVE keeps Linkerd's default: no Server",
			peers: []model.PeerAuthentication{peerAuth("shop", "default", model.MTLSPermissive, nil)},
		},
		{
			name:           "STRICT for a namespace makes every declared port all-authenticated",
			peers:          []model.PeerAuthentication{peerAuth("shop", "default", model.MTLSStrict, nil)},
			accessPolicies: []string{"all-authenticated", "all-authenticated", "all-authenticated"},
			codes:          []string{"MB5008"},
		},
		{
			name:           "a mesh-wide STRICT reaches every namespace",
			peers:          []model.PeerAuthentication{peerAuth("istio-system", "default", model.MTLSStrict, nil)},
			accessPolicies: []string{"all-authenticated", "all-authenticated", "all-authenticated", "all-authenticated"},
			codes:          []string{"MB5008"},
		},
		{
			name: "a workload PERMISSIVE overrides the namespace's STRICT",
			peers: []model.PeerAuthentication{
				peerAuth("shop", "default", model.MTLSStrict, nil),
				peerAuth("shop", "reviews", model.MTLSPermissive, reviews),
			},
			accessPolicies: []string{"all-authenticated"},
			codes:          []string{"MB5008"},
		},
		{
			name: "a port-level mode overrides the workload's",
			peers: []model.PeerAuthentication{func() model.PeerAuthentication {
				pa := peerAuth("shop", "reviews", model.MTLSStrict, reviews)
				pa.PortModes = map[int32]model.MTLSMode{9090: model.MTLSPermissive}
				return pa
			}()},
			accessPolicies: []string{"all-authenticated"},
			codes:          []string{"MB5008"},
		},
		{
			name:           "under STRICT, a rule for anyone admits any meshed client only",
			peers:          []model.PeerAuthentication{peerAuth("shop", "default", model.MTLSStrict, nil)},
			access:         []model.AccessPolicy{policy("shop", "open", model.Allow, reviews, model.AccessRule{})},
			accessPolicies: []string{"all-authenticated", "deny", "deny"},
			meshes:         []string{`{"identities":["*"]}`},
			codes:          []string{"MB5008"},
		},
		{
			name:   "DISABLE is reported, and rules that need an identity are not written",
			peers:  []model.PeerAuthentication{peerAuth("shop", "reviews", model.MTLSDisable, reviews)},
			access: []model.AccessPolicy{policy("shop", "ns", model.Allow, reviews, model.AccessRule{From: from(model.Source{Namespaces: []string{"shop"}})})},
			// Istio sees no identity: the rule never matches; both ports deny.
			accessPolicies: []string{"deny", "deny"},
			codes:          []string{"MB5008", "MB5009", "MB5015"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			snap := shop(c.access...)
			snap.PeerAuthentications = c.peers
			objs, findings := run(t, snap)
			if narrowed := compare(t, snap, objs); len(narrowed) > 0 {
				t.Errorf("narrowed requests:\n%s", strings.Join(narrowed, "\n"))
			}
			var got []string
			for _, s := range ofKind(objs, "Server") {
				ap, _, _ := unstructured.NestedString(s.Object, "spec", "accessPolicy")
				got = append(got, ap)
			}
			slices.Sort(got)
			if !slices.Equal(got, c.accessPolicies) {
				t.Errorf("Server access policies %v, want %v", got, c.accessPolicies)
			}
			if c.meshes != nil {
				if got := specsOf(t, objs, "MeshTLSAuthentication"); !slices.Equal(got, c.meshes) {
					t.Errorf("MeshTLSAuthentications %v, want %v", got, c.meshes)
				}
			}
			if got := codes(findings); !slices.Equal(got, c.codes) {
				t.Errorf("finding codes %v, want %v:\n%v", got, c.codes, findings)
			}
		})
	}
	t.Run("the default-inbound-policy finding names the annotation and its pod-creation caveat", func(t *testing.T) {
		snap := shop()
		snap.PeerAuthentications = []model.PeerAuthentication{peerAuth("shop", "default", model.MTLSStrict, nil)}
		_, findings := run(t, snap)
		f := findingsOf(findings, model.CodeLinkerdDefaultPolicyPorts)
		if len(f) != 1 || !strings.Contains(f[0].Message, "config.linkerd.io/default-inbound-policy: all-authenticated") ||
			!strings.Contains(f[0].Message, "pods created afterwards") {
			t.Errorf("findings %v", f)
		}
	})
}
