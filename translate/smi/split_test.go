package smi

import (
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
)

// routesSnapshot has a reviews Service with three versions, a ratings Service with the same
// port, and db in another namespace.
func routesSnapshot(routes ...model.RouteSet) *model.Snapshot {
	s := snapshot([]model.Workload{
		wl("default", "reviews-v1", "reviews", map[string]string{"app": "reviews", "version": "v1"}, 9080),
		wl("default", "reviews-v2", "reviews", map[string]string{"app": "reviews", "version": "v2"}, 9080),
		wl("default", "ratings", "ratings", map[string]string{"app": "ratings"}, 9080),
	})
	svc := func(ns, name string, sel map[string]string, port int32) model.Service {
		return model.Service{Origin: model.Origin{Object: model.ObjectRef{Kind: "Service", Namespace: ns, Name: name}},
			Namespace: ns, Name: name, Selector: sel, Ports: []model.ServicePort{{Name: "http", Port: port, TargetPort: port}}}
	}
	s.Inventory.Services = []model.Service{
		svc("default", "ratings", map[string]string{"app": "ratings"}, 9080),
		svc("default", "reviews", map[string]string{"app": "reviews"}, 9080),
		svc("other", "db", map[string]string{"app": "db"}, 5432),
	}
	s.Inventory.Sort()
	for i := range routes {
		r := &routes[i]
		r.Origin = model.Origin{Object: model.ObjectRef{APIVersion: "networking.istio.io/v1", Kind: "VirtualService", Namespace: r.Namespace, Name: r.Name}}
		for j := range r.HTTP {
			r.HTTP[j].Field = "spec.http[" + string(rune('0'+j)) + "]"
			for k := range r.HTTP[j].Backends {
				r.HTTP[j].Backends[k].Field = r.HTTP[j].Field + ".route[" + string(rune('0'+k)) + "]"
			}
			for k := range r.HTTP[j].Matches {
				r.HTTP[j].Matches[k].Field = r.HTTP[j].Field + ".match[" + string(rune('0'+k)) + "]"
			}
		}
	}
	s.Routes = routes
	return s
}

func reviewsRoute(rules ...model.HTTPRule) model.RouteSet {
	return model.RouteSet{Namespace: "default", Name: "reviews", Hosts: []string{"reviews"},
		Services: []model.ServiceRef{{Namespace: "default", Name: "reviews"}}, Mesh: true, HTTP: rules}
}

func subset(name string, weight int32) model.Backend {
	return model.Backend{Host: "reviews", Service: model.ServiceRef{Namespace: "default", Name: "reviews"},
		Subset: name, SubsetLabels: map[string]string{"version": name}, Weight: weight}
}

