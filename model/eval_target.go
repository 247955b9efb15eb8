package model

import (
	"slices"
)

// Labels that Istio and Gateway API put on the pods of a gateway deployment.
const (
	GatewayNameLabel      = "gateway.networking.k8s.io/gateway-name"
	IstioGatewayNameLabel = "istio.io/gateway-name"
)

// Applies reports whether a policy with target t applies to a proxy in namespace, with pod
// labels, implementing attached (see Request.Attached):
//   - targetRefs apply to the Gateway whose pods carry the gateway-name label in the policy's
//     namespace, and to what attached lists (a GatewayClass from the root namespace, or a
//     Service or ServiceEntry a waypoint serves);
//   - otherwise the selector (nil selects all) applies in the policy's namespace, or in every
//     namespace for a mesh-wide (root namespace) policy.
func (t Target) Applies(namespace string, labels map[string]string, attached []ObjectRef) bool {
	if len(t.Refs) > 0 {
		for _, ref := range t.Refs {
			if ref.Kind == "Gateway" && namespace == t.Namespace &&
				(labels[GatewayNameLabel] == ref.Name || labels[IstioGatewayNameLabel] == ref.Name) {
				return true
			}
			for _, a := range attached {
				if a.Kind == ref.Kind && a.Name == ref.Name && (a.Namespace == t.Namespace || ref.Kind == "GatewayClass") {
					return true
				}
			}
		}
		return false
	}
	if !t.MeshWide && namespace != t.Namespace {
		return false
	}
	return Selects(t.Selector, labels)
}

// PolicyWorkloads returns the workloads of the inventory a policy applies to. Waypoint and
// GatewayClass targets resolve to nothing: the inventory does not say which proxies serve them.
func (inv *Inventory) PolicyWorkloads(t Target) []Workload {
	// Only a mesh-wide selector reaches past the policy's namespace; a Gateway reference
	// names pods of the policy's namespace.
	scope := inv.Workloads
	if !t.MeshWide || len(t.Refs) > 0 {
		scope = inv.WorkloadsIn(t.Namespace)
	}
	var out []Workload
	for _, w := range scope {
		if t.Applies(w.Namespace, w.Labels, nil) {
			out = append(out, w)
		}
	}
	return out
}

// ServiceWorkloads returns the workloads a Service selects; none for a Service without selector.
func (inv *Inventory) ServiceWorkloads(s Service) []Workload {
	if len(s.Selector) == 0 {
		return nil
	}
	return inv.SelectWorkloads(s.Namespace, s.Selector)
}

// WorkloadServices returns the Services (with a selector) that select w.
func (inv *Inventory) WorkloadServices(w Workload) []Service {
	var out []Service
	for _, s := range inv.ServicesIn(w.Namespace) {
		if len(s.Selector) > 0 && Selects(s.Selector, w.Labels) {
			out = append(out, s)
		}
	}
	return out
}

// ServiceAccountsOf returns the distinct service accounts workloads run as, sorted.
func ServiceAccountsOf(workloads []Workload) []ServiceAccountRef {
	var out []ServiceAccountRef
	for _, w := range workloads {
		out = append(out, ServiceAccountRef{Namespace: w.Namespace, Name: w.ServiceAccount})
	}
	slices.SortFunc(out, func(a, b ServiceAccountRef) int { return compareNN(a.Namespace, a.Name, b.Namespace, b.Name) })
	return slices.Compact(out)
}

// TargetPortOn resolves a Service port to the container port of w it forwards to: the number, or
// the container port named by TargetPortName. It returns false when w declares no such port.
func (sp ServicePort) TargetPortOn(w Workload) (int32, bool) {
	if sp.TargetPortName == "" {
		if sp.TargetPort != 0 {
			return sp.TargetPort, true
		}
		return sp.Port, true
	}
	for _, cp := range w.Ports {
		if cp.Name == sp.TargetPortName {
			return cp.Port, true
		}
	}
	return 0, false
}

// Identity is the mTLS principal of a service account in a trust domain.
func (r ServiceAccountRef) Identity(trustDomain string) string {
	return Peer(trustDomain, r.Namespace, r.Name)
}
