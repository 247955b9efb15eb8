package gatewayapi

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// outRule is one Gateway API rule: its matches, and the action of the Istio rule it came from.
type outRule struct {
	idx     int // the Istio rule's index: rules with one idx share an action
	field   string
	name    string
	matches []*match
	a       *action
	policy  policy
	// prefixRewrite: this rule's single PathPrefix match has its prefix replaced.
	prefixRewrite bool
}

// appliesTo reports whether an Istio match is in force for the parent: its port (when the route
// is written per port) and its gateways (match.gateways overrides the VirtualService's).
func appliesTo(rs *model.RouteSet, gateways []string, port int32, pc pctx) bool {
	if port != 0 && pc.matchPort != 0 && port != pc.matchPort {
		return false
	}
	if len(gateways) == 0 {
		return true
	}
	for _, g := range gateways {
		if pc.mesh && g == "mesh" {
			return true
		}
		if !pc.mesh && g != "mesh" {
			ns, name := rs.Namespace, g
			if i := strings.IndexByte(g, '/'); i >= 0 {
				ns, name = g[:i], g[i+1:]
			}
			if ns == pc.gateway.Namespace && name == pc.gateway.Name {
				return true
			}
		}
	}
	return false
}

// buildHTTPRules turns a VirtualService's http rules into ordered Gateway API rules for one
// parent. It returns false when no route may be written for the parent (reported).
func (w *writer) buildHTTPRules(rs *model.RouteSet, pc pctx) ([]*outRule, bool) {
	o := rs.Origin
	var arules []*arule
	actions := map[int]*action{}
	type lost struct {
		idx int
		d   dropped
	}
	var losses []lost
	var rests []lostRest
	for i := range rs.HTTP {
		r := &rs.HTTP[i]
		var ms []*model.HTTPMatch
		for j := range r.Matches {
			if m := &r.Matches[j]; appliesTo(rs, m.Gateways, m.Port, pc) {
				ms = append(ms, m)
			}
		}
		if len(r.Matches) > 0 && len(ms) == 0 {
			continue // no match of this rule is in force here
		}
		a, ok := w.buildAction(o, r, pc)
		ar := &arule{idx: i, field: r.Field, fixedPath: a.rewritePath != nil}
		var drops []dropped
		if len(ms) == 0 {
			ar.matches = []*match{{path: pathMatch{kind: pathPrefix, value: "/"}, field: r.Field, istioPrefix: "/"}}
		}
		for _, m := range ms {
			conv, d := convertMatch(*m)
			if pc.kind == kindGRPC {
				var d2 []dropped
				var gone []*match
				conv, d2, gone = grpcAdapt(conv)
				d = append(d, d2...)
				for _, g := range gone {
					rests = append(rests, lostRest{i, g, "cannot be matched by GRPCRoute, which names whole services and methods"})
				}
			}
			ar.matches = append(ar.matches, conv...)
			drops = append(drops, d...)
		}
		for _, d := range drops {
			w.report(model.CodeGWMatchNotExpressible, o, d.field, "%s; the match was not written", d.reason)
		}
		if ok && a.rewritePath != nil {
			var gone []*match
			ar.matches, gone, ok = w.checkPrefixRewrite(o, r, ar.matches, *a.rewritePath)
			for _, g := range gone {
				rests = append(rests, lostRest{i, g, "cannot have their prefix rewritten in Gateway API"})
			}
		}
		if !ok {
			for _, m := range ar.matches {
				drops = append(drops, dropped{field: r.Field, reason: "rule not written", loose: m})
			}
			ar.matches = nil
		}
		for _, d := range drops {
			losses = append(losses, lost{i, d})
		}
		arules = append(arules, ar)
		actions[i] = a
	}

	// What Istio matched but cannot be written must not fall to a later rule.
	lostBy := map[int][]dropped{}
	for _, l := range losses {
		lostBy[l.idx] = append(lostBy[l.idx], l.d)
		for _, ar := range arules {
			if ar.idx <= l.idx {
				continue
			}
			for _, m := range ar.matches {
				if overlaps(l.d.loose, m) {
					w.report(model.CodeGWRouteNotWritten, o, rs.HTTP[l.idx].Field,
						"%s could not be written and %s would take its requests (%s); no %s was written for %s",
						l.d.field, ar.field, m.describe(), pc.kind, w.parentName(pc))
					return nil, false
				}
			}
		}
	}
	if pc.kind == kindHTTP {
		w.bareExact(o, arules, lostBy) // GRPCRoute service matches never take the bare path
	}

	kept := arules[:0]
	for _, ar := range arules {
		if len(ar.matches) > 0 {
			kept = append(kept, ar)
		}
	}
	if len(kept) == 0 {
		return nil, true
	}
	notes, lostOrder, ok := analyzeOrder(kept, w.p)
	for _, n := range notes {
		w.report(n.code, o, n.field, "%s", n.msg)
	}
	if !ok {
		return nil, false
	}
	w.reportLostRests(o, append(rests, lostOrder...), kept, actions)
	if w.p.exactTiesPrefix {
		kept = hoistEarly(kept)
	}

	var out []*outRule
	for _, ar := range kept {
		if len(ar.matches) == 0 {
			continue
		}
		a := actions[ar.idx]
		r := &rs.HTTP[ar.idx]
		var groups []*outRule
		if a.rewritePath != nil {
			var full *outRule
			for _, m := range ar.matches {
				if m.istioPrefix != "" {
					groups = append(groups, &outRule{matches: []*match{m}, prefixRewrite: true})
					continue
				}
				if full == nil {
					full = &outRule{}
					groups = append(groups, full)
				}
				full.matches = append(full.matches, m)
			}
		} else {
			groups = []*outRule{{matches: ar.matches}}
		}
		var split []*outRule
		for _, g := range groups {
			for len(g.matches) > 64 {
				split = append(split, &outRule{matches: g.matches[:64], prefixRewrite: g.prefixRewrite})
				g.matches = g.matches[64:]
			}
			split = append(split, g)
		}
		if len(split) > len(groups) {
			w.report(model.CodeGWRouteSplit, o, r.Field, "%d matches split over %d rules (Gateway API allows 64 per rule)", len(ar.matches), len(split))
		}
		for k, g := range split {
			g.idx, g.field, g.a, g.policy = ar.idx, r.Field, a, a.policy
			if r.Name != "" && w.p.ruleNames {
				g.name = r.Name
				if len(split) > 1 {
					g.name = r.Name + "-" + strconv.Itoa(k+1)
				}
			}
			out = append(out, g)
		}
	}
	if !w.p.ruleNames {
		for _, r := range rs.HTTP {
			if r.Name != "" {
				w.report(model.CodeGWRuleNameDropped, o, r.Field+".name", "rule name %q was not written", r.Name)
			}
		}
	}
	uniqueRuleNames(out)
	return out, true
}

