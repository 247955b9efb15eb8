package smi

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/meshbridge/meshbridge/model"
)

// indexUniverse is a small set of known service accounts: namespaces that share prefixes and
// suffixes, and account names repeated across namespaces.
var indexUniverse = sortAccounts([]sa{
	acct("shop", "api"), acct("shop", "web"), acct("shop-dev", "web"), acct("team-a", "db"), acct("team-a", "web"),
	acct("team-b", "api"), acct("istio-system", "ingress"),
})

// oddUniverse adds names no Kubernetes object has (a "/" in a namespace or name, empty parts),
// which the index must keep as candidates rather than decide.
var oddUniverse = sortAccounts(append(slices.Clone(indexUniverse),
	acct("a/b", "x"), acct("shop/sa", "web"), acct("odd", "n/web"), acct("odd", "sa/web"), acct("", "web"), acct("shop", "")))

func acct(namespace, name string) sa { return sa{Namespace: namespace, Name: name} }

func accountsOf(s ...string) []sa {
	out := []sa{}
	for _, v := range s {
		ns, name, _ := strings.Cut(v, "/")
		out = append(out, acct(ns, name))
	}
	return out
}

func TestAccountCandidates(t *testing.T) {
	ix := newAccountIndex("cluster.local", indexUniverse)
	cases := []struct {
		name     string
		field    idField
		value    string
		policyNS string
		want     []sa // nil: any account
	}{
		{"a namespace names its own accounts", nsField, "shop", "", accountsOf("shop/api", "shop/web")},
		{"a namespace the input does not know names none", nsField, "nowhere", "", accountsOf()},
		{"a namespace glob keeps the namespaces it matches", nsField, "team-*", "", accountsOf("team-a/db", "team-a/web", "team-b/api")},
		{"a namespace glob with only a suffix is tried on every namespace", nsField, "*-dev", "", accountsOf("shop-dev/web")},
		{"a namespace glob with a middle part keeps only the namespaces holding it", nsField, "s*-*v", "", accountsOf("shop-dev/web")},
		{"a lone * may be any namespace", nsField, "*", "", nil},
		{"an exact principal keeps the accounts of its namespace", principalField, "cluster.local/ns/shop/sa/web", "", accountsOf("shop/api", "shop/web")},
		{"a principal prefix that ends the namespace keeps that namespace only", principalField, "cluster.local/ns/shop/*", "", accountsOf("shop/api", "shop/web")},
		{"a principal prefix inside the namespace keeps the namespaces starting so", principalField, "cluster.local/ns/sh*", "", accountsOf("shop/api", "shop/web", "shop-dev/web")},
		{"a principal prefix before the namespace may be any account", principalField, "cluster.local/*", "", nil},
		{"a principal of another trust domain names none", principalField, "other.local/ns/shop/sa/web", "", accountsOf()},
		{"a principal prefix of another trust domain names none", principalField, "other*", "", accountsOf()},
		{"a lone * principal may be any account", principalField, "*", "", nil},
		{"a principal suffix naming the account keeps the accounts of that name", principalField, "*/sa/web", "", accountsOf("shop/web", "shop-dev/web", "team-a/web")},
		{"a principal suffix inside the name keeps the names ending so", principalField, "*pi", "", accountsOf("shop/api", "team-b/api")},
		{"a service account with its namespace names one account", accountField, "team-a/db", "shop", accountsOf("team-a/db")},
		{"a service account without namespace is one of the policy's namespace", accountField, "web", "shop", accountsOf("shop/web")},
		{"an unknown service account names none", accountField, "shop/nobody", "", accountsOf()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := ix.candidates(nil, c.field, c.value, c.policyNS)
			switch {
			case c.want == nil && ok:
				t.Errorf("candidates(%q) = %v, want any account", c.value, got)
			case c.want != nil && !ok:
				t.Errorf("candidates(%q) = any account, want %v", c.value, c.want)
			case c.want != nil && !slices.Equal(sortAccounts(append([]sa{}, got...)), c.want):
				t.Errorf("candidates(%q) = %v, want %v", c.value, got, c.want)
			}
		})
	}
}

