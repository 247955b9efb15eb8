package smi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshbridge/meshbridge/model"
)

// Istio's ports are workload (container) ports, and so are a clause's. This file adapts them to
// what the profile can write:
//   - a TCPRoute always lists the exact ports: Istio denies every port a rule does not name,
//     including ports the pods do not declare;
//   - an HTTPRouteGroup has no port (access v1alpha3), so HTTP traffic limited to ports is
//     written only when the ports cover every declared port, which assumes the workloads serve
//     on no other port (MB3028), and left out otherwise (MB3013);
//   - with access v1alpha2 (Traefik Mesh) each port gets its own TrafficTarget, whose
//     destination port Traefik Mesh matches against its Services' numeric targetPorts (MB3029);
//   - a consumer not known to read TCPRoute ports as container ports (--mesh smi) could read
//     them as Service ports: a port that is also a Service port forwarding elsewhere is left out,
//     since that reading would allow the other port (MB3029).

// expressible adapts clauses to what the profile can write.
func (w *writer) expressible(src grantSource, cs []clause, d destination) []clause {
	var out []clause
	for _, c := range cs {
		switch {
		case c.ports == nil:
			out = append(out, c)
		case w.prof.destinationPort:
			w.checkTargetPorts(src, c, d)
			out = append(out, c)
		default:
			out = append(out, w.portlessHTTP(src, c, d)...)
		}
	}
	return normalize(out)
}

// portlessHTTP writes a clause limited to ports where HTTPRouteGroup has no port: its TCP part
// keeps the ports, its HTTP part is written for every port or not at all.
func (w *writer) portlessHTTP(src grantSource, c clause, d destination) []clause {
	var out []clause
	if c.kind != kindHTTP {
		if ports := w.readablePorts(src, c, d); len(ports) > 0 {
			out = append(out, clause{kind: kindTCP, ports: ports, field: c.field})
		}
	}
	if c.kind == kindTCP {
		return out
	}
	if coversPorts(c.ports, d.ports) {
		w.report(model.CodeSMIDeclaredPortsAssumed, src.origin, c.field,
			"HTTP requests allowed on ports %v only were written for every port, as HTTPRouteGroup has no port: "+
				"the translation assumes the workloads of service account %s serve only on their declared "+
				"container ports %v", c.ports, d.account, d.ports)
		c.kind, c.ports = kindHTTP, nil
		return append(out, c)
	}
	if len(out) > 0 {
		w.report(model.CodeSMIPortNotExpressible, src.origin, c.field,
			"traffic on ports %v written as a TCPRoute; HTTP traffic on those ports is not allowed by %s", c.ports, w.prof.mesh)
	} else {
		w.report(model.CodeSMIPortNotExpressible, src.origin, c.field,
			"HTTP requests allowed on ports %v only cannot be written for %s; not written", c.ports, w.prof.mesh)
	}
	return out
}

// readablePorts returns the ports of c a TCPRoute may list for the consumer. Where the
// consumer's reading is unknown, a port that a Service of d forwards to a container port c does
// not allow is left out.
func (w *writer) readablePorts(src grantSource, c clause, d destination) []int32 {
	if w.prof.containerPorts {
		return c.ports
	}
	forwards := w.serviceForwards(d)
	var kept, dropped, differ []int32
	for _, p := range c.ports {
		var elsewhere []int32
		for _, f := range forwards {
			if f.port == p && !slices.Contains(c.ports, f.target) {
				elsewhere = append(elsewhere, f.target)
			}
		}
		if len(elsewhere) > 0 {
			dropped = append(dropped, p)
			continue
		}
		kept = append(kept, p)
		if !slices.ContainsFunc(forwards, func(f forward) bool { return f.port == p && f.target == p }) ||
			slices.ContainsFunc(forwards, func(f forward) bool { return f.target == p && f.port != p }) {
			differ = append(differ, p)
		}
	}
	if len(dropped) > 0 {
		w.report(model.CodeSMIPortReading, src.origin, c.field,
			"ports %v of service account %s are also Service ports forwarding to other container ports (%s); "+
				"a consumer reading TCPRoute ports as Service ports would allow those, so they were not written "+
				"for %s", dropped, d.account, describeForwards(forwards, dropped), w.prof.mesh)
	}
	if len(differ) > 0 {
		w.report(model.CodeSMIPortReading, src.origin, c.field,
			"ports %v of service account %s were written as container ports, as Istio reads them; %s does not "+
				"say whether it reads TCPRoute ports as container or Service ports, and under a Service reading "+
				"they match less", differ, d.account, w.prof.mesh)
	}
	return kept
}

// checkTargetPorts reports the destination ports Traefik Mesh cannot find on a Service of d:
// it matches a TrafficTarget's destination port against each Service's numeric targetPort, and
// rejects the TrafficTarget for a Service that has no such port.
func (w *writer) checkTargetPorts(src grantSource, c clause, d destination) {
	for _, svc := range w.services(d) {
		var missing []int32
		for _, p := range c.ports {
			if !slices.ContainsFunc(svc.Ports, func(sp model.ServicePort) bool { return numericTarget(sp) == p }) {
				missing = append(missing, p)
			}
		}
		if len(missing) > 0 {
			w.report(model.CodeSMIPortReading, src.origin, c.field,
				"Service %s/%s has no numeric targetPort %v; %s rejects the TrafficTargets for those destination "+
					"ports on it, so they are not allowed there", svc.Namespace, svc.Name, missing, w.prof.mesh)
		}
	}
}

// numericTarget is the targetPort number a consumer reading the Service object sees: 0 when
// the targetPort is a name.
func numericTarget(sp model.ServicePort) int32 {
	switch {
	case sp.TargetPortName != "":
		return 0
	case sp.TargetPort != 0:
		return sp.TargetPort
	}
	return sp.Port
}

// forward is one Service port and the container port it reaches on a workload of a destination.
type forward struct {
	service      string
	port, target int32
}

// serviceForwards lists where the Services selecting d's workloads forward their ports, sorted.
func (w *writer) serviceForwards(d destination) []forward {
	var out []forward
	for _, svc := range w.services(d) {
		for _, sp := range svc.Ports {
			for _, wl := range d.workloads {
				if !model.Selects(svc.Selector, wl.Labels) || svc.Namespace != wl.Namespace {
					continue
				}
				if t, ok := sp.TargetPortOn(wl); ok {
					out = append(out, forward{service: svc.Namespace + "/" + svc.Name, port: sp.Port, target: t})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b forward) int {
		return strings.Compare(fmt.Sprintf("%s %08d %08d", a.service, a.port, a.target), fmt.Sprintf("%s %08d %08d", b.service, b.port, b.target))
	})
	return slices.Compact(out)
}

// services lists the Services with a selector that select a workload of d, sorted.
func (w *writer) services(d destination) []model.Service {
	var out []model.Service
	for _, wl := range d.workloads {
		for _, svc := range w.snap.Inventory.WorkloadServices(wl) {
			if !slices.ContainsFunc(out, func(s model.Service) bool { return s.Namespace == svc.Namespace && s.Name == svc.Name }) {
				out = append(out, svc)
			}
		}
	}
	slices.SortFunc(out, func(a, b model.Service) int {
		return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name)
	})
	return out
}

func describeForwards(forwards []forward, ports []int32) string {
	var parts []string
	for _, f := range forwards {
		if slices.Contains(ports, f.port) && f.target != f.port {
			parts = append(parts, fmt.Sprintf("%s %d -> %d", f.service, f.port, f.target))
		}
	}
	return strings.Join(slices.Compact(parts), ", ")
}
