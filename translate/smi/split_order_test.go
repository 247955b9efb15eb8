package smi

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
)

func exact(name, value string) model.KeyMatch {
	return model.KeyMatch{Name: name, Match: model.StringMatch{Type: model.MatchExact, Value: value}}
}

func present(name string) model.KeyMatch { return model.KeyMatch{Name: name, Present: true} }

// headerRule routes requests with all the headers to the backends.
func headerRule(name string, backends []model.Backend, headers ...model.KeyMatch) model.HTTPRule {
	return model.HTTPRule{Name: name, Matches: []model.HTTPMatch{{Headers: headers}}, Backends: backends}
}

func pathRule(prefix string, backends ...model.Backend) model.HTTPRule {
	return model.HTTPRule{Matches: []model.HTTPMatch{{Path: &model.StringMatch{Type: model.MatchPrefix, Value: prefix}}}, Backends: backends}
}

func toRoot(weight int32) model.Backend {
	return model.Backend{Host: "reviews", Service: model.ServiceRef{Namespace: "default", Name: "reviews"}, Weight: weight}
}

func all(bs ...model.Backend) []model.Backend { return bs }

// hasMessage reports whether a finding with code has a message containing every part.
func hasMessage(fs model.Findings, code model.Code, parts ...string) bool {
	for _, f := range fs {
		if f.Code != code {
			continue
		}
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(f.Message, p)
		}
		if ok {
			return true
		}
	}
	return false
}

func noObjects(t *testing.T, _ string, objs []*unstructured.Unstructured) {
	t.Helper()
	if len(objs) != 0 {
		t.Errorf("wrote objects:\n%s", dump(objs...))
	}
}

func splitNames(objs []*unstructured.Unstructured) []string {
	var out []string
	for _, o := range kinds(objs, "TrafficSplit") {
		out = append(out, o.GetName())
	}
	return out
}

