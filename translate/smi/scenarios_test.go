package smi

import (
	"testing"

	"github.com/meshbridge/meshbridge/model"
)

// Real-world shapes, built by hand as snapshots: for each, no emitted TrafficTarget may allow a
// request Istio denies, and the requests that matter must be allowed or denied as in Istio.

// kubeflow isolates profile namespaces the way Kubeflow's profile controller does: the owner
// through the ingress gateway (user header), the namespace itself, probes from anywhere, and the
// notebook controller on the kernels API.
func kubeflow() *model.Snapshot {
	workloads := []model.Workload{
		wl("istio-system", "istio-ingressgateway", "istio-ingressgateway-service-account", map[string]string{"app": "istio-ingressgateway"}, 8080),
		wl("kubeflow", "notebook-controller", "notebook-controller-service-account", map[string]string{"app": "notebook-controller"}, 8080),
		wl("kubeflow-user-a", "notebook-a", "default-editor", map[string]string{"notebook-name": "a"}, 8888),
		wl("kubeflow-user-b", "notebook-b", "default-editor", map[string]string{"notebook-name": "b"}, 8888),
	}
	profile := func(ns, user string) model.AccessPolicy {
		return model.AccessPolicy{Namespace: ns, Name: "ns-owner-access-istio", Action: model.Allow, Rules: []model.AccessRule{
			{From: from("cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account"),
				When: []model.Condition{{Key: "request.headers[kubeflow-userid]", Values: []string{user}}}},
			{From: []model.Source{{Namespaces: []string{ns}}}},
			{To: []model.Operation{{Paths: []string{"/healthz", "/metrics", "/wait-for-drain"}}}},
			{From: from("cluster.local/ns/kubeflow/sa/notebook-controller-service-account"),
				To: []model.Operation{{Methods: []string{"GET"}, Paths: []string{"*/api/kernels"}}}},
		}}
	}
	return strict(snapshot(workloads, profile("kubeflow-user-a", "a@example.com"), profile("kubeflow-user-b", "b@example.com")))
}

// kserve is servicemesh__auth.yaml from KServe's tests, with the header-conditioned rule its
// comments describe enabled instead of the unconditional activator rule: the activator
// (knative-serving) may call any path only when it says which namespace it proxies for.
func kserve() *model.Snapshot {
	workloads := []model.Workload{
		wl("user1", "predictor", "default", map[string]string{"app": "predictor"}, 8080, 8012),
		wl("user1", "client", "client", map[string]string{"app": "client"}),
		wl("user2", "intruder", "default", map[string]string{"app": "intruder"}),
		wl("knative-serving", "activator", "controller", map[string]string{"app": "activator"}, 8012),
	}
	s := snapshot(workloads, model.AccessPolicy{Namespace: "user1", Name: "allow-serving-tests", Action: model.Allow, Rules: []model.AccessRule{
		{From: []model.Source{{Namespaces: []string{"user1"}}}},
		{From: []model.Source{{Namespaces: []string{"knative-serving"}}},
			When: []model.Condition{{Key: "request.headers[knative-serving-namespace]", Values: []string{"user1"}}}},
		{From: []model.Source{{Namespaces: []string{"knative-serving"}}},
			To: []model.Operation{{Paths: []string{"/metrics", "/healthz", "/ready", "/wait-for-drain"}}}},
	}})
	s.PeerAuthentications = []model.PeerAuthentication{{
		Origin:    model.Origin{Object: model.ObjectRef{Kind: "PeerAuthentication", Namespace: "user1", Name: "default"}},
		Namespace: "user1", Name: "default", Mode: model.MTLSStrict,
	}}
	return s
}

func TestScenarios(t *testing.T) {
	userA := sa{Namespace: "kubeflow-user-a", Name: "default-editor"}
	userB := sa{Namespace: "kubeflow-user-b", Name: "default-editor"}
	gateway := sa{Namespace: "istio-system", Name: "istio-ingressgateway-service-account"}
	controller := sa{Namespace: "kubeflow", Name: "notebook-controller-service-account"}
	predictor := sa{Namespace: "user1", Name: "default"}
	activator := sa{Namespace: "knative-serving", Name: "controller"}
	intruder := sa{Namespace: "user2", Name: "default"}
	get := func(src, dst sa, port int32, path string, headers map[string]string) request {
		return request{source: src, dest: dst, port: port, http: true, method: "GET", path: path, headers: headers}
	}
	cases := []struct {
		name    string
		snap    *model.Snapshot
		allowed []request
		denied  []request
	}{
		{
			name: "Kubeflow profiles stay isolated from each other",
			snap: kubeflow(),
			allowed: []request{
				get(userA, userA, 8888, "/lab", nil),
				get(userB, userA, 8888, "/healthz", nil),
				get(gateway, userA, 8888, "/lab", map[string]string{"kubeflow-userid": "a@example.com"}),
				get(controller, userA, 8888, "/notebook/a/api/kernels", nil),
			},
			denied: []request{
				get(userB, userA, 8888, "/lab", nil),
				get(gateway, userA, 8888, "/lab", map[string]string{"kubeflow-userid": "b@example.com"}),
				get(gateway, userA, 8888, "/lab", nil),
				get(controller, userA, 8888, "/notebook/a/api/sessions", nil),
				{source: userB, dest: userA, port: 8888},
			},
		},
		{
			name: "KServe header-conditioned access from the activator",
			snap: kserve(),
			allowed: []request{
				get(activator, predictor, 8012, "/v1/models/m:predict", map[string]string{"knative-serving-namespace": "user1"}),
				get(activator, predictor, 8012, "/healthz", nil),
				get(sa{Namespace: "user1", Name: "client"}, predictor, 8080, "/v1/models/m", nil),
			},
			denied: []request{
				get(activator, predictor, 8012, "/v1/models/m:predict", nil),
				get(activator, predictor, 8012, "/v1/models/m:predict", map[string]string{"knative-serving-namespace": "user2"}),
				get(intruder, predictor, 8080, "/v1/models/m", nil),
				{source: activator, dest: predictor, port: 8012},
			},
		},
	}
	for _, c := range cases {
		for _, mesh := range meshes {
			t.Run(c.name+" ("+mesh+")", func(t *testing.T) {
				for _, r := range c.allowed {
					if !istioAllowsAll(c.snap, r) {
						t.Fatalf("the test is wrong: Istio denies %+v", r)
					}
				}
				for _, r := range c.denied {
					if istioAllowsAll(c.snap, r) {
						t.Fatalf("the test is wrong: Istio allows %+v", r)
					}
				}
				objs, _ := write(t, c.snap, mesh)
				assertNeverWidens(t, c.snap, objs)
				for _, rd := range []reading{readOSM, readTraefik} {
					for _, r := range c.allowed {
						if !smiAllows(objs, r, rd) {
							t.Errorf("reading %d: want allowed, as in Istio: %+v", rd, r)
						}
					}
					for _, r := range c.denied {
						if smiAllows(objs, r, rd) {
							t.Errorf("reading %d: want denied, as in Istio: %+v", rd, r)
						}
					}
				}
				if t.Failed() {
					t.Logf("objects:\n%s", dump(objs...))
				}
			})
		}
	}
}

// istioAllowsAll: Istio allows r on every workload of its destination service account.
func istioAllowsAll(s *model.Snapshot, r request) bool {
	for _, w := range s.Inventory.Workloads {
		if w.Namespace == r.dest.Namespace && w.ServiceAccount == r.dest.Name && !istioAllows(s, w, r) {
			return false
		}
	}
	return true
}