// uniqueRuleNames makes rule names valid section names, unique within the route.
func uniqueRuleNames(rules []*outRule) {
	seen := map[string]bool{}
	for i, r := range rules {
		if r.name == "" {
			continue
		}
		n := emit.Name(r.name)
		if n == "" || seen[n] {
			n = emit.Name(r.name, strconv.Itoa(i+1))
		}
		seen[n] = true
		r.name = n
	}
}

// checkPrefixRewrite keeps the matches a rewrite can be written for, and returns the prefix
// remainders it had to leave out. Prefix matches need ReplacePrefixMatch, which works segment
// by segment and only with PathPrefix.
func (w *writer) checkPrefixRewrite(o model.Origin, r *model.HTTPRule, ms []*match, repl string) (out, gone []*match, ok bool) {
	for _, m := range ms {
		switch {
		case m.istioPrefix == "":
			out = append(out, m) // exact or regex match: the whole path is replaced
		case m.remainder:
			gone = append(gone, m)
		case m.path.kind != pathPrefix:
			w.report(model.CodeGWRewriteNotWritten, o, r.Rewrite.Field+".uri",
				"prefix %q had to be written as a regular expression, and Gateway API rewrites prefixes of PathPrefix matches only; rule not written", m.istioPrefix)
			return nil, nil, false
		default:
			switch why := prefixRewrite(m.istioPrefix, repl); why {
			case "":
				out = append(out, m)
			case "approx":
				w.report(model.CodeGWRewriteApproximated, o, r.Rewrite.Field+".uri",
					"prefix %q rewritten to %q: Istio keeps a doubled slash (%s/x becomes %s/x), Gateway API does not", m.istioPrefix, repl, m.istioPrefix, repl)
				out = append(out, m)
			default:
				w.report(model.CodeGWRewriteNotWritten, o, r.Rewrite.Field+".uri", "%s; rule not written", why)
				return nil, nil, false
			}
		}
	}
	return out, gone, true
}

// parentName renders a parent for messages.
func (w *writer) parentName(pc pctx) string {
	if pc.mesh {
		if pc.matchPort != 0 {
			return fmt.Sprintf("port %d of the Service", pc.matchPort)
		}
		return "the Service"
	}
	return "Gateway " + pc.gateway.Namespace + "/" + pc.gateway.Name
}
