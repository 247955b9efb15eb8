package gatewayapi

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/meshbridge/meshbridge/model"
)

// Istio tries a VirtualService's http rules in order and takes the first that matches. Gateway
// API takes the most specific match across all rules: Exact path, then the longest PathPrefix,
// then a method, then the most header matches, then the most query matches, and only then the
// first rule in list order. Regular expressions are ranked by each implementation; Istio ranks
// them below every PathPrefix, longest first, and so does this analysis (profile.regexRankKnown
// says whether the destination is known to agree).
//
// The rules are written in Istio order, so ties keep Istio's choice. A later match that an
// earlier one contains is dropped unless it ties with it: Istio never reaches it, and neither
// a higher rank nor a regex ranked by the mesh may revive it. For every other pair of
// overlapping matches from different rules where the later would win, analyzeOrder
//   - adds to the earlier rule a match for the overlap (the intersection of both), which is at
//     least as specific as the later match and so keeps the overlap where Istio sends it;
//   - otherwise, when the earlier match is a regular expression and the later a PathPrefix,
//     writes the later as the equivalent, shorter regular expression (Istio ranks longer
//     expressions first); for the regex remainder of an Istio prefix only where the mesh is
//     known to rank expressions as Istio does;
//   - otherwise drops the match if it is only the regex remainder of a prefix (the caller
//     reports where its paths go now);
//   - otherwise gives up: the route cannot keep Istio's order.
// It repeats until nothing changes.

// arule is one Istio rule's matches during the analysis.
type arule struct {
	idx     int
	field   string
	matches []*match
	// fixedPath: the rule rewrites the matched prefix, so added matches must keep their path.
	fixedPath bool
}

// orderNote is a finding of the analysis.
type orderNote struct {
	code  model.Code
	field string
	msg   string
}

// lostRest is the regex remainder of an Istio prefix that had to be dropped: the caller
// decides, on the final rules, whether its paths still reach the same destination.
type lostRest struct {
	idx int
	m   *match
	why string
}

const maxOrderSteps = 512

// analyzeOrder rewrites rules so that Gateway API precedence picks Istio's rule for every
// request, and reports what it did. It returns false when that is impossible.
func analyzeOrder(rules []*arule, p profile) ([]orderNote, []lostRest, bool) {
	var notes []orderNote
	var lost []lostRest
	for step := 0; ; step++ {
		if step == maxOrderSteps {
			return append(notes, orderNote{model.CodeGWOrderNotPreserved, rules[0].field,
				"keeping Istio's order needs more changes than meshbridge makes; route not written"}), lost, false
		}
		changed, ok, n, l := orderStep(rules, p)
		notes, lost = append(notes, n...), append(lost, l...)
		if !ok {
			return notes, lost, false
		}
		if !changed {
			break
		}
	}
	if !p.regexRankKnown {
		if f, ok := regexDependent(rules); ok {
			notes = append(notes, orderNote{model.CodeGWRegexPrecedence, f,
				"Istio's order holds only if the mesh ranks RegularExpression paths below PathPrefix and longer expressions first, as Istio does"})
		}
	}
	return notes, lost, true
}

// orderStep fixes the first pair that breaks Istio's order.
func orderStep(rules []*arule, p profile) (changed, ok bool, notes []orderNote, lost []lostRest) {
	for i, ri := range rules {
		for _, mi := range ri.matches {
			for _, rj := range rules[i+1:] {
				if rj.idx == ri.idx {
					continue
				}
				for _, mj := range rj.matches {
					if !overlaps(mi, mj) {
						continue
					}
					c, dep := comparePrec(mj, mi)
					if contains(mi, mj) && (c != 0 || dep) {
						// Istio never reaches mj; an equal rank keeps list order, any other
						// rank could revive it (a regex's rank is the mesh's choice).
						rj.matches = slices.DeleteFunc(rj.matches, func(m *match) bool { return m == mj })
						if mj.remainder || mj.added {
							return true, true, nil, nil
						}
						return true, true, []orderNote{{model.CodeGWRuleUnreachable, mj.field,
							fmt.Sprintf("every request this match accepts is taken by the earlier %s in Istio; dropped so that Gateway API precedence does not revive it", mi.field)}}, nil
					}
					if c <= 0 || covered(rules[:i+1], mi, mj) {
						continue
					}
					return fixPair(ri, mi, rj, mj, p)
				}
			}
		}
	}
	return false, true, nil, nil
}

