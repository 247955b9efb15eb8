package linkerd

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/meshbridge/meshbridge/apis/linkerd/v1beta3"
	"github.com/meshbridge/meshbridge/model"
)

// Istio restricts every port of a workload; Linkerd policy is written per port. meshbridge
// assumes a workload that declares container ports listens only on those and on the ports its
// Services target (MB5008 states it), and writes Servers for them. A workload that declares no
// port leaves the writer nothing to go by: its Services' ports get Servers, and the rest keeps
// the default inbound policy, which MB5016 reports as an error when Istio restricts it.

// declaredPorts returns the TCP ports the workloads declare, sorted.
func declaredPorts(workloads []model.Workload) []int32 {
	var out []int32
	for _, wl := range workloads {
		for _, p := range wl.Ports {
			if p.Port > 0 && (p.Protocol == "" || p.Protocol == "TCP") {
				out = append(out, p.Port)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// servedPorts returns the ports Servers are written for: those the workloads declare and those
// the Services that select them target (a number, which Linkerd's Servers select whether
// declared or not, or a declared port's name), sorted.
func (w *writer) servedPorts(workloads []model.Workload) []int32 {
	out := declaredPorts(workloads)
	for _, wl := range workloads {
		for _, s := range w.snap.Inventory.WorkloadServices(wl) {
			for _, sp := range s.Ports {
				if sp.Protocol != "" && sp.Protocol != "TCP" {
					continue
				}
				if p, ok := sp.TargetPortOn(wl); ok && p > 0 {
					out = append(out, p)
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// restricts reports whether Istio restricts some port of class c: whether the class's outcome
// on a port its Services target, a port its rules or PeerAuthentications name, or one nothing
// names, admits less than every request. The probe decisions report nothing.
func (w *writer) restricts(c *class, ports []int32) bool {
	if len(c.refs) > 0 {
		return true
	}
	probe := map[int32]bool{}
	for _, p := range ports {
		probe[p] = true
	}
	for _, p := range c.access {
		for _, r := range p.Rules {
			for _, port := range namedPorts(r) {
				if n, err := strconv.Atoi(port); err == nil && n > 0 && n < 65536 {
					probe[int32(n)] = true
				}
			}
		}
	}
	for _, pa := range c.peer {
		for p := range pa.PortModes {
			probe[p] = true
		}
	}
	unnamed := int32(1)
	for probe[unnamed] {
		unnamed++
	}
	probe[unnamed] = true
	restricted := false
	w.quietly(func() {
		for _, p := range slices.Sorted(maps.Keys(probe)) {
			if !w.decide(c, p).admitsAll() {
				restricted = true
				return
			}
		}
	})
	return restricted
}

// admitsAll reports whether o admits every request of every client, as Linkerd's default
// all-unauthenticated policy does.
func (o outcome) admitsAll() bool {
	if !o.server || o.access == v1beta3.AccessAllUnauthenticated {
		return true
	}
	for _, g := range o.grants {
		if g.clients.contains(everyone) && g.req.all && !g.httpOnly {
			return true
		}
	}
	return false
}

// quietly runs f and forgets what it reported, and the rules it parsed (so that they are
// reported when they are parsed again for real).
func (w *writer) quietly(f func()) {
	n := len(w.findings)
	rules := w.rules.clone()
	f()
	w.findings = w.findings[:n]
	w.rules = rules
}

// portless returns the workloads that declare no TCP port; declaring, the others.
func portless(workloads []model.Workload) []model.Workload {
	return slices.DeleteFunc(slices.Clone(workloads), func(wl model.Workload) bool { return len(declaredPorts([]model.Workload{wl})) > 0 })
}

func declaring(workloads []model.Workload) []model.Workload {
	return slices.DeleteFunc(slices.Clone(workloads), func(wl model.Workload) bool { return len(declaredPorts([]model.Workload{wl})) == 0 })
}

// reportNoDeclaredPorts reports, on each of the workloads of class c that declare no port, that
// Istio restricts their ports but Linkerd cannot.
func (w *writer) reportNoDeclaredPorts(c *class, workloads []model.Workload) {
	var by []string
	for _, p := range append(slices.Clone(c.access), c.refs...) {
		by = append(by, p.Origin.Object.String())
	}
	for _, pa := range c.peer {
		by = append(by, pa.Origin.Object.String())
	}
	slices.Sort(by)
	for _, wl := range workloads {
		covered := ""
		if ports := w.servedPorts([]model.Workload{wl}); len(ports) > 0 {
			var ps []string
			for _, p := range ports {
				ps = append(ps, strconv.Itoa(int(p)))
			}
			covered = " beyond the ports its Services target (" + strings.Join(ps, ", ") + ")"
		}
		field := "spec.template.spec.containers"
		if wl.Kind == "Pod" {
			field = "spec.containers"
		}
		w.report(model.CodeLinkerdNoDeclaredPorts, wl.Origin, field,
			"access not enforceable: %s %s/%s declares no container ports, so no Linkerd Server can select its ports%s; "+
				"they keep the cluster's default inbound policy, wider than Istio's access under %s: declare the ports, "+
				"or annotate the pod template with %s: deny (for pods created afterwards)",
			wl.Kind, wl.Namespace, wl.Name, covered, strings.Join(slices.Compact(by), ", "), v1beta3.DefaultInboundPolicyAnnotation)
	}
}
