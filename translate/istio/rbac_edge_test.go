package istio

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/meshbridge/meshbridge/model"
)

func svcYAML(ns, name, selector string, ports ...string) string {
	return fmt.Sprintf("apiVersion: v1\nkind: Service\nmetadata: {name: %s, namespace: %s}\nspec: {selector: {%s}, ports: [%s]}\n---\n",
		name, ns, selector, strings.Join(ports, ", "))
}

func deployYAML(ns, name, labels, sa string, ports ...int) string {
	var ps []string
	for _, p := range ports {
		ps = append(ps, fmt.Sprintf("{containerPort: %d, name: p%d}", p, p))
	}
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %s, namespace: %s}
spec:
  selector: {matchLabels: {%s}}
  template:
    metadata: {labels: {%s}}
    spec: {serviceAccountName: %s, containers: [{name: c, image: i, ports: [%s]}]}
---
`, name, ns, labels, labels, sa, strings.Join(ps, ", "))
}

const rbacOn = "apiVersion: rbac.istio.io/v1alpha1\nkind: ClusterRbacConfig\nmetadata: {name: default}\nspec: {mode: 'ON'}\n---\n"

func roleYAML(ns, name, rules string) string {
	return fmt.Sprintf("apiVersion: rbac.istio.io/v1alpha1\nkind: ServiceRole\nmetadata: {name: %s, namespace: %s}\nspec: {rules: %s}\n---\n", name, ns, rules)
}

func bindingYAML(ns, name, role, subjects string) string {
	return fmt.Sprintf("apiVersion: rbac.istio.io/v1alpha1\nkind: ServiceRoleBinding\nmetadata: {name: %s, namespace: %s}\nspec: {roleRef: {kind: ServiceRole, name: %s}, subjects: %s}\n---\n", name, ns, role, subjects)
}

// agreeWithOracle checks every request class against the Istio 1.4 oracle.
func agreeWithOracle(t *testing.T, docs ...string) *model.Snapshot {
	t.Helper()
	inv := inventoryOf(t, docs...)
	snap, _ := Read(inv, Options{})
	oracle := rbacOracle{t: t, inv: inv, snap: snap}
	for _, req := range model.RequestClasses(snap) {
		if want, known := oracle.decide(req); known {
			if got := model.Evaluate(snap, req); got.Allow != want {
				t.Fatalf("request %+v: model says %s, Istio 1.4 said allow=%v", req, got, want)
			}
		}
	}
	return snap
}

func policyNamed(snap *model.Snapshot, name string) *model.AccessPolicy {
	for i := range snap.Access {
		if snap.Access[i].Name == name {
			return &snap.Access[i]
		}
	}
	return nil
}

const reviewsYAML = `apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec: {selector: {app: reviews}, ports: [{port: 9080}]}
---
`

func TestRBACSuppressedByV1beta1(t *testing.T) {
	docs := reviewsYAML + deployYAML("default", "reviews-v1", "app: reviews, version: v1", "reviews", 9080) +
		deployYAML("default", "reviews-v2", "app: reviews, version: v2", "reviews", 9080) + rbacOn +
		roleYAML("default", "viewer", "[{services: ['reviews.default.svc.cluster.local'], methods: [GET]}]") +
		bindingYAML("default", "bind", "viewer", "[{user: cluster.local/ns/default/sa/productpage}]") + `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: v2-only-ratings, namespace: default}
spec:
  selector: {matchLabels: {version: v2}}
  rules: [{from: [{source: {principals: [cluster.local/ns/default/sa/ratings]}}]}]
