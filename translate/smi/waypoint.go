package smi

import (
	"github.com/meshbridge/meshbridge/model"
)

// A policy whose targetRefs name a Service applies at the Service's waypoint, to traffic that
// goes through it. SMI has no waypoint, so the writer enforces such a policy at the workloads
// behind the Service, on all their traffic. For a DENY that denies more. For an ALLOW it is
// narrower as long as no other ALLOW policy selects the workloads directly: Istio lets callers
// that bypass the waypoint in, and SMI only lets the policy's sources in. Beside a policy of the
// workloads' own it would be wider: a TrafficTarget adds its sources to what the workloads'
// own policy allows, on traffic that never passed the waypoint. Then it is not written.

// waypointWorkloads lists the workloads of d that sp reaches only through a Service reference.
func waypointWorkloads(d destination, sp *scopedPolicy) []model.Workload {
	var out []model.Workload
	for _, wl := range d.workloads {
		if sp.viaService[workloadKey(wl)] {
			out = append(out, wl)
		}
	}
	return out
}

// waypointAtWorkloads reports, on each workload of d that sp reaches through a Service, that the
// waypoint policy is enforced there.
func (w *writer) waypointAtWorkloads(d destination, sp *scopedPolicy) {
	for _, wl := range waypointWorkloads(d, sp) {
		w.report(model.CodeSMIWaypointAtWorkloads, wl.Origin, "",
			"%s %s/%s attaches to a Service of %s %s/%s (a waypoint); SMI has no waypoint, so its %s is enforced at "+
				"the workload on all its traffic, also on traffic that does not pass the waypoint",
			sp.p.Origin.Object.Kind, sp.p.Namespace, sp.p.Name, wl.Kind, wl.Namespace, wl.Name, sp.p.Action)
	}
}

// waypointAllowed reports whether the ALLOW policy sp may be written for d: not when it reaches a
// workload through a Service and another ALLOW policy selects that workload directly.
func (w *writer) waypointAllowed(d destination, sp *scopedPolicy) bool {
	blocked := false
	for _, wl := range waypointWorkloads(d, sp) {
		k := workloadKey(wl)
		for _, other := range w.selected(k).allows {
			if other == sp || other.viaService[k] {
				continue
			}
			w.report(model.CodeSMIWaypointBesideOwn, wl.Origin, "",
				"%s %s/%s attaches to a Service of %s %s/%s (a waypoint), which %s %s/%s also selects directly; "+
					"enforced at the workload it would add to what that policy allows, so it was not written for "+
					"service account %s", sp.p.Origin.Object.Kind, sp.p.Namespace, sp.p.Name, wl.Kind, wl.Namespace,
				wl.Name, other.p.Origin.Object.Kind, other.p.Namespace, other.p.Name, d.account)
			blocked = true
			break
		}
	}
	if !blocked {
		w.waypointAtWorkloads(d, sp)
	}
	return !blocked
}
