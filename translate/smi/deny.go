package smi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshbridge/meshbridge/model"
)

// SMI has no deny. A DENY policy is written by removing what it denies from the grants of the
// same destination ("folding"). A CUSTOM policy may deny whatever it sends to its external
// authorizer, so it is folded the same way.
//
// Folding must never leave a request allowed that the DENY denies, so every approximation
// errs on the side of denying more: conditions SMI cannot check are taken to match, and where
// the complement of what is denied cannot be written (paths, headers) the overlapping allowed
// requests are dropped.

// denyRule is one rule of a DENY or CUSTOM policy, as far as SMI can see it.
type denyRule struct {
	field string
	// sources reports whether the rule's sources and source conditions match an account. They
	// are kept (froms, conds, in policyNS) to find the accounts they can match (accounts.go);
	// outside is what sources decides for every other account.
	sources  func(sa) bool
	froms    []model.Source
	conds    []model.Condition
	policyNS string
	outside  bool
	// ops are ORed; a rule with no `to` has one op that matches everything.
	ops []denyOp
	// approx names the conditions taken to match because SMI cannot check them.
	approx []string
	// anonymous is set when the rule also matches callers without a peer identity, as every
	// caller is on a port that takes plain text (mtls.go).
	anonymous bool
}

// denyOp is one denied operation: ports AND methods AND other HTTP conditions.
type denyOp struct {
	ports   []int32  // nil: any
	methods []string // nil: any; else SMI methods
	// other is set when the operation also has HTTP conditions whose complement SMI cannot write
	// (paths, hosts, headers). On TCP traffic Istio ignores them, so the operation denies more.
	other bool
}

func (w *writer) denyRules(p *model.AccessPolicy, d destination) []denyRule {
	var out []denyRule
	for _, r := range p.Rules {
		dr := denyRule{field: r.Field}
		var sourceConds []model.Condition
		var portsCond []int32
		otherCond := false
		for _, c := range r.When {
			if _, isHeader := headerKey(c.Key); isHeader {
				otherCond = true
				continue
			}
			switch c.Key {
			case "destination.port":
				ports, bad := parsePorts(c.Values)
				notPorts, badNot := parsePorts(c.NotValues)
				if bad != "" || badNot != "" {
					dr.approx = append(dr.approx, c.Key)
					continue
				}
				if len(c.Values) > 0 {
					portsCond = intersectPorts(portsCond, ports)
				}
				if len(notPorts) > 0 {
					portsCond = minusPorts(portsCond, notPorts, d.ports)
				}
			case "source.namespace", "source.principal", "source.serviceAccount", "source.trustDomain":
				sourceConds = append(sourceConds, c)
			default:
				dr.approx = append(dr.approx, c.Key)
			}
		}

		froms := r.From
		if len(froms) == 0 {
			froms = []model.Source{{}}
		}
		for _, src := range froms {
			dr.approx = append(dr.approx, unsupportedSource(src)...)
		}
		dr.anonymous = !slices.ContainsFunc(sourceConds, func(c model.Condition) bool { return len(c.Values) > 0 }) &&
			slices.ContainsFunc(froms, mayBeUnauthenticated)
		policyNS := p.Namespace
		dr.froms, dr.conds, dr.policyNS = froms, sourceConds, policyNS
		dr.outside = outsideMatches(w.snap.TrustDomain, froms, sourceConds)
		dr.sources = func(s sa) bool {
			if !w.conditionsMatch(sourceConds, policyNS, s) {
				return false
			}
			for _, src := range froms {
				if w.identityMatches(src, policyNS, s) {
					return true
				}
			}
			return false
		}

		ops := r.To
		if len(ops) == 0 {
			ops = []model.Operation{{}}
		}
		for _, op := range ops {
			dop, ok := denyOperation(op, d)
			if !ok {
				dr.approx = append(dr.approx, "an invalid port")
				dop = denyOp{}
			}
			dop.ports = intersectPorts(dop.ports, portsCond)
			if dop.ports != nil && len(dop.ports) == 0 {
				continue
			}
			dop.other = dop.other || otherCond
			dr.ops = append(dr.ops, dop)
		}
		out = append(out, dr)
	}
	return out
}

// denyOperation reads one denied operation; ok is false when a port does not parse (the caller
// then denies every port).
func denyOperation(op model.Operation, d destination) (denyOp, bool) {
	var dop denyOp
	ports, bad := parsePorts(op.Ports)
	notPorts, badNot := parsePorts(op.NotPorts)
	if bad != "" || badNot != "" {
		return denyOp{}, false
	}
	if len(op.Ports) > 0 {
		dop.ports = ports
	}
	if len(notPorts) > 0 {
		dop.ports = minusPorts(dop.ports, notPorts, d.ports)
	}
	if len(op.Methods) > 0 {
		dop.methods, _ = resolveMethods(op.Methods)
	}
	if len(op.NotMethods) > 0 {
		excluded, _ := resolveMethods(op.NotMethods)
		if excluded == nil {
			excluded = smiMethods
		}
		dop.methods = minusMethods(dop.methods, excluded)
	}
	dop.other = len(op.Paths)+len(op.NotPaths)+len(op.Hosts)+len(op.NotHosts) > 0
	return dop, true
}

