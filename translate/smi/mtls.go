package smi

import "github.com/meshbridge/meshbridge/model"

// requiresMTLS reports whether Istio requires mutual TLS for every port of wl, so that every
// caller Istio lets in has a workload identity (and so a service account SMI can name). The
// most specific PeerAuthentication wins: workload selector, then namespace, then mesh-wide;
// UNSET inherits, and the default is PERMISSIVE.
func (w *writer) requiresMTLS(wl model.Workload) bool {
	var workload, namespace, mesh *model.PeerAuthentication
	for i := range w.snap.PeerAuthentications {
		pa := &w.snap.PeerAuthentications[i]
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

// first keeps the first policy found: the snapshot is sorted, and Istio, too, picks one when
// several apply at the same level.
func first(have, pa *model.PeerAuthentication) *model.PeerAuthentication {
	if have != nil {
		return have
	}
	return pa
}
