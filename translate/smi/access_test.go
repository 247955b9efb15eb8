package smi

import (
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
)

// bookinfo is a small inventory: productpage calls reviews; reviews runs as its own account,
// and "shared" runs two workloads.
func bookinfo() []model.Workload {
	return []model.Workload{
		wl("default", "productpage", "productpage", map[string]string{"app": "productpage"}, 9080),
		wl("default", "reviews", "reviews", map[string]string{"app": "reviews"}, 9080, 15000),
		wl("default", "ratings", "ratings", map[string]string{"app": "ratings"}, 9080),
		wl("default", "db", "db", map[string]string{"app": "db"}, 5432),
		wl("other", "client", "client", map[string]string{"app": "client"}, 8080),
		wl("default", "shared-a", "shared", map[string]string{"app": "a"}, 8080),
		wl("default", "shared-b", "shared", map[string]string{"app": "b"}, 8080),
	}
}

func allowTo(selector map[string]string, rules ...model.AccessRule) model.AccessPolicy {
	return model.AccessPolicy{Namespace: "default", Name: "allow-" + selector["app"], Action: model.Allow,
		Target: model.Target{Selector: selector}, Rules: rules}
}

func from(principals ...string) []model.Source {
	return []model.Source{{Principals: principals}}
}

const productpage = "cluster.local/ns/default/sa/productpage"

// accessCase is one table entry for runAccessCases.
type accessCase struct {
	name   string
	snap   *model.Snapshot
	meshes []string
	want   []model.Code // codes that must be reported
	none   []model.Code // codes that must not be reported
	check  func(t *testing.T, mesh string, objs []*unstructured.Unstructured)
	// findings checks the findings themselves (messages, fields).
	findings func(t *testing.T, mesh string, fs model.Findings)
	// aliases: Istio is configured with the other trust domains as aliases.
	aliases bool
}

// runAccessCases writes each case for each mesh, checks codes and objects, and that the objects
// never allow a request Istio denies.
func runAccessCases(t *testing.T, cases []accessCase) {
	t.Helper()
	for _, c := range cases {
		for _, mesh := range cmpOr(c.meshes, meshes) {
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
				if c.check != nil {
					c.check(t, mesh, objs)
				}
				if c.findings != nil {
					c.findings(t, mesh, fs)
				}
				trustDomainAliases = c.aliases
				defer func() { trustDomainAliases = false }()
				if n := assertNeverWidens(t, c.snap, objs); n == 0 && len(kinds(objs, "TrafficTarget")) > 0 {
					t.Errorf("the objects allow none of the test requests; the check is vacuous")
				}
			})
		}
	}
}