// fold removes from g what the deny policies deny at d. allow is the policy g came from (nil for
// the default allow).
func (w *writer) fold(allow *model.AccessPolicy, g grant, denies []*scopedPolicy, d destination) grant {
	g, _ = w.foldRules(allow, g, nil, denies, w.destinationDenyRules(denies, d), d)
	return g
}

// destinationDenyRules returns the rules of each deny policy at d.
func (w *writer) destinationDenyRules(denies []*scopedPolicy, d destination) [][]denyRule {
	rules := make([][]denyRule, len(denies))
	for i, sp := range denies {
		rules[i] = w.denyRules(sp.p, d)
	}
	return rules
}

// foldRules is fold with the rules of each deny policy given. others, when not nil, are the
// clauses of every account besides g's that no rule's identity values reach (accounts.go): they
// fold alike, so they are folded once, each rule deciding its sources by outside. It returns
// what is left of g and of others (nil when nothing is).
func (w *writer) foldRules(allow *model.AccessPolicy, g grant, others []clause, denies []*scopedPolicy,
	rules [][]denyRule, d destination) (grant, []clause) {
	target := "the default allow"
	if allow != nil {
		target = fmt.Sprintf("what %s %s/%s allows", allow.Origin.Object.Kind, allow.Namespace, allow.Name)
	}
	for i, sp := range denies {
		for _, dr := range rules[i] {
			var f folding
			for s, cs := range g {
				if out, touched := f.apply(dr, dr.sources(s), cs, d); touched {
					if out == nil {
						delete(g, s)
					} else {
						g[s] = out
					}
				}
			}
			if others != nil {
				if out, touched := f.apply(dr, dr.outside, others, d); touched {
					others = out
				}
			}
			if f.changed {
				w.reportFold(sp.p, dr, target, d, f.inexact, f.plain)
			}
		}
	}
	return g, others
}

// folding is what folding one deny rule did, over every account: whether it removed anything,
// more than the rule denies, or something on plain-text ports.
type folding struct{ changed, inexact, plain bool }

// apply folds dr into the clauses of one account, which its sources match (byIdentity) or not.
// touched is false when the rule does not concern the account; out is normalized, nil when
// nothing is left.
func (f *folding) apply(dr denyRule, byIdentity bool, cs []clause, d destination) (out []clause, touched bool) {
	if !byIdentity && !(dr.anonymous && d.hasPlain()) {
		return cs, false
	}
	for _, op := range dr.ops {
		var c, x bool
		if byIdentity {
			// On plain-text ports Istio cannot match the rule's sources; SMI denies there too.
			f.plain = f.plain || !dr.anonymous && touchesPlain(cs, op, d)
			cs, c, x = subtractAll(cs, op, d.ports)
		} else {
			cs, c, x = subtractOnPlain(cs, op, d)
		}
		f.changed, f.inexact = f.changed || c, f.inexact || x
	}
	if len(cs) == 0 {
		return nil, true
	}
	return normalize(cs), true
}

// denyReach returns the accounts that an identity value of some rule may match, sorted and
// unique; ok is false when that may be any account.
func (w *writer) denyReach(rules [][]denyRule) (out []sa, ok bool) {
	for _, policy := range rules {
		for _, dr := range policy {
			got, ok := w.accounts().reach(dr.froms, dr.conds, dr.policyNS)
			if !ok {
				return nil, false
			}
			out = append(out, got...)
		}
	}
	return sortAccounts(out), true
}

func (w *writer) reportFold(p *model.AccessPolicy, dr denyRule, target string, d destination, inexact, plain bool) {
	var why []string
	if inexact {
		why = append(why, "the complement of its paths, hosts or headers cannot be written")
	}
	if plain {
		why = append(why, "its sources need a peer identity, which callers do not have on the ports where "+
			"PeerAuthentication disables mutual TLS, but SMI cannot tell those callers apart")
	}
	if len(dr.approx) > 0 {
		why = append(why, "SMI cannot check "+strings.Join(dr.approx, ", ")+", taken to match")
	}
	switch {
	case p.Action == model.Custom:
		w.report(model.CodeSMICustomAsDeny, p.Origin, dr.field,
			"treated as a DENY: removed from %s to service account %s", target, d.account)
	case len(why) > 0:
		w.report(model.CodeSMIDenyNarrowed, p.Origin, dr.field,
			"removed from %s to service account %s, denying more than Istio: %s", target, d.account, strings.Join(why, "; "))
	default:
		w.report(model.CodeSMIDenyFolded, p.Origin, dr.field,
			"removed from %s to service account %s", target, d.account)
	}
}

