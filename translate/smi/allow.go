package smi

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/meshbridge/meshbridge/model"
)

// An ALLOW rule matches when one of its sources, one of its operations and all of its conditions
// match. allowGrant turns each rule into clauses for the service accounts its sources name. What
// SMI cannot express is left out, making the grant narrower, never wider, and reported.

// conds is what a rule's `when` list adds: ANDed with every operation and source.
type conds struct {
	headers []header
	ports   []int32 // nil: any
	source  []model.Condition
}

func (w *writer) allowGrant(p *model.AccessPolicy, d destination) grant {
	g := grant{}
	for _, r := range p.Rules {
		c, ok := w.allowConditions(p, r, d)
		if !ok {
			continue
		}
		clauses := w.allowOperations(p, r, d, c)
		if len(clauses) == 0 {
			continue
		}
		named, anyone := w.allowSources(p, r, d, c)
		for _, s := range anyone {
			g.add(s, clauses...)
		}
		if len(named) == 0 {
			continue
		}
		if narrowed := w.identityClauses(p, r, d, clauses); len(narrowed) > 0 {
			for _, s := range named {
				g.add(s, narrowed...)
			}
		}
	}
	return g
}

// identityClauses limits clauses to the ports on which callers have a peer identity: on a port
// where PeerAuthentication disables mutual TLS, a source that needs an identity never matches.
func (w *writer) identityClauses(p *model.AccessPolicy, r model.AccessRule, d destination, clauses []clause) []clause {
	ports := d.identityPorts()
	if ports == nil {
		return clauses
	}
	var out []clause
	for _, c := range clauses {
		c.ports = intersectPorts(c.ports, ports)
		out = append(out, c)
	}
	out = normalize(out)
	if clausesKey(out) == clausesKey(normalize(slices.Clone(clauses))) {
		return out
	}
	plain := fmt.Sprint(d.plain)
	if d.plainElsewhere {
		plain = fmt.Sprintf("every port but %v", d.mtlsPorts)
	}
	if len(out) == 0 {
		w.report(model.CodeSMIPlainTextPorts, p.Origin, r.Field,
			"service account %s takes plain text on %s (PeerAuthentication DISABLE), where Istio sees no peer "+
				"identity and the rule's sources never match; it matches on no port the workloads declare "+
				"with mutual TLS and was not written", d.account, plain)
		return nil
	}
	var kept [][]int32
	for _, c := range out {
		kept = append(kept, c.ports)
	}
	w.report(model.CodeSMIPlainTextPorts, p.Origin, r.Field,
		"service account %s takes plain text on %s (PeerAuthentication DISABLE), where Istio sees no peer "+
			"identity and the rule's sources never match; written for ports %v only", d.account, plain, portUnion(kept))
	return out
}

