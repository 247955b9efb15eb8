package linkerd

import (
	"fmt"

	"github.com/meshbridge/meshbridge/apis/linkerd/v1beta3"
	"github.com/meshbridge/meshbridge/model"
)

// grant admits some clients to some requests on one port: one source of one ALLOW rule, or,
// for workloads no ALLOW policy selects, Istio's implicit allow (policy nil).
type grant struct {
	policy     *model.AccessPolicy
	rule, from int
	field      string
	clients    clients
	req        requests
	// httpOnly: the rule uses an HTTP attribute, so Istio never applies it to plain TCP; its
	// grants go on routes, which Linkerd only applies to HTTP, even when they allow every request.
	httpOnly bool
	// name overrides the label of a grant that no policy rule stands for.
	name string
}

// label names the objects written for g: policy-r<rule>-f<source>.
func (g grant) label() string {
	if g.name != "" {
		return g.name
	}
	if g.policy == nil {
		return "default-allow"
	}
	return g.policy.Name + "-" + sourceLabel(g.rule, g.from)
}

// outcome is what a class needs on one port: a Server (with an access policy for what no
// authorization admits) and the grants to write for it, or nothing (Linkerd's default policy,
// like Istio's default allow).
type outcome struct {
	server bool
	access v1beta3.AccessPolicy
	grants []grant
}

// decide computes the outcome of class c on port.
func (w *writer) decide(c *class, port int32) outcome {
	if len(c.refs) > 0 {
		// A policy attached by targetRefs guards these pods; its rules are not translated, so
		// the port admits nothing (see targetrefs.go).
		return outcome{server: true, access: v1beta3.AccessDeny}
	}
	mode, pa := w.mtlsMode(c, port)
	var allows []*model.AccessPolicy
	for _, p := range c.access {
		if p.Action == model.Allow {
			allows = append(allows, p)
		}
	}
	tcp := w.istioTCP(c.workloads, port)
	denials := w.denials(c, port, tcp)
	var grants []grant
	if len(allows) == 0 {
		if len(denials) == 0 {
			if mode == model.MTLSStrict {
				return outcome{server: true, access: v1beta3.AccessAllAuthenticated}
			}
			return outcome{}
		}
		grants = []grant{{rule: -1, from: -1, clients: everyone, req: allRequests}}
	}
	for _, p := range allows {
		for i := range p.Rules {
			r := w.parseRule(p, i)
			req, ok := r.onPort(port)
			if !ok || (tcp && p.Rules[i].UsesHTTP()) {
				continue // on a TCP port, Istio never matches an ALLOW rule that needs HTTP
			}
			for _, s := range r.sources {
				grants = append(grants, grant{policy: p, rule: i, from: s.from, field: s.field, clients: s.clients, req: req,
					httpOnly: p.Rules[i].UsesHTTP()})
			}
		}
	}
	grants = w.adjustForMTLS(grants, mode, pa)
	if len(allows) == 0 {
		implicit := grants[0].clients.key()
		grants = w.applyDenials(c, port, grants, denials)
		if len(grants) == 1 && grants[0].req.all && grants[0].clients.key() == implicit {
			// No deny touched the implicit allow: write what Istio's default is.
			if mode == model.MTLSStrict {
				return outcome{server: true, access: v1beta3.AccessAllAuthenticated}
			}
			return outcome{}
		}
	} else {
		grants = w.applyDenials(c, port, grants, denials)
	}
	return outcome{server: true, access: v1beta3.AccessDeny, grants: prune(grants)}
}

// prune drops grants that another grant contains (more clients, more requests): they admit
// nothing more, and a route written for them would only add precedence questions.
func prune(grants []grant) []grant {
	var out []grant
	for i, g := range grants {
		subsumed := false
		for j, h := range grants {
			if i == j || !h.clients.contains(g.clients) || !g.req.within(h.req) || (h.httpOnly && !g.httpOnly) {
				continue
			}
			// Of two equal grants keep the first.
			if j < i || !g.clients.contains(h.clients) || !h.req.within(g.req) || g.httpOnly != h.httpOnly {
				subsumed = true
				break
			}
		}
		if !subsumed {
			out = append(out, g)
		}
	}
	return out
}

// mtlsMode returns the PeerAuthentication mode of port for class c, and the PeerAuthentication
// that set it (nil for Istio's default, PERMISSIVE).
func (w *writer) mtlsMode(c *class, port int32) (model.MTLSMode, *model.PeerAuthentication) {
	for _, pa := range c.peer {
		if m, ok := pa.PortModes[port]; ok && m != model.MTLSUnset && m != "" && len(pa.Selector) > 0 {
			return m, pa
		}
		if pa.Mode != model.MTLSUnset && pa.Mode != "" {
			return pa.Mode, pa
		}
	}
	return model.MTLSPermissive, nil
}

