package linkerd

import (
	"slices"
	"strings"
	"testing"

	"github.com/meshbridge/meshbridge/model"
)

const (
	profileNS  = "kubeflow-user-example-com"
	ingressSA  = "cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account"
	pipelineUI = "cluster.local/ns/kubeflow/sa/ml-pipeline-ui"
)

// kubeflowSnapshot is a Kubeflow profile namespace as the profile controller sets it up: a
// notebook in the profile, an ALLOW policy for the whole namespace admitting the profile's own
// namespace and, through the ingress gateway and the pipelines UI, the profile's owner; plus
// other users' and system namespaces.
func kubeflowSnapshot(ownerRule model.AccessRule) *model.Snapshot {
	return snapshot([]model.Workload{
		workload(profileNS, "notebook", "default-editor", map[string]string{"notebook-name": "nb", "statefulset": "nb"}, 8888),
		workload(profileNS, "pipeline-runner", "default-editor", map[string]string{"app": "runner"}, 8080),
		workload("istio-system", "istio-ingressgateway", "istio-ingressgateway-service-account", map[string]string{"istio": "ingressgateway"}, 8080),
		workload("kubeflow", "ml-pipeline-ui", "ml-pipeline-ui", map[string]string{"app": "ml-pipeline-ui"}, 3000),
		workload("kubeflow-user-other", "notebook", "default-editor", map[string]string{"notebook-name": "other"}, 8888),
	}, []model.AccessPolicy{policy(profileNS, "ns-owner-access-istio", model.Allow, nil,
		ownerRule,
		model.AccessRule{From: from(model.Source{Namespaces: []string{profileNS}})},
	)})
}

func TestKubeflowProfileNamespace(t *testing.T) {
	t.Run("the owner's namespace and the ingress gateway are admitted exactly", func(t *testing.T) {
		snap := kubeflowSnapshot(model.AccessRule{From: from(model.Source{Principals: []string{ingressSA, pipelineUI}})})
		objs, findings := run(t, snap)
		if narrowed := compare(t, snap, objs); len(narrowed) > 0 {
			t.Errorf("narrowed:\n%s", strings.Join(narrowed, "\n"))
		}
		for _, c := range []struct {
			principal string
			want      bool
		}{
			{ingressSA, true},
			{pipelineUI, true},
			{"cluster.local/ns/" + profileNS + "/sa/default-editor", true},
			{"cluster.local/ns/kubeflow-user-other/sa/default-editor", false},
			{"", false},
		} {
			req := model.Request{Namespace: profileNS, Labels: map[string]string{"notebook-name": "nb", "statefulset": "nb"}, Port: 8888,
				Principal: c.principal, Method: "GET", Path: "/notebook/" + profileNS + "/nb/"}
			if v := linkerdDecide(t, objs, req, "cluster.local"); v.allowAll != c.want {
				t.Errorf("%s: allowed %v, want %v (%s)", render(req), v.allowAll, c.want, v.why)
			}
		}
		if got, want := codes(findings), []string{"MB5008"}; !slices.Equal(got, want) {
			t.Errorf("codes %v, want %v:\n%v", got, want, findings)
		}
		if got := len(ofKind(objs, "Server")); got != 2 {
			t.Errorf("%d Servers, want one per declared port of the profile namespace", got)
		}
	})
	t.Run("the owner's kubeflow-userid header cannot be checked: that rule is left out and reported", func(t *testing.T) {
		snap := kubeflowSnapshot(model.AccessRule{
			From: from(model.Source{Principals: []string{ingressSA}}),
			When: []model.Condition{{Key: "request.headers[kubeflow-userid]", Values: []string{"user@example.com"}}},
		})
		objs, findings := run(t, snap)
		narrowed := compare(t, snap, objs)
		if len(narrowed) == 0 {
			t.Error("nothing narrowed, but the gateway's requests for the owner cannot be admitted")
		}
		for _, n := range narrowed {
			if !strings.Contains(n, "istio-ingressgateway") {
				t.Errorf("narrowed for someone other than the gateway: %s", n)
			}
		}
		f := findingsOf(findings, model.CodeLinkerdConditionDropped)
		if len(f) != 1 || f[0].Field != "spec.rules[0].when[0]" || f[0].Severity != model.Error {
			t.Errorf("want one error MB5001 on spec.rules[0].when[0], got:\n%v", findings)
		}
	})
}
