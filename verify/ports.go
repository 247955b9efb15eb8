package verify

import "github.com/meshbridge/meshbridge/model"

// DeclaredPortsAssumption is the assumption every access comparison makes, as the report's
// header states it; DeclaredPortsNote says what it means for the requests checked.
const DeclaredPortsAssumption = "workloads listen only on declared ports"

// DeclaredPortsNote details DeclaredPortsAssumption.
const DeclaredPortsNote = "Access assumes workloads listen only on declared ports: a workload that declares container ports " +
	"was checked on those and on the ports its Services target, for Istio and the destination alike; one that declares none, on every port."

// servedPorts returns the ports workload w is taken to listen on: the TCP ports its pod
// template declares and the ports the Services that select it target (a number, or a declared
// port's name). Linkerd Servers (and SMI port rules) can only select declared ports, so
// meshbridge assumes a workload that declares ports listens on no other, and verify compares
// both sides under that assumption. It returns nil, every port, when w declares no TCP port.
func servedPorts(inv *model.Inventory, w model.Workload) map[int32]bool {
	out := map[int32]bool{}
	for _, p := range w.Ports {
		if p.Port > 0 && (p.Protocol == "" || p.Protocol == "TCP") {
			out[p.Port] = true
		}
	}
	if len(out) == 0 {
		return nil
	}
	for _, s := range inv.WorkloadServices(w) {
		for _, sp := range s.Ports {
			if sp.Protocol != "" && sp.Protocol != "TCP" {
				continue
			}
			if p, ok := sp.TargetPortOn(w); ok && p > 0 {
				out[p] = true
			}
		}
	}
	return out
}

// serviceTargetPorts returns the container ports the inventory's Services target by number, so
// that requests to them are asked about even when no pod declares them and no rule names them.
func serviceTargetPorts(inv *model.Inventory) []int32 {
	var out []int32
	for _, s := range inv.Services {
		for _, sp := range s.Ports {
			if sp.TargetPortName != "" || (sp.Protocol != "" && sp.Protocol != "TCP") {
				continue
			}
			if p := sp.TargetPort; p > 0 {
				out = append(out, p)
			} else if sp.Port > 0 {
				out = append(out, sp.Port) // targetPort defaults to the port
			}
		}
	}
	return out
}
