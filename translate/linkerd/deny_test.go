package linkerd

import (
	"slices"
	"strings"
	"testing"

	"github.com/meshbridge/meshbridge/model"
)

func TestDenyPolicies(t *testing.T) {
	allowShop := policy("shop", "reviews-readers", model.Allow, reviews,
		model.AccessRule{From: from(model.Source{Namespaces: []string{"shop"}})})
	cases := []struct {
		name   string
		access []model.AccessPolicy
		codes  []string
		// narrowed: Istio allows some request Linkerd denies.
		narrowed bool
	}{
		{
			name: "a DENY disjoint from the allowed clients changes nothing",
			access: []model.AccessPolicy{allowShop, policy("shop", "no-monitoring", model.Deny, reviews,
				model.AccessRule{From: from(model.Source{Namespaces: []string{"monitoring"}})})},
			codes: []string{"MB5008"},
		},
		{
			name: "a DENY of whole ports removes them exactly",
			access: []model.AccessPolicy{allowShop, policy("shop", "no-admin-port", model.Deny, reviews,
				model.AccessRule{To: to(model.Operation{Ports: []string{"9090"}})})},
			codes: []string{"MB5008"},
		},
		{
			name: "a DENY of methods is folded into the allowed methods, with a warning",
			access: []model.AccessPolicy{allowShop, policy("shop", "no-delete", model.Deny, reviews,
				model.AccessRule{To: to(model.Operation{Methods: []string{"DELETE"}})})},
			codes:    []string{"MB5003", "MB5008"},
			narrowed: true, // non-standard methods
		},
		{
			name: "a DENY of methods out of a list of allowed methods is folded exactly",
			access: []model.AccessPolicy{
				policy("shop", "reviews-readers", model.Allow, reviews, model.AccessRule{
					From: from(model.Source{Namespaces: []string{"shop"}}), To: to(model.Operation{Methods: []string{"GET", "DELETE"}})}),
				policy("shop", "no-delete", model.Deny, reviews, model.AccessRule{To: to(model.Operation{Methods: []string{"DELETE"}})}),
			},
			codes: []string{"MB5008"},
		},
		{
			name: "a DENY that cuts allowed clients by path drops the rule, with an error",
			access: []model.AccessPolicy{allowShop, policy("shop", "no-admin", model.Deny, reviews,
				model.AccessRule{From: from(model.Source{Namespaces: []string{"shop"}}), To: to(model.Operation{Paths: []string{"/admin*"}})})},
			codes:    []string{"MB5002", "MB5008"},
			narrowed: true,
		},
		{
			name: "a DENY of some clients beside an ALLOW of their whole namespace drops the rule",
			access: []model.AccessPolicy{allowShop, policy("shop", "no-frontend", model.Deny, reviews,
				model.AccessRule{From: from(model.Source{Principals: []string{"cluster.local/ns/shop/sa/frontend"}})})},
			codes:    []string{"MB5002", "MB5008"},
			narrowed: true,
		},
		{
			name: "a DENY that covers an allowed rule removes it exactly",
			access: []model.AccessPolicy{
				policy("shop", "reviews-readers", model.Allow, reviews,
					model.AccessRule{From: from(model.Source{Principals: []string{"cluster.local/ns/shop/sa/frontend"}})},
					model.AccessRule{From: from(model.Source{Namespaces: []string{"monitoring"}})}),
				policy("shop", "no-shop", model.Deny, reviews, model.AccessRule{From: from(model.Source{Namespaces: []string{"shop"}})}),
			},
			codes: []string{"MB5008"},
		},
		{
			name: "a DENY without ALLOW policies denies its ports exactly",
			access: []model.AccessPolicy{policy("shop", "no-admin-port", model.Deny, reviews,
				model.AccessRule{To: to(model.Operation{Ports: []string{"9090"}})})},
			codes: []string{"MB5008"},
		},
		{
			name: "a DENY of methods without ALLOW policies allows the other standard methods to everyone",
			access: []model.AccessPolicy{policy("shop", "read-only", model.Deny, reviews,
				model.AccessRule{To: to(model.Operation{Methods: []string{"POST", "PUT", "DELETE", "PATCH"}})})},
			codes:    []string{"MB5003", "MB5008"},
			narrowed: true,
		},
		{
			name: "a DENY of one namespace without ALLOW policies cannot be written: the port admits nothing",
			access: []model.AccessPolicy{policy("shop", "no-monitoring", model.Deny, reviews,
				model.AccessRule{From: from(model.Source{Namespaces: []string{"monitoring"}})})},
			codes:    []string{"MB5002", "MB5008"},
			narrowed: true,
		},
		{
			name: "a DENY with a JWT condition is read wider and still never widens the output",
			access: []model.AccessPolicy{allowShop, policy("shop", "no-jwt", model.Deny, reviews,
				model.AccessRule{From: from(model.Source{RequestPrincipals: []string{"*"}}), To: to(model.Operation{Methods: []string{"POST"}})})},
			codes:    []string{"MB5002", "MB5008"},
			narrowed: true,
		},
		{
			name: "a CUSTOM policy is treated as a deny of what it matches",
			access: []model.AccessPolicy{allowShop, func() model.AccessPolicy {
				p := policy("shop", "ext-authz", model.Custom, reviews, model.AccessRule{To: to(model.Operation{Paths: []string{"/api*"}})})
				p.Provider = "opa"
				return p
			}()},
			codes:    []string{"MB5002", "MB5004", "MB5008"},
			narrowed: true,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			snap := shop(c.access...)
			objs, findings := run(t, snap)
			narrowed := compare(t, snap, objs) // fails on any widening
			if c.narrowed != (len(narrowed) > 0) {
				t.Errorf("narrowed = %v, want %v:\n%s", len(narrowed) > 0, c.narrowed, strings.Join(narrowed, "\n"))
			}
			if got := codes(findings); !slices.Equal(got, c.codes) {
				t.Errorf("finding codes %v, want %v:\n%v", got, c.codes, findings)
			}
		})
	}
}

func TestPoliciesThatChangeNoDecision(t *testing.T) {
	dry := policy("shop", "dry", model.Deny, reviews, model.AccessRule{})
	dry.DryRun = true
	audit := policy("shop", "audit", model.Audit, reviews, model.AccessRule{})
	refs := policy("shop", "gateway", model.Allow, nil, model.AccessRule{})
	refs.Target.Refs = []model.ObjectRef{{Kind: "Gateway", Name: "ingress"}}
	refs.Target.Field = "spec.targetRefs"
	snap := shop(dry, audit, refs)
	objs, findings := run(t, snap)
	if len(objs) != 0 {
		t.Errorf("objects %v, want none", names(objs))
	}
	if got, want := codes(findings), []string{"MB5005", "MB5006", "MB5007"}; !slices.Equal(got, want) {
		t.Errorf("finding codes %v, want %v:\n%v", got, want, findings)
	}
	for _, f := range findingsOf(findings, model.CodeLinkerdTargetRefs) {
		if f.Field != "spec.targetRefs" || !strings.Contains(f.Message, "Gateway ingress") {
			t.Errorf("targetRefs finding %v lacks the field or the target", f)
		}
	}
}
