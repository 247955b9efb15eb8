package linkerd

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/meshbridge/meshbridge/model"
)

// TestRandomPoliciesNeverWiden writes random policy sets (from a fixed seed) over a small
// inventory and checks, on every request class, that Linkerd never allows what Istio denies
// (compare fails the test on any such request), and that every narrowing comes with an error
// or warning finding.
func TestRandomPoliciesNeverWiden(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pick := func(vals ...string) []string {
		var out []string
		for _, v := range vals {
			if r.IntN(3) == 0 {
				out = append(out, v)
			}
		}
		return out
	}
	selectors := []map[string]string{nil, reviews, {"app": "frontend"}, {"version": "v1"}, {"app": "reviews", "version": "v2"}}
	source := func() model.Source {
		return model.Source{
			Principals:                  pick("cluster.local/ns/shop/sa/frontend", "*", "cluster.local/ns/monitoring/*", "*/ns/shop/sa/reviews"),
			Namespaces:                  pick("shop", "monitoring"),
			NotPrincipals:               pick("cluster.local/ns/shop/sa/frontend"),
			IPBlocks:                    pick("10.0.0.0/8"),
			NotIPBlocks:                 pick("10.1.0.0/16"),
			TrustDomains:                pick("cluster.local", "other.example"),
			AnyIncludingUnauthenticated: r.IntN(12) == 0,
			RequestPrincipals:           pick("iss/sub"),
		}
	}
	operation := func() model.Operation {
		return model.Operation{
			Ports:      pick("8080", "9090"),
			NotPorts:   pick("9090"),
			Methods:    pick("GET", "POST", "P*"),
			NotMethods: pick("DELETE"),
			Paths:      pick("/api/*", "/health", "*.json", "/"),
			Hosts:      pick("reviews"),
			NotPaths:   pick("/health"),
		}
	}
	rule := func() model.AccessRule {
		var ar model.AccessRule
		for range r.IntN(3) {
			ar.From = append(ar.From, source())
		}
		for range r.IntN(3) {
			ar.To = append(ar.To, operation())
		}
		if r.IntN(4) == 0 {
			ar.When = append(ar.When, model.Condition{Key: "source.namespace", Values: pick("shop", "monitoring")})
		}
		if r.IntN(6) == 0 {
			ar.When = append(ar.When, model.Condition{Key: "request.headers[x-a]", Values: []string{"*"}})
		}
		if r.IntN(6) == 0 {
			ar.When = append(ar.When, model.Condition{Key: "destination.port", Values: pick("8080", "9090"), NotValues: pick("9090")})
		}
		if r.IntN(6) == 0 {
			ar.When = append(ar.When, model.Condition{Key: "source.ip", Values: pick("10.0.0.0/8", "192.0.2.0/24"), NotValues: pick("10.1.0.0/16")})
		}
		return ar
	}
	actions := []model.Action{model.Allow, model.Allow, model.Deny, model.Custom}
	for i := range 50 {
		var access []model.AccessPolicy
		for j := range 1 + r.IntN(3) {
			var rules []model.AccessRule
			for range r.IntN(3) + 1 {
				rules = append(rules, rule())
			}
			ns := "shop"
			if r.IntN(5) == 0 {
				ns = "istio-system" // mesh-wide
			}
			p := policy(ns, "p"+itoa(j), actions[r.IntN(len(actions))], selectors[r.IntN(len(selectors))], rules...)
			if p.Action == model.Custom {
				p.Provider = "ext"
			}
			access = append(access, p)
		}
		snap := snapshot([]model.Workload{
			workload("shop", "reviews-v1", "reviews", map[string]string{"app": "reviews", "version": "v1"}, 8080, 9090),
			workload("shop", "reviews-v2", "reviews", map[string]string{"app": "reviews", "version": "v2"}, 8080),
			workload("shop", "frontend", "frontend", map[string]string{"app": "frontend"}, 8080),
			workload("monitoring", "prometheus", "prometheus", map[string]string{"app": "prometheus"}, 9090),
		}, access)
		if r.IntN(3) == 0 { // Istio handles port 9090 of reviews as TCP
			snap.Inventory.Services = []model.Service{{Namespace: "shop", Name: "reviews", Selector: reviews,
				Ports: []model.ServicePort{{Name: "tcp-admin", Port: 9090, TargetPort: 9090}, {Name: "http", Port: 80, TargetPort: 8080}}}}
		}
		switch r.IntN(5) {
		case 0:
			snap.PeerAuthentications = []model.PeerAuthentication{peerAuth("shop", "default", model.MTLSStrict, nil)}
		case 1:
			pa := peerAuth("shop", "reviews", model.MTLSDisable, reviews)
			pa.PortModes = map[int32]model.MTLSMode{9090: model.MTLSStrict}
			snap.PeerAuthentications = []model.PeerAuthentication{pa}
		}
		objs, findings := run(t, snap)
		narrowed := compare(t, snap, objs)
		if len(narrowed) > 0 && !slices.ContainsFunc(findings, func(f model.Finding) bool { return slices.Contains(narrowing, f.Code) }) {
			t.Errorf("case %d: access narrowed without a finding that says so: %v\n%v", i, narrowed[0], findings)
		}
		if t.Failed() {
			t.Logf("case %d policies: %+v", i, access)
			return
		}
	}
}

// narrowing are the codes that report access narrower than Istio's.
var narrowing = []model.Code{
	model.CodeLinkerdConditionDropped, model.CodeLinkerdDenyNarrowed, model.CodeLinkerdDenyFolded,
	model.CodeLinkerdCustomNotTranslated, model.CodeLinkerdRawPathMatch, model.CodeLinkerdRouteOverlap,
	model.CodeLinkerdMethodsEnumerated, model.CodeLinkerdTrustDomain,
}
