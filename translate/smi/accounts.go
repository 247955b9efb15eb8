package smi

import (
	"slices"
	"sort"
	"strings"

	"github.com/meshbridge/meshbridge/model"
)

// Sources name callers by namespace, principal or "<ns>/<sa>", with wildcards and negations, and
// the writer needs the known service accounts each one matches. Matching every value against
// every account of the input made the writer quadratic: every policy scanned every account.
// The index below narrows a value to the accounts it can possibly match — those of the
// namespaces it names, or of the account names a principal suffix names — and the exact
// matchers (sources.go) then decide among them. Narrowing only ever keeps a superset of the
// matches; it never decides a match, so it cannot widen or narrow what is written.

// accountIndex indexes the known service accounts (universe) by namespace and by name.
type accountIndex struct {
	td  string
	all []sa // sorted by namespace and name, unique
	// namespaces are the distinct namespaces of all, sorted; all[start[i]:start[i+1]] are the
	// accounts of namespaces[i].
	namespaces []string
	start      []int
	// names are the distinct account names, sorted; byName holds the accounts of each.
	names  []string
	byName map[string][]sa
	// slashNames is set when some account name holds a "/", which no Kubernetes name does.
	slashNames bool
}

// newAccountIndex indexes accounts, which must be sorted by namespace and name and unique.
func newAccountIndex(td string, accounts []sa) *accountIndex {
	ix := &accountIndex{td: td, all: accounts, byName: map[string][]sa{}}
	for i, s := range accounts {
		if i == 0 || s.Namespace != accounts[i-1].Namespace {
			ix.namespaces = append(ix.namespaces, s.Namespace)
			ix.start = append(ix.start, i)
		}
		if ix.byName[s.Name] == nil {
			ix.names = append(ix.names, s.Name)
			ix.slashNames = ix.slashNames || strings.Contains(s.Name, "/")
		}
		ix.byName[s.Name] = append(ix.byName[s.Name], s)
	}
	ix.start = append(ix.start, len(accounts))
	slices.Sort(ix.names)
	return ix
}

// accounts returns the index of the known service accounts, built once per Write.
func (w *writer) accounts() *accountIndex {
	if w.index == nil {
		w.index = newAccountIndex(w.snap.TrustDomain, w.universe())
	}
	return w.index
}

// idField is an identity field whose values can be narrowed to accounts.
type idField int

const (
	// nsField values (namespaces, notNamespaces, source.namespace) are globs on the namespace.
	nsField idField = iota
	// principalField values (principals, notPrincipals, source.principal) are Istio string
	// matches on <td>/ns/<ns>/sa/<name>.
	principalField
	// accountField values (serviceAccounts, notServiceAccounts, source.serviceAccount) are
	// "<ns>/<sa>", or "<sa>" in the policy's namespace.
	accountField
)

// conditionField is the field a source.* `when` key reads; ok is false for keys whose values
// do not depend on the account (source.trustDomain) and other keys.
func conditionField(key string) (f idField, ok bool) {
	switch key {
	case "source.namespace":
		return nsField, true
	case "source.principal":
		return principalField, true
	case "source.serviceAccount":
		return accountField, true
	}
	return 0, false
}

// candidates appends to dst the known accounts that value, read as f in a policy of namespace
// policyNS, may match. It returns ok false, and dst unchanged, when value may match any account.
func (ix *accountIndex) candidates(dst []sa, f idField, value, policyNS string) (out []sa, ok bool) {
	switch f {
	case nsField:
		return ix.globCandidates(dst, value)
	case accountField:
		ns, name, found := strings.Cut(value, "/")
		if !found {
			ns, name = policyNS, value
		}
		run := ix.namespace(ns)
		if i, found := slices.BinarySearchFunc(run, name, func(s sa, n string) int { return strings.Compare(s.Name, n) }); found {
			dst = append(dst, run[i])
		}
		return dst, true
	}
	switch {
	case value == "*":
		return dst, false
	case strings.HasSuffix(value, "*"):
		return ix.principalPrefixCandidates(dst, value[:len(value)-1])
	case strings.HasPrefix(value, "*"):
		return ix.principalSuffixCandidates(dst, value[1:]), true
	}
	// A principal equal to value also starts with it.
	return ix.principalPrefixCandidates(dst, value)
}

// namespace returns the accounts of namespace ns.
func (ix *accountIndex) namespace(ns string) []sa {
	i, found := slices.BinarySearch(ix.namespaces, ns)
	if !found {
		return nil
	}
	return ix.all[ix.start[i]:ix.start[i+1]]
}

// namespacesWithPrefix returns the indexes in namespaces of the namespaces starting with prefix.
func (ix *accountIndex) namespacesWithPrefix(prefix string) (lo, hi int) {
	lo = sort.SearchStrings(ix.namespaces, prefix)
	hi = lo
	for hi < len(ix.namespaces) && strings.HasPrefix(ix.namespaces[hi], prefix) {
		hi++
	}
	return lo, hi
}

// globCandidates appends the accounts of the namespaces glob matches: exactly those, since a
// namespace glob looks at nothing else. Only namespaces starting with the text before the
// first * are tried.
func (ix *accountIndex) globCandidates(dst []sa, glob string) ([]sa, bool) {
	first, _, wildcard := strings.Cut(glob, "*")
	if !wildcard {
		return append(dst, ix.namespace(glob)...), true
	}
	if glob == "*" {
		return dst, false
	}
	lo, hi := ix.namespacesWithPrefix(first)
	for i := lo; i < hi; i++ {
		if globMatch(glob, ix.namespaces[i]) {
			dst = append(dst, ix.all[ix.start[i]:ix.start[i+1]]...)
		}
	}
	return dst, true
}

