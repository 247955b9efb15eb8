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

// principalParts is a service account's principal, <td>/ns/<ns>/sa/<name>, kept as its parts:
// patterns are matched against them without building the string for every pattern and account.
type principalParts [5]string

func principalPartsOf(td string, s sa) principalParts {
	return principalParts{td, "/ns/", s.Namespace, "/sa/", s.Name}
}

// matches is istioMatch(pattern, the principal).
func (p principalParts) matches(pattern string) bool {
	switch {
	case pattern == "*":
		return p.length() > 0
	case strings.HasSuffix(pattern, "*"):
		return p.hasPrefix(pattern[:len(pattern)-1])
	case strings.HasPrefix(pattern, "*"):
		return p.hasSuffix(pattern[1:])
	}
	return len(pattern) == p.length() && p.hasPrefix(pattern)
}

func (p principalParts) length() int {
	n := 0
	for _, part := range p {
		n += len(part)
	}
	return n
}

// hasPrefix reports whether the principal starts with prefix.
func (p principalParts) hasPrefix(prefix string) bool {
	for _, part := range p {
		if len(prefix) <= len(part) {
			return strings.HasPrefix(part, prefix)
		}
		if prefix[:len(part)] != part {
			return false
		}
		prefix = prefix[len(part):]
	}
	return prefix == ""
}

// hasSuffix reports whether the principal ends with suffix.
func (p principalParts) hasSuffix(suffix string) bool {
	for i := len(p) - 1; i >= 0; i-- {
		part := p[i]
		if len(suffix) <= len(part) {
			return strings.HasSuffix(part, suffix)
		}
		if suffix[len(suffix)-len(part):] != part {
			return false
		}
		suffix = suffix[:len(suffix)-len(part)]
	}
	return suffix == ""
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
	return principalPartsOf(w.snap.TrustDomain, s).matches(pattern)
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
// principals, IP blocks) are not looked at; callers decide what they mean. It runs for every
// source and candidate account, so it allocates nothing.
func (w *writer) identityMatches(src model.Source, policyNS string, s sa) bool {
	td := w.snap.TrustDomain
	principal := principalPartsOf(td, s)
	return included(src.Principals, src.NotPrincipals, principal.matches) &&
		included(src.Namespaces, src.NotNamespaces, func(p string) bool { return globMatch(p, s.Namespace) }) &&
		included(src.ServiceAccounts, src.NotServiceAccounts, func(v string) bool { return serviceAccountMatches(v, policyNS, s) }) &&
		included(src.TrustDomains, src.NotTrustDomains, func(p string) bool { return istioMatch(p, td) })
}

// included reports whether a value passes a field and its negation: it matches one of in, when
// in is set, and none of notIn.
func included(in, notIn []string, match func(string) bool) bool {
	if len(in) > 0 && !slices.ContainsFunc(in, match) {
		return false
	}
	return !slices.ContainsFunc(notIn, match)
}

// conditionMatches evaluates a source.* `when` condition on s; ok is false for other keys.
func (w *writer) conditionMatches(c model.Condition, policyNS string, s sa) (matches, ok bool) {
	var match func(p string) bool
	switch c.Key {
	case "source.namespace":
		match = func(p string) bool { return globMatch(p, s.Namespace) }
	case "source.principal":
		match = principalPartsOf(w.snap.TrustDomain, s).matches
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
