package smi

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
)

// mongo is the shape of fixtures/rbac-tcp-mongodb: one declared port, a Service forwarding
// 27017 to it, and batch allowed on that port.
func mongo(rules ...model.AccessRule) *model.Snapshot {
	s := strict(snapshot([]model.Workload{
		wl("data", "mongo", "mongo", map[string]string{"app": "mongo"}, 27017),
		wl("data", "batch", "batch", map[string]string{"app": "batch"}),
	}, model.AccessPolicy{Namespace: "data", Name: "mongo-clients", Action: model.Allow,
		Target: model.Target{Selector: map[string]string{"app": "mongo"}}, Rules: rules}))
	s.Inventory.Services = []model.Service{{Namespace: "data", Name: "mongo", Selector: map[string]string{"app": "mongo"},
		Ports: []model.ServicePort{{Port: 27017}}}}
	return s
}

// orders is fixtures/authz-ports-service-vs-target: Service port 80 forwards to container port
// 8080, and 9090 to the container port named grpc (50051).
func orders(rules ...model.AccessRule) *model.Snapshot {
	o := wl("shop", "orders", "orders", map[string]string{"app": "orders"}, 8080, 50051)
	o.Ports[0].Name, o.Ports[1].Name = "http", "grpc"
	s := strict(snapshot([]model.Workload{o, wl("shop", "frontend", "frontend", map[string]string{"app": "frontend"})},
		model.AccessPolicy{Namespace: "shop", Name: "orders-ports", Action: model.Allow,
			Target: model.Target{Selector: map[string]string{"app": "orders"}}, Rules: rules}))
	s.Inventory.Services = []model.Service{{Namespace: "shop", Name: "orders", Selector: map[string]string{"app": "orders"},
		Ports: []model.ServicePort{{Port: 80, TargetPort: 8080}, {Port: 9090, TargetPortName: "grpc"}}}}
	return s
}

const batch = "cluster.local/ns/data/sa/batch"

func onPorts(ports ...string) []model.Operation { return []model.Operation{{Ports: ports}} }

// tcpRoutePorts returns the port lists of the TCPRoutes written for destination ns/name.
func tcpRoutePorts(objs []*unstructured.Unstructured, ns, name string) []string {
	var out []string
	for _, o := range toDest(objs, ns, name) {
		if o.GetKind() == "TCPRoute" {
			m, _ := o.Object["spec"].(map[string]any)["matches"].(map[string]any)
			out = append(out, strings.TrimSpace(strings.ReplaceAll(dump(&unstructured.Unstructured{Object: map[string]any{"ports": m["ports"]}}), "---\n", "")))
		}
	}
	return out
}

func TestPortsAreWrittenExactly(t *testing.T) {
	runAccessCases(t, []accessCase{
		{
			name:   "a TCP rule naming every declared port lists its ports, not every port",
			snap:   mongo(model.AccessRule{From: from(batch), To: onPorts("27017")}),
			meshes: []string{"osm", "smi"},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				got := tcpRoutePorts(objs, "data", "mongo")
				if len(got) != 1 || got[0] != "ports:\n- 27017" {
					t.Errorf("TCPRoute ports = %q, want [27017]", got)
				}
				if smiAllows(objs, request{source: sa{Namespace: "data", Name: "batch"}, dest: sa{Namespace: "data", Name: "mongo"}, port: undeclaredPort}, readOSM) {
					t.Errorf("a port the pods do not declare is allowed; Istio denies it")
				}
			},
		},
		{
			name:   "Traefik Mesh writes a destination port for a rule naming every declared port",
			snap:   mongo(model.AccessRule{From: from(batch), To: onPorts("27017")}),
			meshes: []string{"traefik-mesh"},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				contains(t, named(t, objs, "TrafficTarget", "data", "mongo-clients-mongo-27017"), "port: 27017")
			},
		},
		{
			name:   "an HTTP rule whose ports cover every declared port warns that it assumes no other port is served",
			snap:   mongo(model.AccessRule{From: from(batch), To: []model.Operation{{Ports: []string{"27017"}, Methods: []string{"GET"}}}}),
			want:   []model.Code{model.CodeSMIDeclaredPortsAssumed},
			none:   []model.Code{model.CodeSMIPortNotExpressible},
			meshes: []string{"osm", "smi"},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				contains(t, named(t, objs, "HTTPRouteGroup", "data", "mongo-clients-mongo"), "- GET")
			},
		},
		{
			name:   "a rule with ports on every declared port warns for its HTTP part",
			snap:   mongo(model.AccessRule{From: from(batch), To: onPorts("27017")}),
			want:   []model.Code{model.CodeSMIDeclaredPortsAssumed},
			none:   []model.Code{model.CodeSMIPortReading},
			meshes: []string{"osm", "smi"},
		},
		{
			name:   "a Service port forwarding elsewhere is not written when the consumer's reading is unknown",
			snap:   orders(model.AccessRule{From: from("cluster.local/ns/shop/sa/frontend"), To: onPorts("80")}),
			want:   []model.Code{model.CodeSMIPortReading},
			meshes: []string{"smi"},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				if got := toDest(objs, "shop", "orders"); len(got) != 0 {
					t.Errorf("port 80 is Service port 80 -> 8080, which Istio denies; want nothing written, got\n%s", dump(got...))
				}
			},
			findings: func(t *testing.T, mesh string, fs model.Findings) {
				f := only(t, fs, model.CodeSMIPortReading)
				if !strings.Contains(f.Message, "shop/orders 80 -> 8080") {
					t.Errorf("got %q", f.Message)
				}
			},
		},
		{
			name:   "OSM reads container ports, so a port equal to a Service port is written as Istio reads it",
			snap:   orders(model.AccessRule{From: from("cluster.local/ns/shop/sa/frontend"), To: onPorts("80")}),
			none:   []model.Code{model.CodeSMIPortReading},
			meshes: []string{"osm"},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				if got := tcpRoutePorts(objs, "shop", "orders"); len(got) != 1 || got[0] != "ports:\n- 80" {
					t.Errorf("TCPRoute ports = %q, want container port [80]", got)
				}
			},
		},
		{
			name:   "a container port no Service exposes as itself is reported as read differently by an unknown consumer",
			snap:   orders(model.AccessRule{From: from("cluster.local/ns/shop/sa/frontend"), To: onPorts("8080")}),
			want:   []model.Code{model.CodeSMIPortReading},
			meshes: []string{"smi"},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				if got := tcpRoutePorts(objs, "shop", "orders"); len(got) != 1 || got[0] != "ports:\n- 8080" {
					t.Errorf("TCPRoute ports = %q, want container port [8080]", got)
				}
			},
		},
		{
			name:   "Traefik Mesh cannot find a destination port behind a named targetPort",
			snap:   orders(model.AccessRule{From: from("cluster.local/ns/shop/sa/frontend"), To: onPorts("50051")}),
			want:   []model.Code{model.CodeSMIPortReading},
			meshes: []string{"traefik-mesh"},
			findings: func(t *testing.T, mesh string, fs model.Findings) {
				if f := only(t, fs, model.CodeSMIPortReading); !strings.Contains(f.Message, "Service shop/orders has no numeric targetPort [50051]") {
					t.Errorf("got %q", f.Message)
				}
			},
		},
	})
}