// covered reports whether a match of the rules up to mi's already takes the requests mi and
// mj share, ahead of mj.
func covered(upTo []*arule, mi, mj *match) bool {
	x, ok := intersect(mi, mj)
	if !ok {
		return false
	}
	for _, r := range upTo {
		for _, m := range r.matches {
			if c, _ := comparePrec(m, mj); c >= 0 && contains(m, x) {
				return true
			}
		}
	}
	return false
}

func fixPair(ri *arule, mi *match, rj *arule, mj *match, p profile) (bool, bool, []orderNote, []lostRest) {
	if x, ok := intersect(mi, mj); ok && (!ri.fixedPath || x.path == mi.path) {
		if c, _ := comparePrec(x, mj); c >= 0 {
			x.field, x.added, x.istioPrefix = mi.field, true, mi.istioPrefix
			ri.matches = append(ri.matches, x)
			return true, true, []orderNote{{model.CodeGWOrderMatchAdded, mi.field,
				fmt.Sprintf("added a match for the requests it shares with the later, more specific %s (%s), so they keep Istio's destination", mj.field, x.describe())}}, nil
		}
	}
	if mi.path.kind == pathRegex && mj.path.kind == pathPrefix && !rj.fixedPath && (!mi.remainder || p.regexRankKnown) {
		// Istio ranks regular expressions below prefixes but longer ones first: the later
		// prefix, written as the equivalent expression, loses to the earlier, longer one.
		d := pathMatch{kind: pathRegex, value: regexp.QuoteMeta(mj.path.value) + "(/.*)?"}
		switch {
		case mj.path.value == "/":
			d.value = "/.*"
		case mj.path.noBare:
			d.value = regexp.QuoteMeta(mj.path.value) + "/.*"
		}
		if len(d.value) <= len(mi.path.value) {
			mj.path = d
			return true, true, nil, nil
		}
	}
	for _, d := range []struct {
		r *arule
		m *match
	}{{ri, mi}, {rj, mj}} {
		if d.m.remainder {
			d.r.matches = slices.DeleteFunc(d.r.matches, func(m *match) bool { return m == d.m })
			other := map[bool]string{true: mj.field, false: mi.field}[d.m == mi]
			return true, true, nil, []lostRest{{d.r.idx, d.m, "cannot keep Istio's order against " + other}}
		}
	}
	return false, false, []orderNote{{model.CodeGWOrderNotPreserved, mj.field,
		fmt.Sprintf("%s overlaps the earlier %s and would win by Gateway API precedence; the overlap cannot be written as a match of its own, so the route was not written", mj.field, mi.field)}}, nil
}

// regexDependent finds an overlapping pair of different rules whose winner depends on how
// regular expressions are ranked.
func regexDependent(rules []*arule) (string, bool) {
	for i, ri := range rules {
		for _, mi := range ri.matches {
			for _, rj := range rules[i+1:] {
				if rj.idx == ri.idx {
					continue
				}
				for _, mj := range rj.matches {
					if _, dep := comparePrec(mj, mi); dep && overlaps(mi, mj) {
						return mi.field, true
					}
				}
			}
		}
	}
	return "", false
}

// rank orders path match types as Istio's implementation does.
func rank(p pathMatch) int {
	switch p.kind {
	case pathExact:
		return 3
	case pathPrefix:
		return 2
	}
	return 1
}

