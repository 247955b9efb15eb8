package gatewayapi

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/meshbridge/meshbridge/model"
)

// Istio's uri prefix is a string prefix; Gateway API's PathPrefix matches whole segments and
// ignores a trailing slash. Two kinds of paths therefore need care beyond the order analysis:
//
//   - the bare path of a prefix ending in "/": Istio's /api/ does not match /api, PathPrefix /api
//     does. bareExact adds an Exact /api match (with the same method, headers and query) to the
//     rule Istio sends /api to, and to each earlier rule that takes part of those requests first
//     (with that rule's conditions too); Exact outranks every PathPrefix (where the mesh ranks
//     them alike, hoistEarly writes the exact match in a rule ahead of the prefix's), so /api
//     keeps its destination. When that cannot be done (Istio matches no rule for some of the requests, a
//     rule takes a part no single match can say, or could not be written, or rewrites a prefix),
//     /api now reaches the prefix's rule: an Error (MB4047).
//   - paths that continue a prefix's last segment (/apis for Istio's /api): they get a regular
//     expression of their own (the remainder), which may have to be dropped (precedence, prefix
//     rewrite, GRPCRoute). reportLostRests looks at where those paths go in the written route:
//     to a rule that routes them exactly as the prefix's rule does (a Warning, MB4012), or
//     elsewhere, or nowhere (an Error, MB4045).

// bareExact gives the bare path of every PathPrefix written for an Istio prefix ending in "/"
// the rules Istio sends it to, and reports what it could not. lostBy holds, per rule, the
// matches that could not be written.
func (w *writer) bareExact(o model.Origin, rules []*arule, lostBy map[int][]dropped) {
	for i, ar := range rules {
		for _, m := range ar.matches {
			if !m.path.noBare || m.added || unreachable(rules[:i], m) {
				continue
			}
			e := &match{path: pathMatch{kind: pathExact, value: m.path.value}, method: m.method, headers: m.headers, query: m.query}
			adds, why := istioRulesFor(rules, lostBy, ar, e)
			var to []string
			for _, a := range adds {
				if place(a.r, a.m) {
					to = append(to, a.r.field)
				}
			}
			bare := m.path.value
			switch {
			case why != "":
				w.report(model.CodeGWBarePathMisrouted, o, m.field+".uri",
					"Istio's prefix %q does not match %s itself, but PathPrefix %s does, so requests to %s now reach this rule: %s",
					bare+"/", bare, bare, bare, why)
			case len(to) == 1:
				w.report(model.CodeGWBarePathAdded, o, m.field+".uri",
					"Istio's prefix %q does not match %s itself, which PathPrefix %s does; an Exact %s match was added to %s, the rule Istio sends it to",
					bare+"/", bare, bare, bare, to[0])
			case len(to) > 1:
				w.report(model.CodeGWBarePathAdded, o, m.field+".uri",
					"Istio's prefix %q does not match %s itself, which PathPrefix %s does; Exact %s matches with each rule's conditions were added to %s, the rules Istio sends it to",
					bare+"/", bare, bare, bare, strings.Join(to, ", "))
			}
		}
	}
}

// placed is a match to add to a rule.
type placed struct {
	r *arule
	m *match
}

// istioRulesFor follows the requests of e (a bare path) through the rules in Istio's order: the
// part each rule takes first becomes an Exact match of that rule (none for self, whose PathPrefix
// already takes it), until a rule takes all that is left. why says what could not be placed.
func istioRulesFor(rules []*arule, lostBy map[int][]dropped, self *arule, e *match) (adds []placed, why string) {
	add := func(r *arule, from, x *match) {
		if r != self {
			x.field, x.added, x.istioPrefix = from.field, true, ""
			x.early, x.beforeIdx = r.idx > self.idx, self.idx
			adds = append(adds, placed{r, x})
		}
	}
	for _, r := range rules {
		for _, d := range lostBy[r.idx] {
			if overlaps(d.loose, e) {
				return adds, fmt.Sprintf("Istio may send them to %s, which could not be written", d.field)
			}
		}
		for _, mk := range r.matches {
			if !overlaps(mk, e) {
				continue
			}
			if r != self && r.fixedPath && mk.istioPrefix != "" {
				return adds, fmt.Sprintf("Istio sends them to %s, whose prefix rewrite cannot be applied to an exact match", mk.field)
			}
			if contains(mk, e) {
				x := *e
				add(r, mk, &x)
				return adds, ""
			}
			x, ok := intersect(mk, e)
			if !ok {
				return adds, fmt.Sprintf("Istio sends some of them to %s, and no single match can say which", mk.field)
			}
			add(r, mk, x)
		}
	}
	if len(adds) > 0 {
		return adds, "Istio matches no rule for the rest of them (404)"
	}
	return adds, "Istio matches no rule for them (404)"
}

