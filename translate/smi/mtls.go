package smi

import (
	"slices"

	"github.com/meshbridge/meshbridge/model"
)

// requiresMTLS reports whether Istio requires mutual TLS for every port of wl, so that every
// caller Istio lets in has a workload identity (and so a service account SMI can name). The
// most specific PeerAuthentication wins: workload selector, then namespace, then mesh-wide;
// UNSET inherits, and the default is PERMISSIVE.
func (w *writer) requiresMTLS(wl model.Workload) bool {
	var workload, namespace, mesh *model.PeerAuthentication
	pas := w.peerAuthentications(wl.Namespace).PeerAuthentications
	for i := range pas {
		pa := &pas[i]
		switch {
		case pa.MeshWide:
			mesh = first(mesh, pa)
		case pa.Namespace != wl.Namespace:
		case len(pa.Selector) == 0:
			namespace = first(namespace, pa)
		case model.Selects(pa.Selector, wl.Labels):
			workload = first(workload, pa)
		}
	}
	mode := model.MTLSPermissive
	for _, pa := range []*model.PeerAuthentication{mesh, namespace, workload} {
		if pa != nil && pa.Mode != model.MTLSUnset && pa.Mode != "" {
			mode = pa.Mode
		}
	}
	if mode != model.MTLSStrict {
		return false
	}
	if workload != nil {
		for _, m := range workload.PortModes {
			if m != model.MTLSStrict && m != model.MTLSUnset && m != "" {
				return false
			}
		}
	}
	return true
}

// peerAuthentications returns a snapshot holding only the PeerAuthentications that may apply to
// a workload of namespace ns, the mesh-wide ones and those of ns, in the snapshot's order: a
// workload of ns finds the same mode in it (MTLSModeFor reads nothing else) without passing
// every namespace's policies for every workload and port.
func (w *writer) peerAuthentications(ns string) *model.Snapshot {
	if w.peerAuths == nil {
		all := w.snap.PeerAuthentications
		var mesh []int
		own := map[string][]int{}
		for i, pa := range all {
			if pa.MeshWide {
				mesh = append(mesh, i)
			} else {
				own[pa.Namespace] = append(own[pa.Namespace], i)
			}
		}
		pick := func(indexes []int) *model.Snapshot {
			s := &model.Snapshot{}
			for _, i := range indexes {
				s.PeerAuthentications = append(s.PeerAuthentications, all[i])
			}
			return s
		}
		w.meshPeerAuths = pick(mesh)
		w.peerAuths = map[string]*model.Snapshot{}
		for n, indexes := range own {
			w.peerAuths[n] = pick(slices.Sorted(slices.Values(append(slices.Clone(mesh), indexes...))))
		}
	}
	if s := w.peerAuths[ns]; s != nil {
		return s
	}
	return w.meshPeerAuths
}

// first keeps the first policy found: the snapshot is sorted, and Istio, too, picks one when
// several apply at the same level.
func first(have, pa *model.PeerAuthentication) *model.PeerAuthentication {
	if have != nil {
		return have
	}
	return pa
}

// plainText records on d where Istio takes plain text from callers: the ports on which some
// workload of d has mutual TLS DISABLE. There no caller has a peer identity, so sources that
// need one never match, while sources that need none (negations only, or no source) match every
// caller. A TrafficTarget applies to every pod of the service account, so a port is plain when it
// is plain on any of them.
func (w *writer) plainText(d *destination) {
	// Ports whose mode may differ from a workload's default: the declared ones and those a
	// PeerAuthentication of the namespace (or the mesh) sets port by port. A port only policies
	// of other namespaces set has every workload's default mode: it would be plain exactly when
	// plainElsewhere is set, where every port but mtlsPorts is plain anyway.
	pas := w.peerAuthentications(d.account.Namespace)
	candidates := slices.Clone(d.ports)
	for _, pa := range pas.PeerAuthentications {
		for p := range pa.PortModes {
			candidates = append(candidates, p)
		}
	}
	slices.Sort(candidates)
	candidates = slices.Compact(candidates)
	plain := map[int32]bool{}
	for _, wl := range d.workloads {
		// No PeerAuthentication sets port 0, so this is the mode of every port not set one by one.
		if pas.MTLSModeFor(wl.Namespace, wl.Labels, 0) == model.MTLSDisable {
			d.plainElsewhere = true
		}
		for _, p := range candidates {
			if pas.MTLSModeFor(wl.Namespace, wl.Labels, p) == model.MTLSDisable {
				plain[p] = true
			}
		}
	}
	d.plain = nil
	d.mtlsPorts = []int32{}
	for _, p := range candidates {
		if plain[p] {
			d.plain = append(d.plain, p)
		} else {
			d.mtlsPorts = append(d.mtlsPorts, p)
		}
	}
}

// hasPlain reports whether some port of d takes plain text.
func (d destination) hasPlain() bool { return d.plainElsewhere || len(d.plain) > 0 }

// identityPorts are the ports of d on which callers have a peer identity: nil for any port.
// When a workload takes plain text by default, they are the ports PeerAuthentications set to
// mutual TLS one by one; otherwise the declared ports that are not plain, a finite list that
// leaves out undeclared ports.
func (d destination) identityPorts() []int32 {
	switch {
	case d.plainElsewhere:
		return d.mtlsPorts
	case len(d.plain) > 0:
		return minusPorts(nil, d.plain, d.ports)
	}
	return nil
}

// needsIdentity reports whether a source, with the rule's source conditions, can only match a
// caller that has a peer identity: it names principals, namespaces, service accounts or trust
// domains, or a source.* condition has values. Negations match a caller without identity.
func needsIdentity(src model.Source, conditions []model.Condition) bool {
	if !mayBeUnauthenticated(src) {
		return true
	}
	return slices.ContainsFunc(conditions, func(c model.Condition) bool { return len(c.Values) > 0 })
}