// comparePrec compares the precedence of a and b (>0: a wins). dep reports that the answer
// depends on how regular expressions are ranked.
func comparePrec(a, b *match) (c int, dep bool) {
	ra, rb := rank(a.path), rank(b.path)
	regex := ra == 1 || rb == 1
	if ra != rb {
		return ra - rb, regex
	}
	if la, lb := len(a.path.value), len(b.path.value); a.path.kind != pathExact && la != lb {
		return la - lb, regex
	}
	if (a.method != "") != (b.method != "") {
		return map[bool]int{true: 1, false: -1}[a.method != ""], false
	}
	if len(a.headers) != len(b.headers) {
		return len(a.headers) - len(b.headers), false
	}
	return len(a.query) - len(b.query), false
}

// pathValues says whether path p surely matches s.
func pathMatches(p pathMatch, s string) bool {
	switch p.kind {
	case pathExact:
		return p.value == s
	case pathPrefix:
		return p.value == "/" || (s == p.value && !p.noBare) || strings.HasPrefix(s, p.value+"/")
	}
	re := fullRE(p.value)
	return re != nil && re.MatchString(s)
}

func regexLiteral(p pathMatch) (string, bool) {
	re := fullRE(p.value)
	if re == nil {
		return "", false
	}
	s, _ := re.LiteralPrefix()
	return s, true
}

// remainderOverlaps decides exactly whether the remainder of prefix r.rest (paths r.rest + c +
// anything, c not "/") shares a path with b.
func remainderOverlaps(r, b pathMatch) (overlap, known bool) {
	p := r.rest
	switch b.kind {
	case pathExact:
		e := b.value
		return strings.HasPrefix(e, p) && len(e) > len(p) && e[len(p)] != '/', true
	case pathPrefix:
		q := b.value
		switch {
		case q == "/" || strings.HasPrefix(p, q+"/"):
			return true, true
		case strings.HasPrefix(q, p):
			rest := q[len(p):]
			return rest != "" && rest[0] != '/', true
		}
		return false, true
	}
	if q := b.rest; q != "" {
		switch {
		case p == q:
			return true, true
		case strings.HasPrefix(q, p):
			return q[len(p)] != '/', true
		case strings.HasPrefix(p, q):
			return p[len(q)] != '/', true
		}
		return false, true
	}
	return false, false
}

// pathOverlaps reports whether some path may match both (true when unknown).
func pathOverlaps(a, b pathMatch) bool {
	if (a.kind == pathRegex || b.kind == pathRegex) && disjointPaths(a, b) {
		return false
	}
	if a.rest != "" {
		if o, ok := remainderOverlaps(a, b); ok {
			return o
		}
	}
	if b.rest != "" {
		if o, ok := remainderOverlaps(b, a); ok {
			return o
		}
	}
	switch {
	case a.kind == pathExact:
		return pathMatches(b, a.value) || (b.kind == pathRegex && fullRE(b.value) == nil)
	case b.kind == pathExact:
		return pathOverlaps(b, a)
	case a.kind == pathPrefix && b.kind == pathPrefix:
		return pathContains(a, b) || pathContains(b, a)
	case a.kind == pathRegex && b.kind == pathPrefix:
		return pathOverlaps(b, a)
	}
	la, oka := regexLiteral(b)
	if !oka {
		return true
	}
	if a.kind == pathPrefix {
		q := a.value
		return q == "/" || la == q || strings.HasPrefix(la, q+"/") || strings.HasPrefix(q, la)
	}
	lb, okb := regexLiteral(a)
	return !okb || strings.HasPrefix(la, lb) || strings.HasPrefix(lb, la)
}

