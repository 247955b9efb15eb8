package linkerd

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/meshbridge/meshbridge/model"
)

// parsedRule is one Istio rule in Linkerd terms, before it is placed on a port: who it admits
// and which requests, per operation port condition.
type parsedRule struct {
	policy *model.AccessPolicy
	index  int
	field  string
	// dropped: nothing of the rule can be written (an ALLOW rule narrowed to nothing).
	dropped bool
	// exact is false when a DENY rule was widened to be written.
	exact bool
	// portConds and notPorts come from when destination.port conditions: a rule applies to a
	// port every one of portConds lists and notPorts does not.
	portConds [][]string
	notPorts  []string
	// anyOp: the rule has no to; otherwise ops lists its operations.
	anyOp   bool
	ops     []parsedOp
	sources []parsedSource
}

type parsedOp struct {
	ports, notPorts []string
	req             requests
}

type parsedSource struct {
	from    int // index in the rule's from; -1 when the rule has none
	field   string
	clients clients
}

// parseRule reads rule i of pol. ALLOW rules are read strictly (what cannot be written is left
// out and reported); DENY and CUSTOM rules leniently (what cannot be written is ignored, which
// widens the deny). Results are cached, so each problem is reported once.
func (w *writer) parseRule(pol *model.AccessPolicy, i int) *parsedRule {
	key := ruleKey{pol.Namespace, pol.Name, i}
	cache := w.rules.local
	if w.meshWide(pol.Namespace, pol.Target.MeshWide) {
		cache = w.rules.mesh
	}
	if r, ok := cache[key]; ok {
		return r
	}
	lenient := pol.Action != model.Allow
	rule := pol.Rules[i]
	r := &parsedRule{policy: pol, index: i, field: rule.Field, exact: true}
	cache[key] = r
	report := func(p problem) {
		if !lenient {
			w.report(p.code, pol.Origin, p.field, "%s", p.msg)
		}
	}
	// when: every condition must hold; each is read on its own and intersected.
	var headers []string
	whenClients := []clients{everyone}
	for _, c := range rule.When {
		h, cl, ok := w.condition(pol, c, r, lenient)
		if !ok {
			if lenient {
				r.exact = false
				continue
			}
			r.dropped = true
			return r
		}
		headers = append(headers, h...)
		if cl != nil {
			whenClients = append(whenClients, *cl)
		}
	}
	if lenient && len(headers) > 0 {
		r.exact = false // a deny drops its header conditions: it denies more
	}
	when := everyone
	for _, c := range whenClients {
		when = when.intersect(c)
	}
	// to: any operation may match.
	r.anyOp = len(rule.To) == 0
	for _, op := range rule.To {
		var req requests
		if lenient {
			var exact bool
			req, exact = lenientOpRequests(op)
			r.exact = r.exact && exact
		} else {
			var problems, warns []problem
			var fatal *problem
			req, problems, warns, fatal = opRequests(op)
			for _, p := range append(problems, warns...) {
				report(p)
			}
			if fatal != nil {
				report(*fatal)
				continue
			}
			if req.empty() {
				continue
			}
		}
		r.ops = append(r.ops, parsedOp{ports: op.Ports, notPorts: op.NotPorts, req: req.withHeaders(headersFor(lenient, headers))})
	}
	if r.anyOp {
		r.ops = []parsedOp{{req: allRequests.withHeaders(headersFor(lenient, headers))}}
	}
	if len(r.ops) == 0 {
		r.dropped = true
		return r
	}
	// from: any source may match; none means anyone.
	if len(rule.From) == 0 {
		r.sources = []parsedSource{{from: -1, field: rule.Field, clients: when}}
	}
	for j, s := range rule.From {
		c, problems, warns, fatal, exact := w.sourceClients(pol.Namespace, s, lenient)
		r.exact = r.exact && exact
		for _, p := range append(problems, warns...) {
			report(p)
		}
		if fatal != nil {
			report(*fatal)
			continue
		}
		c = c.intersect(when)
		if c.empty() {
			continue
		}
		r.sources = append(r.sources, parsedSource{from: j, field: s.Field, clients: c})
	}
	r.dropped = len(r.sources) == 0
	return r
}

// headersFor keeps header conditions for ALLOW rules; a deny ignores them (it denies more).
func headersFor(lenient bool, headers []string) []string {
	if lenient {
		return nil
	}
	return headers
}

type ruleKey struct {
	ns, name string
	index    int
}

