package smi

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
)

// viaWaypoint is a policy attached to Service default/reviews, which selects the reviews workload.
func viaWaypoint(action model.Action, rules ...model.AccessRule) model.AccessPolicy {
	return model.AccessPolicy{Namespace: "default", Name: "reviews-waypoint", Action: action, Rules: rules,
		Target: model.Target{Refs: []model.ObjectRef{{Kind: "Service", Namespace: "default", Name: "reviews"}}, Field: "spec.targetRefs"}}
}

func withReviewsService(s *model.Snapshot) *model.Snapshot {
	s.Inventory.Services = []model.Service{{Namespace: "default", Name: "reviews", Selector: map[string]string{"app": "reviews"},
		Ports: []model.ServicePort{{Port: 9080}}}}
	return s
}

// onReviews checks that the finding with code is reported on the reviews Deployment, where
// verify looks for it.
func onReviews(code model.Code) func(t *testing.T, mesh string, fs model.Findings) {
	return func(t *testing.T, mesh string, fs model.Findings) {
		if f := only(t, fs, code); f.Origin.Object != (model.ObjectRef{Kind: "Deployment", Namespace: "default", Name: "reviews"}) {
			t.Errorf("%s is reported on %v, want the workload", code, f.Origin.Object)
		}
	}
}

func TestWaypointPolicies(t *testing.T) {
	client := sa{Namespace: "other", Name: "client"}
	reviewsSA := sa{Namespace: "default", Name: "reviews"}
	runAccessCases(t, []accessCase{
		{
			name:     "a waypoint ALLOW is enforced at the Service's workloads and says so on them",
			snap:     withReviewsService(strict(snapshot(bookinfo(), viaWaypoint(model.Allow, model.AccessRule{From: from(productpage)})))),
			want:     []model.Code{model.CodeSMIWaypointAtWorkloads},
			findings: onReviews(model.CodeSMIWaypointAtWorkloads),
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				named(t, objs, "TrafficTarget", "default", "reviews-waypoint-reviews")
			},
		},
		{
			name: "a waypoint ALLOW beside the workload's own ALLOW is not written, as it would add to it",
			snap: withReviewsService(strict(snapshot(bookinfo(),
				allowTo(map[string]string{"app": "reviews"}, model.AccessRule{From: from(productpage)}),
				viaWaypoint(model.Allow, model.AccessRule{From: from("cluster.local/ns/other/sa/client")})))),
			want:     []model.Code{model.CodeSMIWaypointBesideOwn},
			none:     []model.Code{model.CodeSMIWaypointAtWorkloads},
			findings: onReviews(model.CodeSMIWaypointBesideOwn),
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				if smiAllows(objs, request{source: client, dest: reviewsSA, port: 9080}, readOSM) {
					t.Errorf("client reaches reviews directly, which only its own policy (productpage) allows")
				}
				if !smiAllows(objs, request{source: sa{Namespace: "default", Name: "productpage"}, dest: reviewsSA, port: 9080}, readOSM) {
					t.Errorf("the workload's own policy was not written")
				}
			},
		},
		{
			name: "a waypoint DENY is enforced at the Service's workloads and says so on them",
			snap: withReviewsService(strict(snapshot(bookinfo(),
				viaWaypoint(model.Deny, model.AccessRule{From: from("cluster.local/ns/other/sa/client")})))),
			want:     []model.Code{model.CodeSMIWaypointAtWorkloads, model.CodeSMIDenyFolded},
			findings: onReviews(model.CodeSMIWaypointAtWorkloads),
		},
	})
}