// principalPrefixCandidates appends the accounts whose principal <td>/ns/<ns>/sa/<name> may
// start with prefix. Past "<td>/ns/", prefix continues with the namespace: up to its first "/"
// it is the start of the namespace, and when it goes on after a "/" that slash ends the
// namespace (Kubernetes namespaces hold no "/"; one that does is kept, never decided here).
func (ix *accountIndex) principalPrefixCandidates(dst []sa, prefix string) ([]sa, bool) {
	base := ix.td + "/ns/"
	if len(prefix) <= len(base) {
		if strings.HasPrefix(base, prefix) {
			return dst, false // every principal of the trust domain starts with it
		}
		return dst, true // another trust domain: no principal of this one
	}
	rest, ok := strings.CutPrefix(prefix, base)
	if !ok {
		return dst, true
	}
	nsPrefix, _, ends := strings.Cut(rest, "/")
	lo, hi := ix.namespacesWithPrefix(nsPrefix)
	for i := lo; i < hi; i++ {
		if ns := ix.namespaces[i]; !ends || ns == nsPrefix || strings.Contains(ns, "/") {
			dst = append(dst, ix.all[ix.start[i]:ix.start[i+1]]...)
		}
	}
	return dst, true
}

// principalSuffixCandidates appends the accounts whose principal may end with suffix. A
// principal ends with "/sa/<name>", so the name ends with the text after suffix's last "/" (all
// of suffix when it has none); when suffix has a "/", the name is that text (or holds a "/"
// itself, which Kubernetes names do not).
func (ix *accountIndex) principalSuffixCandidates(dst []sa, suffix string) []sa {
	tail := suffix
	slash := strings.LastIndexByte(suffix, '/')
	if slash >= 0 {
		tail = suffix[slash+1:]
		if !ix.slashNames {
			return append(dst, ix.byName[tail]...)
		}
	}
	for _, name := range ix.names {
		if strings.HasSuffix(name, tail) && (slash < 0 || name == tail || strings.Contains(name, "/")) {
			dst = append(dst, ix.byName[name]...)
		}
	}
	return dst
}

// valuesCandidates returns the accounts any of values, read as f, may match, sorted and unique;
// ok is false when they may match any account.
func (ix *accountIndex) valuesCandidates(f idField, values []string, policyNS string) (out []sa, ok bool) {
	out = []sa{}
	for _, v := range values {
		if out, ok = ix.candidates(out, f, v, policyNS); !ok {
			return nil, false
		}
	}
	return sortAccounts(out), true
}

// sourceCandidates returns the known accounts that may satisfy src together with the source
// conditions of its rule: the fewest that one of the fields they must match allows, or every
// account when no such field narrows them. Callers must not modify the result.
func (ix *accountIndex) sourceCandidates(src model.Source, conds []model.Condition, policyNS string) []sa {
	best := ix.all
	narrow := func(f idField, values []string) {
		if len(values) == 0 {
			return
		}
		if got, ok := ix.valuesCandidates(f, values, policyNS); ok && len(got) < len(best) {
			best = got
		}
	}
	narrow(principalField, src.Principals)
	narrow(nsField, src.Namespaces)
	narrow(accountField, src.ServiceAccounts)
	for _, c := range conds {
		if f, ok := conditionField(c.Key); ok {
			narrow(f, c.Values)
		}
	}
	return best
}

// reach returns the known accounts that any identity value of froms and conds (positive or
// negated) may match, sorted and unique; ok is false when that may be any account. Every
// account outside it matches none of those values, so a rule's sources decide alike for all of
// them (outsideMatches).
func (ix *accountIndex) reach(froms []model.Source, conds []model.Condition, policyNS string) (out []sa, ok bool) {
	out = []sa{}
	add := func(f idField, values ...[]string) bool {
		for _, vs := range values {
			for _, v := range vs {
				if out, ok = ix.candidates(out, f, v, policyNS); !ok {
					return false
				}
			}
		}
		return true
	}
	for _, src := range froms {
		if !add(principalField, src.Principals, src.NotPrincipals) ||
			!add(nsField, src.Namespaces, src.NotNamespaces) ||
			!add(accountField, src.ServiceAccounts, src.NotServiceAccounts) {
			return nil, false
		}
	}
	for _, c := range conds {
		if f, isIdentity := conditionField(c.Key); isIdentity && !add(f, c.Values, c.NotValues) {
			return nil, false
		}
	}
	return sortAccounts(out), true
}

// outsideMatches is what a rule's sources and source conditions decide for an account that
// none of their namespace, principal and service account values match (one outside reach): a
// field listing such values excludes it, a negated one does not, and trust domains do not
// depend on the account.
func outsideMatches(td string, froms []model.Source, conds []model.Condition) bool {
	tdMatch := func(p string) bool { return istioMatch(p, td) }
	for _, c := range conds {
		_, isIdentity := conditionField(c.Key)
		switch {
		case isIdentity:
			if len(c.Values) > 0 {
				return false
			}
		case c.Key == "source.trustDomain":
			if !included(c.Values, c.NotValues, tdMatch) {
				return false
			}
		default:
			return false // conditionMatches matches no other key
		}
	}
	return slices.ContainsFunc(froms, func(src model.Source) bool {
		return len(src.Principals)+len(src.Namespaces)+len(src.ServiceAccounts) == 0 &&
			included(src.TrustDomains, src.NotTrustDomains, tdMatch)
	})
}
