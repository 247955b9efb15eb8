package linkerd

import (
	"fmt"
	"slices"

	"github.com/meshbridge/meshbridge/model"
)

// clients is who a source admits: any client at all (unauth), or clients with one of the
// identities in ids; in both cases only from the addresses in nets.
type clients struct {
	unauth bool
	ids    idset
	nets   netset
}

// everyone is every client, meshed or not, from any address.
var everyone = clients{unauth: true, nets: anyNetwork}

func (c clients) empty() bool { return (!c.unauth && c.ids.empty()) || c.nets.empty() }

func (c clients) key() string {
	id := "unauthenticated"
	if !c.unauth {
		id = c.ids.key()
	}
	return id + " from " + c.nets.key()
}

// intersect returns the clients both admit.
func (c clients) intersect(o clients) clients {
	out := clients{nets: c.nets.intersect(o.nets)}
	switch {
	case c.unauth && o.unauth:
		out.unauth = true
	case c.unauth:
		out.ids = o.ids
	case o.unauth:
		out.ids = c.ids
	default:
		out.ids = c.ids.intersect(o.ids)
	}
	return out
}

// contains reports whether c admits every client o admits (false when unsure).
func (c clients) contains(o clients) bool {
	if !c.nets.contains(o.nets) {
		return false
	}
	return c.unauth || (!o.unauth && c.ids.contains(o.ids))
}

// meets reports whether some client could be admitted by both (true when unsure).
func (c clients) meets(o clients) bool {
	if c.empty() || o.empty() || !c.nets.meets(o.nets) {
		return false
	}
	return c.unauth || o.unauth || c.ids.meets(o.ids)
}

// sourceClients returns the clients an Istio source admits. For an ALLOW rule (lenient
// false), conditions Linkerd cannot check either leave out single values (problems) or the
// whole source (fatal). For a DENY rule (lenient true), such conditions are ignored, which
// widens the deny, and exact reports whether any was.
func (w *writer) sourceClients(policyNS string, s model.Source, lenient bool) (c clients, problems, warns []problem, fatal *problem, exact bool) {
	exact = true
	fail := func(field, format string, args ...any) bool {
		exact = false
		if !lenient && fatal == nil {
			fatal = &problem{model.CodeLinkerdConditionDropped, s.Field + field, fmt.Sprintf(format, args...)}
		}
		return !lenient
	}
	if len(s.RequestPrincipals) > 0 || len(s.NotRequestPrincipals) > 0 {
		if fail(".requestPrincipals", "request principals (JWT) cannot be checked by Linkerd; the source was left out") {
			return
		}
	}
	if len(s.RemoteIPBlocks) > 0 || len(s.NotRemoteIPBlocks) > 0 {
		if fail(".remoteIpBlocks", "remoteIpBlocks (the original client address from X-Forwarded-For) cannot be checked by Linkerd; the source was left out") {
			return
		}
	}
	// A legacy subject user "*" (AnyIncludingUnauthenticated) matches every caller: it
	// constrains nothing, and the source's other fields still apply.
	c = clients{unauth: true, nets: anyNetwork}
	constrain := func(ids idset, fieldProblems []problem) {
		if len(fieldProblems) > 0 {
			exact = false
			if lenient {
				return // the field is ignored: the deny admits any identity for it
			}
			problems = append(problems, fieldProblems...)
		}
		if c.unauth {
			c = clients{ids: ids, nets: c.nets}
		} else {
			c.ids = c.ids.intersect(ids)
		}
	}
	if len(s.Principals) > 0 {
		ids, pp, pw := w.principals(s.Field+".principals", s.Principals)
		if lenient { // a narrowed principal would narrow the deny
			pp = append(pp, pw...)
		}
		warns = append(warns, pw...)
		constrain(ids, pp)
	}
	if len(s.Namespaces) > 0 {
		ids, np := namespaces(s.Field+".namespaces", s.Namespaces)
		constrain(ids, np)
	}
	if len(s.ServiceAccounts) > 0 {
		constrain(serviceAccounts(policyNS, s.ServiceAccounts), nil)
	}
	if len(s.NotPrincipals)+len(s.NotNamespaces)+len(s.NotServiceAccounts) > 0 {
		if lenient {
			exact = false // a deny without its exclusions denies more
		} else {
			ids, ok := w.without(c.ids, policyNS, s.NotPrincipals, s.NotNamespaces, s.NotServiceAccounts)
			if c.unauth || !ok {
				fail(".notPrincipals", "notPrincipals, notNamespaces and notServiceAccounts can only be folded into a list of service accounts; the source was left out")
				return
			}
			c.ids = ids
		}
	}
	if len(s.TrustDomains)+len(s.NotTrustDomains) > 0 && !lenient {
		// The source needs an identity of the trust domains allowed: the mesh's own (if allowed)
		// and the other trust domains' service accounts it names; "any identity" of another
		// trust domain cannot be written.
		ids := c.ids
		if c.unauth {
			ids = idset{any: true}
		}
		if ids.any && slices.ContainsFunc(s.TrustDomains, func(p string) bool { return !istioMatch(p, w.snap.TrustDomain) }) {
			warns = append(warns, problem{model.CodeLinkerdTrustDomain, s.Field + ".trustDomains",
				"only identities of the mesh's own trust domain are admitted; identities of the other trust domains listed are not"})
		}
		var out idset
		if w.trustDomainOK(s.TrustDomains, s.NotTrustDomains) {
			out = ids.local()
		}
		for _, id := range ids.sas {
			if id.td != "" && w.foreignTDOK(id.td, s.TrustDomains, s.NotTrustDomains) {
				out.sas = append(out.sas, id)
			}
		}
		c = clients{ids: out.normalized(), nets: c.nets}
		if c.ids.empty() {
			fail(".trustDomains", "the trust domain conditions admit no identity Linkerd can match; the source was left out")
			return
		}
	} else if len(s.TrustDomains)+len(s.NotTrustDomains) > 0 {
		exact = false // a deny ignores its trust domain conditions
	}
	nets, err := networks(s.IPBlocks, s.NotIPBlocks)
	if err != nil {
		if fail(".ipBlocks", "%v; the source was left out", err) {
			return
		}
		nets = anyNetwork
	}
	c.nets = nets
	return c, problems, warns, nil, exact
}

func (w *writer) foreignTDOK(td string, values, notValues []string) bool {
	if len(values) > 0 && !slices.ContainsFunc(values, func(p string) bool { return istioMatch(p, td) }) {
		return false
	}
	return !slices.ContainsFunc(notValues, func(p string) bool { return istioMatch(p, td) })
}