// patternsFor derives patterns from every account's namespace, principal and service account:
// each whole, every prefix followed by *, * followed by every suffix, and both ends of each
// split with a * between, besides a few fixed ones.
func patternsFor(td string, accounts []sa) map[idField][]string {
	out := map[idField][]string{
		nsField:        {"*", "**", "a*b", "*-*", "team-*-x"},
		principalField: {"*", "other/ns/shop/sa/web", "cluster.local/*", "cluster.local", "/ns/*", "*/"},
		accountField:   {"web", "api", "/web", "shop/", "nobody"},
	}
	variants := func(s string) []string {
		vs := []string{s}
		for i := 0; i <= len(s); i++ {
			vs = append(vs, s[:i]+"*", "*"+s[i:], s[:i]+"*"+s[i:])
		}
		return vs
	}
	for _, s := range accounts {
		out[nsField] = append(out[nsField], variants(s.Namespace)...)
		out[principalField] = append(out[principalField], variants(td+"/ns/"+s.Namespace+"/sa/"+s.Name)...)
		out[accountField] = append(out[accountField], s.Namespace+"/"+s.Name, s.Name)
	}
	return out
}

// exactMatch is the matcher the writer applies to candidates, written against the principal
// string rather than its parts.
func exactMatch(td string, f idField, value, policyNS string, s sa) bool {
	switch f {
	case nsField:
		return globMatch(value, s.Namespace)
	case principalField:
		return istioMatch(value, td+"/ns/"+s.Namespace+"/sa/"+s.Name)
	}
	return serviceAccountMatches(value, policyNS, s)
}

func TestCandidatesKeepEveryMatch(t *testing.T) {
	for _, universe := range [][]sa{indexUniverse, oddUniverse} {
		for _, td := range []string{"cluster.local", "td/with/slashes"} {
			ix := newAccountIndex(td, universe)
			narrowed := 0
			for f, patterns := range patternsFor(td, universe) {
				for _, p := range patterns {
					got, ok := ix.candidates(nil, f, p, "shop")
					if !ok {
						continue
					}
					if len(got) < len(universe) {
						narrowed++
					}
					for _, s := range universe {
						if exactMatch(td, f, p, "shop", s) && !slices.Contains(got, s) {
							t.Errorf("trust domain %q, field %d: %q matches %v, which its candidates %v leave out", td, f, p, s, got)
						}
					}
				}
			}
			if narrowed < 100 {
				t.Errorf("trust domain %q: only %d patterns were narrowed; the test would not notice a wrong narrowing", td, narrowed)
			}
		}
	}
}

func TestPrincipalPartsMatchLikeTheString(t *testing.T) {
	for _, td := range []string{"cluster.local", "td/with/slashes", ""} {
		patterns := patternsFor(td, oddUniverse)[principalField]
		matched := 0
		for _, s := range oddUniverse {
			principal := td + "/ns/" + s.Namespace + "/sa/" + s.Name
			for _, p := range patterns {
				want := istioMatch(p, principal)
				if got := principalPartsOf(td, s).matches(p); got != want {
					t.Errorf("pattern %q on %q: parts say %v, the string %v", p, principal, got, want)
				}
				if want {
					matched++
				}
			}
		}
		if matched == 0 {
			t.Errorf("trust domain %q: no pattern matched; the test checks nothing", td)
		}
	}
}

