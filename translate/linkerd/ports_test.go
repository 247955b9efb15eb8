package linkerd

import (
	"slices"
	"strings"
	"testing"

	"github.com/meshbridge/meshbridge/model"
)

func TestDeclaredPorts(t *testing.T) {
	fromFrontend := model.AccessRule{From: from(model.Source{Principals: []string{"cluster.local/ns/shop/sa/frontend"}})}
	worker := workload("shop", "worker", "worker", map[string]string{"app": "worker"})
	reviewsWL := workload("shop", "reviews", "reviews", reviews, 8080)

	t.Run("a workload that declares no port but that an ALLOW selects is named by an error", func(t *testing.T) {
		snap := snapshot([]model.Workload{worker, reviewsWL}, []model.AccessPolicy{
			policy("shop", "worker-callers", model.Allow, map[string]string{"app": "worker"}, fromFrontend),
		})
		objs, findings := run(t, snap)
		if len(objs) != 0 {
			t.Errorf("objects %v, want none: no port to select", names(objs))
		}
		if got, want := codes(findings), []string{"MB5016"}; !slices.Equal(got, want) {
			t.Fatalf("codes %v, want %v:\n%v", got, want, findings)
		}
		f := findings[0]
		if f.Severity != model.Error || f.Origin.Object != worker.Origin.Object || f.Field != "spec.template.spec.containers" ||
			!strings.Contains(f.Message, "shop/worker declares no container ports") ||
			!strings.Contains(f.Message, "AuthorizationPolicy shop/worker-callers") ||
			!strings.Contains(f.Message, "config.linkerd.io/default-inbound-policy: deny") {
			t.Errorf("finding %+v", f)
		}
	})
	t.Run("an ALLOW that admits everyone leaves nothing to enforce", func(t *testing.T) {
		snap := snapshot([]model.Workload{worker}, []model.AccessPolicy{
			policy("shop", "worker-open", model.Allow, map[string]string{"app": "worker"}, model.AccessRule{}),
		})
		if _, findings := run(t, snap); len(findings) != 0 {
			t.Errorf("findings %v, want none", findings)
		}
	})
	t.Run("STRICT mTLS alone restricts a workload without ports too", func(t *testing.T) {
		snap := snapshot([]model.Workload{worker}, nil, peerAuth("shop", "default", model.MTLSStrict, nil))
		if _, findings := run(t, snap); !slices.Equal(codes(findings), []string{"MB5016"}) {
			t.Errorf("findings %v, want MB5016", findings)
		}
	})
	t.Run("a workload without ports beside one with ports in a class is named alone", func(t *testing.T) {
		snap := snapshot([]model.Workload{worker, reviewsWL}, []model.AccessPolicy{
			policy("shop", "shop-callers", model.Allow, nil, fromFrontend),
		})
		objs, findings := run(t, snap)
		if got := specsOf(t, objs, "Server"); len(got) != 1 || !strings.Contains(got[0], `"port":8080`) {
			t.Errorf("Servers %v, want one on 8080", got)
		}
		noPorts := findingsOf(findings, model.CodeLinkerdNoDeclaredPorts)
		if len(noPorts) != 1 || noPorts[0].Origin.Object != worker.Origin.Object {
			t.Errorf("MB5016 findings %v, want one on shop/worker", noPorts)
		}
		assumed := findingsOf(findings, model.CodeLinkerdDefaultPolicyPorts)
		if len(assumed) != 1 || !strings.Contains(assumed[0].Message, "shop/reviews listen only on the ports they declare") ||
			strings.Contains(assumed[0].Message, "worker") {
			t.Errorf("MB5008 findings %v, want one naming shop/reviews alone", assumed)
		}
		compare(t, snap, objs)
	})
	t.Run("probing a workload without ports reports a rule's problem once, where it is written", func(t *testing.T) {
		first := workload("shop", "aaa-worker", "worker", map[string]string{"app": "worker", "tier": "batch"})
		jwt := model.AccessRule{From: from(model.Source{RequestPrincipals: []string{"issuer/subject"}})}
		snap := snapshot([]model.Workload{first, reviewsWL}, []model.AccessPolicy{
			policy("shop", "jwt-only", model.Allow, nil, jwt, fromFrontend),
			policy("shop", "batch-extra", model.Allow, map[string]string{"tier": "batch"}, fromFrontend),
		})
		_, findings := run(t, snap)
		if n := len(findingsOf(findings, model.CodeLinkerdConditionDropped)); n != 1 {
			t.Errorf("%d MB5001 findings, want 1:\n%v", n, findings)
		}
		if n := len(findingsOf(findings, model.CodeLinkerdNoDeclaredPorts)); n != 1 {
			t.Errorf("%d MB5016 findings, want 1:\n%v", n, findings)
		}
	})
	t.Run("a port a Service targets gets a Server even when the pods do not declare it", func(t *testing.T) {
		snap := snapshot([]model.Workload{reviewsWL}, []model.AccessPolicy{
			policy("shop", "reviews-callers", model.Allow, reviews, fromFrontend),
		})
		snap.Inventory.Services = []model.Service{{Namespace: "shop", Name: "reviews", Selector: reviews,
			Ports: []model.ServicePort{{Name: "http", Port: 80, TargetPort: 7070}}}}
		objs, findings := run(t, snap)
		var ports []string
		for _, s := range specsOf(t, objs, "Server") {
			if strings.Contains(s, `"port":7070`) {
				ports = append(ports, "7070")
			}
			if strings.Contains(s, `"port":8080`) {
				ports = append(ports, "8080")
			}
		}
		if !slices.Equal(ports, []string{"7070", "8080"}) {
			t.Errorf("Servers on ports %v, want 7070 and 8080", ports)
		}
		if !slices.Equal(codes(findings), []string{"MB5008"}) {
			t.Errorf("codes %v, want MB5008", codes(findings))
		}
		compare(t, snap, objs) // fails on a widening on 7070
	})
}
