package smi

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
)

// reviewsRouteIn is a VirtualService in namespace ns for default/reviews, exported as given.
func reviewsRouteIn(ns, name string, exportTo []string, rules ...model.HTTPRule) model.RouteSet {
	return model.RouteSet{Namespace: ns, Name: name, Hosts: []string{"reviews.default.svc.cluster.local"},
		Services: []model.ServiceRef{{Namespace: "default", Name: "reviews"}}, Mesh: true, ExportTo: exportTo, HTTP: rules}
}

// TestSplitScope checks that a TrafficSplit, which applies to every client of its root Service,
// is written only for a VirtualService that applies to every client.
func TestSplitScope(t *testing.T) {
	toV2 := model.HTTPRule{Backends: all(subset("v2", 100))}
	toV1 := model.HTTPRule{Backends: all(subset("v1", 100))}
	cases := []struct {
		name    string
		snap    *model.Snapshot
		want    []model.Code
		none    []model.Code
		message map[model.Code][]string
		check   func(t *testing.T, mesh string, objs []*unstructured.Unstructured)
	}{
		{
			name: "a VirtualService exported to no namespace applies to no client and is not written",
			snap: routesSnapshot(reviewsRouteIn("default", "hidden", []string{"~"}, toV2)),
			want: []model.Code{model.CodeSMIRouteHidden},
			none: []model.Code{model.CodeSMIRouteScope, model.CodeSMIRequestsElsewhere},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				noObjects(t, mesh, objs)
			},
		},
		{
			name:    "a VirtualService exported to some namespaces is not written, with an error",
			snap:    routesSnapshot(reviewsRouteIn("default", "some", []string{".", "web", "mobile"}, toV2)),
			want:    []model.Code{model.CodeSMIRouteScope},
			message: map[model.Code][]string{model.CodeSMIRouteScope: {"default, mobile, web", "default/reviews unsplit"}},
			check:   noObjects,
		},
		{
			name:    "a VirtualService visible only in a client namespace is not written, with an error",
			snap:    routesSnapshot(reviewsRouteIn("mobile", "local", []string{"."}, toV1)),
			want:    []model.Code{model.CodeSMIRouteScope},
			message: map[model.Code][]string{model.CodeSMIRouteScope: {"mobile"}},
			check:   noObjects,
		},
		{
			name: "a VirtualService in another namespace without exportTo applies to every client and is written",
			snap: routesSnapshot(reviewsRouteIn("web", "for-all", nil, toV2)),
			none: []model.Code{model.CodeSMIRouteScope, model.CodeSMIRouteConflict},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				contains(t, named(t, objs, "TrafficSplit", "default", "for-all"), "service: reviews-v2\n    weight: 100")
			},
		},
		{
			name: "a VirtualService exported everywhere from the Service's namespace is written",
			snap: routesSnapshot(reviewsRouteIn("default", "everyone", []string{"*"}, toV2)),
			none: []model.Code{model.CodeSMIRouteScope},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				named(t, objs, "TrafficSplit", "default", "everyone")
			},
		},
		{
			name:    "clients of a narrower VirtualService are told they get the TrafficSplit of the one for every client",
			snap:    routesSnapshot(reviewsRouteIn("web", "for-all", nil, toV2), reviewsRouteIn("mobile", "local", []string{"."}, toV1)),
			want:    []model.Code{model.CodeSMIRouteScope},
			message: map[model.Code][]string{model.CodeSMIRouteScope: {"mobile", "web/for-all"}},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				if got := splitNames(objs); len(got) != 1 || got[0] != "for-all" {
					t.Errorf("want only the split for every client, got %v", got)
				}
			},
		},
		{
			name:    "two VirtualServices for every client of one Service are not written",
			snap:    routesSnapshot(reviewsRouteIn("web", "first", nil, toV2), reviewsRouteIn("default", "second", []string{"*"}, toV1)),
			want:    []model.Code{model.CodeSMIRouteConflict},
			message: map[model.Code][]string{model.CodeSMIRouteConflict: {"default/second", "web/first", "default/reviews"}},
			check:   noObjects,
		},
	}
	for _, c := range cases {
		for _, mesh := range append(meshes, "linkerd-smi") {
			t.Run(c.name+" ("+mesh+")", func(t *testing.T) {
				objs, fs := write(t, c.snap, mesh)
				for _, code := range c.want {
					if !hasCode(fs, code) {
						t.Errorf("want finding %s, got %v", code, fs)
					}
				}
				for _, code := range c.none {
					if hasCode(fs, code) {
						t.Errorf("want no finding %s, got %v", code, fs)
					}
				}
				for code, parts := range c.message {
					if !hasMessage(fs, code, parts...) {
						t.Errorf("want a finding %s saying %q, got %v", code, parts, fs)
					}
				}
				c.check(t, mesh, objs)
			})
		}
	}
}