// unreachable reports whether a match of an earlier rule takes every request of m.
func unreachable(earlier []*arule, m *match) bool {
	for _, r := range earlier {
		for _, x := range r.matches {
			if contains(x, m) {
				return true
			}
		}
	}
	return false
}

// place adds x to r, unless r already has that match; an existing one takes x's need to be
// written early. It reports whether x was added.
func place(r *arule, x *match) bool {
	for _, y := range r.matches {
		if y.key() == x.key() {
			if x.early && (!y.early || x.beforeIdx < y.beforeIdx) {
				y.early, y.beforeIdx = true, x.beforeIdx
			}
			return false
		}
	}
	r.matches = append(r.matches, x)
	return true
}

// hoistEarly returns the rules in output order: where Exact and PathPrefix tie, the Exact
// matches for a prefix's bare path go in a rule of their own (with their rule's action) ahead
// of the prefix's rule.
func hoistEarly(rules []*arule) []*arule {
	present := map[int]bool{}
	for _, r := range rules {
		present[r.idx] = true
	}
	hoisted := map[int][]*arule{}
	for _, r := range rules {
		var own []*match
		for _, m := range r.matches {
			if !m.early || !present[m.beforeIdx] {
				own = append(own, m)
				continue
			}
			list := hoisted[m.beforeIdx]
			if n := len(list); n > 0 && list[n-1].idx == r.idx {
				list[n-1].matches = append(list[n-1].matches, m)
				continue
			}
			hoisted[m.beforeIdx] = append(list, &arule{idx: r.idx, field: r.field, matches: []*match{m}, fixedPath: r.fixedPath})
		}
		r.matches = own
	}
	var out []*arule
	for _, r := range rules {
		out = append(append(out, hoisted[r.idx]...), r)
	}
	return out
}

// reportLostRests reports each dropped prefix remainder by where its paths go in the written
// rules: taken only by rules that route as its own does (MB4012), or elsewhere (MB4045).
func (w *writer) reportLostRests(o model.Origin, lost []lostRest, rules []*arule, actions map[int]*action) {
	for _, l := range lost {
		var other *match
		covered := false
		for _, r := range rules {
			for _, m := range r.matches {
				if !overlaps(l.m, m) {
					continue
				}
				// Earlier rules take what Istio gives them too; later ones may take too much.
				if other == nil && r.idx > l.idx && !sameAction(actions[r.idx], actions[l.idx]) {
					other = m
				}
				covered = covered || contains(m, l.m)
			}
		}
		what := fmt.Sprintf("paths that continue the last segment of prefix %q (%s) %s and were dropped", l.m.path.rest, l.m.path.value, l.why)
		field := l.m.field + ".uri"
		switch {
		case other != nil:
			w.report(model.CodeGWPrefixRestMisrouted, o, field, "%s: they now reach %s (%s) instead of this rule's destination", what, other.field, other.describe())
		case !covered:
			w.report(model.CodeGWPrefixRestMisrouted, o, field, "%s: no rule takes all of them now, so some get 404 instead of this rule's destination", what)
		default:
			w.report(model.CodeGWPrefixNotSegment, o, field, "%s; the rules that take them now route them as this rule does", what)
		}
	}
}

// sameAction reports whether two rules send a request to the same destinations with the same
// filters, timeouts and retries. A path rewrite depends on the match, so it never compares equal.
func sameAction(a, b *action) bool {
	if a == b {
		return true
	}
	if a.rewritePath != nil || b.rewritePath != nil {
		return false
	}
	return reflect.DeepEqual(
		[]any{a.backends, a.redirect, a.reqHeaders, a.respHeaders, a.mirrors, a.cors, a.rewriteHost, a.policy},
		[]any{b.backends, b.redirect, b.reqHeaders, b.respHeaders, b.mirrors, b.cors, b.rewriteHost, b.policy})
}
