package istio

import (
	"slices"
	"sort"
	"strings"

	"github.com/meshbridge/meshbridge/model"
)

// rbacService is a Service of the inventory with what the v1alpha1 reader asks of it: its FQDN
// (what ServiceRole services entries match) and whether RBAC is on for it.
type rbacService struct {
	model.Service
	fqdn string
	on   bool
}

// rbacServices indexes the inventory's Services for one readRBAC pass, so that no ServiceRole
// is matched against every Service of the input: a role governs only the Services of its own
// namespace (Istio 1.4 looked roles up in the Service's namespace), exact services entries are
// looked up by FQDN, and only an entry that matches nothing at home is searched for elsewhere,
// for the finding that names where it does match.
//
// It is built after readWorkloads filled and sorted the inventory, which nothing changes
// during readRBAC.
type rbacServices struct {
	all    []rbacService // inventory order: namespace, name
	byNS   map[string][]*rbacService
	byFQDN map[string][]int // indices into all, ascending
	// Built on the first search outside a role's namespace: indices into all sorted by FQDN and
	// by reversed FQDN (for prefix and suffix entries), the reversed FQDNs, and each entry's
	// answer.
	byPrefix, bySuffix []int
	reversed           []string
	first              map[string]int
}

func newRbacServices(svcs []model.Service, domain string, cfg *rbacConfig) *rbacServices {
	idx := &rbacServices{
		all:    make([]rbacService, len(svcs)),
		byNS:   map[string][]*rbacService{},
		byFQDN: make(map[string][]int, len(svcs)),
	}
	for i, s := range svcs {
		fqdn := s.FQDN(domain)
		idx.all[i] = rbacService{Service: s, fqdn: fqdn, on: cfg.enabled(fqdn, s.Namespace)}
		idx.byNS[s.Namespace] = append(idx.byNS[s.Namespace], &idx.all[i])
		idx.byFQDN[fqdn] = append(idx.byFQDN[fqdn], i)
	}
	return idx
}

// in returns the Services of namespace ns, in inventory order.
func (idx *rbacServices) in(ns string) []*rbacService { return idx.byNS[ns] }

// matchesIn reports whether services entry e matches a Service of namespace ns.
func (idx *rbacServices) matchesIn(e, ns string) bool {
	if isExact(e) {
		return slices.ContainsFunc(idx.byFQDN[e], func(i int) bool { return idx.all[i].Namespace == ns })
	}
	return slices.ContainsFunc(idx.in(ns), func(s *rbacService) bool { return rbacMatch(s.fqdn, []string{e}) })
}

// firstMatch returns the first Service in inventory order whose FQDN entry e matches.
func (idx *rbacServices) firstMatch(e string) (model.Service, bool) {
	i := idx.firstIndex(e)
	if i < 0 {
		return model.Service{}, false
	}
	return idx.all[i].Service, true
}

// firstIndex is firstMatch's index into all, or -1. Entries are remembered: the Services an
// entry can match lie in one range of the FQDNs sorted forwards ("prefix*") or backwards
// ("*suffix"), and each FQDN has only as many prefixes and suffixes as it has bytes, so all the
// searches together stay within the size of the input.
func (idx *rbacServices) firstIndex(e string) int {
	if isExact(e) {
		if is := idx.byFQDN[e]; len(is) > 0 {
			return is[0]
		}
		return -1
	}
	if e == "*" {
		if len(idx.all) > 0 {
			return 0
		}
		return -1
	}
	if i, ok := idx.first[e]; ok {
		return i
	}
	idx.sortFQDNs()
	best := -1
	keep := func(i int) {
		if best < 0 || i < best {
			best = i
		}
	}
	if strings.HasSuffix(e, "*") {
		prefix := e[:len(e)-1]
		at := sort.Search(len(idx.byPrefix), func(k int) bool { return idx.all[idx.byPrefix[k]].fqdn >= prefix })
		for _, i := range idx.byPrefix[at:] {
			if !strings.HasPrefix(idx.all[i].fqdn, prefix) {
				break
			}
			keep(i)
		}
	}
	if strings.HasPrefix(e, "*") {
		suffix := reverse(e[1:])
		at := sort.Search(len(idx.bySuffix), func(k int) bool { return idx.reversed[idx.bySuffix[k]] >= suffix })
		for _, i := range idx.bySuffix[at:] {
			if !strings.HasPrefix(idx.reversed[i], suffix) {
				break
			}
			keep(i)
		}
	}
	idx.first[e] = best
	return best
}

func (idx *rbacServices) sortFQDNs() {
	if idx.first != nil {
		return
	}
	idx.first = map[string]int{}
	n := len(idx.all)
	idx.reversed = make([]string, n)
	idx.byPrefix, idx.bySuffix = make([]int, n), make([]int, n)
	for i := range idx.all {
		idx.reversed[i] = reverse(idx.all[i].fqdn)
		idx.byPrefix[i], idx.bySuffix[i] = i, i
	}
	sort.SliceStable(idx.byPrefix, func(a, b int) bool { return idx.all[idx.byPrefix[a]].fqdn < idx.all[idx.byPrefix[b]].fqdn })
	sort.SliceStable(idx.bySuffix, func(a, b int) bool { return idx.reversed[idx.bySuffix[a]] < idx.reversed[idx.bySuffix[b]] })
}

// isExact reports whether a services entry matches only the FQDN equal to it (rbacMatch).
func isExact(e string) bool {
	return !strings.HasPrefix(e, "*") && !strings.HasSuffix(e, "*")
}

func reverse(s string) string {
	b := []byte(s)
	slices.Reverse(b)
	return string(b)
}