// TestSplitOrder checks that every request reaches the destination Istio's first matching rule
// gives it, or that the VirtualService is reported with an error.
func TestSplitOrder(t *testing.T) {
	weighted := model.HTTPRule{Backends: all(subset("v1", 90), subset("v2", 10))}
	jason := headerRule("jason", all(subset("v2", 100)), exact("end-user", "jason"))
	cases := []struct {
		name   string
		snap   *model.Snapshot
		meshes []string
		want   []model.Code
		none   []model.Code
		// message: a finding of code whose message has all the parts.
		message map[model.Code][]string
		check   func(t *testing.T, mesh string, objs []*unstructured.Unstructured)
	}{
		{
			name:   "the warning counts only the TrafficSplits written, not rules to the root Service itself",
			meshes: []string{"traefik-mesh"},
			snap:   routesSnapshot(reviewsRoute(jason, model.HTTPRule{Backends: all(toRoot(100))})),
			none:   []model.Code{model.CodeSMIRouteMatch, model.CodeSMIRouteOrder, model.CodeSMIRequestsElsewhere},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				if got := splitNames(objs); len(got) != 1 {
					t.Errorf("want the jason split alone, got %v", got)
				}
			},
		},
		{
			name: "rules that all route to the root Service itself write nothing and count nothing",
			snap: routesSnapshot(reviewsRoute(headerRule("chaos", all(toRoot(100)), exact("x-chaos", "abort")),
				model.HTTPRule{Backends: all(toRoot(100))})),
			none:  []model.Code{model.CodeSMIRouteMatch, model.CodeSMIRouteOrder, model.CodeSMIRequestsElsewhere},
			check: noObjects,
		},
		{
			name:    "a rule that cannot be written refuses the route when a later TrafficSplit would take its requests",
			snap:    routesSnapshot(reviewsRoute(pathRule("/api", subset("v2", 100)), weighted)),
			want:    []model.Code{model.CodeSMIRouteOrder, model.CodeSMIRouteMatch},
			message: map[model.Code][]string{model.CodeSMIRouteOrder: {"spec.http[0]", "spec.http[1]", "default/reviews"}},
			check:   noObjects,
		},
		{
			name:    "a header rule the consumer cannot match refuses the later catch-all split",
			meshes:  []string{"osm", "linkerd-smi"},
			snap:    routesSnapshot(reviewsRoute(jason, weighted)),
			want:    []model.Code{model.CodeSMIRouteOrder},
			message: map[model.Code][]string{model.CodeSMIRouteOrder: {"spec.http[0]", "spec.http[1]"}},
			check:   noObjects,
		},
		{
			name: "a rule that cannot be written but goes where the later catch-all goes keeps the route",
			snap: routesSnapshot(reviewsRoute(pathRule("/api", subset("v1", 9), subset("v2", 1)), weighted)),
			want: []model.Code{model.CodeSMIRouteMatch},
			none: []model.Code{model.CodeSMIRouteOrder, model.CodeSMIRequestsElsewhere},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				contains(t, named(t, objs, "TrafficSplit", "default", "reviews"), "service: reviews-v1\n    weight: 90")
			},
		},
		{
			name:    "a header rule to the root Service itself refuses a later split that would take its requests",
			meshes:  []string{"traefik-mesh", "smi"},
			snap:    routesSnapshot(reviewsRoute(headerRule("stay", all(toRoot(100)), exact("x-stay", "1")), weighted)),
			want:    []model.Code{model.CodeSMIRouteOrder},
			message: map[model.Code][]string{model.CodeSMIRouteOrder: {"spec.http[0]", "routes to Service default/reviews itself"}},
			check:   noObjects,
		},
		{
			name:    "a header split before an overlapping catch-all keeps Istio's order on Traefik Mesh",
			meshes:  []string{"traefik-mesh"},
			snap:    routesSnapshot(reviewsRoute(jason, weighted)),
			want:    []model.Code{model.CodeSMIRouteMatch},
			none:    []model.Code{model.CodeSMIRouteOrder},
			message: map[model.Code][]string{model.CodeSMIRouteMatch: {"2 TrafficSplits were written", "Traefik Mesh"}},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				named(t, objs, "TrafficSplit", "default", "reviews-jason")
				named(t, objs, "TrafficSplit", "default", "reviews-1")
			},
		},
		{
			name:    "overlapping splits are refused where the consumer defines no order between them",
			meshes:  []string{"smi"},
			snap:    routesSnapshot(reviewsRoute(jason, weighted)),
			want:    []model.Code{model.CodeSMIRouteOrder},
			message: map[model.Code][]string{model.CodeSMIRouteOrder: {"spec.http[0]", "spec.http[1]", "no order"}},
			check:   noObjects,
		},
		{
			name:   "a later split with more conditions would win on Traefik Mesh, so the route is refused",
			meshes: []string{"traefik-mesh"},
			snap: routesSnapshot(reviewsRoute(
				headerRule("one", all(subset("v1", 100)), exact("x-a", "1")),
				headerRule("two", all(subset("v2", 100)), present("x-a"), present("x-b")))),
			want:    []model.Code{model.CodeSMIRouteOrder},
			message: map[model.Code][]string{model.CodeSMIRouteOrder: {"spec.http[0]", "spec.http[1]", "Traefik Mesh"}},
			check:   noObjects,
		},
		{
			name:   "header splits no request can match together are written on every consumer with matches",
			meshes: []string{"traefik-mesh", "smi"},
			snap: routesSnapshot(reviewsRoute(
				headerRule("one", all(subset("v1", 100)), exact("x-a", "1")),
				headerRule("two", all(subset("v2", 100)), exact("x-a", "2"), present("x-b")),
				model.HTTPRule{Backends: all(toRoot(100))})),
			none: []model.Code{model.CodeSMIRouteOrder, model.CodeSMIRequestsElsewhere},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				if got := splitNames(objs); len(got) != 2 {
					t.Errorf("want two splits, got %v", got)
				}
			},
		},
		{
			name:    "requests of a rule that cannot be written reach the root Service with an error",
			snap:    routesSnapshot(reviewsRoute(pathRule("/api", subset("v2", 100)), model.HTTPRule{Backends: all(toRoot(100))})),
			want:    []model.Code{model.CodeSMIRequestsElsewhere},
			none:    []model.Code{model.CodeSMIRouteOrder},
			message: map[model.Code][]string{model.CodeSMIRequestsElsewhere: {"spec.http[0]", "reviews subset v2", "default/reviews"}},
			check:   noObjects,
		},
		{
			name:    "requests no rule matches reach the root Service, where Istio answers 404",
			meshes:  []string{"traefik-mesh", "smi"},
			snap:    routesSnapshot(reviewsRoute(jason)),
			want:    []model.Code{model.CodeSMIRequestsElsewhere},
			message: map[model.Code][]string{model.CodeSMIRequestsElsewhere: {"no rule matches", "404"}},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				named(t, objs, "TrafficSplit", "default", "reviews")
			},
		},
		{
			name: "rules after a catch-all that cannot be written are never reached",
			snap: routesSnapshot(reviewsRoute(
				model.HTTPRule{Redirect: &model.Redirect{Field: "spec.http[0].redirect", Path: "/v2"}},
				weighted)),
			want:    []model.Code{model.CodeSMIRequestsElsewhere, model.CodeSMIRouteFeature},
			message: map[model.Code][]string{model.CodeSMIRequestsElsewhere: {"spec.http[0]", "redirect"}},
			check:   noObjects,
		},
		{
			name: "a rule that aborts requests cannot be written",
			snap: routesSnapshot(reviewsRoute(model.HTTPRule{Backends: all(subset("v1", 100)),
				Fault: &model.Fault{Field: "spec.http[0].fault", AbortStatus: 503}})),
			want:    []model.Code{model.CodeSMIRequestsElsewhere},
			message: map[model.Code][]string{model.CodeSMIRequestsElsewhere: {"spec.http[0]", "abort"}},
			check:   noObjects,
		},
		{
			name:   "Traefik Mesh drops a TrafficSplit that names its root Service as a backend, so it is not written",
			meshes: []string{"traefik-mesh"},
			snap:   routesSnapshot(reviewsRoute(model.HTTPRule{Backends: all(toRoot(50), subset("v2", 50))})),
			want:   []model.Code{model.CodeSMIRouteNotWritten, model.CodeSMIRequestsElsewhere},
			check:  noObjects,
		},
		{
			name:   "other consumers split to the root Service among other backends",
			meshes: []string{"osm", "smi", "linkerd-smi"},
			snap:   routesSnapshot(reviewsRoute(model.HTTPRule{Backends: all(toRoot(50), subset("v2", 50))})),
			none:   []model.Code{model.CodeSMIRouteNotWritten, model.CodeSMIRequestsElsewhere},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				contains(t, named(t, objs, "TrafficSplit", "default", "reviews"), "service: reviews\n    weight: 50")
			},
		},
		{
			name: "TCP routes beside HTTP routes that go elsewhere are reported as an error",
			snap: routesSnapshot(model.RouteSet{Namespace: "default", Name: "reviews", Hosts: []string{"reviews"}, Mesh: true,
				Services: []model.ServiceRef{{Namespace: "default", Name: "reviews"}},
				HTTP:     []model.HTTPRule{{Backends: all(toRoot(100))}},
				TCP:      []model.L4Rule{{Field: "spec.tcp[0]", Backends: all(subset("v1", 100))}}}),
			want:    []model.Code{model.CodeSMIRouteMatch, model.CodeSMIRequestsElsewhere},
			message: map[model.Code][]string{model.CodeSMIRequestsElsewhere: {"spec.tcp[0]"}},
			check:   noObjects,
		},
	}
	for _, c := range cases {
		for _, mesh := range cmpOr(c.meshes, append(meshes, "linkerd-smi")) {
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
