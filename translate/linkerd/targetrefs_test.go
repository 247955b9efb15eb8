package linkerd

import (
	"slices"
	"strings"
	"testing"

	"github.com/meshbridge/meshbridge/model"
)

func TestTargetRefsFailClosed(t *testing.T) {
	fromSearch := model.AccessRule{From: from(model.Source{Principals: []string{"cluster.local/ns/edge/sa/search"}})}
	attached := func(name string, refs ...model.ObjectRef) model.AccessPolicy {
		p := policy("edge", name, model.Allow, nil, fromSearch)
		p.Target.Refs, p.Target.Field = refs, "spec.targetRefs"
		return p
	}
	gateway := workload("edge", "public-gateway", "gw", map[string]string{model.GatewayNameLabel: "public"}, 8080, 8443)
	istioGateway := workload("edge", "internal-gateway", "gw", map[string]string{model.IstioGatewayNameLabel: "public", "app": "internal"}, 8080)
	catalog := workload("edge", "catalog", "catalog", map[string]string{"app": "catalog"}, 8080)
	search := workload("edge", "search", "search", map[string]string{"app": "search"}, 8080)
	withCatalogService := func(s *model.Snapshot) *model.Snapshot {
		s.Inventory.Services = []model.Service{{Namespace: "edge", Name: "catalog", Selector: map[string]string{"app": "catalog"},
			Ports: []model.ServicePort{{Name: "http", Port: 8080, TargetPort: 8080}}}}
		s.Inventory.Sort()
		return s
	}

	cases := []struct {
		name   string
		snap   *model.Snapshot
		denied []string // workloads whose every served port gets a deny Server
		codes  []string
		// message is a part of the first targetRefs finding (MB5008 states the declared-ports
		// assumption the deny Servers rely on).
		message string
	}{
		{
			name: "a Gateway's pods get Servers that admit nothing",
			snap: snapshot([]model.Workload{gateway, search}, []model.AccessPolicy{
				attached("gateway-callers", model.ObjectRef{Kind: "Gateway", Name: "public"})}),
			denied: []string{"public-gateway"}, codes: []string{"MB5008", "MB5017"},
			message: "policy attached to Gateway public by targetRefs guards edge/public-gateway in Istio",
		},
		{
			name: "pods with either gateway-name label are the Gateway's",
			snap: snapshot([]model.Workload{gateway, istioGateway, search}, []model.AccessPolicy{
				attached("gateway-callers", model.ObjectRef{Kind: "Gateway", Name: "public"})}),
			denied: []string{"public-gateway", "internal-gateway"}, codes: []string{"MB5008", "MB5017"},
			message: "edge/internal-gateway, edge/public-gateway",
		},
		{
			name: "a Service's pods behind a waypoint get Servers that admit nothing",
			snap: withCatalogService(snapshot([]model.Workload{catalog, search}, []model.AccessPolicy{
				attached("catalog-callers", model.ObjectRef{Kind: "Service", Name: "catalog"})})),
			denied: []string{"catalog"}, codes: []string{"MB5008", "MB5017"},
			message: "Service catalog by targetRefs guards edge/catalog",
		},
		{
			name: "targets without pods in the input are reported as possibly wider",
			snap: snapshot([]model.Workload{search}, []model.AccessPolicy{
				attached("elsewhere", model.ObjectRef{Kind: "ServiceEntry", Name: "external"},
					model.ObjectRef{Kind: "Gateway", Name: "absent"}, model.ObjectRef{Kind: "Service", Name: "missing"})}),
			codes:   []string{"MB5007"},
			message: "ServiceEntry external, Gateway absent, Service missing by targetRefs was not translated",
		},
		{
			name: "a policy with targets of both kinds reports each",
			snap: snapshot([]model.Workload{gateway, search}, []model.AccessPolicy{
				attached("mixed", model.ObjectRef{Kind: "Gateway", Name: "public"}, model.ObjectRef{Kind: "GatewayClass", Name: "istio"})}),
			denied: []string{"public-gateway"}, codes: []string{"MB5007", "MB5008", "MB5017"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			objs, findings := run(t, c.snap)
			if got := codes(findings); !slices.Equal(got, c.codes) {
				t.Fatalf("codes %v, want %v:\n%v", got, c.codes, findings)
			}
			refs := append(findingsOf(findings, model.CodeLinkerdTargetRefs), findingsOf(findings, model.CodeLinkerdTargetRefsDenied)...)
			for _, f := range refs {
				if f.Severity != model.Error || f.Field != "spec.targetRefs" {
					t.Errorf("finding %v is not an error on spec.targetRefs", f)
				}
			}
			if c.message != "" && !strings.Contains(refs[0].Message, c.message) {
				t.Errorf("finding %q lacks %q", refs[0].Message, c.message)
			}
			if n := len(ofKind(objs, "AuthorizationPolicy")); n != 0 {
				t.Errorf("%d AuthorizationPolicies, want none", n)
			}
			for _, wl := range c.snap.Inventory.Workloads {
				for _, p := range wl.Ports {
					v := linkerdDecide(t, objs, model.Request{Namespace: wl.Namespace, Labels: wl.Labels, Port: p.Port,
						Principal: "cluster.local/ns/edge/sa/search", SourceIP: "10.0.0.1", TCP: true}, "cluster.local")
					denied := slices.Contains(c.denied, wl.Name)
					if denied && v.allowSome {
						t.Errorf("%s port %d admits the caller: %s", wl.Name, p.Port, v.why)
					}
					if !denied && !v.allowAll {
						t.Errorf("%s port %d does not keep the default policy: %s", wl.Name, p.Port, v.why)
					}
				}
			}
			compare(t, c.snap, objs) // fails on any widening
		})
	}
}