func TestSourceCandidates(t *testing.T) {
	ix := newAccountIndex("cluster.local", indexUniverse)
	cases := []struct {
		name  string
		src   model.Source
		conds []model.Condition
		want  []sa
	}{
		{"a source without identity values may be any account", model.Source{}, nil, indexUniverse},
		{"negations do not narrow", model.Source{NotNamespaces: []string{"shop"}}, nil, indexUniverse},
		{"namespaces narrow to their accounts", model.Source{Namespaces: []string{"team-b", "shop"}},
			nil, accountsOf("shop/api", "shop/web", "team-b/api")},
		{"of several fields the narrowest is used",
			model.Source{Principals: []string{"cluster.local/ns/shop/*"}, Namespaces: []string{"team-*"}},
			nil, accountsOf("shop/api", "shop/web")},
		{"a field that may match anything does not narrow",
			model.Source{Principals: []string{"*"}, Namespaces: []string{"team-b"}}, nil, accountsOf("team-b/api")},
		{"a source condition with values narrows", model.Source{},
			[]model.Condition{{Key: "source.namespace", Values: []string{"team-b"}}}, accountsOf("team-b/api")},
		{"a trust domain condition does not narrow", model.Source{},
			[]model.Condition{{Key: "source.trustDomain", Values: []string{"cluster.local"}}}, indexUniverse},
		{"values that match nothing leave no candidate", model.Source{ServiceAccounts: []string{"shop/nobody"}}, nil, accountsOf()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ix.sourceCandidates(c.src, c.conds, "shop"); !slices.Equal(got, c.want) {
				t.Errorf("sourceCandidates = %v, want %v", got, c.want)
			}
		})
	}
}

// TestOutsideAccountsAreDecidedAlike checks reach and outsideMatches against the exact
// evaluation: every account that no value of a rule reaches is decided as outsideMatches says.
func TestOutsideAccountsAreDecidedAlike(t *testing.T) {
	td := "cluster.local"
	w := &writer{snap: &model.Snapshot{TrustDomain: td}}
	w.snap.Inventory.ServiceAccounts = oddUniverse
	cases := []struct {
		name        string
		froms       []model.Source
		conds       []model.Condition
		wantOutside bool
		wantReach   []sa // nil: any account
	}{
		{"a rule without sources matches every account", []model.Source{{}}, nil, true, accountsOf()},
		{"a negated namespace matches every account outside it", []model.Source{{NotNamespaces: []string{"shop"}}},
			nil, true, accountsOf("shop/", "shop/api", "shop/web")},
		{"a namespace matches no account outside it", []model.Source{{Namespaces: []string{"team-a"}}},
			nil, false, accountsOf("team-a/db", "team-a/web")},
		{"a principal suffix matches no other name", []model.Source{{Principals: []string{"*/sa/web"}}}, nil, false,
			[]sa{acct("", "web"), acct("odd", "n/web"), acct("odd", "sa/web"), acct("shop", "web"), acct("shop-dev", "web"), acct("shop/sa", "web"), acct("team-a", "web")}},
		{"the mesh's trust domain matches every account", []model.Source{{TrustDomains: []string{td}}}, nil, true, accountsOf()},
		{"another trust domain matches none", []model.Source{{TrustDomains: []string{"other"}}}, nil, false, accountsOf()},
		{"a service account matches no other account", []model.Source{{ServiceAccounts: []string{"team-a/db"}}},
			nil, false, accountsOf("team-a/db")},
		{"a negated service account matches every other account", []model.Source{{NotServiceAccounts: []string{"web"}}},
			nil, true, accountsOf("shop/web")},
		{"one source of several matching outside is enough",
			[]model.Source{{Namespaces: []string{"team-a"}}, {NotPrincipals: []string{"cluster.local/ns/team-b/sa/api"}}},
			nil, true, accountsOf("team-a/db", "team-a/web", "team-b/api")},
		{"a source condition with values matches nothing outside", []model.Source{{}},
			[]model.Condition{{Key: "source.principal", Values: []string{"cluster.local/ns/shop/sa/api"}}}, false,
			[]sa{acct("shop", ""), acct("shop", "api"), acct("shop", "web"), acct("shop/sa", "web")}},
		{"a negated source condition matches outside", []model.Source{{}},
			[]model.Condition{{Key: "source.namespace", NotValues: []string{"team-*"}}}, true,
			accountsOf("team-a/db", "team-a/web", "team-b/api")},
		{"a trust domain condition for another domain matches nothing", []model.Source{{}},
			[]model.Condition{{Key: "source.trustDomain", Values: []string{"other"}}}, false, accountsOf()},
		{"a namespace glob * may reach any account", []model.Source{{NotNamespaces: []string{"*"}}}, nil, true, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := outsideMatches(td, c.froms, c.conds); got != c.wantOutside {
				t.Errorf("outsideMatches = %v, want %v", got, c.wantOutside)
			}
			reach, ok := w.accounts().reach(c.froms, c.conds, "shop")
			if c.wantReach == nil {
				if ok {
					t.Errorf("reach = %v, want any account", reach)
				}
				return
			}
			if !ok || !slices.Equal(reach, c.wantReach) {
				t.Fatalf("reach = %v (ok %v), want %v", reach, ok, c.wantReach)
			}
			for _, s := range oddUniverse {
				if slices.Contains(reach, s) {
					continue
				}
				exact := w.conditionsMatch(c.conds, "shop", s) &&
					slices.ContainsFunc(c.froms, func(src model.Source) bool { return w.identityMatches(src, "shop", s) })
				if exact != c.wantOutside {
					t.Errorf("%v is outside reach, but the rule decides %v for it", s, exact)
				}
			}
		})
	}
}

