package linkerd

import (
	"slices"
	"strings"
	"testing"

	"github.com/meshbridge/meshbridge/model"
)

// TestUnexpressibleConditionsNarrow checks that every ALLOW condition Linkerd cannot check
// leaves out what it guards (never admitting more than Istio), and says so with a finding on
// the field.
func TestUnexpressibleConditionsNarrow(t *testing.T) {
	shopNS := model.Source{Namespaces: []string{"shop"}}
	cases := []struct {
		name  string
		rules []model.AccessRule
		field string // of the MB5001 finding
		// exact: nothing Istio allows is lost (the condition matched nothing writable anyway).
		exact bool
	}{
		{"requestPrincipals (JWT)", []model.AccessRule{{From: from(model.Source{RequestPrincipals: []string{"issuer/*"}}, shopNS)}},
			"spec.rules[0].from[0].source.requestPrincipals", false},
		{"notPrincipals beside a namespace", []model.AccessRule{{From: from(model.Source{Namespaces: []string{"shop"}, NotPrincipals: []string{"cluster.local/ns/shop/sa/frontend"}})}},
			"spec.rules[0].from[0].source.notPrincipals", false},
		{"remoteIpBlocks", []model.AccessRule{{From: from(model.Source{RemoteIPBlocks: []string{"203.0.113.0/24"}})}},
			"spec.rules[0].from[0].source.remoteIpBlocks", false},
		{"a namespace pattern", []model.AccessRule{{From: from(model.Source{Namespaces: []string{"shop-*"}})}},
			"spec.rules[0].from[0].source.namespaces[0]", false},
		{"a principal prefix inside a service account name", []model.AccessRule{{From: from(model.Source{Principals: []string{"cluster.local/ns/shop/sa/front*"}})}},
			"spec.rules[0].from[0].source.principals[0]", false},
		{"hosts", []model.AccessRule{{To: to(model.Operation{Hosts: []string{"reviews.shop.svc.cluster.local"}})}},
			"spec.rules[0].to[0].operation.hosts", false},
		{"notPaths beside a prefix", []model.AccessRule{{To: to(model.Operation{Paths: []string{"/api/*"}, NotPaths: []string{"/api/admin"}})}},
			"spec.rules[0].to[0].operation.notPaths", false},
		{"a path template", []model.AccessRule{{To: to(model.Operation{Paths: []string{"/api/{*}/items"}})}},
			"spec.rules[0].to[0].operation.paths[0]", false},
		{"a non-standard method", []model.AccessRule{{To: to(model.Operation{Methods: []string{"PURGE"}})}},
			"spec.rules[0].to[0].operation.methods[0]", false},
		{"a header value", []model.AccessRule{{When: []model.Condition{{Key: "request.headers[x-user]", Values: []string{"alice"}}}}},
			"spec.rules[0].when[0]", false},
		{"a JWT claim", []model.AccessRule{{When: []model.Condition{{Key: "request.auth.claims[group]", Values: []string{"admin"}}}}},
			"spec.rules[0].when[0]", false},
		{"connection.sni", []model.AccessRule{{When: []model.Condition{{Key: "connection.sni", Values: []string{"a.example"}}}}},
			"spec.rules[0].when[0]", false},
		{"remote.ip", []model.AccessRule{{When: []model.Condition{{Key: "remote.ip", Values: []string{"203.0.113.0/24"}}}}},
			"spec.rules[0].when[0]", false},
	}
	for _, c := range cases {
		t.Run(c.name+" is left out and reported", func(t *testing.T) {
			snap := shop(policy("shop", "reviews-access", model.Allow, reviews, c.rules...))
			objs, findings := run(t, snap)
			narrowed := compare(t, snap, objs)
			if c.exact != (len(narrowed) == 0) {
				t.Errorf("narrowed requests:\n%s", strings.Join(narrowed, "\n"))
			}
			got := findingsOf(findings, model.CodeLinkerdConditionDropped)
			if len(got) == 0 || !slices.ContainsFunc(got, func(f model.Finding) bool { return f.Field == c.field && f.Severity == model.Error }) {
				t.Errorf("no error MB5001 on %s; findings:\n%v", c.field, findings)
			}
		})
	}
}

func TestExpressibleConditionsStayExact(t *testing.T) {
	cases := []struct {
		name  string
		rules []model.AccessRule
		codes []string
	}{
		{"header presence becomes a header match", []model.AccessRule{{When: []model.Condition{{Key: "request.headers[x-user]", Values: []string{"*"}}}}},
			[]string{"MB5008"}},
		{"notPrincipals beside service accounts are subtracted", []model.AccessRule{{From: from(model.Source{
			Principals:    []string{"cluster.local/ns/shop/sa/frontend", "cluster.local/ns/monitoring/sa/prometheus"},
			NotNamespaces: []string{"monitoring"}})}}, []string{"MB5008"}},
		{"notPaths beside exact paths are subtracted", []model.AccessRule{{To: to(model.Operation{Paths: []string{"/a", "/b"}, NotPaths: []string{"/b"}})}},
			[]string{"MB5008"}},
		{"exact methods stay exact", []model.AccessRule{{To: to(model.Operation{Methods: []string{"GET", "HEAD"}})}},
			[]string{"MB5008"}},
		{"source.ip conditions intersect the source's networks", []model.AccessRule{{
			From: from(model.Source{IPBlocks: []string{"10.0.0.0/8"}}),
			When: []model.Condition{{Key: "source.ip", Values: []string{"10.1.0.0/16", "192.168.0.0/16"}, NotValues: []string{"10.1.2.0/24"}}}}},
			[]string{"MB5008"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			snap := shop(policy("shop", "reviews-access", model.Allow, reviews, c.rules...))
			objs, findings := run(t, snap)
			if narrowed := compare(t, snap, objs); len(narrowed) > 0 {
				t.Errorf("narrowed requests:\n%s", strings.Join(narrowed, "\n"))
			}
			if got := codes(findings); !slices.Equal(got, c.codes) {
				t.Errorf("finding codes %v, want %v:\n%v", got, c.codes, findings)
			}
		})
	}
}

func TestApproximationsWarn(t *testing.T) {
	cases := []struct {
		name  string
		rules []model.AccessRule
		code  model.Code
	}{
		{"a method pattern is enumerated", []model.AccessRule{{To: to(model.Operation{Methods: []string{"P*"}})}}, model.CodeLinkerdMethodsEnumerated},
		{"notMethods is enumerated", []model.AccessRule{{To: to(model.Operation{NotMethods: []string{"DELETE"}})}}, model.CodeLinkerdMethodsEnumerated},
		{"a path prefix is matched on raw paths", []model.AccessRule{{To: to(model.Operation{Paths: []string{"/api/*"}})}}, model.CodeLinkerdRawPathMatch},
		{"a principal of any trust domain admits the mesh's own", []model.AccessRule{{From: from(model.Source{Principals: []string{"*/ns/shop/sa/frontend"}})}}, model.CodeLinkerdTrustDomain},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			snap := shop(policy("shop", "reviews-access", model.Allow, reviews, c.rules...))
			objs, findings := run(t, snap)
			compare(t, snap, objs) // never wider
			if f := findingsOf(findings, c.code); len(f) == 0 || f[0].Severity != model.Warning {
				t.Errorf("no warning %s; findings:\n%v", c.code, findings)
			}
		})
	}
}
