package gatewayapi

import (
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// routeSummary renders each rule as "backend: match; match" for compact assertions.
func routeSummary(t *testing.T, rt *unstructured.Unstructured) string {
	t.Helper()
	var rules []string
	for i := range length(t, rt, "spec.rules") {
		p := fmt.Sprintf("spec.rules.%d", i)
		var ms []string
		for j := range length(t, rt, p+".matches") {
			mp := fmt.Sprintf("%s.matches.%d", p, j)
			s := fmt.Sprintf("%v %v", field(t, rt, mp+".path.type"), field(t, rt, mp+".path.value"))
			for k := range length(t, rt, mp+".headers") {
				s += fmt.Sprintf(" %v=%v", field(t, rt, fmt.Sprintf("%s.headers.%d.name", mp, k)), field(t, rt, fmt.Sprintf("%s.headers.%d.value", mp, k)))
			}
			if m := field(t, rt, mp+".method"); m != nil {
				s += fmt.Sprintf(" %v", m)
			}
			ms = append(ms, s)
		}
		rules = append(rules, fmt.Sprintf("%v: %s", field(t, rt, p+".backendRefs.0.name"), strings.Join(ms, "; ")))
	}
	return strings.Join(rules, " | ")
}

func orderSnap(rules ...vsOpt) *model.Snapshot {
	return snapshot(
		svc("shop", "web", port("http", 80)), svc("shop", "a", port("http", 80)), svc("shop", "b", port("http", 80)),
		vs("shop", "web", append([]vsOpt{host("shop", "web")}, rules...)...),
	)
}

func TestOrderIsKept(t *testing.T) {
	cases := []struct {
		name    string
		rules   []vsOpt
		want    string // "" when no route may be written
		codes   []model.Code
		profile emit.Options
	}{
		{"a catch-all first makes later rules unreachable; they are dropped",
			[]vsOpt{http(to("shop", "a", 0, 100)), http(when(exact("/x")), to("shop", "b", 0, 100))},
			"a: PathPrefix /", []model.Code{model.CodeGWRuleUnreachable}, emit.Options{}},
		{"a more specific later rule that the earlier contains is dropped",
			[]vsOpt{http(when(prefix("/api/")), to("shop", "a", 0, 100)), http(when(exact("/api/v1")), to("shop", "b", 0, 100))},
			"a: PathPrefix /api", []model.Code{model.CodeGWRuleUnreachable}, emit.Options{}},
		{"an overlap the later rule would win gets a match of its own in the earlier rule",
			[]vsOpt{
				http(when(prefix("/api/"), header("x-user", model.MatchExact, "jason")), to("shop", "a", 0, 100)),
				http(when(prefix("/api/v2/")), to("shop", "b", 0, 100)),
			},
			"a: PathPrefix /api x-user=jason; Exact /api/v2 x-user=jason; PathPrefix /api/v2 x-user=jason | b: PathPrefix /api/v2",
			[]model.Code{model.CodeGWOrderMatchAdded}, emit.Options{}},
		{"rules that do not overlap are written in order unchanged",
			[]vsOpt{http(when(prefix("/a/")), to("shop", "a", 0, 100)), http(when(prefix("/b/")), to("shop", "b", 0, 100))},
			"a: PathPrefix /a | b: PathPrefix /b", nil, emit.Options{}},
		{"a less specific later rule keeps its place: precedence already agrees",
			[]vsOpt{http(when(exact("/api")), to("shop", "a", 0, 100)), http(to("shop", "b", 0, 100))},
			"a: Exact /api | b: PathPrefix /", nil, emit.Options{}},
		{"a prefix inside a segment keeps its remainder when nothing later overlaps it",
			[]vsOpt{http(when(prefix("/api")), to("shop", "a", 0, 100)), http(when(prefix("/static/")), to("shop", "b", 0, 100))},
			"a: PathPrefix /api; RegularExpression /api[^/].* | b: PathPrefix /static", nil, emit.Options{}},
		{"a remainder a later catch-all would outrank is dropped, and its paths going there is an error",
			[]vsOpt{http(when(prefix("/api")), to("shop", "a", 0, 100)), http(to("shop", "b", 0, 100))},
			"a: PathPrefix /api | b: PathPrefix /", []model.Code{model.CodeGWPrefixRestMisrouted}, emit.Options{}},
		{"under Istio's ranking the later catch-all becomes a shorter regex and the remainder keeps its paths",
			[]vsOpt{http(when(prefix("/api")), to("shop", "a", 0, 100)), http(to("shop", "b", 0, 100))},
			"a: PathPrefix /api; RegularExpression /api[^/].* | b: RegularExpression /.*", nil, emit.Options{Mesh: MeshIstio}},
		{"a dropped remainder whose paths a later rule routes the same way is only a warning",
			[]vsOpt{http(when(prefix("/api")), to("shop", "a", 0, 100)), http(to("shop", "a", 0, 100))},
			"a: PathPrefix /api | a: PathPrefix /", []model.Code{model.CodeGWPrefixNotSegment}, emit.Options{}},
		{"a later prefix inside an earlier string prefix is unreachable (Istio's /api covers /apis)",
			[]vsOpt{http(when(prefix("/api")), to("shop", "a", 0, 100)), http(when(prefix("/apis")), to("shop", "b", 0, 100))},
			"a: PathPrefix /api; RegularExpression /api[^/].*", []model.Code{model.CodeGWRuleUnreachable}, emit.Options{}},
		{"an unreachable rule loses every match, its remainder too, even one ranked below the earlier match",
			[]vsOpt{http(to("shop", "a", 0, 100)), http(when(prefix("/admin")), to("shop", "b", 0, 100))},
			"a: PathPrefix /", []model.Code{model.CodeGWRuleUnreachable}, emit.Options{}},
		{"regexes whose fixed starts differ do not overlap, so their order needs no change",
			[]vsOpt{
				http(when(regex("/items/[0-9]+")), to("shop", "a", 0, 100)),
				http(when(prefix("/Reports/"), ignoreCase()), to("shop", "b", 0, 100)),
			},
			"a: RegularExpression /items/[0-9]+ | b: RegularExpression (?i)/Reports/.*", nil, emit.Options{Mesh: MeshIstio}},
		{"a later catch-all after a regex is written as a shorter regex so the regex keeps precedence",
			[]vsOpt{http(when(regex("/v[0-9]+/.*")), to("shop", "a", 0, 100)), http(to("shop", "b", 0, 100))},
			"a: RegularExpression /v[0-9]+/.* | b: RegularExpression /.*", nil, emit.Options{Mesh: MeshIstio}},
		{"outside Istio the same route is reported as relying on regex precedence",
			[]vsOpt{http(when(regex("/v[0-9]+/.*")), to("shop", "a", 0, 100)), http(to("shop", "b", 0, 100))},
			"a: RegularExpression /v[0-9]+/.* | b: RegularExpression /.*", []model.Code{model.CodeGWRegexPrecedence}, emit.Options{}},
		{"an overlap that no single match can express drops the route",
			[]vsOpt{
				http(when(header("x", model.MatchPrefix, "ab")), to("shop", "a", 0, 100)),
				http(when(prefix("/z/"), header("x", model.MatchRegex, "a.c")), to("shop", "b", 0, 100)),
			},
			"", []model.Code{model.CodeGWOrderNotPreserved}, emit.Options{}},
		{"a short regex before a long prefix cannot keep its order",
			[]vsOpt{http(when(regex("/.*")), to("shop", "a", 0, 100)), http(when(prefix("/a/long/prefix/")), to("shop", "b", 0, 100))},
			"", []model.Code{model.CodeGWOrderNotPreserved}, emit.Options{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := write(t, orderSnap(c.rules...), c.profile)
			r.want(c.codes...)
			if c.want == "" {
				if n := r.count("HTTPRoute"); n != 0 {
					t.Errorf("a route was written: %s", r.names())
				}
				return
			}
			if got := routeSummary(t, r.get("HTTPRoute", "shop", "web")); got != c.want {
				t.Errorf("rules = %s\nwant    %s", got, c.want)
			}
		})
	}
}

func TestUnwritableRulesNeverHandTheirRequestsToLaterRules(t *testing.T) {
	t.Run("an unwritable match with a later overlapping rule drops the route", func(t *testing.T) {
		r := write(t, orderSnap(
			http(when(prefix("/a/"), withoutHeader("x")), to("shop", "a", 0, 100)),
			http(to("shop", "b", 0, 100)),
		), emit.Options{})
		r.want(model.CodeGWMatchNotExpressible, model.CodeGWRouteNotWritten)
		if r.count("HTTPRoute") != 0 {
			t.Errorf("objects = %s", r.names())
		}
	})
	t.Run("an unwritable match that no later rule overlaps is dropped alone", func(t *testing.T) {
		r := write(t, orderSnap(
			http(when(prefix("/a/"), withoutHeader("x")), when(prefix("/c/")), to("shop", "a", 0, 100)),
			http(when(prefix("/b/")), to("shop", "b", 0, 100)),
		), emit.Options{})
		r.want(model.CodeGWMatchNotExpressible)
		r.wantNot(model.CodeGWRouteNotWritten)
		if got := routeSummary(t, r.get("HTTPRoute", "shop", "web")); got != "a: PathPrefix /c | b: PathPrefix /b" {
			t.Errorf("rules = %s", got)
		}
	})
	t.Run("a remainder dropped for a prefix rewrite whose paths a later rule takes is an error", func(t *testing.T) {
		r := write(t, orderSnap(
			http(when(prefix("/shop")), rewrite(model.Rewrite{Path: "/store"}), to("shop", "a", 0, 100)),
			http(to("shop", "b", 0, 100)),
		), emit.Options{})
		r.want(model.CodeGWPrefixRestMisrouted)
		r.wantNot(model.CodeGWPrefixNotSegment)
		if got := routeSummary(t, r.get("HTTPRoute", "shop", "web")); got != "a: PathPrefix /shop | b: PathPrefix /" {
			t.Errorf("rules = %s", got)
		}
	})
	t.Run("a rule to an external host before a catch-all drops the route", func(t *testing.T) {
		r := write(t, orderSnap(http(when(prefix("/ext/")), toExternal("api.example.com")), http(to("shop", "b", 0, 100))), emit.Options{})
		r.want(model.CodeGWBackendNotService, model.CodeGWRouteNotWritten)
		if r.count("HTTPRoute") != 0 {
			t.Errorf("objects = %s", r.names())
		}
	})
}

func TestOverlapAndContainment(t *testing.T) {
	pp := func(v string) *match { return &match{path: pathMatch{kind: pathPrefix, value: v}} }
	ex := func(v string) *match { return &match{path: pathMatch{kind: pathExact, value: v}} }
	rx := func(v string) *match { return &match{path: pathMatch{kind: pathRegex, value: v}} }
	rem := func(p string) *match {
		return &match{path: pathMatch{kind: pathRegex, value: p + "[^/].*", rest: p}, remainder: true}
	}
	withHeader := func(m *match, name string, v val) *match { m.headers = append(m.headers, kv{name, v}); return m }
	noBare := func(m *match) *match { m.path.noBare = true; return m }
	cases := []struct {
		name              string
		a, b              *match
		overlap, contains bool
	}{
		{"PathPrefix is segment-wise", pp("/api"), pp("/apis"), false, false},
		{"a longer PathPrefix lies within a shorter", pp("/api"), pp("/api/v1"), true, true},
		{"an exact path within a prefix", pp("/api"), ex("/api/x"), true, true},
		{"a regex with a literal start outside the prefix", pp("/api"), rx("/web/.*"), false, false},
		{"a regex matching an exact path", rx("/v[0-9]/x"), ex("/v1/x"), true, true},
		{"the remainder of /api does not meet /api/v2", rem("/api"), pp("/api/v2"), false, false},
		{"different exact methods never meet", &match{path: pathMatch{kind: pathPrefix, value: "/"}, method: "GET"},
			&match{path: pathMatch{kind: pathPrefix, value: "/"}, method: "POST"}, false, false},
		{"a header prefix contains a longer exact value", withHeader(pp("/"), "x", val{valPrefix, "ab"}),
			withHeader(pp("/"), "x", val{valExact, "abc"}), true, true},
		{"different exact header values never meet", withHeader(pp("/"), "x", val{valExact, "a"}),
			withHeader(pp("/"), "x", val{valExact, "b"}), false, false},
		{"the remainder of Istio's /api contains PathPrefix /apis", rem("/api"), pp("/apis"), true, true},
		{"the remainder of Istio's /api contains the remainder of /apis", rem("/api"), rem("/apis"), true, true},
		{"the remainder of /api does not contain a regex that may start with /api/", rem("/api"), rx("/api.*"), true, false},
		{"regexes with different fixed starts never meet", rx("/items/[0-9]+"), rx("(?i)/reports/.*"), false, false},
		{"a case-insensitive start still meets the same letters", rx("/items/[0-9]+"), rx("(?i)/ITEMS/.*"), true, false},
		{"an anchored alternation is followed into its character class", rx("^(?:/a|/b)$"), rx("/c.*"), false, false},
		{"an alternation that shares a start with the other regex meets it", rx("^(?:/a|/c)$"), rx("/c.*"), true, false},
		{"a regex cannot meet a prefix it diverges from", rx("/v[0-9]+/x"), pp("/va"), false, false},
		{"header regexes with different fixed starts never meet", withHeader(pp("/"), "x", val{valRegex, "mobile-.*"}),
			withHeader(pp("/"), "x", val{valRegex, "desktop-[0-9]+"}), false, false},
		{"PathPrefix from a prefix ending in / does not contain the bare path", noBare(pp("/api")), ex("/api"), false, false},
		{"PathPrefix from a prefix ending in / lies within the plain PathPrefix", pp("/api"), noBare(pp("/api")), true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := overlaps(c.a, c.b); got != c.overlap {
				t.Errorf("overlaps = %v", got)
			}
			if got := overlaps(c.b, c.a); got != c.overlap {
				t.Errorf("overlaps (reversed) = %v", got)
			}
			if got := contains(c.a, c.b); got != c.contains {
				t.Errorf("contains = %v", got)
			}
		})
	}
}

func TestPrecedenceFollowsGatewayAPIAndIstio(t *testing.T) {
	pp := func(v string) *match { return &match{path: pathMatch{kind: pathPrefix, value: v}} }
	cases := []struct {
		name string
		a, b *match
		want int // sign
		dep  bool
	}{
		{"exact beats any prefix", &match{path: pathMatch{kind: pathExact, value: "/a"}}, pp("/a/b/c"), 1, false},
		{"the longer prefix wins", pp("/a/b"), pp("/a"), 1, false},
		{"a method beats headers", &match{path: pathMatch{kind: pathPrefix, value: "/"}, method: "GET"},
			&match{path: pathMatch{kind: pathPrefix, value: "/"}, headers: []kv{{"x", val{valExact, "1"}}}}, 1, false},
		{"Istio ranks a prefix above a regex; others may not", pp("/"), &match{path: pathMatch{kind: pathRegex, value: "/a.*"}}, 1, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, dep := comparePrec(c.a, c.b)
			if (got > 0) != (c.want > 0) || dep != c.dep {
				t.Errorf("comparePrec = %d, %v", got, dep)
			}
		})
	}
}
