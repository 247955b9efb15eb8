package linkerd

import (
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
)

// kserveSnapshot is KServe's namespace isolation for serving tests (kserve's
// servicemesh auth.yaml), built by hand: STRICT mTLS in namespace user1, and one ALLOW policy
// for the whole namespace admitting user1 itself and knative-serving (its activator proxies
// requests), the latter also on the probe and metrics paths.
func kserveSnapshot() *model.Snapshot {
	predictor := workload("user1", "sklearn-predictor", "default",
		map[string]string{"serving.knative.dev/service": "sklearn-predictor", "app": "sklearn-predictor"}, 8080, 8012, 8022, 9090, 9091)
	client := workload("user1", "tester", "tester", map[string]string{"app": "tester"}, 8000)
	activator := workload("knative-serving", "activator", "controller", map[string]string{"app": "activator"}, 8012, 9090)
	other := workload("user2", "intruder", "default", map[string]string{"app": "intruder"}, 8080)
	return snapshot(
		[]model.Workload{predictor, client, activator, other},
		[]model.AccessPolicy{policy("user1", "allow-serving-tests", model.Allow, nil,
			model.AccessRule{From: from(model.Source{Namespaces: []string{"user1"}})},
			model.AccessRule{From: from(model.Source{Namespaces: []string{"knative-serving"}})},
			model.AccessRule{
				From: from(model.Source{Namespaces: []string{"knative-serving"}}),
				To:   to(model.Operation{Paths: []string{"/metrics", "/healthz", "/ready", "/wait-for-drain"}}),
			},
		)},
		peerAuth("user1", "default", model.MTLSStrict, nil),
	)
}

func TestKServeNamespaceIsolation(t *testing.T) {
	snap := kserveSnapshot()
	objs, findings := run(t, snap)

	t.Run("user1 and knative-serving are admitted on every declared port, and no one else", func(t *testing.T) {
		if narrowed := compare(t, snap, objs); len(narrowed) > 0 {
			t.Errorf("access narrowed for:\n%s", strings.Join(narrowed, "\n"))
		}
		for _, c := range []struct {
			principal string
			port      int32
			path      string
			want      bool
		}{
			{"cluster.local/ns/user1/sa/tester", 8080, "/v1/models/sklearn:predict", true},
			{"cluster.local/ns/knative-serving/sa/controller", 8012, "/healthz", true},
			{"cluster.local/ns/knative-serving/sa/controller", 9090, "/metrics", true},
			{"cluster.local/ns/user2/sa/default", 8080, "/v1/models/sklearn:predict", false},
			{"cluster.local/ns/user2/sa/default", 9090, "/metrics", false},
			{"", 8080, "/v1/models/sklearn:predict", false}, // plain text: STRICT
		} {
			req := model.Request{Namespace: "user1", Labels: map[string]string{"app": "sklearn-predictor", "serving.knative.dev/service": "sklearn-predictor"}, Port: c.port,
				Principal: c.principal, Method: "GET", Path: c.path}
			if got := linkerdDecide(t, objs, req, "cluster.local"); got.allowSome != c.want || got.allowAll != c.want {
				t.Errorf("%s: Linkerd says %+v, want %v", render(req), got, c.want)
			}
		}
	})

	t.Run("one Server per declared port selects every pod of the namespace", func(t *testing.T) {
		var servers []string
		for _, s := range ofKind(objs, "Server") {
			if s.GetNamespace() != "user1" {
				t.Errorf("Server %s outside user1", s.GetName())
			}
			sel, _, _ := unstructured.NestedMap(s.Object, "spec", "podSelector")
			if len(sel) != 0 {
				t.Errorf("Server %s selects %v, want every pod", s.GetName(), sel)
			}
			servers = append(servers, s.GetName())
		}
		want := []string{"all-8000", "all-8012", "all-8022", "all-8080", "all-9090", "all-9091"}
		if !slices.Equal(servers, want) {
			t.Errorf("Servers %v, want %v", servers, want)
		}
	})

	t.Run("namespaces become Namespace identity references, and the path rule adds nothing", func(t *testing.T) {
		if routes := ofKind(objs, "HTTPRoute"); len(routes) > 0 {
			t.Errorf("HTTPRoutes %v: the path rule is contained in the knative-serving rule", names(routes))
		}
		var refs []string
		for _, m := range ofKind(objs, "MeshTLSAuthentication") {
			got, _, _ := unstructured.NestedSlice(m.Object, "spec", "identityRefs")
			for _, r := range got {
				rm := r.(map[string]any)
				refs = append(refs, rm["kind"].(string)+"/"+rm["name"].(string))
			}
		}
		slices.Sort(refs)
		if want := []string{"Namespace/knative-serving", "Namespace/user1"}; !slices.Equal(refs, want) {
			t.Errorf("identity references %v, want %v", refs, want)
		}
		if n := len(ofKind(objs, "AuthorizationPolicy")); n != 12 {
			t.Errorf("%d AuthorizationPolicies, want 2 per Server (12)", n)
		}
	})

	t.Run("each loss is a finding", func(t *testing.T) {
		if got, want := codes(findings), []string{"MB5008"}; !slices.Equal(got, want) {
			t.Errorf("finding codes %v, want %v:\n%v", got, want, findings)
		}
	})
}