func TestGlobMatchAgreesWithARegexp(t *testing.T) {
	var words func(alphabet string, n int) []string
	words = func(alphabet string, n int) []string {
		if n == 0 {
			return []string{""}
		}
		out := words(alphabet, n-1)
		for _, w := range words(alphabet, n-1) {
			if len(w) == n-1 {
				for _, r := range alphabet {
					out = append(out, w+string(r))
				}
			}
		}
		return out
	}
	patterns, subjects := words("ab*", 5), words("ab", 5)
	matched := 0
	for _, p := range patterns {
		var parts []string
		for _, part := range strings.Split(p, "*") {
			parts = append(parts, regexpQuote(part))
		}
		re := compile("^" + strings.Join(parts, ".*") + "$")
		for _, s := range subjects {
			want := re.MatchString(s)
			if got := globMatch(p, s); got != want {
				t.Errorf("globMatch(%q, %q) = %v, want %v", p, s, got, want)
			}
			if want {
				matched++
			}
		}
	}
	if matched == 0 {
		t.Error("no pattern matched; the test checks nothing")
	}
}

func regexpQuote(s string) string { return strings.NewReplacer("*", `\*`).Replace(s) }

func TestClauseKeysAreFmts(t *testing.T) {
	// The keys order clauses, and so HTTPRouteGroup matches and their names: they must stay what
	// fmt made of them.
	reference := func(c clause) string {
		var b strings.Builder
		fmt.Fprintf(&b, "%q %q", c.match.methods, c.match.path)
		for _, h := range c.match.headers {
			fmt.Fprintf(&b, " %q=%q", h.name, h.regex)
		}
		return fmt.Sprintf("%d %v %s", c.kind, c.ports, b.String())
	}
	cases := []struct {
		name string
		c    clause
	}{
		{"any traffic on any port", clause{kind: kindAll}},
		{"TCP on no port", clause{kind: kindTCP, ports: []int32{}}},
		{"TCP on two ports", clause{kind: kindTCP, ports: []int32{80, 8080}}},
		{"HTTP with methods and a path", clause{kind: kindHTTP, ports: []int32{80},
			match: httpMatch{methods: []string{"GET", "POST"}, path: `/api/.*`}}},
		{"HTTP with no method and headers that need escaping", clause{kind: kindHTTP,
			match: httpMatch{methods: []string{}, path: "/\"x\"\\\t$", headers: []header{{"x-a", `^(?:a|b\.c)$`}, {"ü", "^é\x00$"}}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got, want := c.c.key(), reference(c.c); got != want {
				t.Errorf("key = %s, want %s", got, want)
			}
		})
	}
}