func TestAccess(t *testing.T) {
	reviews := map[string]string{"app": "reviews"}
	cases := []accessCase{
		{
			name: "one principal becomes one TrafficTarget allowing everything",
			snap: strict(snapshot(bookinfo(), allowTo(reviews, model.AccessRule{From: from(productpage)}))),
			none: []model.Code{model.CodeSMIUnauthenticated},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				tt := named(t, objs, "TrafficTarget", "default", "allow-reviews-reviews")
				want := []string{"name: productpage", "namespace: default", "kind: ServiceAccount", "name: reviews"}
				contains(t, tt, want...)
				contains(t, named(t, objs, "HTTPRouteGroup", "default", "allow-reviews-reviews"), "pathRegex: /.*", "- '*'")
				tcp := named(t, objs, "TCPRoute", "default", "allow-reviews-reviews-tcp")
				if mesh != "traefik-mesh" {
					contains(t, tcp, "ports: []")
				}
			},
		},
		{
			name: "paths and methods become HTTPRouteGroup matches that mean the same to every consumer",
			snap: strict(snapshot(bookinfo(), allowTo(reviews, model.AccessRule{From: from(productpage), To: []model.Operation{{
				Methods: []string{"GET", "HEAD"},
				Paths:   []string{"/metrics", "/api/*", "*.json", "*/status", "/v1/{*}/items/{**}", "*"},
			}}}))),
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				hrg := named(t, objs, "HTTPRouteGroup", "default", "allow-reviews-reviews")
				contains(t, hrg, `pathRegex: /metrics$`, `pathRegex: /api/.*`, `pathRegex: /.*\.json$`,
					`pathRegex: /(?:.*/status|status)$`, `pathRegex: /.*`, "- GET", "- HEAD",
					`pathRegex: /v1/[a-zA-Z0-9\-._~%!$&'()+,;:@]+/items/[a-zA-Z0-9\-._~%!$&'()+,;:@/]*$`)
				if len(kinds(toDest(objs, "default", "reviews"), "TCPRoute")) != 0 {
					t.Errorf("an HTTP-only rule wrote a TCPRoute")
				}
			},
		},
		{
			name: "header conditions are written sorted, one single-key map each",
			snap: strict(snapshot(bookinfo(), allowTo(reviews, model.AccessRule{From: from(productpage), When: []model.Condition{
				{Key: "request.headers[X-Zone]", Values: []string{"eu*"}},
				{Key: "request.headers[accept]", Values: []string{"application/json", "*xml"}},
			}}))),
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				y := dump(named(t, objs, "HTTPRouteGroup", "default", "allow-reviews-reviews"))
				a, z := strings.Index(y, "- accept: ^(?:application/json|.*xml)$"), strings.Index(y, "- x-zone: ^(?:eu.*)$")
				if a < 0 || z < 0 || a > z {
					t.Errorf("headers not written sorted:\n%s", y)
				}
			},
		},
		{
			name: "a namespace source is expanded to the known service accounts, with a snapshot finding",
			snap: strict(snapshot(bookinfo(), allowTo(reviews, model.AccessRule{From: []model.Source{{Namespaces: []string{"other"}}}}))),
			want: []model.Code{model.CodeSMISourcesExpanded},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				contains(t, named(t, objs, "TrafficTarget", "default", "allow-reviews-reviews"), "name: client\n    namespace: other")
			},
		},
		{
			name: "a rule without sources loses plain-text callers unless mutual TLS is strict",
			snap: snapshot(bookinfo(), allowTo(reviews, model.AccessRule{})),
			want: []model.Code{model.CodeSMISourcesExpanded, model.CodeSMIUnauthenticated},
		},
		{
			name: "a rule without sources under strict mutual TLS only loses unknown service accounts",
			snap: strict(snapshot(bookinfo(), allowTo(reviews, model.AccessRule{}))),
			want: []model.Code{model.CodeSMISourcesExpanded},
			none: []model.Code{model.CodeSMIUnauthenticated},
		},
		{
			name: "a JWT source and a principal of another trust domain are left out",
			snap: strict(snapshot(bookinfo(), allowTo(reviews, model.AccessRule{From: []model.Source{
				{RequestPrincipals: []string{"*"}},
				{Principals: []string{"old.example/ns/other/sa/client"}},
			}}))),
			want: []model.Code{model.CodeSMISourceNotExpressible, model.CodeSMITrustDomain},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				for _, tt := range kinds(objs, "TrafficTarget") {
					if strings.HasPrefix(tt.GetName(), "allow-reviews") {
						t.Errorf("TrafficTarget %s admits a source that matches nothing", tt.GetName())
					}
				}
			},
		},
		{
			name:   "ports ANDed with paths cannot be written with access v1alpha3",
			meshes: []string{"osm", "smi"},
			snap: strict(snapshot(bookinfo(), allowTo(reviews, model.AccessRule{From: from(productpage),
				To: []model.Operation{{Ports: []string{"9080"}, Paths: []string{"/api/*"}}}}))),
			want: []model.Code{model.CodeSMIPortNotExpressible},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				if got := toDest(objs, "default", "reviews"); len(got) != 0 {
					t.Errorf("wrote a TrafficTarget for HTTP on some ports only:\n%s", dump(got...))
				}
			},
		},
		{
			name:   "ports ANDed with paths become a destination port with access v1alpha2",
			meshes: []string{"traefik-mesh"},
			snap: strict(snapshot(bookinfo(), allowTo(reviews, model.AccessRule{From: from(productpage),
				To: []model.Operation{{Ports: []string{"9080"}, Paths: []string{"/api/*"}}}}))),
			none: []model.Code{model.CodeSMIPortNotExpressible},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				contains(t, named(t, objs, "TrafficTarget", "default", "allow-reviews-reviews-9080"), "port: 9080")
			},
		},
		{
			name:   "a port-only rule becomes a TCPRoute on those ports and reports the HTTP part",
			meshes: []string{"osm", "smi"},
			snap: strict(snapshot(bookinfo(), allowTo(reviews, model.AccessRule{From: from(productpage),
				To: []model.Operation{{Ports: []string{"15000"}}}}))),
			want: []model.Code{model.CodeSMIPortNotExpressible},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				contains(t, named(t, objs, "TCPRoute", "default", "allow-reviews-reviews-tcp-15000"), "- 15000")
				if len(kinds(toDest(objs, "default", "reviews"), "HTTPRouteGroup")) != 0 {
					t.Errorf("wrote an HTTPRouteGroup for a port-only rule")
				}
			},
		},
		{
			name: "a port rule covering every declared port keeps its ports and writes HTTP for every port",
			snap: strict(snapshot(bookinfo(), allowTo(reviews, model.AccessRule{From: from(productpage),
				To: []model.Operation{{Ports: []string{"9080", "15000"}}}}))),
			none: []model.Code{model.CodeSMIPortNotExpressible},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				if mesh == "traefik-mesh" {
					named(t, objs, "TrafficTarget", "default", "allow-reviews-reviews-9080")
					named(t, objs, "TrafficTarget", "default", "allow-reviews-reviews-15000")
					return
				}
				contains(t, named(t, objs, "TrafficTarget", "default", "allow-reviews-reviews"), "name: allow-reviews-reviews-tcp-9080-15000")
				contains(t, named(t, objs, "TCPRoute", "default", "allow-reviews-reviews-tcp-9080-15000"), "- 9080", "- 15000")
			},
		},
		{
			name: "a DENY naming a service account is folded out of the sources",
			snap: strict(snapshot(bookinfo(),
				allowTo(reviews, model.AccessRule{From: []model.Source{{Namespaces: []string{"default", "other"}}}}),
				model.AccessPolicy{Namespace: "default", Name: "deny-client", Action: model.Deny,
					Rules: []model.AccessRule{{From: []model.Source{{Principals: []string{"cluster.local/ns/other/sa/client"}}}}}})),
			want: []model.Code{model.CodeSMIDenyFolded},
			none: []model.Code{model.CodeSMIDenyNarrowed},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				tt := named(t, objs, "TrafficTarget", "default", "allow-reviews-reviews")
				contains(t, tt, "name: productpage")
				notContains(t, tt, "name: client")
			},
		},
		{
			name: "a DENY on methods is folded into the complement",
			snap: strict(snapshot(bookinfo(),
				allowTo(reviews, model.AccessRule{From: from(productpage)}),
				model.AccessPolicy{Namespace: "default", Name: "no-delete", Action: model.Deny,
					Rules: []model.AccessRule{{To: []model.Operation{{Methods: []string{"DELETE"}}}}}})),
			want: []model.Code{model.CodeSMIDenyFolded},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				hrg := named(t, objs, "HTTPRouteGroup", "default", "allow-reviews-reviews")
				contains(t, hrg, "- GET", "- PATCH")
				notContains(t, hrg, "- DELETE", "- '*'")
				if len(kinds(toDest(objs, "default", "reviews"), "TCPRoute")) != 0 {
					t.Errorf("TCP traffic stays allowed, but Istio applies the DENY to it without its method")
				}
			},
		},
		{
			name: "a DENY on a path drops the allowed requests it overlaps",
			snap: strict(snapshot(bookinfo(),
				allowTo(reviews, model.AccessRule{From: from(productpage), To: []model.Operation{{Paths: []string{"/api/*"}}, {Methods: []string{"GET"}, Paths: []string{"/public"}}}}),
				model.AccessPolicy{Namespace: "default", Name: "no-admin", Action: model.Deny, Target: model.Target{Selector: reviews},
					Rules: []model.AccessRule{{To: []model.Operation{{Methods: []string{"POST"}, Paths: []string{"/api/admin*"}}}}}})),
			want: []model.Code{model.CodeSMIDenyNarrowed},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				hrg := named(t, objs, "HTTPRouteGroup", "default", "allow-reviews-reviews")
				contains(t, hrg, "pathRegex: /public$", "pathRegex: /api/.*", "- GET")
				notContains(t, hrg, "- POST")
			},
		},
		{
			name: "a CUSTOM policy is treated as a DENY",
			snap: strict(snapshot(bookinfo(),
				allowTo(reviews, model.AccessRule{From: from(productpage)}),
				model.AccessPolicy{Namespace: "default", Name: "ext", Action: model.Custom, Provider: "opa",
					Rules: []model.AccessRule{{To: []model.Operation{{Paths: []string{"/admin*"}}}}}})),
			want: []model.Code{model.CodeSMICustomAsDeny},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				if got := toDest(objs, "default", "reviews"); len(got) != 0 {
					t.Errorf("the allow to reviews overlaps the CUSTOM rule and was kept:\n%s", dump(got...))
				}
			},
		},
		{
			name: "dry-run and AUDIT policies are not written",
			snap: strict(snapshot(bookinfo(),
				model.AccessPolicy{Namespace: "default", Name: "dry", Action: model.Allow, DryRun: true, Target: model.Target{Selector: reviews},
					Rules: []model.AccessRule{{From: from(productpage)}}},
				model.AccessPolicy{Namespace: "default", Name: "audit", Action: model.Audit, Rules: []model.AccessRule{{}}})),
			want: []model.Code{model.CodeSMIDryRunSkipped, model.CodeSMIAuditSkipped},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				if len(objs) != 0 {
					t.Errorf("wrote objects for policies Istio does not enforce:\n%s", dump(objs...))
				}
			},
		},
		{
			name: "a service account shared with a workload that has its own policy is refused",
			snap: strict(snapshot(bookinfo(),
				allowTo(map[string]string{"app": "a"}, model.AccessRule{From: from(productpage)}),
				allowTo(map[string]string{"app": "b"}, model.AccessRule{From: []model.Source{{Namespaces: []string{"other"}}}}))),
			want: []model.Code{model.CodeSMISharedServiceAccount},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				if got := toDest(objs, "default", "shared"); len(got) != 0 {
					t.Errorf("wrote a TrafficTarget for the shared service account:\n%s", dump(got...))
				}
			},
		},
		{
			name: "a service account shared with a default-allow workload is written and the other is narrowed",
			snap: strict(snapshot(bookinfo(), allowTo(map[string]string{"app": "a"}, model.AccessRule{From: from(productpage)}))),
			want: []model.Code{model.CodeSMIDefaultAllowNarrowed},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				named(t, objs, "TrafficTarget", "default", "allow-a-shared")
			},
		},
		{
			name: "workloads no ALLOW policy selects get Istio's default allow",
			snap: strict(snapshot(bookinfo(), allowTo(reviews, model.AccessRule{From: from(productpage)}))),
			want: []model.Code{model.CodeSMIDefaultAllow, model.CodeSMIEnforcementMode},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				tt := named(t, objs, "TrafficTarget", "default", "allow-all-ratings")
				contains(t, tt, "name: client", "name: productpage", "name: reviews")
			},
		},
		{
			name: "an allow-nothing policy writes nothing and keeps the default allow away",
			snap: strict(snapshot(bookinfo(), allowTo(reviews))),
			want: []model.Code{model.CodeSMIAllowNothing},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				if got := toDest(objs, "default", "reviews"); len(got) != 0 {
					t.Errorf("wrote a TrafficTarget for an allow-nothing destination:\n%s", dump(got...))
				}
			},
		},
		{
			name: "conditions SMI cannot check drop their rule",
			snap: strict(snapshot(bookinfo(), allowTo(reviews,
				model.AccessRule{From: from(productpage), When: []model.Condition{{Key: "source.ip", Values: []string{"10.0.0.0/8"}}}},
				model.AccessRule{From: from(productpage), When: []model.Condition{{Key: "request.headers[x]", NotValues: []string{"a"}}}},
				model.AccessRule{From: from("cluster.local/ns/other/sa/client"), When: []model.Condition{{Key: "source.namespace", Values: []string{"other"}}}},
			))),
			want: []model.Code{model.CodeSMIConditionNotExpressible},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				tt := named(t, objs, "TrafficTarget", "default", "allow-reviews-reviews")
				contains(t, tt, "name: client")
				notContains(t, tt, "name: productpage")
			},
		},
		{
			name: "negations over finite sets are expanded, hosts and notPaths are not expressible",
			snap: strict(snapshot(bookinfo(), allowTo(reviews,
				model.AccessRule{From: from(productpage), To: []model.Operation{{NotMethods: []string{"DELETE"}, NotPorts: []string{"15000"}}}},
				model.AccessRule{From: from("cluster.local/ns/other/sa/client"), To: []model.Operation{{Hosts: []string{"reviews"}}, {NotPaths: []string{"/x"}}}},
			))),
			want: []model.Code{model.CodeSMINegationExpanded, model.CodeSMIOperationNotExpressible},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				for _, tt := range kinds(toDest(objs, "default", "reviews"), "TrafficTarget") {
					notContains(t, tt, "name: client")
				}
			},
		},
		{
			name: "targetRefs: a Service resolves to its workloads, a ServiceEntry does not",
			snap: func() *model.Snapshot {
				s := strict(snapshot(bookinfo(),
					model.AccessPolicy{Namespace: "default", Name: "waypoint", Action: model.Allow, Target: model.Target{Refs: []model.ObjectRef{
						{Kind: "Service", Name: "reviews"}, {APIVersion: "networking.istio.io", Kind: "ServiceEntry", Name: "ext"}}},
						Rules: []model.AccessRule{{From: from(productpage)}}},
					model.AccessPolicy{Namespace: "default", Name: "deny-class", Action: model.Deny, Target: model.Target{Refs: []model.ObjectRef{
						{Kind: "GatewayClass", Name: "istio"}}},
						Rules: []model.AccessRule{{From: from("cluster.local/ns/other/sa/client")}}}))
				s.Inventory.Services = []model.Service{{Namespace: "default", Name: "reviews", Selector: map[string]string{"app": "reviews"}}}
				return s
			}(),
			want: []model.Code{model.CodeSMITargetNotResolved, model.CodeSMIDenyFolded},
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				contains(t, named(t, objs, "TrafficTarget", "default", "waypoint-reviews"), "name: productpage")
				for _, tt := range kinds(toDest(objs, "default", "ratings"), "TrafficTarget") {
					notContains(t, tt, "name: client")
				}
			},
		},
		{
			name: "a mesh-wide policy writes into each destination's namespace",
			snap: strict(snapshot(bookinfo(), model.AccessPolicy{Namespace: "istio-system", Name: "global", Action: model.Allow,
				Target: model.Target{Selector: map[string]string{"app": "client"}}, Rules: []model.AccessRule{{From: from(productpage)}}})),
			check: func(t *testing.T, mesh string, objs []*unstructured.Unstructured) {
				named(t, objs, "TrafficTarget", "other", "istio-system-global-client")
			},
		},
	}
	runAccessCases(t, cases)
}