// portUnion is the sorted union of port lists, none of them nil.
func portUnion(lists [][]int32) []int32 {
	var out []int32
	for _, l := range lists {
		out = append(out, l...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// allowConditions reads a rule's `when` list; ok is false when the rule cannot be written.
func (w *writer) allowConditions(p *model.AccessPolicy, r model.AccessRule, d destination) (c conds, ok bool) {
	for _, cond := range r.When {
		field := cond.Field
		if name, isHeader := headerKey(cond.Key); isHeader {
			switch {
			case len(cond.NotValues) > 0:
				w.report(model.CodeSMIConditionNotExpressible, p.Origin, field,
					"notValues on %s cannot be expressed by HTTPRouteGroup; the rule was not written", cond.Key)
				return conds{}, false
			case name == "host" || strings.HasPrefix(name, ":"):
				w.report(model.CodeSMIConditionNotExpressible, p.Origin, field,
					"%s cannot be matched by every SMI consumer; the rule was not written", cond.Key)
				return conds{}, false
			case slices.ContainsFunc(c.headers, func(h header) bool { return h.name == name }):
				w.report(model.CodeSMIConditionNotExpressible, p.Origin, field,
					"%s is conditioned twice; an HTTPRouteGroup match holds one regex per header; the rule was not written", cond.Key)
				return conds{}, false
			}
			c.headers = append(c.headers, header{name: name, regex: headerRegex(cond.Values)})
			continue
		}
		switch cond.Key {
		case "destination.port":
			ports, bad := parsePorts(cond.Values)
			notPorts, badNot := parsePorts(cond.NotValues)
			if bad != "" || badNot != "" {
				w.report(model.CodeSMIConditionNotExpressible, p.Origin, field, "invalid port %q; the rule was not written", bad+badNot)
				return conds{}, false
			}
			if len(cond.Values) > 0 {
				c.ports = intersectPorts(c.ports, ports)
			}
			if len(notPorts) > 0 {
				c.ports = minusPorts(c.ports, notPorts, d.ports)
				w.report(model.CodeSMINegationExpanded, p.Origin, field,
					"destination.port notValues written as the declared ports %v minus %v", d.ports, notPorts)
			}
		case "source.namespace", "source.principal", "source.serviceAccount", "source.trustDomain":
			c.source = append(c.source, cond)
		default:
			w.report(model.CodeSMIConditionNotExpressible, p.Origin, field,
				"SMI cannot check %s; the rule was not written", cond.Key)
			return conds{}, false
		}
	}
	slices.SortFunc(c.headers, func(a, b header) int { return strings.Compare(a.name, b.name) })
	return c, true
}

// headerKey returns the lower-cased header name of a request.headers[...] key.
func headerKey(key string) (string, bool) {
	inner, ok := strings.CutPrefix(key, "request.headers[")
	if !ok || !strings.HasSuffix(inner, "]") {
		return "", false
	}
	return strings.ToLower(strings.TrimSuffix(inner, "]")), true
}

func parsePorts(values []string) (ports []int32, bad string) {
	ports = []int32{}
	for _, v := range values {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n < 1 || n > 65535 {
			return nil, v
		}
		ports = append(ports, int32(n))
	}
	slices.Sort(ports)
	return slices.Compact(ports), ""
}

// allowOperations turns a rule's `to` list into clauses, ANDed with its conditions.
func (w *writer) allowOperations(p *model.AccessPolicy, r model.AccessRule, d destination, c conds) []clause {
	var out []clause
	ops := r.To
	if len(ops) == 0 {
		ops = []model.Operation{{Field: r.Field}}
	}
	for _, op := range ops {
		for _, cl := range w.allowOperation(p, op, d) {
			cl.ports = intersectPorts(cl.ports, c.ports)
			if cl.ports != nil && len(cl.ports) == 0 {
				continue // the rule cannot match: its ports and conditions exclude each other
			}
			if len(c.headers) > 0 {
				cl.kind = kindHTTP
				cl.match.headers = c.headers
			}
			out = append(out, cl)
		}
	}
	return out
}

func (w *writer) allowOperation(p *model.AccessPolicy, op model.Operation, d destination) []clause {
	for _, f := range []struct {
		name string
		v    []string
	}{{"hosts", op.Hosts}, {"notHosts", op.NotHosts}, {"notPaths", op.NotPaths}} {
		if len(f.v) > 0 {
			w.report(model.CodeSMIOperationNotExpressible, p.Origin, op.Field,
				"%s cannot be expressed by HTTPRouteGroup; the operation was not written", f.name)
			return nil
		}
	}
	ports, bad := parsePorts(op.Ports)
	notPorts, badNot := parsePorts(op.NotPorts)
	if bad != "" || badNot != "" {
		w.report(model.CodeSMIOperationNotExpressible, p.Origin, op.Field, "invalid port %q; the operation was not written", bad+badNot)
		return nil
	}
	if len(op.Ports) == 0 {
		ports = nil
	}
	if len(notPorts) > 0 {
		ports = minusPorts(ports, notPorts, d.ports)
		w.report(model.CodeSMINegationExpanded, p.Origin, op.Field+".notPorts",
			"notPorts written as the declared ports %v minus %v", d.ports, notPorts)
	}
	if ports != nil && len(ports) == 0 {
		return nil
	}

	var methods []string
	if len(op.Methods) > 0 {
		var outside []string
		methods, outside = resolveMethods(op.Methods)
		if len(outside) > 0 {
			w.report(model.CodeSMIOperationNotExpressible, p.Origin, op.Field+".methods",
				"methods %q may name methods outside SMI's list, which are not allowed", outside)
		}
		if methods != nil && len(methods) == 0 {
			return nil
		}
	}
	if len(op.NotMethods) > 0 {
		denied, _ := resolveMethods(op.NotMethods)
		if denied == nil { // notMethods ["*"]: no method
			return nil
		}
		methods = minusMethods(methods, denied)
		w.report(model.CodeSMINegationExpanded, p.Origin, op.Field+".notMethods",
			"notMethods written as SMI's methods minus %v", denied)
		if len(methods) == 0 {
			return nil
		}
	}

	paths := []string{""}
	if len(op.Paths) > 0 {
		paths = nil
		for _, v := range op.Paths {
			re, err := pathRegex(v)
			if err != nil {
				w.report(model.CodeSMIOperationNotExpressible, p.Origin, op.Field+".paths",
					"path %q cannot be rendered as a pathRegex (%v); it was not written", v, err)
				continue
			}
			paths = append(paths, re)
		}
		if len(paths) == 0 {
			return nil
		}
	}

	if len(op.Methods)+len(op.NotMethods)+len(op.Paths) == 0 {
		return []clause{{kind: kindAll, ports: ports, field: op.Field}}
	}
	var out []clause
	for _, path := range paths {
		out = append(out, clause{kind: kindHTTP, ports: ports, match: httpMatch{methods: methods, path: path}, field: op.Field})
	}
	return out
}

// allowSources returns the service accounts a rule's sources and source conditions match:
// named are matched by a source that needs a peer identity, anyone by one that also matches
// callers without one. A source that names no account outright is matched against the known
// accounts its values can reach (accounts.go), not against every account of the input.
func (w *writer) allowSources(p *model.AccessPolicy, r model.AccessRule, d destination, c conds) (named, anyone []sa) {
	froms := r.From
	if len(froms) == 0 {
		froms = []model.Source{{Field: r.Field}}
	}
	expanded, unauthenticated := false, false
	for _, src := range froms {
		if bad := unsupportedSource(src); len(bad) > 0 {
			w.report(model.CodeSMISourceNotExpressible, p.Origin, src.Field,
				"SMI cannot check %s; the source was not written", strings.Join(bad, ", "))
			continue
		}
		w.reportIdentities(p, src)
		candidates, explicit := explicitAccounts(src, p.Namespace)
		if !explicit {
			candidates, expanded = w.accounts().sourceCandidates(src, c.source, p.Namespace), true
		}
		identity := needsIdentity(src, c.source)
		for _, s := range candidates {
			if w.identityMatches(src, p.Namespace, s) && w.conditionsMatch(c.source, p.Namespace, s) {
				if identity {
					named = append(named, s)
				} else {
					anyone = append(anyone, s)
				}
			}
		}
		if mayBeUnauthenticated(src) && len(c.source) == 0 {
			unauthenticated = true
		}
	}
	named, anyone = sortAccounts(named), sortAccounts(anyone)
	if expanded {
		w.report(model.CodeSMISourcesExpanded, p.Origin, r.Field,
			"sources expanded to the %d matching service accounts the input knows of", len(sortAccounts(append(slices.Clone(named), anyone...))))
	}
	if unauthenticated && !d.strict {
		w.report(model.CodeSMIUnauthenticated, p.Origin, r.Field,
			"the rule also allows plain-text callers to service account %s, which does not require mutual TLS; SMI cannot", d.account)
	}
	return named, anyone
}

func (w *writer) conditionsMatch(cs []model.Condition, policyNS string, s sa) bool {
	for _, c := range cs {
		if m, _ := w.conditionMatches(c, policyNS, s); !m {
			return false
		}
	}
	return true
}

// reportIdentities reports principals that name another trust domain, and those that cannot be a
// service account.
func (w *writer) reportIdentities(p *model.AccessPolicy, src model.Source) {
	for _, v := range append(slices.Clone(src.Principals), src.NotPrincipals...) {
		if w.foreignTrustDomain(v) {
			w.report(model.CodeSMITrustDomain, p.Origin, src.Field,
				"principal %q is not in trust domain %s; it matches none of its service accounts and was left out", v, w.snap.TrustDomain)
		}
		if _, _, ok := parsePrincipal(v); !ok && !strings.Contains(v, "*") {
			w.report(model.CodeSMISourceNotExpressible, p.Origin, src.Field,
				"principal %q is not a Kubernetes service account identity; SMI cannot name it", v)
		}
	}
}
