package smi

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/meshbridge/meshbridge/model"
)

// destination is one service account that runs workloads: the unit SMI grants access to. A
// TrafficTarget for it applies to every pod running as it, whichever workload the pod belongs to.
type destination struct {
	account   sa
	workloads []model.Workload
	// ports are the container ports the workloads declare or their Services forward to, sorted;
	// nil when some workload declares none, since it may then serve on any port.
	ports []int32
	// strict is true when every workload requires mutual TLS on every port, so that every caller
	// has a service account.
	strict bool
	// plain are the ports on which some workload has mutual TLS DISABLE (mtls.go). When
	// plainElsewhere is set, every port but mtlsPorts is plain.
	plain          []int32
	plainElsewhere bool
	mtlsPorts      []int32
}

// scopedPolicy is an access policy with the workloads it applies to.
type scopedPolicy struct {
	p         *model.AccessPolicy
	workloads map[string]bool // by workloadKey
	// viaService holds the workloads the policy reaches only through a Service reference: Istio
	// enforces it at the Service's waypoint (waypoint.go).
	viaService map[string]bool
}

func workloadKey(w model.Workload) string { return w.Kind + "/" + w.Namespace + "/" + w.Name }

// writeAccess writes TrafficTargets (with their HTTPRouteGroups and TCPRoutes) for the
// snapshot's access policies, destination by destination.
func (w *writer) writeAccess() {
	if len(w.snap.Access) == 0 {
		return
	}
	if w.prof.access == "" {
		for _, p := range w.snap.Access {
			w.report(model.CodeSMIAccessNotWritten, p.Origin, "",
				"%s does not implement SMI access control; %s policy %s was not written", w.prof.mesh, p.Action, p.Name)
		}
		return
	}
	var allows, denies []*scopedPolicy
	for i := range w.snap.Access {
		p := &w.snap.Access[i]
		switch {
		case p.DryRun:
			w.report(model.CodeSMIDryRunSkipped, p.Origin, dryRunField(p), "dry-run %s policy not written", p.Action)
			continue
		case p.Action == model.Audit:
			w.report(model.CodeSMIAuditSkipped, p.Origin, "spec.action", "AUDIT policy not written")
			continue
		}
		ws, viaService, unresolved := w.resolveTarget(p)
		if len(unresolved) > 0 {
			if p.Action == model.Allow {
				w.report(model.CodeSMITargetNotResolved, p.Origin, p.Target.Field,
					"%s could not be resolved to workloads; the ALLOW policy was not written for them", strings.Join(unresolved, ", "))
			} else {
				ws = w.snap.Inventory.SelectWorkloads(scopeNamespace(p), nil)
				w.report(model.CodeSMITargetNotResolved, p.Origin, p.Target.Field,
					"%s could not be resolved to workloads; the %s policy was applied to every workload in %s",
					strings.Join(unresolved, ", "), p.Action, scopeName(p))
			}
		}
		if len(ws) == 0 {
			w.report(model.CodeSMINoWorkload, p.Origin, p.Target.Field, "no workload in the input matches the policy's target")
			continue
		}
		sp := &scopedPolicy{p: p, workloads: map[string]bool{}, viaService: viaService}
		for _, wl := range ws {
			sp.workloads[workloadKey(wl)] = true
		}
		if p.Action == model.Allow {
			if len(p.Rules) == 0 {
				w.report(model.CodeSMIAllowNothing, p.Origin, rulesField(p), "the policy allows nothing; no TrafficTarget is written for it")
			}
			allows = append(allows, sp)
		} else {
			denies = append(denies, sp)
		}
	}
	if len(allows)+len(denies) == 0 {
		return
	}
	first := allows
	if len(first) == 0 {
		first = denies
	}
	w.report(model.CodeSMIEnforcementMode, first[0].p.Origin, "",
		"TrafficTargets take effect only when %s enforces SMI access", w.prof.mesh)
	w.indexSelections(allows, denies)
	for _, d := range w.destinations() {
		w.writeDestination(d)
	}
}

// selection is the ALLOW and the DENY (and CUSTOM) policies that apply to one workload, each in
// the order of the snapshot.
type selection struct{ allows, denies []*scopedPolicy }

// indexSelections records, for every workload, the policies that apply to it, so that a
// destination looks up its own instead of testing every policy of the input.
func (w *writer) indexSelections(allows, denies []*scopedPolicy) {
	w.selecting = map[string]*selection{}
	at := func(k string) *selection {
		if w.selecting[k] == nil {
			w.selecting[k] = &selection{}
		}
		return w.selecting[k]
	}
	for _, sp := range allows {
		for k := range sp.workloads {
			at(k).allows = append(at(k).allows, sp)
		}
	}
	for _, sp := range denies {
		for k := range sp.workloads {
			at(k).denies = append(at(k).denies, sp)
		}
	}
}

// selected returns the policies that apply to the workload with key k.
func (w *writer) selected(k string) selection {
	if sel := w.selecting[k]; sel != nil {
		return *sel
	}
	return selection{}
}