// adjustForMTLS applies the port's mTLS mode: STRICT refuses clients without mesh identity;
// with DISABLE, Istio sees no identity, so rules that need one never match.
func (w *writer) adjustForMTLS(grants []grant, mode model.MTLSMode, pa *model.PeerAuthentication) []grant {
	var out []grant
	for _, g := range grants {
		switch {
		case mode == model.MTLSStrict && g.clients.unauth:
			g.clients = clients{ids: idset{any: true}, nets: g.clients.nets}
		case mode == model.MTLSDisable && !g.clients.unauth:
			if g.policy != nil {
				w.report(model.CodeLinkerdIdentityWithoutMTLS, g.policy.Origin, g.field,
					"PeerAuthentication %s/%s disables mTLS, so this source's identity condition never matches in Istio; nothing was written for it",
					pa.Namespace, pa.Name)
			}
			continue
		}
		out = append(out, g)
	}
	return out
}

// denial is one DENY or CUSTOM rule on one port, read widely: it matches at least the
// requests and clients Istio's rule matches.
type denial struct {
	rule    *parsedRule
	req     requests
	clients []clients
}

// On a port Istio handles as TCP (tcp), a deny ignores its HTTP conditions: it denies every
// connection of the clients it names.
func (w *writer) denials(c *class, port int32, tcp bool) []denial {
	var out []denial
	for _, p := range c.access {
		if p.Action != model.Deny && p.Action != model.Custom {
			continue
		}
		for i := range p.Rules {
			r := w.parseRule(p, i)
			req, ok := r.onPort(port)
			if !ok {
				continue
			}
			if tcp {
				req = allRequests
			}
			d := denial{rule: r, req: req}
			for _, s := range r.sources {
				d.clients = append(d.clients, s.clients)
			}
			out = append(out, d)
		}
	}
	return out
}

// applyDenials subtracts the denials from the grants, never widening: a grant a denial cannot
// touch stays; one it covers goes; one it cuts by method alone loses those methods; any other
// is dropped and reported.
func (w *writer) applyDenials(c *class, port int32, grants []grant, denials []denial) []grant {
	for _, d := range denials {
		var next []grant
		for _, g := range grants {
			if g2, keep := w.deny(c, port, g, d); keep {
				next = append(next, g2)
			}
		}
		grants = next
	}
	return grants
}

func (w *writer) deny(c *class, port int32, g grant, d denial) (grant, bool) {
	var meeting []clients
	for _, dc := range d.clients {
		if dc.meets(g.clients) {
			meeting = append(meeting, dc)
		}
	}
	if len(meeting) == 0 || !d.req.mayMeet(g.req) {
		return g, true
	}
	covers := true
	for _, dc := range meeting {
		covers = covers && dc.contains(g.clients)
	}
	dp := d.rule.policy
	kind := "DENY"
	if dp.Action == model.Custom {
		kind = "CUSTOM"
	}
	origin, field, what := dp.Origin, d.rule.field, fmt.Sprintf("port %d of %s", port, workloadNames(c))
	if g.policy != nil {
		origin, field, what = g.policy.Origin, g.field, "this rule"
	}
	if covers && g.req.within(d.req) {
		if !d.rule.exact || dp.Action == model.Custom {
			w.report(model.CodeLinkerdDenyNarrowed, origin, field,
				"%s policy %s/%s may refuse every request %s allows; it was left out", kind, dp.Namespace, dp.Name, what)
		}
		return g, false
	}
	if ms, ok := d.req.methodsOnly(); covers && ok {
		req, enumerated := g.req.withoutMethods(ms)
		switch {
		case !d.rule.exact || dp.Action == model.Custom:
			w.report(model.CodeLinkerdDenyNarrowed, origin, field,
				"%s policy %s/%s may refuse methods %v; %s now allows only the standard methods it leaves", kind, dp.Namespace, dp.Name, ms, what)
		case enumerated: // any method became the standard ones; otherwise the fold is exact
			w.report(model.CodeLinkerdDenyFolded, origin, field,
				"DENY policy %s/%s refuses methods %v; %s now allows only the standard methods it leaves", dp.Namespace, dp.Name, ms, what)
		}
		if req.empty() {
			return g, false
		}
		g.req = req
		return g, true
	}
	if g.policy == nil {
		w.report(model.CodeLinkerdDenyNarrowed, origin, field,
			"no ALLOW policy selects %s, so Istio allowed everything this %s rule does not refuse; Linkerd cannot write that difference, so the port admits nothing",
			workloadNames(c), kind)
	} else {
		w.report(model.CodeLinkerdDenyNarrowed, origin, field,
			"%s policy %s/%s (%s) may refuse some of the requests this rule allows on port %d; Linkerd cannot subtract it, so the rule was left out",
			kind, dp.Namespace, dp.Name, d.rule.field, port)
	}
	return g, false
}
