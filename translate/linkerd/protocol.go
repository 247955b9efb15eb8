package linkerd

import (
	"slices"
	"strings"

	"github.com/meshbridge/meshbridge/model"
)

// istioTCPProtocols are the Service port protocols for which Istio's sidecar handles inbound
// traffic as TCP, without HTTP attributes.
var istioTCPProtocols = []string{"tcp", "tls", "https", "mongo", "mysql", "redis"}

// istioTCP reports whether Istio treats the workloads' container port as plain TCP: every
// Service port that forwards to it declares a TCP protocol (by appProtocol or by its name's
// prefix). There, Istio's ALLOW rules that need HTTP attributes never match, and DENY rules
// ignore those attributes. Ports no Service declares are sniffed, like Linkerd does.
func (w *writer) istioTCP(workloads []model.Workload, port int32) bool {
	seen := false
	for _, wl := range workloads {
		var portName string
		for _, cp := range wl.Ports {
			if cp.Port == port {
				portName = cp.Name
			}
		}
		for _, svc := range w.snap.Inventory.ServicesIn(wl.Namespace) {
			if svc.Selector == nil || !model.Selects(svc.Selector, wl.Labels) {
				continue
			}
			for _, sp := range svc.Ports {
				if sp.TargetPort != port && (sp.TargetPortName == "" || sp.TargetPortName != portName) {
					continue
				}
				if sp.Protocol != "" && sp.Protocol != "TCP" {
					continue
				}
				if !slices.Contains(istioTCPProtocols, servicePortProtocol(sp)) {
					return false
				}
				seen = true
			}
		}
	}
	return seen
}

// servicePortProtocol is Istio's protocol selection: appProtocol, else the name up to "-".
func servicePortProtocol(sp model.ServicePort) string {
	if sp.AppProtocol != "" {
		return strings.ToLower(sp.AppProtocol)
	}
	name, _, _ := strings.Cut(strings.ToLower(sp.Name), "-")
	return name
}
