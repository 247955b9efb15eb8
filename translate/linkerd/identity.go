package linkerd

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/meshbridge/meshbridge/model"
)

// identity is a service account's mesh identity. An empty trust domain is the mesh's own,
// which Linkerd identityRefs name without spelling it.
type identity struct {
	td, ns, sa string
}

func compareIdentity(a, b identity) int {
	return cmp.Or(cmp.Compare(a.td, b.td), cmp.Compare(a.ns, b.ns), cmp.Compare(a.sa, b.sa))
}

// linkerdName renders the identity in Linkerd's format,
// <sa>.<ns>.serviceaccount.identity.linkerd.<trust domain>.
func (id identity) linkerdName(localTD string) string {
	td := id.td
	if td == "" {
		td = localTD
	}
	return id.sa + "." + id.ns + ".serviceaccount.identity.linkerd." + td
}

// idset is a set of mesh identities: any of them, any of the mesh's own trust domain
// (anyLocal), every service account of some namespaces (of the mesh's trust domain), or single
// service accounts. The zero value is empty.
type idset struct {
	any, anyLocal bool
	nss           []string
	sas           []identity
}

func (s idset) empty() bool { return !s.any && !s.anyLocal && len(s.nss) == 0 && len(s.sas) == 0 }

func (s idset) key() string {
	if s.any {
		return "*"
	}
	var parts []string
	if s.anyLocal {
		parts = append(parts, "*local")
	}
	parts = append(parts, s.nss...)
	for _, id := range s.sas {
		parts = append(parts, id.td+"/"+id.ns+"/"+id.sa)
	}
	return strings.Join(parts, ",")
}

func (s idset) normalized() idset {
	if s.any {
		return idset{any: true}
	}
	if s.anyLocal {
		s.nss = nil
	}
	slices.Sort(s.nss)
	s.nss = slices.Compact(s.nss)
	s.sas = slices.DeleteFunc(s.sas, func(id identity) bool {
		return id.td == "" && (s.anyLocal || slices.Contains(s.nss, id.ns))
	})
	slices.SortFunc(s.sas, compareIdentity)
	s.sas = slices.Compact(s.sas)
	return s
}

func (s idset) union(o idset) idset {
	return idset{any: s.any || o.any, anyLocal: s.anyLocal || o.anyLocal,
		nss: append(slices.Clone(s.nss), o.nss...), sas: append(slices.Clone(s.sas), o.sas...)}.normalized()
}

// local returns the identities of s in the mesh's own trust domain.
func (s idset) local() idset {
	out := idset{anyLocal: s.any || s.anyLocal, nss: s.nss}
	for _, id := range s.sas {
		if id.td == "" {
			out.sas = append(out.sas, id)
		}
	}
	return out.normalized()
}

// intersect returns the identities in both sets. Istio's namespace conditions ignore the trust
// domain, so a service account of another trust domain is in a namespace set too.
func (s idset) intersect(o idset) idset {
	switch {
	case s.any:
		return o
	case o.any:
		return s
	case s.anyLocal && o.anyLocal:
		return idset{anyLocal: true}
	case s.anyLocal:
		return o.local()
	case o.anyLocal:
		return s.local()
	}
	var out idset
	for _, ns := range s.nss {
		if slices.Contains(o.nss, ns) {
			out.nss = append(out.nss, ns)
		}
	}
	for _, id := range s.sas {
		if slices.Contains(o.sas, id) || slices.Contains(o.nss, id.ns) {
			out.sas = append(out.sas, id)
		}
	}
	for _, id := range o.sas {
		if slices.Contains(s.nss, id.ns) {
			out.sas = append(out.sas, id)
		}
	}
	return out.normalized()
}

// contains reports whether every identity of o is in s (false when unsure).
func (s idset) contains(o idset) bool {
	if s.any {
		return true
	}
	if o.any || (o.anyLocal && !s.anyLocal) {
		return false
	}
	for _, ns := range o.nss {
		if !s.anyLocal && !slices.Contains(s.nss, ns) {
			return false
		}
	}
	for _, id := range o.sas {
		local := id.td == "" && (s.anyLocal || slices.Contains(s.nss, id.ns))
		if !local && !slices.Contains(s.sas, id) {
			return false
		}
	}
	return true
}

// meets reports whether an identity could be in both sets.
func (s idset) meets(o idset) bool {
	return !s.empty() && !o.empty() && !s.intersect(o).empty()
}

// identities turns Istio principal values into an identity set. Values Linkerd cannot match are
// returned as problems; warns are narrower approximations.
func (w *writer) principals(field string, values []string) (ids idset, problems, warns []problem) {
	for i, v := range values {
		f := fmt.Sprintf("%s[%d]", field, i)
		got, err := w.principal(v)
		if err != nil {
			problems = append(problems, problem{model.CodeLinkerdConditionDropped, f, err.Error()})
			continue
		}
		if strings.HasPrefix(v, "*/") {
			warns = append(warns, problem{model.CodeLinkerdTrustDomain, f,
				fmt.Sprintf("principal %q admits only the service account of the mesh's own trust domain", v)})
		}
		ids = ids.union(got)
	}
	return ids.normalized(), problems, warns
}

