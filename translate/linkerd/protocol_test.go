package linkerd

import (
	"strings"
	"testing"

	"github.com/meshbridge/meshbridge/model"
)

func TestPortsIstioHandlesAsTCP(t *testing.T) {
	db := workload("shop", "db", "db", map[string]string{"app": "db"}, 5432, 8080)
	db.Ports[0].Name = "postgres"
	client := workload("shop", "api", "api", map[string]string{"app": "api"}, 8000)
	svc := model.Service{Namespace: "shop", Name: "db", Selector: map[string]string{"app": "db"}, Ports: []model.ServicePort{
		{Name: "tcp-postgres", Port: 5432, TargetPortName: "postgres"},
		{Name: "http", Port: 80, TargetPort: 8080},
	}}
	cases := []struct {
		name   string
		access []model.AccessPolicy
		// servers is how many Servers, routes how many HTTPRoutes must be written.
		servers, routes int
	}{
		{
			name: "an ALLOW rule with HTTP attributes never matches on a TCP port",
			access: []model.AccessPolicy{policy("shop", "db", model.Allow, map[string]string{"app": "db"},
				model.AccessRule{From: from(model.Source{Namespaces: []string{"shop"}}), To: to(model.Operation{Methods: []string{"GET"}})})},
			servers: 2, routes: 1, // the route is on the HTTP port only
		},
		{
			name: "a DENY with HTTP attributes denies every connection on a TCP port",
			access: []model.AccessPolicy{
				policy("shop", "db", model.Allow, map[string]string{"app": "db"}, model.AccessRule{From: from(model.Source{Namespaces: []string{"shop"}})}),
				policy("shop", "no-delete", model.Deny, map[string]string{"app": "db"}, model.AccessRule{To: to(model.Operation{Methods: []string{"DELETE"}})}),
			},
			servers: 2, routes: 1,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			snap := snapshot([]model.Workload{db, client}, c.access)
			snap.Inventory.Services = []model.Service{svc}
			objs, _ := run(t, snap)
			narrowed := compare(t, snap, objs)
			for _, n := range narrowed {
				if strings.Contains(n, ":5432") {
					t.Errorf("narrowed on the TCP port: %s", n)
				}
			}
			if got := len(ofKind(objs, "Server")); got != c.servers {
				t.Errorf("%d Servers, want %d", got, c.servers)
			}
			if got := len(ofKind(objs, "HTTPRoute")); got != c.routes {
				t.Errorf("%d HTTPRoutes %v, want %d", got, names(ofKind(objs, "HTTPRoute")), c.routes)
			}
		})
	}
}