`
	snap, fs := readYAML(t, docs)
	if !hasFinding(fs, model.CodeRbacSuppressed, "spec.selector") {
		t.Errorf("findings %v", fs)
	}
	p := policyNamed(snap, "bind-reviews")
	if p == nil || !reflect.DeepEqual(p.Target.Selector, map[string]string{"app": "reviews", "version": "v1"}) {
		t.Fatalf("binding policy = %+v", p)
	}
	peer := func(sa string) string { return model.Peer("cluster.local", "default", sa) }
	checks := []struct {
		name  string
		req   model.Request
		allow bool
	}{
		{"v1 follows v1alpha1", request("default", labels("app", "reviews", "version", "v1"), 9080, peer("productpage"), "GET", "/"), true},
		{"v1 denies others", request("default", labels("app", "reviews", "version", "v1"), 9080, peer("ratings"), "GET", "/"), false},
		{"v2 follows only its AuthorizationPolicy", request("default", labels("app", "reviews", "version", "v2"), 9080, peer("productpage"), "GET", "/"), false},
		{"v2 allows what it allows", request("default", labels("app", "reviews", "version", "v2"), 9080, peer("ratings"), "POST", "/"), true},
	}
	for _, c := range checks {
		if d := model.Evaluate(snap, c.req); d.Allow != c.allow {
			t.Errorf("%s: got %s", c.name, d)
		}
	}
}

func TestRBACWorkloadConstraints(t *testing.T) {
	base := reviewsYAML + deployYAML("default", "reviews-v1", "app: reviews, version: v1", "reviews-a", 9080) +
		deployYAML("default", "reviews-v2", "app: reviews, version: v2", "reviews-b", 9080) + rbacOn
	bind := bindingYAML("default", "bind", "viewer", "[{user: '*'}]")
	t.Run("destination.labels with exact values narrows the selector", func(t *testing.T) {
		snap := agreeWithOracle(t, base+bind+roleYAML("default", "viewer", "[{services: ['*'], constraints: [{key: 'destination.labels[version]', values: [v2, v9]}]}]"))
		p := policyNamed(snap, "bind-reviews")
		if p == nil || !reflect.DeepEqual(p.Target.Selector, map[string]string{"app": "reviews", "version": "v2"}) {
			t.Errorf("policy = %+v", p)
		}
	})
	t.Run("destination.labels with a wildcard picks the matching workloads", func(t *testing.T) {
		agreeWithOracle(t, base+bind+roleYAML("default", "viewer", "[{services: ['*'], constraints: [{key: 'destination.labels[version]', values: ['*2']}]}]"))
	})
	t.Run("destination.user picks the workloads running as the account", func(t *testing.T) {
		snap := agreeWithOracle(t, base+bind+roleYAML("default", "viewer", "[{services: ['*'], constraints: [{key: destination.user, values: [reviews-a]}]}]"))
		p := policyNamed(snap, "bind-reviews")
		if p == nil || p.Target.Selector["version"] != "v1" {
			t.Errorf("policy = %+v", p)
		}
	})
	t.Run("destination.name and destination.namespace pick Services", func(t *testing.T) {
		snap := agreeWithOracle(t, base+bind+roleYAML("default", "viewer", "[{services: ['*'], constraints: [{key: destination.name, values: [ratings]}]}]"))
		if p := policyNamed(snap, "bind-reviews"); p != nil {
			t.Errorf("policy = %+v", p)
		}
	})
	t.Run("workloads that no selector separates are reported", func(t *testing.T) {
		// reviews-v1's labels are contained in reviews-v1b's, which another account runs.
		docs := base + deployYAML("default", "reviews-v1b", "app: reviews, version: v1, track: b", "reviews-b", 9080) + bind +
			roleYAML("default", "viewer", "[{services: ['*'], constraints: [{key: destination.user, values: [reviews-a]}]}]")
		snap, fs := readYAML(t, docs)
		if !hasFinding(fs, model.CodeRbacWorkloadsNotSeparable, "spec.rules[0]") {
			t.Errorf("findings %v", fs)
		}
		if d := model.Evaluate(snap, request("default", labels("app", "reviews", "version", "v1", "track", "b"), 9080, "", "GET", "/")); d.Allow {
			t.Errorf("the other account's workload was allowed: %s", d)
		}
		agreeOrNarrower(t, docs)
	})
}

// agreeOrNarrower checks that the model never allows what Istio 1.4 denied.
func agreeOrNarrower(t *testing.T, docs string) {
	t.Helper()
	inv := inventoryOf(t, docs)
	snap, _ := Read(inv, Options{})
	oracle := rbacOracle{t: t, inv: inv, snap: snap}
	for _, req := range model.RequestClasses(snap) {
		if want, known := oracle.decide(req); known && !want && model.Evaluate(snap, req).Allow {
			t.Fatalf("request %+v: the model allows what Istio 1.4 denied", req)
		}
	}
}

func TestRBACSharedWorkloads(t *testing.T) {
	app := deployYAML("default", "app", "app: app", "app", 8080, 9090)
	role := roleYAML("default", "viewer", "[{services: ['web.default.svc.cluster.local'], methods: [GET]}]") +
		bindingYAML("default", "bind", "viewer", "[{user: cluster.local/ns/default/sa/client}]")
	inclusion := "apiVersion: rbac.istio.io/v1alpha1\nkind: ClusterRbacConfig\nmetadata: {name: default}\nspec: {mode: 'ON_WITH_INCLUSION', inclusion: {services: [web.default.svc.cluster.local]}}\n---\n"
	t.Run("each Service's rules stay on its own port, the other port stays open", func(t *testing.T) {
		docs := app + svcYAML("default", "web", "app: app", "{port: 80, targetPort: 8080}") +
			svcYAML("default", "admin", "app: app", "{port: 9090}") + inclusion + role
		snap := agreeWithOracle(t, docs)
		peer := model.Peer("cluster.local", "default", "client")
		if d := model.Evaluate(snap, request("default", labels("app", "app"), 8080, peer, "GET", "/")); !d.Allow {
			t.Errorf("GET on the web port: %s", d)
		}
		if d := model.Evaluate(snap, request("default", labels("app", "app"), 9090, "", "DELETE", "/")); !d.Allow {
			t.Errorf("the admin port without RBAC: %s", d)
		}
		if d := model.Evaluate(snap, request("default", labels("app", "app"), 8080, "", "GET", "/")); d.Allow {
			t.Errorf("a stranger on the web port: %s", d)
		}
	})
	t.Run("a port two Services forward to allows nothing", func(t *testing.T) {
		docs := app + svcYAML("default", "web", "app: app", "{port: 80, targetPort: 8080}") +
			svcYAML("default", "admin", "app: app", "{port: 8080}") + inclusion + role
		snap, fs := readYAML(t, docs)
		if !hasFinding(fs, model.CodeRbacSharedPort, "spec.selector") {
			t.Errorf("findings %v", fs)
		}
		if d := model.Evaluate(snap, request("default", labels("app", "app"), 8080, model.Peer("cluster.local", "default", "client"), "GET", "/")); d.Allow {
			t.Errorf("the shared port: %s", d)
		}
		agreeOrNarrower(t, docs)
	})
	t.Run("a named target port the workload lacks is reported", func(t *testing.T) {
		docs := app + svcYAML("default", "web", "app: app", "{port: 80, targetPort: nope}") +
			svcYAML("default", "admin", "app: app", "{port: 9090}") + inclusion + role
		_, fs := readYAML(t, docs)
		if !hasFinding(fs, model.CodeRbacTargetPortUnresolved, "spec.ports") {
			t.Errorf("findings %v", fs)
		}
		agreeOrNarrower(t, docs)
	})
}

func TestRBACHiddenFields(t *testing.T) {
	docs := reviewsYAML + deployYAML("default", "reviews-v1", "app: reviews", "reviews", 9080) + rbacOn +
		roleYAML("default", "viewer", `[{services: ['*'], not_paths: ['/admin*'], not_methods: [DELETE], hosts: [reviews*], ports: [9080],
  constraints: [{key: 'request.headers[x-v]', values: ['1']}, {key: destination.ip, values: [10.0.0.0/8]}, {key: connection.sni, values: ['*']},
                {key: 'experimental.envoy.filters.network.mysql_proxy[db.table]', values: ['[update]']}]}]`) +
		bindingYAML("default", "bind", "viewer", `[{user: cluster.local/ns/a/sa/b, names: [allAuthenticatedUsers], not_names: [cluster.local/ns/a/sa/c],
  namespaces: [a], not_namespaces: [z], ips: [10.0.0.0/8], not_ips: [10.9.0.0/16], group: g0, groups: [g1], not_groups: [g2],
  properties: {request.auth.principal: 'iss/sub', request.auth.presenter: app, 'request.auth.claims[role]': admin, 'request.headers[x-w]': '*'}}]`)
	snap, fs := readYAML(t, docs)
	if len(fs) != 0 {
		t.Errorf("findings %v", fs)
	}
	p := policyNamed(snap, "bind-reviews")
	if p == nil || len(p.Rules) != 1 {
		t.Fatalf("policy %+v", p)
	}
	role, subj := "ServiceRole viewer spec.rules[0]", "spec.subjects[0]"
	want := model.AccessRule{
		Field: subj,
		From: []model.Source{{Field: subj, Principals: []string{"cluster.local/ns/a/sa/b"}, NotPrincipals: []string{"cluster.local/ns/a/sa/c"},
			Namespaces: []string{"a"}, NotNamespaces: []string{"z"}, IPBlocks: []string{"10.0.0.0/8"}, NotIPBlocks: []string{"10.9.0.0/16"},
			RequestPrincipals: []string{"iss/sub"}}},
		To: []model.Operation{{Field: role, NotMethods: []string{"DELETE"}, NotPaths: []string{"/admin*"}, Ports: []string{"9080"}}},
		When: []model.Condition{
			{Field: role + ".hosts", Key: "request.headers[:authority]", Values: []string{"reviews*"}},
			{Field: role + ".constraints[0]", Key: "request.headers[x-v]", Values: []string{"1"}},
			{Field: role + ".constraints[1]", Key: "destination.ip", Values: []string{"10.0.0.0/8"}},
			{Field: role + ".constraints[2]", Key: "connection.sni", Values: []string{"*"}},
			{Field: role + ".constraints[3]", Key: "experimental.envoy.filters.network.mysql_proxy[db.table]", Values: []string{"[update]"}},
			{Field: subj + ".names", Key: "source.principal", Values: []string{"*"}},
			{Field: subj + ".group", Key: "request.auth.claims[groups]", Values: []string{"g0"}},
			{Field: subj + ".groups", Key: "request.auth.claims[groups]", Values: []string{"g1"}},
			{Field: subj + ".notGroups", Key: "request.auth.claims[groups]", NotValues: []string{"g2"}},
			{Field: subj + ".properties[request.auth.claims[role]]", Key: "request.auth.claims[role]", Values: []string{"admin"}},
			{Field: subj + ".properties[request.auth.presenter]", Key: "request.auth.presenter", Values: []string{"app"}},
			{Field: subj + ".properties[request.headers[x-w]]", Key: "request.headers[x-w]", Values: []string{"*"}},
		},
	}
	if !reflect.DeepEqual(p.Rules[0], want) {
		t.Errorf("rule =\n%+v\nwant\n%+v", p.Rules[0], want)
	}
}

func TestRBACFindings(t *testing.T) {
	svc := reviewsYAML + deployYAML("default", "reviews-v1", "app: reviews", "reviews", 9080)
	okRole := roleYAML("default", "viewer", "[{services: ['*']}]")
	bind := func(subjects string) string { return bindingYAML("default", "bind", "viewer", subjects) }
	cases := []struct {
		name  string
		docs  string
		code  model.Code
		field string
		// allowed says whether a plain GET from cluster.local/ns/a/sa/b to reviews is allowed.
		allowed bool
	}{
		{"an unknown constraint is ignored, as Istio did", svc + rbacOn + bind("[{user: '*'}]") +
			roleYAML("default", "viewer", "[{services: ['*'], constraints: [{key: version, values: [v9]}]}]"), model.CodeRbacConstraintIgnored, "constraints[0]", true},
		{"a repeated constraint key keeps the last", svc + rbacOn + bind("[{user: '*'}]") +
			roleYAML("default", "viewer", "[{services: ['*'], constraints: [{key: destination.port, values: ['1']}, {key: destination.port, values: ['9080']}]}]"), model.CodeRbacConstraintIgnored, "constraints[0]", true},
		{"an unknown property never matched", svc + rbacOn + okRole + bind("[{properties: {service: reviews}}]"), model.CodeRbacPropertyNeverMatches, "properties[service]", false},
		{"not_names allUsers never matched", svc + rbacOn + okRole + bind("[{not_names: [allUsers]}]"), model.CodeRbacPropertyNeverMatches, "notNames", false},
		{"source.user is refused", svc + rbacOn + okRole + bind("[{properties: {source.user: x}}]"), model.CodeRbacRuleRefused, "properties[source.user]", false},
		{"audiences are refused", svc + rbacOn + okRole + bind("[{properties: {request.auth.audiences: x}}]"), model.CodeRbacRuleRefused, "audiences", false},
		{"a bad IP is refused", svc + rbacOn + okRole + bind("[{ips: ['10.0.0.0/99']}]"), model.CodeRbacRuleRefused, "ips", false},
		{"a path with braces is refused", svc + rbacOn + bind("[{user: '*'}]") +
			roleYAML("default", "viewer", "[{services: ['*'], paths: ['/{a}']}]"), model.CodeRbacRuleRefused, "paths", false},
		{"a role without services is refused", svc + rbacOn + bind("[{user: '*'}]") + roleYAML("default", "viewer", "[{methods: [GET]}]"), model.CodeServiceRoleRefused, "services", false},
		{"a binding without subjects is refused", svc + rbacOn + okRole + bind("[]"), model.CodeRoleBindingRefused, "spec.subjects", false},
		{"names * is refused", svc + rbacOn + okRole + bind("[{names: ['*']}]"), model.CodeRoleBindingRefused, "spec.subjects[0]", false},
		{"a role field is not enforced", svc + rbacOn + okRole +
			"apiVersion: rbac.istio.io/v1alpha1\nkind: ServiceRoleBinding\nmetadata: {name: b, namespace: default}\nspec: {role: viewer, subjects: [{user: '*'}]}\n",
			model.CodeRbacBindingNotEnforced, "spec", false},
		{"a missing role is not enforced", svc + rbacOn + bindingYAML("default", "b", "nope", "[{user: '*'}]"), model.CodeRbacBindingNotEnforced, "spec.roleRef.name", false},
		{"a config not named default is refused", svc + okRole + bind("[{user: '*'}]") +
			"apiVersion: rbac.istio.io/v1alpha1\nkind: ClusterRbacConfig\nmetadata: {name: mine}\nspec: {mode: 'ON'}\n", model.CodeRbacConfigRefused, "metadata.name", true},
		{"inclusion mode without inclusion is refused", svc + okRole + bind("[{user: '*'}]") +
			"apiVersion: rbac.istio.io/v1alpha1\nkind: ClusterRbacConfig\nmetadata: {name: default}\nspec: {mode: 'ON_WITH_INCLUSION'}\n", model.CodeRbacConfigRefused, "spec.inclusion", true},
		{"RBAC off enforces nothing", svc + okRole + bind("[{user: cluster.local/ns/x/sa/y}]") +
			"apiVersion: rbac.istio.io/v1alpha1\nkind: ClusterRbacConfig\nmetadata: {name: default}\nspec: {mode: 'OFF'}\n", model.CodeRbacOff, "spec", true},
		{"the deprecated RbacConfig is used when alone", svc + okRole + bind("[{user: cluster.local/ns/x/sa/y}]") +
			"apiVersion: rbac.istio.io/v1alpha1\nkind: RbacConfig\nmetadata: {name: default, namespace: istio-system}\nspec: {mode: 'ON'}\n", model.CodeRbacConfigChoice, "kind", false},
		{"a wildcard in the inclusion never matches", svc + okRole + bind("[{user: '*'}]") +
			"apiVersion: rbac.istio.io/v1alpha1\nkind: ClusterRbacConfig\nmetadata: {name: default}\nspec: {mode: 'ON_WITH_INCLUSION', inclusion: {namespaces: ['def*']}}\n", model.CodeRbacTargetWildcard, "spec.inclusion", true},
		{"exclusion spares the listed namespace", svc + roleYAML("default", "viewer", "[{services: ['*'], methods: [POST]}]") + bind("[{user: '*'}]") +
			"apiVersion: rbac.istio.io/v1alpha1\nkind: ClusterRbacConfig\nmetadata: {name: default}\nspec: {mode: 'ON_WITH_EXCLUSION', exclusion: {namespaces: [default]}}\n", model.CodeRbacOff, "spec", true},
		{"a short service name matches nothing", svc + rbacOn + bind("[{user: '*'}]") + roleYAML("default", "viewer", "[{services: [reviews]}]"), model.CodeRbacRoleMatchesNoService, "services", false},
		{"a Service of another namespace is not governed by the role", svc + rbacOn + bind("[{user: '*'}]") +
			roleYAML("default", "viewer", "[{services: ['reviews.default.svc.cluster.local']}]") + roleYAML("other", "viewer", "[{services: ['reviews.default.svc.cluster.local']}]"),
			model.CodeRbacRoleOtherNamespace, "services", true},
		{"a Service without selector cannot be protected", svc + rbacOn + okRole + bind("[{user: '*'}]") +
			"apiVersion: v1\nkind: Service\nmetadata: {name: external, namespace: default}\nspec: {ports: [{port: 80}]}\n", model.CodeRbacServiceWithoutSelector, "spec.selector", true},
		{"a permissive binding is dry-run", svc + rbacOn + okRole +
			"apiVersion: rbac.istio.io/v1alpha1\nkind: ServiceRoleBinding\nmetadata: {name: bind, namespace: default}\nspec: {roleRef: {kind: ServiceRole, name: viewer}, mode: PERMISSIVE, subjects: [{user: '*'}]}\n",
			model.CodeRbacPermissive, "spec.mode", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			snap, fs := readYAML(t, c.docs)
			if !hasFinding(fs, c.code, c.field) {
				t.Errorf("no %s on %q in %v", c.code, c.field, fs)
			}
			req := request("default", labels("app", "reviews"), 9080, model.Peer("cluster.local", "a", "b"), "GET", "/")
			if d := model.Evaluate(snap, req); d.Allow != c.allowed {
				t.Errorf("got %s, want allow=%v", d, c.allowed)
			}
		})
	}
}

func TestRBACRootNamespaceService(t *testing.T) {
	docs := svcYAML("istio-system", "gw", "app: gw", "{port: 80}") + deployYAML("istio-system", "gw", "app: gw", "gw", 80) +
		deployYAML("other", "gw", "app: gw", "gw", 80) + rbacOn +
		roleYAML("istio-system", "viewer", "[{services: ['*']}]") + bindingYAML("istio-system", "bind", "viewer", "[{user: '*'}]")
	snap, _ := readYAML(t, docs)
	for _, p := range snap.Access {
		if !p.Target.MeshWide || p.Target.Selector["app"] != "gw" {
			t.Errorf("policy %s target %+v", p.Name, p.Target)
		}
	}
	// The namesake workload in another namespace was never governed: a mesh-wide ALLOW on it
	// would make it deny-by-default but grants it nothing it lacked.
	agreeOrNarrower(t, docs)
}
