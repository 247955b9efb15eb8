package smi

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
)

// reportsShop is fixtures/authz-dry-run: reports has no ALLOW policy, and an enforced DENY on
// /purge at its only port leaves nothing SMI can write for it.
func reportsShop(policies ...model.AccessPolicy) *model.Snapshot {
	return snapshot([]model.Workload{
		wl("shop", "reports", "reports", map[string]string{"app": "reports"}, 8080),
		wl("shop", "admin", "admin", map[string]string{"app": "admin"}),
		wl("shop", "clerk", "clerk", map[string]string{"app": "clerk"}),
	}, policies...)
}

func denyReports(name string, rules ...model.AccessRule) model.AccessPolicy {
	return model.AccessPolicy{Namespace: "shop", Name: name, Action: model.Deny,
		Target: model.Target{Selector: map[string]string{"app": "reports"}}, Rules: rules}
}

func TestFindingsSayWhatWasWritten(t *testing.T) {
	var (
		noPurge    = denyReports("reports-no-purge", model.AccessRule{To: []model.Operation{{Paths: []string{"/purge"}, Ports: []string{"8080"}}}})
		noClerk    = denyReports("reports-no-clerk", model.AccessRule{From: from("cluster.local/ns/shop/sa/clerk")})
		rbacOrigin = model.Origin{Object: model.ObjectRef{APIVersion: "rbac.istio.io/v1alpha1", Kind: "ClusterRbacConfig", Name: "default"}}
	)
	runAccessCases(t, []accessCase{
		{
			name: "a default allow that DENY policies remove entirely says no TrafficTarget was written",
			snap: reportsShop(noPurge),
			want: []model.Code{model.CodeSMIDenyNarrowed},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				if got := toDest(objs, "shop", "reports"); len(got) != 0 {
					t.Errorf("want nothing written for shop/reports, got\n%s", dump(got...))
				}
			},
			findings: func(t *testing.T, mesh string, fs model.Findings) {
				for _, f := range fs {
					if f.Origin.Object.Name != "reports" {
						continue
					}
					switch f.Code {
					case model.CodeSMIDefaultAllow:
						if !strings.Contains(f.Message, "no TrafficTarget was written") {
							t.Errorf("MB3017 claims something was written: %q", f.Message)
						}
					case model.CodeSMISourcesExpanded, model.CodeSMIUnauthenticated:
						t.Errorf("%s describes a TrafficTarget that was not written: %q", f.Code, f.Message)
					}
				}
			},
		},
		{
			name: "a default allow with a source denied counts the sources written",
			snap: reportsShop(noClerk),
			want: []model.Code{model.CodeSMIDenyFolded},
			findings: func(t *testing.T, mesh string, fs model.Findings) {
				for _, f := range fs {
					if f.Code == model.CodeSMIDefaultAllow && f.Origin.Object.Name == "reports" &&
						!strings.Contains(f.Message, "from 2 of the 3 known service accounts") {
						t.Errorf("got %q", f.Message)
					}
				}
			},
		},
		{
			name: "an allow-nothing AuthorizationPolicy points at spec.rules",
			snap: reportsShop(model.AccessPolicy{Namespace: "shop", Name: "reports-nothing", Action: model.Allow,
				Target: model.Target{Selector: map[string]string{"app": "reports"}, Field: "spec.selector"}}),
			findings: func(t *testing.T, mesh string, fs model.Findings) {
				if f := only(t, fs, model.CodeSMIAllowNothing); f.Field != "spec.rules" {
					t.Errorf("field = %q, want spec.rules", f.Field)
				}
			},
		},
		{
			name: "an allow-nothing policy synthesized from a ClusterRbacConfig points at its own field",
			snap: reportsShop(model.AccessPolicy{Origin: rbacOrigin, Namespace: "shop", Name: "rbac-deny-by-default-reports",
				Action: model.Allow, Target: model.Target{Selector: map[string]string{"app": "reports"}, Field: "spec.mode"}}),
			findings: func(t *testing.T, mesh string, fs model.Findings) {
				if f := only(t, fs, model.CodeSMIAllowNothing); f.Field != "spec.mode" {
					t.Errorf("field = %q, want the ClusterRbacConfig's spec.mode (it has no spec.rules)", f.Field)
				}
			},
		},
		{
			name: "a dry-run policy synthesized from a permissive ClusterRbacConfig points at its enforcement mode",
			snap: reportsShop(model.AccessPolicy{Origin: rbacOrigin, Namespace: "shop", Name: "rbac-deny-by-default-reports",
				Action: model.Allow, DryRun: true, Target: model.Target{Selector: map[string]string{"app": "reports"}, Field: "spec.mode"}}),
			findings: func(t *testing.T, mesh string, fs model.Findings) {
				if f := only(t, fs, model.CodeSMIDryRunSkipped); f.Field != "spec.enforcementMode" {
					t.Errorf("field = %q, want the ClusterRbacConfig's spec.enforcementMode (it has no annotation)", f.Field)
				}
			},
		},
	})
}
