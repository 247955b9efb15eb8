package istio

import (
	"reflect"
	"slices"
	"testing"

	"github.com/meshbridge/meshbridge/model"
)

const workloadsYAML = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  template:
    metadata: {labels: {app: httpbin, version: v1}}
    spec:
      serviceAccountName: httpbin
      containers: [{name: c, image: i, ports: [{containerPort: 8000}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: sleep, namespace: foo}
spec:
  selector: {matchLabels: {app: sleep}}
  template:
    metadata: {labels: {app: sleep}}
    spec: {serviceAccountName: sleep, containers: [{name: c, image: i}]}
`

func TestReadAuthorizationPolicyFields(t *testing.T) {
	snap, fs := readYAML(t, workloadsYAML, `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: httpbin, namespace: foo, annotations: {istio.io/dry-run: "true"}}
spec:
  selector: {matchLabels: {app: httpbin}}
  action: DENY
  rules:
  - from:
    - source: {principals: [a], notPrincipals: [b], requestPrincipals: [c], notRequestPrincipals: [d]}
    - source: {namespaces: [e], notNamespaces: [f], ipBlocks: [1.2.3.4], notIpBlocks: [10.0.0.0/8],
               remoteIpBlocks: [5.6.7.0/24], notRemoteIpBlocks: [5.6.7.8], trustDomains: [td], notTrustDomains: [td2]}
    - source: {serviceAccounts: [sa, ns/sa2], notServiceAccounts: [sa3]}
    to:
    - operation: {hosts: [h], notHosts: [nh], ports: ["80"], notPorts: ["81"], methods: [GET], notMethods: [PUT],
                  paths: ["/a/{*}"], notPaths: ["/b*"]}
    when:
    - {key: 'request.auth.claims[iss]', values: [x1], notValues: [y1]}
`)
	if len(fs) != 0 {
		t.Errorf("findings: %v", fs)
	}
	if len(snap.Access) != 1 {
		t.Fatalf("access = %+v", snap.Access)
	}
	p := snap.Access[0]
	want := model.AccessPolicy{
		Origin: p.Origin, Namespace: "foo", Name: "httpbin", Action: model.Deny, DryRun: true,
		Target: model.Target{Namespace: "foo", Selector: map[string]string{"app": "httpbin"}, Field: "spec.selector"},
		Rules: []model.AccessRule{{
			Field: "spec.rules[0]",
			From: []model.Source{
				{Field: "spec.rules[0].from[0].source", Principals: []string{"a"}, NotPrincipals: []string{"b"},
					RequestPrincipals: []string{"c"}, NotRequestPrincipals: []string{"d"}},
				{Field: "spec.rules[0].from[1].source", Namespaces: []string{"e"}, NotNamespaces: []string{"f"},
					IPBlocks: []string{"1.2.3.4"}, NotIPBlocks: []string{"10.0.0.0/8"}, RemoteIPBlocks: []string{"5.6.7.0/24"},
					NotRemoteIPBlocks: []string{"5.6.7.8"}, TrustDomains: []string{"td"}, NotTrustDomains: []string{"td2"}},
				{Field: "spec.rules[0].from[2].source", ServiceAccounts: []string{"sa", "ns/sa2"}, NotServiceAccounts: []string{"sa3"}},
			},
			To: []model.Operation{{Field: "spec.rules[0].to[0].operation", Hosts: []string{"h"}, NotHosts: []string{"nh"},
				Ports: []string{"80"}, NotPorts: []string{"81"}, Methods: []string{"GET"}, NotMethods: []string{"PUT"},
				Paths: []string{"/a/{*}"}, NotPaths: []string{"/b*"}}},
			When: []model.Condition{{Field: "spec.rules[0].when[0]", Key: "request.auth.claims[iss]", Values: []string{"x1"}, NotValues: []string{"y1"}}},
		}},
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("policy =\n%+v\nwant\n%+v", p, want)
	}
	if p.Origin.Object.APIVersion != "security.istio.io/v1beta1" || p.Origin.Object.Kind != "AuthorizationPolicy" {
		t.Errorf("origin = %+v", p.Origin)
	}
}

func TestReadAuthorizationPolicyScopes(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		want model.Target
		rule []model.AccessRule
	}{
		{"an empty spec allows nothing to the namespace", `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: p, namespace: foo}
spec: {}`, model.Target{Namespace: "foo"}, nil},
		{"rules [{}] allows everything", `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: p, namespace: foo}
