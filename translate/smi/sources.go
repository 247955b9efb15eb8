package smi

import (
	"cmp"
	"slices"
	"strings"

	"github.com/meshbridge/meshbridge/model"
)

type sa = model.ServiceAccountRef

// SMI names callers by service account only. This file evaluates Istio's identity fields
// (principals, namespaces, serviceAccounts, trust domains, their negations, and the source.*
// `when` keys) against one service account at a time, so that a source becomes the exact list of
// known service accounts it matches.

// principal renders a service account as an Istio principal.
func (w *writer) principal(s sa) string {
	return w.snap.TrustDomain + "/ns/" + s.Namespace + "/sa/" + s.Name
}

// parsePrincipal splits "<td>/ns/<ns>/sa/<name>".
func parsePrincipal(p string) (td string, s sa, ok bool) {
	parts := strings.Split(p, "/")
	if len(parts) != 5 || parts[1] != "ns" || parts[3] != "sa" || parts[2] == "" || parts[4] == "" {
		return "", sa{}, false
	}
	return parts[0], sa{Namespace: parts[2], Name: parts[4]}, true
}

// foreignTrustDomain reports whether a principal names another literal trust domain than the
// mesh's. Such a principal matches no service account of this mesh: reading it as an alias
// would widen access wherever the mesh has no such alias configured.
func (w *writer) foreignTrustDomain(p string) bool {
	td, rest, ok := strings.Cut(p, "/")
	return ok && td != w.snap.TrustDomain && !strings.Contains(td, "*") && strings.HasPrefix(rest, "ns/")
}

// principalMatches matches a principal pattern against s literally, as Istio does.
func (w *writer) principalMatches(pattern string, s sa) bool {
	return istioMatch(pattern, w.principal(s))
}

// serviceAccountMatches matches Istio's "<ns>/<sa>" or "<sa>" (in the policy's namespace).
func serviceAccountMatches(value, policyNS string, s sa) bool {
	ns, name, ok := strings.Cut(value, "/")
	if !ok {
		ns, name = policyNS, value
	}
	return ns == s.Namespace && name == s.Name
}

// identityMatches evaluates src's identity fields on s. Fields SMI cannot check (request
// principals, IP blocks) are not looked at; callers decide what they mean.
func (w *writer) identityMatches(src model.Source, policyNS string, s sa) bool {
	principal := func(p, _ string) bool { return w.principalMatches(p, s) }
	account := func(v, _ string) bool { return serviceAccountMatches(v, policyNS, s) }
	td := w.snap.TrustDomain
	checks := []struct {
		in, notIn []string
		value     string
		match     func(p, s string) bool
	}{
		{src.Principals, src.NotPrincipals, "", principal},
		{src.Namespaces, src.NotNamespaces, s.Namespace, globMatch},
		{src.ServiceAccounts, src.NotServiceAccounts, "", account},
		{src.TrustDomains, src.NotTrustDomains, td, istioMatch},
	}
	for _, c := range checks {
		if len(c.in) > 0 && !anyMatch(c.in, c.value, c.match) {
			return false
		}
		if anyMatch(c.notIn, c.value, c.match) {
			return false
		}
	}
	return true
}

// conditionMatches evaluates a source.* `when` condition on s; ok is false for other keys.
func (w *writer) conditionMatches(c model.Condition, policyNS string, s sa) (matches, ok bool) {
	var match func(p string) bool
	switch c.Key {
	case "source.namespace":
		match = func(p string) bool { return globMatch(p, s.Namespace) }
	case "source.principal":
		match = func(p string) bool { return w.principalMatches(p, s) }
	case "source.serviceAccount":
		match = func(p string) bool { return serviceAccountMatches(p, policyNS, s) }
	case "source.trustDomain":
		match = func(p string) bool { return istioMatch(p, w.snap.TrustDomain) }
	default:
		return false, false
	}
	if len(c.Values) > 0 && !slices.ContainsFunc(c.Values, match) {
		return false, true
	}
	return !slices.ContainsFunc(c.NotValues, match), true
}

// unsupportedSource lists the fields of src SMI cannot check.
func unsupportedSource(src model.Source) []string {
	var out []string
	for _, f := range []struct {
		name string
		v    []string
	}{
		{"requestPrincipals", src.RequestPrincipals}, {"notRequestPrincipals", src.NotRequestPrincipals},
		{"ipBlocks", src.IPBlocks}, {"notIpBlocks", src.NotIPBlocks},
		{"remoteIpBlocks", src.RemoteIPBlocks}, {"notRemoteIpBlocks", src.NotRemoteIPBlocks},
	} {
		if len(f.v) > 0 {
			out = append(out, f.name)
		}
	}
	return out
}

// explicitAccounts returns the service accounts src names outright (exact principals or
// serviceAccounts), so that they need not be known from the inventory; ok is false when src
// matches by pattern or negation only.
func explicitAccounts(src model.Source, policyNS string) (out []sa, ok bool) {
	if len(src.Principals) > 0 {
		for _, p := range src.Principals {
			_, s, parsed := parsePrincipal(p)
			if !parsed || strings.Contains(p, "*") {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	for _, v := range src.ServiceAccounts {
		ns, name, found := strings.Cut(v, "/")
		if !found {
			ns, name = policyNS, v
		}
		out = append(out, sa{Namespace: ns, Name: name})
	}
	return out, len(out) > 0
}

// mayBeUnauthenticated reports whether src also matches callers without a workload identity:
// only negative identity fields, or none at all.
func mayBeUnauthenticated(src model.Source) bool {
	return src.AnyIncludingUnauthenticated ||
		len(src.Principals)+len(src.Namespaces)+len(src.ServiceAccounts)+len(src.TrustDomains) == 0
}

// universe is every service account the input knows of. It is computed once per Write: it is
// asked for every source of every policy. Callers must not modify it.
func (w *writer) universe() []sa {
	if w.all == nil {
		w.all = w.snap.Inventory.ServiceAccountsIn("")
	}
	return w.all
}

func sortAccounts(s []sa) []sa {
	slices.SortFunc(s, func(a, b sa) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	return slices.Compact(s)
}
