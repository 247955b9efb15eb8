package model

// MTLSModeFor returns the mTLS mode Istio applies to a workload port, from the snapshot's
// PeerAuthentications: a workload policy's port-level mode, else its mode, else the namespace
// policy's, else the mesh policy's, each UNSET deferring to the next; PERMISSIVE when all are
// unset. Where several policies apply at one level, Istio uses the oldest, which the input does
// not tell; the reader reports that, and the first by name is used here.
func (s *Snapshot) MTLSModeFor(namespace string, labels map[string]string, port int32) MTLSMode {
	var workload, ns, mesh *PeerAuthentication
	for i := range s.PeerAuthentications {
		pa := &s.PeerAuthentications[i]
		switch {
		case pa.MeshWide:
			if mesh == nil {
				mesh = pa
			}
		case pa.Namespace != namespace:
		case len(pa.Selector) == 0:
			if ns == nil {
				ns = pa
			}
		case Selects(pa.Selector, labels):
			if workload == nil {
				workload = pa
			}
		}
	}
	if workload != nil {
		if m, ok := workload.PortModes[port]; ok && m != MTLSUnset && m != "" {
			return m
		}
	}
	for _, pa := range []*PeerAuthentication{workload, ns, mesh} {
		if pa != nil && pa.Mode != MTLSUnset && pa.Mode != "" {
			return pa.Mode
		}
	}
	return MTLSPermissive
}