func TestAccessIsNotWrittenForLinkerdSMI(t *testing.T) {
	s := strict(snapshot(bookinfo(), allowTo(map[string]string{"app": "reviews"}, model.AccessRule{From: from(productpage)})))
	objs, fs := write(t, s, "linkerd-smi")
	if len(objs) != 0 || !hasCode(fs, model.CodeSMIAccessNotWritten) {
		t.Errorf("got %d objects and findings %v", len(objs), fs)
	}
}

func TestUnknownMeshIsAnError(t *testing.T) {
	objs, fs := Write(snapshot(bookinfo()), emitOptions("istio"))
	if objs != nil || !hasCode(fs, model.CodeSMIUnknownMesh) {
		t.Errorf("got %v, %v", objs, fs)
	}
}

func named(t *testing.T, objs []*unstructured.Unstructured, kind, ns, name string) *unstructured.Unstructured {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() == kind && o.GetNamespace() == ns && o.GetName() == name {
			return o
		}
	}
	var have []string
	for _, o := range objs {
		have = append(have, o.GetKind()+" "+o.GetNamespace()+"/"+o.GetName())
	}
	t.Fatalf("no %s %s/%s; have %v", kind, ns, name, have)
	return nil
}

func contains(t *testing.T, o *unstructured.Unstructured, subs ...string) {
	t.Helper()
	y := dump(o)
	for _, s := range subs {
		if !strings.Contains(y, s) {
			t.Errorf("%s %s lacks %q:\n%s", o.GetKind(), o.GetName(), s, y)
		}
	}
}

func notContains(t *testing.T, o *unstructured.Unstructured, subs ...string) {
	t.Helper()
	y := dump(o)
	for _, s := range subs {
		if strings.Contains(y, s) {
			t.Errorf("%s %s has %q:\n%s", o.GetKind(), o.GetName(), s, y)
		}
	}
}

func cmpOr(a, b []string) []string {
	if len(a) > 0 {
		return a
	}
	return slices.Clone(b)
}

// toDest returns the TrafficTargets for destination service account ns/name, with the routes
// they reference.
func toDest(objs []*unstructured.Unstructured, ns, name string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, tt := range kinds(objs, "TrafficTarget") {
		d := tt.Object["spec"].(map[string]any)["destination"].(map[string]any)
		if d["namespace"] != ns || d["name"] != name {
			continue
		}
		out = append(out, tt)
		for _, r := range list(tt.Object["spec"].(map[string]any)["rules"]) {
			rm := r.(map[string]any)
			for _, o := range objs {
				if o.GetKind() == rm["kind"] && o.GetNamespace() == ns && o.GetName() == rm["name"] && !slices.Contains(out, o) {
					out = append(out, o)
				}
			}
		}
	}
	return out
}
