package linkerd

import "github.com/meshbridge/meshbridge/model"

// The writer forms classes one namespace at a time, and only the policies of that namespace,
// those attached by targetRefs to its objects and the mesh-wide ones can apply there. Checking
// every policy of the input for every workload made the writer quadratic in the input; the
// index, built once per write, hands each namespace its candidates instead. Candidates keep
// snapshot order, which classes depend on (a class's policies are listed, and keyed, in it).

// policyIndex holds, by namespace, the positions in the snapshot of the access policies and
// PeerAuthentications that may concern the namespace's workloads, the mesh-wide ones apart.
type policyIndex struct {
	access, peer         map[string][]int
	meshAccess, meshPeer []int
}

// index builds w.byNamespace from the snapshot.
func (w *writer) index() {
	x := policyIndex{access: map[string][]int{}, peer: map[string][]int{}}
	for i := range w.snap.Access {
		p := &w.snap.Access[i]
		switch {
		case w.meshWide(p.Namespace, p.Target.MeshWide):
			x.meshAccess = append(x.meshAccess, i)
		default:
			x.access[p.Namespace] = append(x.access[p.Namespace], i)
			if p.Target.Namespace != p.Namespace { // targetRefs resolve in the target's namespace
				x.access[p.Target.Namespace] = append(x.access[p.Target.Namespace], i)
			}
		}
	}
	for i := range w.snap.PeerAuthentications {
		p := &w.snap.PeerAuthentications[i]
		if w.meshWide(p.Namespace, p.MeshWide) {
			x.meshPeer = append(x.meshPeer, i)
		} else {
			x.peer[p.Namespace] = append(x.peer[p.Namespace], i)
		}
	}
	w.byNamespace = x
}

// accessIn returns the access policies that may apply in namespace ns, in snapshot order: a
// superset of those accessApplies, refsSelect and refSplitters accept for ns.
func (w *writer) accessIn(ns string) []*model.AccessPolicy {
	return pick(w.snap.Access, merge(w.byNamespace.access[ns], w.byNamespace.meshAccess))
}

// peersIn returns the PeerAuthentications that may apply in namespace ns, in snapshot order: a
// superset of those peerLevel ranks for a workload of ns.
func (w *writer) peersIn(ns string) []*model.PeerAuthentication {
	return pick(w.snap.PeerAuthentications, merge(w.byNamespace.peer[ns], w.byNamespace.meshPeer))
}

// merge merges two increasing lists of positions into one.
func merge(a, b []int) []int {
	if len(b) == 0 {
		return a
	}
	out := make([]int, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if a[0] < b[0] {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}

func pick[T any](list []T, at []int) []*T {
	out := make([]*T, len(at))
	for i, j := range at {
		out[i] = &list[j]
	}
	return out
}
