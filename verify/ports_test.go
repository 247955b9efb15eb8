package verify

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/verify/semantics"
)

// portRecorder denies every request and records the ports it was asked about, per workload.
type portRecorder map[string]map[int32]bool

func (r portRecorder) Authorize(w model.Workload, req model.Request) semantics.Verdict {
	if r[w.Name] == nil {
		r[w.Name] = map[int32]bool{}
	}
	r[w.Name][req.Port] = true
	return semantics.Verdict{By: "recorder"}
}

func TestAccessIsComparedOnDeclaredPorts(t *testing.T) {
	wl := func(name string, ports ...model.ContainerPort) model.Workload {
		return model.Workload{Origin: model.Origin{Object: model.ObjectRef{Kind: "Deployment", Namespace: "shop", Name: name}},
			Namespace: "shop", Name: name, Kind: "Deployment", Labels: map[string]string{"app": name}, ServiceAccount: name, Ports: ports}
	}
	snap := &model.Snapshot{TrustDomain: "cluster.local", RootNamespace: "istio-system", Inventory: model.Inventory{
		Workloads: []model.Workload{
			wl("orders", model.ContainerPort{Name: "http", Port: 8080}, model.ContainerPort{Name: "grpc", Port: 50051}),
			wl("dns", model.ContainerPort{Name: "dns", Port: 53, Protocol: "UDP"}),
			wl("worker"),
		},
		Services: []model.Service{
			{Namespace: "shop", Name: "orders", Selector: map[string]string{"app": "orders"}, Ports: []model.ServicePort{
				{Name: "grpc", Port: 9090, TargetPortName: "grpc"}, {Name: "admin", Port: 9000, TargetPort: 7070},
				{Name: "metrics", Port: 9100, TargetPortName: "undeclared"}}},
			{Namespace: "shop", Name: "other", Selector: map[string]string{"app": "other"}, Ports: []model.ServicePort{{Port: 80, TargetPort: 6060}}},
		},
	}}
	snap.Access = []model.AccessPolicy{{Namespace: "shop", Name: "ports", Action: model.Allow, Target: model.Target{Namespace: "shop"},
		Rules: []model.AccessRule{{To: []model.Operation{{Ports: []string{"80", "8080"}}}}}}}
	snap.Inventory.Sort()
	asked := portRecorder{}
	reports := compareAccess(snap, &destination{authorizer: asked}, newCoverage(snap, nil))

	ports := func(name string) []int32 { return slices.Sorted(maps.Keys(asked[name])) }
	t.Run("a workload that declares ports is asked about those and its Services' target ports only", func(t *testing.T) {
		if got, want := ports("orders"), []int32{7070, 8080, 50051}; !slices.Equal(got, want) {
			t.Errorf("orders asked on ports %v, want %v", got, want)
		}
	})
	t.Run("a workload that declares no TCP port is asked about every port mentioned and one nothing names", func(t *testing.T) {
		for _, name := range []string{"worker", "dns"} {
			got := ports(name)
			for _, p := range []int32{80, 8080, 50051, 65000} {
				if !slices.Contains(got, p) {
					t.Errorf("%s not asked on port %d: %v", name, p, got)
				}
			}
		}
	})
	t.Run("the counts are of the requests asked", func(t *testing.T) {
		for _, r := range reports {
			if strings.HasSuffix(r.Workload, "/orders") && (r.Requests == 0 || len(r.Narrowed) == 0) {
				t.Errorf("orders: %d requests, %d narrowed groups", r.Requests, len(r.Narrowed))
			}
		}
	})
}

func TestTheHeaderStatesTheAssumption(t *testing.T) {
	rep := &Report{Target: "linkerd", Mesh: "linkerd", Assumptions: []string{DeclaredPortsAssumption}}
	for _, format := range []string{"text", "markdown"} {
		var b strings.Builder
		if err := rep.Write(&b, format); err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(b.String(), "\n")
		if !strings.Contains(first, "(assumes workloads listen only on declared ports)") {
			t.Errorf("%s header %q does not state the assumption", format, first)
		}
	}
	var b strings.Builder
	if err := (&Report{Target: "gatewayapi"}).Write(&b, "text"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "assumes") {
		t.Errorf("a report that compared no access states an assumption: %q", b.String())
	}
}