func (w *writer) principal(v string) (idset, error) {
	td := w.snap.TrustDomain
	switch {
	case v == "*":
		return idset{any: true}, nil
	case strings.HasPrefix(v, "*"):
		// "*/ns/<ns>/sa/<sa>": that service account in any trust domain.
		parts := strings.Split(strings.TrimPrefix(v, "*/"), "/")
		if strings.HasPrefix(v, "*/") && len(parts) == 4 && parts[0] == "ns" && parts[2] == "sa" && parts[1] != "" && parts[3] != "" && !strings.Contains(v[1:], "*") {
			return idset{sas: []identity{{ns: parts[1], sa: parts[3]}}}, nil
		}
	case strings.HasSuffix(v, "*"):
		lit := strings.TrimSuffix(v, "*")
		parts := strings.Split(lit, "/")
		// "<td>/" or "<td>/ns/": every service account of a trust domain.
		if (len(parts) == 2 || len(parts) == 3 && parts[1] == "ns") && parts[len(parts)-1] == "" && parts[0] == td {
			return idset{anyLocal: true}, nil
		}
		// "<td>/ns/<ns>/" or "<td>/ns/<ns>/sa/": every service account of a namespace.
		if (len(parts) == 4 || len(parts) == 5 && parts[3] == "sa") && parts[1] == "ns" && parts[2] != "" && parts[len(parts)-1] == "" {
			if parts[0] == td {
				return idset{nss: []string{parts[2]}}, nil
			}
			return idset{}, fmt.Errorf("principal %q names a namespace of trust domain %q, which Linkerd identity references cannot match; it was left out", v, parts[0])
		}
	default:
		parts := strings.Split(v, "/")
		if len(parts) == 5 && parts[1] == "ns" && parts[3] == "sa" && parts[0] != "" && parts[2] != "" && parts[4] != "" {
			id := identity{ns: parts[2], sa: parts[4]}
			if parts[0] != td {
				id.td = parts[0]
			}
			return idset{sas: []identity{id}}, nil
		}
		return idset{}, fmt.Errorf("principal %q is not of the form <trust domain>/ns/<namespace>/sa/<service account> and matches no workload identity; it was left out", v)
	}
	return idset{}, fmt.Errorf("principal pattern %q has no Linkerd identity equivalent; it was left out", v)
}

// namespaces turns Istio namespace values into an identity set.
func namespaces(field string, values []string) (ids idset, problems []problem) {
	for i, v := range values {
		switch {
		case v == "*":
			ids.any = true
		case strings.Contains(v, "*"):
			problems = append(problems, problem{model.CodeLinkerdConditionDropped, fmt.Sprintf("%s[%d]", field, i),
				fmt.Sprintf("namespace pattern %q has no Linkerd identity equivalent; it was left out", v)})
		default:
			ids.nss = append(ids.nss, v)
		}
	}
	return ids.normalized(), problems
}

// serviceAccounts turns Istio serviceAccounts values (<ns>/<sa>, or <sa> in the policy's
// namespace) into an identity set.
func serviceAccounts(policyNS string, values []string) idset {
	var ids idset
	for _, v := range values {
		ns, sa, ok := strings.Cut(v, "/")
		if !ok {
			ns, sa = policyNS, v
		}
		ids.sas = append(ids.sas, identity{ns: ns, sa: sa})
	}
	return ids.normalized()
}

// without removes from ids the identities the negative conditions match. It can only do so
// when ids is a finite list of service accounts.
func (w *writer) without(ids idset, policyNS string, notPrincipals, notNamespaces, notSAs []string) (idset, bool) {
	if len(notPrincipals)+len(notNamespaces)+len(notSAs) == 0 {
		return ids, true
	}
	if ids.any || ids.anyLocal || len(ids.nss) > 0 {
		return idset{}, false
	}
	out := ids
	out.sas = slices.DeleteFunc(slices.Clone(ids.sas), func(id identity) bool {
		td := cmp.Or(id.td, w.snap.TrustDomain)
		principal := td + "/ns/" + id.ns + "/sa/" + id.sa
		match := func(values []string, v string) bool {
			return slices.ContainsFunc(values, func(p string) bool { return istioMatch(p, v) })
		}
		return match(notPrincipals, principal) || match(notNamespaces, id.ns) ||
			slices.ContainsFunc(notSAs, func(s string) bool {
				return s == id.ns+"/"+id.sa || (!strings.Contains(s, "/") && id.ns == policyNS && s == id.sa)
			})
	})
	return out, true
}

// trustDomainOK reports whether the mesh's own trust domain passes trustDomains and
// notTrustDomains values.
func (w *writer) trustDomainOK(values, notValues []string) bool {
	td := w.snap.TrustDomain
	if len(values) > 0 && !slices.ContainsFunc(values, func(p string) bool { return istioMatch(p, td) }) {
		return false
	}
	return !slices.ContainsFunc(notValues, func(p string) bool { return istioMatch(p, td) })
}