spec: {rules: [{}]}`, model.Target{Namespace: "foo"}, []model.AccessRule{{Field: "spec.rules[0]"}}},
		{"the root namespace is mesh-wide", `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: p, namespace: istio-system}
spec: {selector: {matchLabels: {version: v1}}}`, model.Target{Namespace: "istio-system", MeshWide: true, Selector: map[string]string{"version": "v1"}, Field: "spec.selector"}, nil},
		{"targetRefs are kept with their group", `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: p, namespace: foo}
spec: {targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: web}, {kind: Service, name: httpbin}]}`,
			model.Target{Namespace: "foo", Field: "spec.targetRefs", Refs: []model.ObjectRef{
				{APIVersion: "gateway.networking.k8s.io", Kind: "Gateway", Namespace: "foo", Name: "web"},
				{Kind: "Service", Namespace: "foo", Name: "httpbin"}}}, nil},
		{"the hidden targetRef is read", `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: p, namespace: foo}
spec: {targetRef: {group: networking.istio.io, kind: ServiceEntry, name: ext}}`,
			model.Target{Namespace: "foo", Field: "spec.targetRef", Refs: []model.ObjectRef{
				{APIVersion: "networking.istio.io", Kind: "ServiceEntry", Namespace: "foo", Name: "ext"}}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			snap, _ := readYAML(t, c.doc)
			if len(snap.Access) != 1 {
				t.Fatalf("access = %+v", snap.Access)
			}
			if p := snap.Access[0]; !reflect.DeepEqual(p.Target, c.want) || !reflect.DeepEqual(p.Rules, c.rule) {
				t.Errorf("target %+v rules %+v\nwant %+v rules %+v", p.Target, p.Rules, c.want, c.rule)
			}
		})
	}
}

// TestRefusedPoliciesFailClosed: a policy Istio would reject is replaced by its narrowest form.
func TestRefusedPoliciesFailClosed(t *testing.T) {
	cases := []struct {
		name   string
		spec   string
		field  string
		action model.Action
		rules  int // -1: dropped
		nsWide bool
	}{
		{"DENY without rules denies everything", "{action: DENY, selector: {matchLabels: {app: httpbin}}}", "spec.rules", model.Deny, 1, false},
		{"CUSTOM without rules denies everything", "{action: CUSTOM, provider: {name: x}, selector: {matchLabels: {app: httpbin}}}", "spec.rules", model.Deny, 1, false},
		{"CUSTOM without provider denies everything", "{action: CUSTOM, rules: [{}]}", "spec.provider.name", model.Deny, 1, false},
		{"a provider without CUSTOM allows nothing", "{provider: {name: x}, rules: [{}]}", "spec.provider", model.Allow, 0, false},
		{"an empty source allows nothing", "{rules: [{from: [{source: {}}]}]}", "spec.rules[0].from[0].source", model.Allow, 0, false},
		{"an empty operation allows nothing", "{rules: [{to: [{operation: {}}]}]}", "spec.rules[0].to[0].operation", model.Allow, 0, false},
		{"a bad CIDR in a DENY denies everything", "{action: DENY, rules: [{from: [{source: {ipBlocks: [1.2.3.4/99]}}]}]}", "spec.rules[0].from[0].source.ipBlocks", model.Deny, 1, false},
		{"a bad port allows nothing", `{rules: [{to: [{operation: {ports: ["http"]}}]}]}`, "spec.rules[0].to[0].operation.ports", model.Allow, 0, false},
		{"an unknown when key allows nothing", "{rules: [{when: [{key: request.colour, values: [red]}]}]}", "spec.rules[0].when[0].values", model.Allow, 0, false},
		{"a v1alpha1-only key allows nothing", "{rules: [{when: [{key: 'destination.labels[app]', values: [a]}]}]}", "spec.rules[0].when[0].values", model.Allow, 0, false},
		{"a condition without values allows nothing", "{rules: [{when: [{key: source.ip}]}]}", "spec.rules[0].when[0]", model.Allow, 0, false},
		{"an empty value allows nothing", `{rules: [{to: [{operation: {paths: [""]}}]}]}`, "spec.rules[0].to[0].operation.paths", model.Allow, 0, false},
		{"serviceAccounts with principals allow nothing", "{rules: [{from: [{source: {serviceAccounts: [a], principals: [b]}}]}]}", "serviceAccounts", model.Allow, 0, false},
		{"a wildcard service account allows nothing", "{rules: [{from: [{source: {serviceAccounts: [a*]}}]}]}", "serviceAccounts", model.Allow, 0, false},
		{"a bad path template allows nothing", "{rules: [{to: [{operation: {paths: ['/{**}/foo/{*}']}}]}]}", "paths", model.Allow, 0, false},
		{"a path template mixing a segment allows nothing", "{rules: [{to: [{operation: {paths: ['/foo/{*}.txt']}}]}]}", "paths", model.Allow, 0, false},
		{"CUSTOM with principals denies everything", "{action: CUSTOM, provider: {name: x}, rules: [{from: [{source: {principals: [a]}}]}]}", "principals", model.Deny, 1, false},
		{"an AUDIT policy Istio rejects is dropped", "{action: AUDIT, rules: [{from: [{source: {}}]}]}", "source", model.Audit, -1, false},
		{"a wildcard selector makes the fail-closed policy namespace-wide", "{selector: {matchLabels: {app: 'http*'}}, rules: [{}], provider: {name: x}}", "spec.selector", model.Allow, 0, true},
		{"selector with targetRefs makes it namespace-wide", "{selector: {matchLabels: {app: a}}, targetRefs: [{kind: Service, name: s}], action: DENY, rules: [{}]}", "spec", model.Deny, 1, true},
		{"a bad targetRef kind makes it namespace-wide", "{targetRefs: [{kind: Pod, name: s}], rules: [{}]}", "spec.targetRefs[0]", model.Allow, 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			snap, fs := readYAML(t, "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: foo}\nspec: "+c.spec)
			if !hasFinding(fs, model.CodeAuthzRefused, c.field) {
				t.Errorf("no %s finding on %s in %v", model.CodeAuthzRefused, c.field, fs)
			}
			if c.rules < 0 {
				if len(snap.Access) != 0 {
					t.Errorf("access = %+v, want none", snap.Access)
				}
				return
			}
			if len(snap.Access) != 1 {
				t.Fatalf("access = %+v", snap.Access)
			}
			p := snap.Access[0]
			if p.Action != c.action || len(p.Rules) != c.rules || (c.rules == 1 && !reflect.DeepEqual(p.Rules[0], model.AccessRule{Field: "spec"})) {
				t.Errorf("got %s with rules %+v", p.Action, p.Rules)
			}
			if nsWide := p.Target.Selector == nil && p.Target.Refs == nil && p.Target.Field == "metadata.namespace"; nsWide != c.nsWide {
				t.Errorf("target = %+v, namespace-wide %v", p.Target, c.nsWide)
			}
		})
	}
}

func TestAuthorizationPolicyNotices(t *testing.T) {
	cases := []struct {
		name  string
		spec  string
		code  model.Code
		field string
	}{
		{"an HTTP-only DENY warns about TCP", "{action: DENY, rules: [{to: [{operation: {methods: [GET]}}]}]}", model.CodeAuthzDenyHTTPOnTCP, "spec.rules[0]"},
		{"an empty selector is noted", "{selector: {}}", model.CodeAuthzSelectorWithoutLabels, "spec.selector"},
		{"a selector matching nothing is noted", "{selector: {matchLabels: {app: nothing}}}", model.CodeAuthzSelectsNone, "spec.selector"},
		{"a bad dry-run value is read as enforced", "{}", model.CodeAuthzDryRunIgnored, "metadata.annotations"},
		{"targetRefs are noted", "{targetRefs: [{kind: Service, name: httpbin}]}", model.CodeAuthzTargetRefs, "spec.targetRefs"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ann := ""
			if c.code == model.CodeAuthzDryRunIgnored {
				ann = ", annotations: {istio.io/dry-run: maybe}"
			}
			snap, fs := readYAML(t, workloadsYAML, "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: foo"+ann+"}\nspec: "+c.spec)
			if !hasFinding(fs, c.code, c.field) {
				t.Errorf("no %s on %s in %v", c.code, c.field, fs)
			}
			if hasFinding(fs, model.CodeAuthzRefused, "") || len(snap.Access) != 1 || snap.Access[0].DryRun {
				t.Errorf("the policy was not read as written: %v %+v", fs, snap.Access)
			}
		})
	}
	t.Run("the DENY TCP warning is not given when the rule has a port", func(t *testing.T) {
		_, fs := readYAML(t, "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: foo}\nspec: {action: DENY, rules: [{to: [{operation: {methods: [GET], ports: ['80']}}]}]}")
		if slices.Contains(codesOf(fs), string(model.CodeAuthzDenyHTTPOnTCP)) {
			t.Errorf("findings: %v", fs)
		}
	})
}