// ruleCache holds parsed rules: those of mesh-wide policies for the whole write, the others
// while their namespace is written (the only one they apply in), so that the cache, which
// quietly copies, stays the size of a namespace.
type ruleCache struct {
	mesh, local map[ruleKey]*parsedRule
}

func newRuleCache() ruleCache {
	return ruleCache{mesh: map[ruleKey]*parsedRule{}, local: map[ruleKey]*parsedRule{}}
}

func (c ruleCache) clone() ruleCache {
	return ruleCache{mesh: maps.Clone(c.mesh), local: maps.Clone(c.local)}
}

// condition reads one when condition: headers that must be present, a client constraint, or
// a port constraint (kept in r). ok is false when the condition cannot be written.
func (w *writer) condition(pol *model.AccessPolicy, c model.Condition, r *parsedRule, lenient bool) (headers []string, cl *clients, ok bool) {
	drop := func(format string, args ...any) ([]string, *clients, bool) {
		if !lenient {
			w.report(model.CodeLinkerdConditionDropped, pol.Origin, c.Field,
				"condition %s: "+format+"; the rule was left out", append([]any{c.Key}, args...)...)
		}
		return nil, nil, false
	}
	src := model.Source{Field: c.Field}
	switch key := c.Key; {
	case key == "destination.port":
		if len(c.Values) > 0 {
			r.portConds = append(r.portConds, c.Values)
		}
		r.notPorts = append(r.notPorts, c.NotValues...)
		return nil, nil, true
	case strings.HasPrefix(key, "request.headers[") && strings.HasSuffix(key, "]"):
		name := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(key, "request.headers["), "]"))
		if len(c.NotValues) > 0 || slices.ContainsFunc(c.Values, func(v string) bool { return v != "*" }) {
			return drop("Linkerd matches every value of a repeated header on its own, where Istio matches their comma-joined value, so only presence (\"*\") can be written")
		}
		return []string{name}, nil, true
	case key == "source.ip":
		src.IPBlocks, src.NotIPBlocks = c.Values, c.NotValues
	case key == "source.namespace":
		src.Namespaces, src.NotNamespaces = c.Values, c.NotValues
	case key == "source.principal":
		src.Principals, src.NotPrincipals = c.Values, c.NotValues
	case key == "source.serviceAccount":
		src.ServiceAccounts, src.NotServiceAccounts = c.Values, c.NotValues
	case key == "source.trustDomain":
		src.TrustDomains, src.NotTrustDomains = c.Values, c.NotValues
	case key == "remote.ip":
		return drop("the original client address (X-Forwarded-For) cannot be checked by Linkerd")
	case strings.HasPrefix(key, "request.auth."):
		return drop("JWT claims cannot be checked by Linkerd")
	default:
		return drop("Linkerd policy has no equivalent")
	}
	got, problems, warns, fatal, exact := w.sourceClients(pol.Namespace, src, lenient)
	if !lenient {
		for _, p := range append(problems, warns...) {
			w.report(p.code, pol.Origin, p.field, "%s", p.msg)
		}
	}
	if fatal != nil || (!exact && lenient) {
		if fatal != nil {
			w.report(fatal.code, pol.Origin, fatal.field, "%s", fatal.msg)
			return nil, nil, false
		}
		return nil, nil, false // a deny ignores what it cannot read
	}
	return nil, &got, true
}

// appliesToPort reports whether ports/notPorts (Istio's string values) let port through.
func appliesToPort(ports, notPorts []string, port int32) bool {
	p := strconv.Itoa(int(port))
	if ports != nil && !slices.Contains(ports, p) {
		return false
	}
	return !slices.Contains(notPorts, p)
}

// onPort returns the requests the rule matches on port, and whether it applies there at all.
func (r *parsedRule) onPort(port int32) (requests, bool) {
	if r.dropped || !appliesToPort(nil, r.notPorts, port) {
		return requests{}, false
	}
	for _, ports := range r.portConds {
		if !appliesToPort(ports, nil, port) {
			return requests{}, false
		}
	}
	var req requests
	applies := false
	for _, op := range r.ops {
		if appliesToPort(nilIfEmpty(op.ports), op.notPorts, port) {
			req, applies = req.union(op.req), true
		}
	}
	return req, applies && !req.empty()
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// ruleField names rule i's source j (or the rule, when it has no from).
func sourceLabel(rule, from int) string {
	if from < 0 {
		return fmt.Sprintf("r%d", rule)
	}
	return fmt.Sprintf("r%d-f%d", rule, from)
}