// rulesField is the field that holds a policy's rules: spec.rules on an AuthorizationPolicy; for
// a policy the reader synthesized from other objects (rbac.istio.io), the field its target came
// from, which is what made it (ClusterRbacConfig spec.mode for a deny-by-default policy).
func rulesField(p *model.AccessPolicy) string {
	if p.Origin.Object.Kind == "AuthorizationPolicy" {
		return "spec.rules"
	}
	return p.Target.Field
}

// dryRunField is the field that makes a policy dry-run: the istio.io/dry-run annotation of an
// AuthorizationPolicy, or the mode of the rbac.istio.io object it was synthesized from.
func dryRunField(p *model.AccessPolicy) string {
	switch p.Origin.Object.Kind {
	case "ServiceRoleBinding":
		return "spec.mode"
	case "ClusterRbacConfig", "RbacConfig":
		return "spec.enforcementMode"
	}
	return "metadata.annotations"
}

// scopeNamespace is the namespace a policy's selector applies in ("" for mesh-wide).
func scopeNamespace(p *model.AccessPolicy) string {
	if p.Target.MeshWide {
		return ""
	}
	return p.Target.Namespace
}

func scopeName(p *model.AccessPolicy) string {
	if p.Target.MeshWide {
		return "the mesh"
	}
	return "namespace " + p.Target.Namespace
}

// resolveTarget returns the workloads a policy applies to, those of them it reaches only through
// a Service reference, and the targetRefs it could not resolve to workloads (a GatewayClass, a
// ServiceEntry, a Service without selector or missing from the input). A Service reference (a
// waypoint) is taken to apply to the Service's workloads (waypoint.go).
func (w *writer) resolveTarget(p *model.AccessPolicy) (ws []model.Workload, viaService map[string]bool, unresolved []string) {
	inv := &w.snap.Inventory
	if len(p.Target.Refs) == 0 {
		return inv.PolicyWorkloads(p.Target), nil, nil
	}
	seen, direct := map[string]bool{}, map[string]bool{}
	viaService = map[string]bool{}
	for _, ref := range p.Target.Refs {
		var got []model.Workload
		switch ref.Kind {
		case "Gateway":
			one := p.Target
			one.Refs = []model.ObjectRef{ref}
			got = inv.PolicyWorkloads(one)
			for _, wl := range got {
				direct[workloadKey(wl)] = true
			}
		case "Service":
			svc, ok := inv.Service(cmp.Or(ref.Namespace, p.Namespace), ref.Name)
			if !ok || len(svc.Selector) == 0 {
				unresolved = append(unresolved, ref.String())
				continue
			}
			got = inv.ServiceWorkloads(svc)
			for _, wl := range got {
				viaService[workloadKey(wl)] = true
			}
		default:
			unresolved = append(unresolved, ref.String())
			continue
		}
		for _, wl := range got {
			if !seen[workloadKey(wl)] {
				seen[workloadKey(wl)] = true
				ws = append(ws, wl)
			}
		}
	}
	for k := range direct {
		delete(viaService, k)
	}
	return ws, viaService, unresolved
}

// destinations groups the inventory's workloads by service account, sorted.
func (w *writer) destinations() []destination {
	byAccount := map[sa]*destination{}
	undeclared := map[sa]bool{}
	for _, wl := range w.snap.Inventory.Workloads {
		a := sa{Namespace: wl.Namespace, Name: wl.ServiceAccount}
		d := byAccount[a]
		if d == nil {
			d = &destination{account: a, strict: true}
			byAccount[a] = d
		}
		d.workloads = append(d.workloads, wl)
		for _, p := range wl.Ports {
			d.ports = append(d.ports, p.Port)
		}
		if len(wl.Ports) == 0 {
			// The pods may serve on any port: no port list of this account is complete.
			undeclared[a] = true
		}
		// A Service may forward to a port the pods do not declare: they serve on it too.
		for _, svc := range w.snap.Inventory.WorkloadServices(wl) {
			for _, sp := range svc.Ports {
				if tp, ok := sp.TargetPortOn(wl); ok {
					d.ports = append(d.ports, tp)
				}
			}
		}
		d.strict = d.strict && w.requiresMTLS(wl)
	}
	var out []destination
	for a, d := range byAccount {
		slices.Sort(d.ports)
		d.ports = slices.Compact(d.ports)
		if undeclared[a] {
			d.ports = nil // unknown: never covered, and "any port minus some" is nothing
		}
		w.plainText(d)
		out = append(out, *d)
	}
	slices.SortFunc(out, func(a, b destination) int {
		return cmp.Or(strings.Compare(a.account.Namespace, b.account.Namespace), strings.Compare(a.account.Name, b.account.Name))
	})
	return out
}