func TestTrafficSplit(t *testing.T) {
	weighted := model.HTTPRule{Backends: []model.Backend{subset("v1", 90), subset("v2", 10)}}
	jason := model.HTTPRule{Name: "jason", Matches: []model.HTTPMatch{{Headers: []model.KeyMatch{
		{Name: "End-User", Match: model.StringMatch{Type: model.MatchExact, Value: "jason"}}}}},
		Backends: []model.Backend{subset("v2", 100)}}
	cases := []struct {
		name   string
		snap   *model.Snapshot
		meshes []string
		want   []model.Code
		none   []model.Code
		check  func(t *testing.T, mesh string, objs []*unstructured.Unstructured)
	}{
		{
			name: "weighted subsets become a TrafficSplit to generated subset Services",
			snap: routesSnapshot(reviewsRoute(weighted)),
			want: []model.Code{model.CodeSMISubsetService},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				ts := named(t, objs, "TrafficSplit", "default", "reviews")
				contains(t, ts, "apiVersion: split.smi-spec.io/"+map[string]string{
					"osm": "v1alpha2", "linkerd-smi": "v1alpha2", "traefik-mesh": "v1alpha3", "smi": "v1alpha4"}[mesh],
					"service: reviews\n", "service: reviews-v1\n    weight: 90", "service: reviews-v2\n    weight: 10")
				contains(t, named(t, objs, "Service", "default", "reviews-v1"), "version: v1", "app: reviews", "meshbridge.io/generated")
				named(t, objs, "Service", "default", "reviews-v2")
			},
		},
		{
			name:   "a header-matched rule becomes a TrafficSplit with an HTTPRouteGroup match",
			meshes: []string{"traefik-mesh"},
			snap:   routesSnapshot(reviewsRoute(jason, weighted)),
			want:   []model.Code{model.CodeSMIRouteMatch},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				contains(t, named(t, objs, "TrafficSplit", "default", "reviews-jason"), "kind: HTTPRouteGroup", "name: reviews-jason-match")
				contains(t, named(t, objs, "HTTPRouteGroup", "default", "reviews-jason-match"), "- end-user: ^(?:jason)$")
				contains(t, named(t, objs, "TrafficSplit", "default", "reviews-1"), "service: reviews-v1")
			},
		},
		{
			name:   "a header-matched rule is not written where splits have no matches",
			meshes: []string{"osm", "linkerd-smi"},
			snap:   routesSnapshot(reviewsRoute(jason)),
			want:   []model.Code{model.CodeSMIRouteMatch, model.CodeSMIRequestsElsewhere},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				if len(objs) != 0 {
					t.Errorf("wrote objects:\n%s", dump(objs...))
				}
			},
		},
		{
			name: "what a TrafficSplit cannot do is reported and the split still written",
			snap: routesSnapshot(reviewsRoute(model.HTTPRule{Field: "x", Backends: weighted.Backends,
				Timeout: time.Second, Retry: &model.Retry{Field: "spec.http[0].retries", Attempts: 3},
				Rewrite: &model.Rewrite{Field: "spec.http[0].rewrite", Path: "/v2"}})),
			want: []model.Code{model.CodeSMIRouteFeature},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				named(t, objs, "TrafficSplit", "default", "reviews")
			},
		},
		{
			name: "a path match cannot be written",
			snap: routesSnapshot(reviewsRoute(model.HTTPRule{Matches: []model.HTTPMatch{{Path: &model.StringMatch{Type: model.MatchPrefix, Value: "/v2"}}},
				Backends: []model.Backend{subset("v2", 100)}})),
			want: []model.Code{model.CodeSMIRouteMatch},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				if len(objs) != 0 {
					t.Errorf("wrote objects for a path-matched rule:\n%s", dump(objs...))
				}
			},
		},
		{
			name: "routes SMI cannot hold are reported",
			snap: routesSnapshot(
				model.RouteSet{Namespace: "default", Name: "ingress", Hosts: []string{"reviews"}, Mesh: false,
					Services: []model.ServiceRef{{Namespace: "default", Name: "reviews"}}, HTTP: []model.HTTPRule{weighted}},
				model.RouteSet{Namespace: "default", Name: "external", Hosts: []string{"example.com"}, Mesh: true, HTTP: []model.HTTPRule{weighted}},
				reviewsRoute(model.HTTPRule{Backends: []model.Backend{{Host: "db.other", Service: model.ServiceRef{Namespace: "other", Name: "db"}, Weight: 100}}}),
			),
			want: []model.Code{model.CodeSMIRouteNotWritten},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				if len(objs) != 0 {
					t.Errorf("wrote objects:\n%s", dump(objs...))
				}
			},
		},
		{
			name: "a route to the root Service only needs nothing",
			snap: routesSnapshot(reviewsRoute(model.HTTPRule{Backends: []model.Backend{{Host: "reviews",
				Service: model.ServiceRef{Namespace: "default", Name: "reviews"}, Weight: 100}}})),
			none: []model.Code{model.CodeSMIRouteNotWritten, model.CodeSMIRouteFeature, model.CodeSMIRouteMatch},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				if len(objs) != 0 {
					t.Errorf("wrote objects:\n%s", dump(objs...))
				}
			},
		},
		{
			name: "a route to another Service of the namespace splits to it",
			snap: routesSnapshot(reviewsRoute(model.HTTPRule{Backends: []model.Backend{{Host: "ratings",
				Service: model.ServiceRef{Namespace: "default", Name: "ratings"}, Weight: 100}}})),
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				contains(t, named(t, objs, "TrafficSplit", "default", "reviews"), "service: ratings\n    weight: 100")
			},
		},
		{
			name: "an unresolved subset is not written",
			snap: routesSnapshot(reviewsRoute(model.HTTPRule{Backends: []model.Backend{subset("v1", 50),
				{Host: "reviews", Service: model.ServiceRef{Namespace: "default", Name: "reviews"}, Subset: "v9", Weight: 50}}})),
			want: []model.Code{model.CodeSMIRouteNotWritten},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				if len(kinds(objs, "TrafficSplit")) != 0 {
					t.Errorf("wrote a split with a missing subset:\n%s", dump(objs...))
				}
			},
		},
		{
			name: "a weighted TCP route becomes a TrafficSplit",
			snap: routesSnapshot(model.RouteSet{Namespace: "default", Name: "reviews-tcp", Hosts: []string{"reviews"}, Mesh: true,
				Services: []model.ServiceRef{{Namespace: "default", Name: "reviews"}},
				TCP:      []model.L4Rule{{Field: "spec.tcp[0]", Backends: []model.Backend{subset("v1", 50), subset("v2", 50)}}}}),
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				contains(t, named(t, objs, "TrafficSplit", "default", "reviews-tcp"), "service: reviews-v1\n    weight: 50")
			},
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
				c.check(t, mesh, objs)
			})
		}
	}
}
