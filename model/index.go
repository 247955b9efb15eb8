package model

import "sort"

// The inventory's lists are sorted by namespace (Sort), so one namespace's workloads, Services
// or service accounts are a contiguous run that two binary searches find. Lookups by namespace
// therefore cost O(log n) plus what they return instead of a pass over the whole input: a
// policy, a Service or a workload only ever concerns its own namespace (a mesh-wide policy
// excepted), and readers and writers look one up for every object they translate.
//
// Nothing is cached: every call searches the lists as they are, so appending to them,
// replacing them or sorting them again can never leave a stale index behind. The one
// invariant is the inventory's own: after changing a list, call Sort before looking anything
// up (readers do, once, after filling the inventory). On a list not sorted by namespace these
// lookups miss workloads and Services of the namespace.

// WorkloadsIn returns the workloads of namespace, in inventory order. The result shares the
// inventory's backing array with its capacity cut to its length, so appending to it copies
// instead of overwriting the next namespace; callers must not modify its elements.
func (inv *Inventory) WorkloadsIn(namespace string) []Workload {
	return namespaceRun(inv.Workloads, namespace, func(w Workload) string { return w.Namespace })
}

// ServicesIn returns the Services of namespace, in inventory order, on the same terms as
// WorkloadsIn.
func (inv *Inventory) ServicesIn(namespace string) []Service {
	return namespaceRun(inv.Services, namespace, func(s Service) string { return s.Namespace })
}

// scopeWorkloads returns the workloads of namespace, or every workload when namespace is "".
func (inv *Inventory) scopeWorkloads(namespace string) []Workload {
	if namespace == "" {
		return inv.Workloads
	}
	return inv.WorkloadsIn(namespace)
}

// scopeServiceAccounts returns the declared service accounts of namespace, or all of them when
// namespace is "".
func (inv *Inventory) scopeServiceAccounts(namespace string) []ServiceAccountRef {
	if namespace == "" {
		return inv.ServiceAccounts
	}
	return namespaceRun(inv.ServiceAccounts, namespace, func(sa ServiceAccountRef) string { return sa.Namespace })
}

// namespaceRun returns the run of list (sorted by namespace) whose namespace is namespace,
// with its capacity cut to its length.
func namespaceRun[T any](list []T, namespace string, ns func(T) string) []T {
	lo := sort.Search(len(list), func(i int) bool { return ns(list[i]) >= namespace })
	hi := lo + sort.Search(len(list)-lo, func(i int) bool { return ns(list[lo+i]) > namespace })
	return list[lo:hi:hi]
}