// writeDestination writes what the ALLOW policies grant to d, minus what DENY and CUSTOM
// policies take away, or Istio's default allow when no ALLOW policy selects its workloads.
func (w *writer) writeDestination(d destination) {
	var mine, myDenies []*scopedPolicy
	var defaultAllow []model.Workload
	for _, wl := range d.workloads {
		sel := w.selected(workloadKey(wl))
		for _, sp := range sel.allows {
			if !slices.Contains(mine, sp) {
				mine = append(mine, sp)
			}
		}
		if len(sel.allows) == 0 {
			defaultAllow = append(defaultAllow, wl)
		}
		for _, sp := range sel.denies {
			if !slices.Contains(myDenies, sp) {
				myDenies = append(myDenies, sp)
			}
		}
	}
	if len(mine) == 0 {
		for _, sp := range myDenies {
			w.waypointAtWorkloads(d, sp)
		}
		w.writeDefaultAllow(d, myDenies)
		return
	}
	for _, wl := range defaultAllow {
		w.report(model.CodeSMIDefaultAllowNarrowed, wl.Origin, "spec.template.spec.serviceAccountName",
			"no ALLOW policy selects %s %s/%s, but its service account %s also runs workloads that have one; only "+
				"what their policies allow is written for it", wl.Kind, wl.Namespace, wl.Name, d.account)
	}
	for _, sp := range myDenies {
		w.waypointAtWorkloads(d, sp)
	}
	for _, sp := range mine {
		if leaks := w.leaks(d, sp); len(leaks) > 0 {
			w.report(model.CodeSMISharedServiceAccount, sp.p.Origin, sp.p.Target.Field,
				"not written for service account %s: it also runs %s, which this policy does not select",
				d.account, strings.Join(leaks, ", "))
			continue
		}
		if !w.waypointAllowed(d, sp) {
			continue
		}
		if len(sp.p.Rules) == 0 {
			continue
		}
		g := w.allowGrant(sp.p, d)
		g = w.fold(sp.p, g, myDenies, d)
		w.writeGrant(grantSource{origin: sp.p.Origin, name: sp.p.Name, namespace: sp.p.Namespace}, d, g)
	}
}

// leaks names the workloads of d that sp does not select but that have ALLOW policies of their
// own: writing sp for d would let its sources reach them.
func (w *writer) leaks(d destination, sp *scopedPolicy) []string {
	var out []string
	for _, wl := range d.workloads {
		k := workloadKey(wl)
		if !sp.workloads[k] && len(w.selected(k).allows) > 0 {
			out = append(out, fmt.Sprintf("%s %s/%s", wl.Kind, wl.Namespace, wl.Name))
		}
	}
	return out
}

// defaultAllowGrant is Istio's allow-all at d: every known service account may do anything, minus
// what the deny policies deny there. The accounts no deny rule's identity values reach all fold
// alike: they are folded once, as others, and listed with what is left for them, if anything.
func (w *writer) defaultAllowGrant(d destination, denies []*scopedPolicy) grant {
	all := w.universe()
	rules := w.destinationDenyRules(denies, d)
	reach, narrowed := w.denyReach(rules)
	if !narrowed {
		reach = all
	}
	g := grant{}
	for _, s := range reach {
		g[s] = []clause{{kind: kindAll}}
	}
	var others []clause
	if len(reach) < len(all) {
		others = []clause{{kind: kindAll}}
	}
	g, others = w.foldRules(nil, g, others, denies, rules, d)
	if others != nil {
		reached := make(map[sa]bool, len(reach))
		for _, s := range reach {
			reached[s] = true
		}
		for _, s := range all {
			if !reached[s] {
				g[s] = others
			}
		}
	}
	return g
}

// writeDefaultAllow writes Istio's allow-all for a destination no ALLOW policy selects: every
// known service account may do anything, minus what DENY policies deny.
func (w *writer) writeDefaultAllow(d destination, denies []*scopedPolicy) {
	origin := d.workloads[0].Origin
	all := w.universe()
	g := w.defaultAllowGrant(d, denies)
	written := w.writeGrant(grantSource{origin: origin, name: "allow-all"}, d, g)
	// Say what was written: DENY and CUSTOM policies may have removed some or all of it.
	switch {
	case len(written) == 0:
		w.report(model.CodeSMIDefaultAllow, origin, "",
			"no ALLOW policy selects the workloads of service account %s, so Istio allows every caller, but DENY "+
				"or CUSTOM policies leave nothing SMI can write; no TrafficTarget was written", d.account)
		return
	case len(written) < len(all):
		w.report(model.CodeSMIDefaultAllow, origin, "",
			"no ALLOW policy selects the workloads of service account %s; Istio allows every caller, written as "+
				"TrafficTargets from %d of the %d known service accounts", d.account, len(written), len(all))
	default:
		w.report(model.CodeSMIDefaultAllow, origin, "",
			"no ALLOW policy selects the workloads of service account %s; Istio allows every caller, written as a "+
				"TrafficTarget from the %d known service accounts", d.account, len(all))
	}
	w.report(model.CodeSMISourcesExpanded, origin, "",
		"every caller of service account %s was expanded to %d known service accounts", d.account, len(all))
	if !d.strict {
		w.report(model.CodeSMIUnauthenticated, origin, "",
			"Istio also allows plain-text callers to service account %s; SMI cannot", d.account)
	}
}
