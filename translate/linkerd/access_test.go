package linkerd

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
)

// shop is a namespace with two workloads: reviews (port 8080, 9090) and frontend (8000), and a
// monitoring namespace with prometheus.
func shop(access ...model.AccessPolicy) *model.Snapshot {
	return snapshot([]model.Workload{
		workload("shop", "reviews", "reviews", map[string]string{"app": "reviews"}, 8080, 9090),
		workload("shop", "frontend", "frontend", map[string]string{"app": "frontend"}, 8000),
		workload("monitoring", "prometheus", "prometheus", map[string]string{"app": "prometheus"}, 9090),
	}, access)
}

var reviews = map[string]string{"app": "reviews"}

// specOf renders the specs of the objects of kind, sorted, for comparison.
func specsOf(t *testing.T, objs []*unstructured.Unstructured, kind string) []string {
	t.Helper()
	var out []string
	for _, o := range ofKind(objs, kind) {
		b, err := json.Marshal(o.Object["spec"])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	slices.Sort(out)
	return out
}

func TestAllowRules(t *testing.T) {
	cases := []struct {
		name string
		rule []model.AccessRule
		// servers and mesh/network specs expected (JSON, sorted); nil skips the check.
		servers, meshes, networks []string
		// authzRefs is the number of refs of each AuthorizationPolicy, sorted.
		authzRefs []int
		codes     []string
	}{
		{
			name:      "an ALLOW policy without rules allows nothing: Servers and no authorization",
			rule:      nil,
			servers:   []string{`{"accessPolicy":"deny","podSelector":{"matchLabels":{"app":"reviews"}},"port":8080}`, `{"accessPolicy":"deny","podSelector":{"matchLabels":{"app":"reviews"}},"port":9090}`},
			authzRefs: []int{},
			codes:     []string{"MB5008"},
		},
		{
			name:      "an empty rule allows everyone, meshed or not: no authentication required",
			rule:      []model.AccessRule{{}},
			authzRefs: []int{0, 0},
			codes:     []string{"MB5008"},
		},
		{
			name:      "principals [*] admit any meshed client",
			rule:      []model.AccessRule{{From: from(model.Source{Principals: []string{"*"}})}},
			meshes:    []string{`{"identities":["*"]}`},
			authzRefs: []int{1, 1},
			codes:     []string{"MB5008"},
		},
		{
			name:   "principals of the mesh's trust domain become ServiceAccount references",
			rule:   []model.AccessRule{{From: from(model.Source{Principals: []string{"cluster.local/ns/shop/sa/frontend", "cluster.local/ns/monitoring/*"}})}},
			meshes: []string{`{"identityRefs":[{"kind":"Namespace","name":"monitoring"},{"kind":"ServiceAccount","name":"frontend","namespace":"shop"}]}`},
			codes:  []string{"MB5008"},
		},
		{
			name: "principals of another trust domain become identity strings in a second authentication",
			rule: []model.AccessRule{{From: from(model.Source{Principals: []string{"cluster.local/ns/shop/sa/frontend", "east.example/ns/shop/sa/frontend"}})}},
			meshes: []string{
				`{"identities":["frontend.shop.serviceaccount.identity.linkerd.east.example"]}`,
				`{"identityRefs":[{"kind":"ServiceAccount","name":"frontend","namespace":"shop"}]}`,
			},
			authzRefs: []int{1, 1, 1, 1},
			codes:     []string{"MB5008"},
		},
		{
			name:   "serviceAccounts and namespaces in one source intersect",
			rule:   []model.AccessRule{{From: from(model.Source{Namespaces: []string{"shop", "monitoring"}, ServiceAccounts: []string{"frontend", "monitoring/prometheus"}})}},
			meshes: []string{`{"identityRefs":[{"kind":"ServiceAccount","name":"prometheus","namespace":"monitoring"},{"kind":"ServiceAccount","name":"frontend","namespace":"shop"}]}`},
			codes:  []string{"MB5008"},
		},
		{
			name:      "ipBlocks and notIpBlocks become a NetworkAuthentication with exceptions",
			rule:      []model.AccessRule{{From: from(model.Source{IPBlocks: []string{"10.0.0.0/8", "192.168.1.7"}, NotIPBlocks: []string{"10.1.0.0/16", "172.16.0.0/12"}})}},
			networks:  []string{`{"networks":[{"cidr":"10.0.0.0/8","except":["10.1.0.0/16"]},{"cidr":"192.168.1.7/32"}]}`},
			authzRefs: []int{1, 1},
			codes:     []string{"MB5008"},
		},
		{
			name:     "notIpBlocks alone except from every address",
			rule:     []model.AccessRule{{From: from(model.Source{NotIPBlocks: []string{"10.0.0.0/8"}})}},
			networks: []string{`{"networks":[{"cidr":"0.0.0.0/0","except":["10.0.0.0/8"]},{"cidr":"::/0"}]}`},
			codes:    []string{"MB5008"},
		},
		{
			name:      "an identity and a network in one source are both required",
			rule:      []model.AccessRule{{From: from(model.Source{Namespaces: []string{"monitoring"}, IPBlocks: []string{"10.0.0.0/8"}})}},
			authzRefs: []int{2, 2},
			codes:     []string{"MB5008"},
		},
		{
			name: "a port condition limits the rule to that port; other ports deny",
			rule: []model.AccessRule{{From: from(model.Source{Namespaces: []string{"monitoring"}}), To: to(model.Operation{Ports: []string{"9090"}})}},
			servers: []string{`{"accessPolicy":"deny","podSelector":{"matchLabels":{"app":"reviews"}},"port":8080}`,
				`{"accessPolicy":"deny","podSelector":{"matchLabels":{"app":"reviews"}},"port":9090}`},
			authzRefs: []int{1},
			codes:     []string{"MB5008"},
		},
		{
			name: "a port no workload declares is reported",
			rule: []model.AccessRule{{To: to(model.Operation{Ports: []string{"7000"}})}},
			// No Server can hold port 7000; 8080 and 9090 deny.
			authzRefs: []int{},
			codes:     []string{"MB5008"},
		},
		{
			name:      "when destination.port and source.namespace narrow the rule",
			rule:      []model.AccessRule{{When: []model.Condition{{Key: "destination.port", Values: []string{"8080"}}, {Key: "source.namespace", Values: []string{"monitoring"}}}}},
			meshes:    []string{`{"identityRefs":[{"kind":"Namespace","name":"monitoring"}]}`},
			authzRefs: []int{1},
			codes:     []string{"MB5008"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			snap := shop(policy("shop", "reviews-access", model.Allow, reviews, c.rule...))
			objs, findings := run(t, snap)
			if narrowed := compare(t, snap, objs); len(narrowed) > 0 {
				t.Errorf("access narrowed for:\n%s", strings.Join(narrowed, "\n"))
			}
			if c.servers != nil {
				if got := specsOf(t, objs, "Server"); !slices.Equal(got, c.servers) {
					t.Errorf("Servers:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.servers, "\n"))
				}
			}
			if c.meshes != nil {
				if got := specsOf(t, objs, "MeshTLSAuthentication"); !slices.Equal(got, c.meshes) {
					t.Errorf("MeshTLSAuthentications:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.meshes, "\n"))
				}
			}
			if c.networks != nil {
				if got := specsOf(t, objs, "NetworkAuthentication"); !slices.Equal(got, c.networks) {
					t.Errorf("NetworkAuthentications:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.networks, "\n"))
				}
			}
			if c.authzRefs != nil {
				got := []int{}
				for _, a := range ofKind(objs, "AuthorizationPolicy") {
					refs, _, _ := unstructured.NestedSlice(a.Object, "spec", "requiredAuthenticationRefs")
					got = append(got, len(refs))
				}
				slices.Sort(got)
				if !slices.Equal(got, c.authzRefs) {
					t.Errorf("AuthorizationPolicy ref counts %v, want %v", got, c.authzRefs)
				}
			}
			if got := codes(findings); !slices.Equal(got, c.codes) {
				t.Errorf("finding codes %v, want %v:\n%v", got, c.codes, findings)
			}
		})
	}
}

func TestWorkloadsWithoutAllowPoliciesKeepAllowing(t *testing.T) {
	snap := shop(policy("shop", "reviews-access", model.Allow, reviews, model.AccessRule{From: from(model.Source{Namespaces: []string{"shop"}})}))
	objs, _ := run(t, snap)
	for _, s := range ofKind(objs, "Server") {
		if sel, _, _ := unstructured.NestedStringMap(s.Object, "spec", "podSelector", "matchLabels"); sel["app"] != "reviews" {
			t.Errorf("Server %s selects %v; only reviews has an ALLOW policy", s.GetName(), sel)
		}
	}
	req := model.Request{Namespace: "shop", Labels: map[string]string{"app": "frontend"}, Port: 8000, Method: "GET", Path: "/"}
	if v := linkerdDecide(t, objs, req, "cluster.local"); !v.allowAll {
		t.Errorf("frontend, which no ALLOW policy selects, is not reachable: %s", v.why)
	}
}

func TestMeshWideAndLegacySubjects(t *testing.T) {
	t.Run("a root-namespace policy with a selector applies in every namespace", func(t *testing.T) {
		snap := shop(policy("istio-system", "scrapers", model.Allow, map[string]string{"app": "prometheus"},
			model.AccessRule{From: from(model.Source{Namespaces: []string{"monitoring"}})}))
		objs, _ := run(t, snap)
		if narrowed := compare(t, snap, objs); len(narrowed) > 0 {
			t.Errorf("narrowed:\n%s", strings.Join(narrowed, "\n"))
		}
		if got := names(ofKind(objs, "Server")); !slices.Equal(got, []string{"monitoring/prometheus-9090"}) {
			t.Errorf("Servers %v", got)
		}
	})
	t.Run("a v1alpha1 subject user * admits unauthenticated clients too", func(t *testing.T) {
		snap := shop(policy("shop", "legacy", model.Allow, reviews,
			model.AccessRule{From: from(model.Source{AnyIncludingUnauthenticated: true})}))
		objs, _ := run(t, snap)
		if narrowed := compare(t, snap, objs); len(narrowed) > 0 {
			t.Errorf("narrowed:\n%s", strings.Join(narrowed, "\n"))
		}
		for _, a := range ofKind(objs, "AuthorizationPolicy") {
			if refs, _, _ := unstructured.NestedSlice(a.Object, "spec", "requiredAuthenticationRefs"); len(refs) != 0 {
				t.Errorf("%s requires %v", a.GetName(), refs)
			}
		}
		if len(ofKind(objs, "AuthorizationPolicy")) == 0 {
			t.Error("no AuthorizationPolicy")
		}
	})
}