// pathContains reports whether every path b matches is surely matched by a.
func pathContains(a, b pathMatch) bool {
	switch {
	case a.kind == pathPrefix && a.value == "/":
		return true
	case b.kind == pathExact:
		return pathMatches(a, b.value)
	case a == b:
		return true
	case a.kind == pathPrefix && b.kind == pathPrefix:
		return (a.value == b.value && !a.noBare) || strings.HasPrefix(b.value, a.value+"/")
	case a.kind == pathPrefix && b.kind == pathRegex:
		l, ok := regexLiteral(b)
		return ok && strings.HasPrefix(l, a.value+"/")
	case a.rest != "":
		// The remainder of Istio's string prefix: it holds every path that continues the
		// prefix's last segment (Istio's /api takes /apis and /apis/x).
		switch {
		case b.kind == pathPrefix:
			return continuesSegment(a.rest, b.value)
		case b.rest != "":
			return continuesSegment(a.rest, b.rest)
		}
		l, ok := regexLiteral(b)
		return ok && continuesSegment(a.rest, l)
	}
	return false
}

// continuesSegment reports whether s starts with prefix p and goes on in p's last segment.
func continuesSegment(p, s string) bool {
	return len(s) > len(p) && strings.HasPrefix(s, p) && s[len(p)] != '/'
}

func kvFind(list []kv, name string) (val, bool) {
	for _, e := range list {
		if e.name == name {
			return e.val, true
		}
	}
	return val{}, false
}

func kvOverlap(a, b []kv) bool {
	for _, e := range a {
		if v, ok := kvFind(b, e.name); ok && !overlapVal(e.val, v) {
			return false
		}
	}
	return true
}

func kvContains(a, b []kv) bool {
	for _, e := range a {
		if v, ok := kvFind(b, e.name); !ok || !containsVal(e.val, v) {
			return false
		}
	}
	return true
}

func kvIntersect(a, b []kv) ([]kv, bool) {
	m := map[string]val{}
	for _, e := range a {
		m[e.name] = e.val
	}
	for _, e := range b {
		if old, ok := m[e.name]; ok {
			v, ok := intersectVal(old, e.val)
			if !ok {
				return nil, false
			}
			m[e.name] = v
			continue
		}
		m[e.name] = e.val
	}
	out := sortedKV(m)
	return out, len(out) <= 16
}

// overlaps reports whether some request may match both a and b.
func overlaps(a, b *match) bool {
	if a.method != "" && b.method != "" && a.method != b.method {
		return false
	}
	return pathOverlaps(a.path, b.path) && kvOverlap(a.headers, b.headers) && kvOverlap(a.query, b.query)
}

// contains reports whether every request b matches surely matches a.
func contains(a, b *match) bool {
	return (a.method == "" || a.method == b.method) && pathContains(a.path, b.path) &&
		kvContains(a.headers, b.headers) && kvContains(a.query, b.query)
}

// intersect returns a match for exactly the requests both match, when one match can say it.
func intersect(a, b *match) (*match, bool) {
	x := &match{}
	switch {
	case pathContains(a.path, b.path):
		x.path = b.path
	case pathContains(b.path, a.path):
		x.path = a.path
	default:
		return nil, false
	}
	x.method = cmpOr(a.method, b.method)
	var ok bool
	if x.headers, ok = kvIntersect(a.headers, b.headers); !ok {
		return nil, false
	}
	if x.query, ok = kvIntersect(a.query, b.query); !ok {
		return nil, false
	}
	return x, true
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// key identifies what a match matches.
func (m *match) key() string {
	return fmt.Sprintf("%d|%s|%s|%v|%v", m.path.kind, m.path.value, m.method, m.headers, m.query)
}

// describe renders a match for messages.
func (m *match) describe() string {
	parts := []string{[]string{"PathPrefix", "Exact", "RegularExpression"}[m.path.kind] + " " + m.path.value}
	if m.method != "" {
		parts = append(parts, "method "+m.method)
	}
	for _, h := range m.headers {
		parts = append(parts, "header "+h.name)
	}
	for _, q := range m.query {
		parts = append(parts, "query "+q.name)
	}
	return strings.Join(parts, ", ")
}