// subtractOnPlain removes op from every clause on the ports of d that take plain text only: there
// a rule whose sources match callers without identity matches every caller.
func subtractOnPlain(cs []clause, op denyOp, d destination) (out []clause, changed, inexact bool) {
	if !d.plainElsewhere {
		op.ports = intersectPorts(op.ports, d.plain)
		if len(op.ports) == 0 {
			return cs, false, false
		}
		return subtractAll(cs, op, d.ports)
	}
	// Every port but mtlsPorts is plain: c minus (op on plain ports) is (c minus op) or (c on
	// mtlsPorts).
	for _, c := range cs {
		if c.ports != nil && len(minusPorts(c.ports, d.mtlsPorts, nil)) == 0 {
			out = append(out, c)
			continue
		}
		got, ch, x := subtract(c, op, d.ports)
		if !ch {
			out = append(out, c)
			continue
		}
		out = append(out, got...)
		if kept := intersectPorts(c.ports, d.mtlsPorts); len(kept) > 0 {
			c.ports = kept
			out = append(out, c)
		}
		changed, inexact = true, inexact || x
	}
	return out, changed, inexact
}

// touchesPlain reports whether op, on some clause, covers a port of d that takes plain text.
func touchesPlain(cs []clause, op denyOp, d destination) bool {
	for _, c := range cs {
		ports := intersectPorts(c.ports, op.ports)
		switch {
		case ports != nil && len(ports) == 0:
		case ports == nil && d.hasPlain():
			return true
		case len(d.plain) > 0 && len(intersectPorts(ports, d.plain)) > 0:
			return true
		case d.plainElsewhere && len(minusPorts(ports, d.mtlsPorts, nil)) > 0:
			return true
		}
	}
	return false
}

// subtractAll removes op from every clause; changed says whether anything was removed, inexact
// whether more was removed than op denies.
func subtractAll(cs []clause, op denyOp, declared []int32) (out []clause, changed, inexact bool) {
	for _, c := range cs {
		got, ch, x := subtract(c, op, declared)
		out = append(out, got...)
		changed, inexact = changed || ch, inexact || x
	}
	return out, changed, inexact
}

func subtract(c clause, op denyOp, declared []int32) (out []clause, changed, inexact bool) {
	switch c.kind {
	case kindTCP:
		return subtractTCP(c, op, declared)
	case kindHTTP:
		return subtractHTTP(c, op, declared)
	}
	tcp, tcpChanged, _ := subtractTCP(clause{kind: kindTCP, ports: c.ports, field: c.field}, op, declared)
	http, httpChanged, x := subtractHTTP(clause{kind: kindHTTP, ports: c.ports, field: c.field}, op, declared)
	if !tcpChanged && !httpChanged {
		return []clause{c}, false, false
	}
	return append(tcp, http...), true, x
}

// subtractTCP: on TCP traffic Istio ignores a DENY's HTTP conditions, so only ports count.
func subtractTCP(c clause, op denyOp, declared []int32) ([]clause, bool, bool) {
	if disjointPorts(c.ports, op.ports) {
		return []clause{c}, false, false
	}
	rest := minusPorts(c.ports, op.ports, declared)
	if len(rest) == 0 {
		return nil, true, false
	}
	return []clause{{kind: kindTCP, ports: rest, field: c.field}}, true, false
}

// subtractHTTP writes c minus (ports AND methods AND other) as (c on other ports) OR (c on those
// ports with other methods); the third term, c with the other conditions negated, cannot be
// written and is dropped.
func subtractHTTP(c clause, op denyOp, declared []int32) (out []clause, changed, inexact bool) {
	if disjointPorts(c.ports, op.ports) || disjointMethods(c.match.methods, op.methods) {
		return []clause{c}, false, false
	}
	if op.ports != nil {
		if rest := minusPorts(c.ports, op.ports, declared); len(rest) > 0 {
			out = append(out, clause{kind: kindHTTP, ports: rest, match: c.match, field: c.field})
		}
	}
	if op.methods != nil {
		if rest := minusMethods(c.match.methods, op.methods); len(rest) > 0 {
			m := c.match
			m.methods = rest
			out = append(out, clause{kind: kindHTTP, ports: intersectPorts(c.ports, op.ports), match: m, field: c.field})
		}
	}
	return out, true, op.other
}
