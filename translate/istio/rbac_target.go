package istio

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/meshbridge/meshbridge/model"
)

// rbacTarget is one label selector that picks exactly a set of workloads.
type rbacTarget struct {
	selector  map[string]string
	workloads []model.Workload
}

func workloadKey(w model.Workload) string { return w.Namespace + "/" + w.Kind + "/" + w.Name }

// rbacTargets finds selectors that pick exactly the desired workloads among everything a
// policy in namespace ns could select (every namespace when ns is the root namespace, where a
// policy becomes mesh-wide). It tries base first; otherwise, or when perWorkload is set, it
// uses each workload's own labels, which also picks the workloads whose labels contain them.
// Every workload a selector picks must be desired and have the same key as the others (the
// key carries what must be alike, such as the ports a rule is limited to). Workloads no
// selector isolates are returned apart.
func (r *reader) rbacTargets(ns string, base map[string]string, desired []model.Workload, perWorkload bool, key func(model.Workload) string) (targets []rbacTarget, unreachable []model.Workload) {
	scope := ns
	if ns == r.opts.RootNamespace {
		scope = ""
	}
	want := map[string]bool{}
	for _, w := range desired {
		want[workloadKey(w)] = true
	}
	fits := func(sel map[string]string, k string) ([]model.Workload, bool) {
		hit := r.snap.Inventory.SelectWorkloads(scope, sel)
		for _, h := range hit {
			if !want[workloadKey(h)] || key(h) != k {
				return hit, false
			}
		}
		return hit, true
	}
	if !perWorkload {
		if hit, ok := fits(base, keyOf(desired, key)); ok && len(hit) == len(desired) {
			return []rbacTarget{{selector: base, workloads: desired}}, nil
		}
	}
	covered := map[string]bool{}
	for _, w := range desired {
		if covered[workloadKey(w)] {
			continue
		}
		sel := maps.Clone(base)
		if sel == nil {
			sel = map[string]string{}
		}
		maps.Copy(sel, w.Labels)
		hit, ok := fits(sel, key(w))
		if !ok || len(sel) == 0 {
			unreachable = append(unreachable, w)
			continue
		}
		for _, h := range hit {
			covered[workloadKey(h)] = true
		}
		targets = append(targets, rbacTarget{selector: sel, workloads: hit})
	}
	return targets, unreachable
}

// keyOf returns the common key of workloads, or a value no workload has when they differ.
func keyOf(ws []model.Workload, key func(model.Workload) string) string {
	if len(ws) == 0 {
		return ""
	}
	k := key(ws[0])
	for _, w := range ws[1:] {
		if key(w) != k {
			return "\x00differ"
		}
	}
	return k
}

func noKey(model.Workload) string { return "" }

func workloadNames(ws []model.Workload) string {
	var s []string
	for _, w := range ws {
		s = append(s, w.Kind+" "+w.Namespace+"/"+w.Name)
	}
	return strings.Join(s, ", ")
}

// servicePorts resolves the container ports a Service forwards to on w, reporting named ports
// w does not declare.
func (r *reader) servicePorts(s model.Service, w model.Workload, report bool) []int32 {
	var out []int32
	for _, sp := range s.Ports {
		p, ok := sp.TargetPortOn(w)
		if !ok {
			if report {
				r.report(model.CodeRbacTargetPortUnresolved, s.Origin, "spec.ports",
					"%s declares no port named %q; nothing is allowed there through this Service", workloadNames([]model.Workload{w}), sp.TargetPortName)
			}
			continue
		}
		out = append(out, p)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// portScope says, for a workload several Services select, which of its ports belong to which
// Service: Istio 1.4 built one inbound listener (and one RBAC filter) per Service port.
type portScope struct {
	r *reader
	// shared ports of a workload are claimed by more than one Service.
	shared map[string]map[int32][]string
}

func newPortScope(r *reader) *portScope {
	return &portScope{r: r, shared: map[string]map[int32][]string{}}
}

// ports returns the ports of w that belong to s alone.
func (ps *portScope) ports(s model.Service, w model.Workload) []int32 {
	k := workloadKey(w)
	if _, done := ps.shared[k]; !done {
		claims := map[int32][]string{}
		for _, other := range ps.r.snap.Inventory.WorkloadServices(w) {
			for _, p := range ps.r.servicePorts(other, w, false) {
				claims[p] = append(claims[p], other.Name)
			}
		}
		ps.shared[k] = map[int32][]string{}
		for p, names := range claims {
			if len(names) > 1 {
				ps.shared[k][p] = names
			}
		}
	}
	var out []int32
	for _, p := range ps.r.servicePorts(s, w, true) {
		if _, shared := ps.shared[k][p]; !shared {
			out = append(out, p)
		}
	}
	return out
}

// reportShared reports the ports of w that several Services claim, once RBAC is on for one.
func (ps *portScope) reportShared(s model.Service, w model.Workload) {
	ps.ports(s, w)
	shared := ps.shared[workloadKey(w)]
	for _, p := range slices.Sorted(maps.Keys(shared)) {
		r := ps.r
		r.report(model.CodeRbacSharedPort, s.Origin, "spec.selector",
			"port %d of %s is served by Services %s; nothing is allowed on it", p, workloadNames([]model.Workload{w}), strings.Join(shared[p], ", "))
	}
}

func portKey(ports []int32) string {
	return fmt.Sprint(ports)
}

func portList(ports []int32) []string {
	var out []string
	for _, p := range ports {
		out = append(out, strconv.Itoa(int(p)))
	}
	return out
}

// limitToPorts restricts an ALLOW rule to ports (nil: no restriction). It returns false when
// nothing of the rule is left.
func limitToPorts(rule model.AccessRule, ports []string) (model.AccessRule, bool) {
	if ports == nil {
		return rule, true
	}
	if len(ports) == 0 {
		return rule, false
	}
	if len(rule.To) == 0 {
		rule.To = []model.Operation{{Field: rule.Field, Ports: ports}}
		return rule, true
	}
	var to []model.Operation
	for _, op := range rule.To {
		if len(op.Ports) > 0 {
			var keep []string
			for _, p := range op.Ports {
				if slices.Contains(ports, p) {
					keep = append(keep, p)
				}
			}
			if len(keep) == 0 {
				continue
			}
			op.Ports = keep
		} else {
			op.Ports = slices.Clone(ports)
		}
		to = append(to, op)
	}
	rule.To = to
	return rule, len(to) > 0
}
