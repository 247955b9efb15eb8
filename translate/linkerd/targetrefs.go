package linkerd

import (
	"slices"
	"strconv"
	"strings"

	"github.com/meshbridge/meshbridge/model"
)

// Policies attached by targetRefs guard a gateway's pods (a Gateway) or the traffic a waypoint
// carries to a Service's pods (a Service). Linkerd cannot attach policy to either, and leaving
// the pods to the default inbound policy would be wider than Istio, so the writer fails closed:
// the pods it can resolve from the inventory get deny Servers on their ports (MB5017); targets it
// cannot resolve are reported as possibly wider (MB5007).

// attachedByRefs reports whether p is an enforced policy attached by targetRefs.
func attachedByRefs(p *model.AccessPolicy) bool {
	return !p.DryRun && p.Action != model.Audit && len(p.Target.Refs) > 0
}

// refSelectors returns, for one targetRef of p, the label selectors (in p's namespace) whose
// union is the set of pods it guards; ok is false when the input cannot tell.
func (w *writer) refSelectors(p *model.AccessPolicy, ref model.ObjectRef) ([]map[string]string, bool) {
	switch ref.Kind {
	case "Gateway":
		return []map[string]string{{model.GatewayNameLabel: ref.Name}, {model.IstioGatewayNameLabel: ref.Name}}, true
	case "Service":
		if s, ok := w.snap.Inventory.Service(p.Target.Namespace, ref.Name); ok && len(s.Selector) > 0 {
			return []map[string]string{s.Selector}, true
		}
	}
	return nil, false
}

// refsSelect reports whether one of p's resolvable targetRefs guards workload wl, and which of
// their selectors select it (so that workloads selected alike share a class).
func (w *writer) refsSelect(p *model.AccessPolicy, wl model.Workload) (string, bool) {
	if !attachedByRefs(p) || wl.Namespace != p.Target.Namespace {
		return "", false
	}
	var key strings.Builder
	for i, ref := range p.Target.Refs {
		sels, _ := w.refSelectors(p, ref)
		for j, sel := range sels {
			if model.Selects(sel, wl.Labels) {
				key.WriteString(strconv.Itoa(i) + "." + strconv.Itoa(j) + ",")
			}
		}
	}
	return key.String(), key.Len() > 0
}

// refSplitters returns the selectors of the targetRefs policies among candidates (in order)
// that may guard pods of ns.
func (w *writer) refSplitters(ns string, candidates []*model.AccessPolicy) []map[string]string {
	var out []map[string]string
	for _, p := range candidates {
		if !attachedByRefs(p) || p.Target.Namespace != ns {
			continue
		}
		for _, ref := range p.Target.Refs {
			sels, _ := w.refSelectors(p, ref)
			out = append(out, sels...)
		}
	}
	return out
}

// reportTargetRefs reports each targetRefs policy: the pods it guards and whose ports now deny
// every request, and the targets the input cannot resolve to pods.
func (w *writer) reportTargetRefs(p *model.AccessPolicy) {
	var unresolved, resolved []model.ObjectRef
	var pods []string
	for _, ref := range p.Target.Refs {
		sels, ok := w.refSelectors(p, ref)
		var names []string
		for _, wl := range w.snap.Inventory.SelectWorkloads(p.Target.Namespace, nil) {
			if slices.ContainsFunc(sels, func(s map[string]string) bool { return model.Selects(s, wl.Labels) }) {
				names = append(names, wl.Namespace+"/"+wl.Name)
			}
		}
		if !ok || len(names) == 0 {
			unresolved = append(unresolved, ref)
			continue
		}
		resolved = append(resolved, ref)
		pods = append(pods, names...)
	}
	if len(resolved) > 0 {
		slices.Sort(pods)
		w.report(model.CodeLinkerdTargetRefsDenied, p.Origin, p.Target.Field,
			"policy attached to %s by targetRefs guards %s in Istio; Linkerd cannot attach policy there, so their ports got Servers that admit no request",
			refNames(resolved), strings.Join(slices.Compact(pods), ", "))
	}
	if len(unresolved) > 0 {
		w.report(model.CodeLinkerdTargetRefs, p.Origin, p.Target.Field,
			"policy attached to %s by targetRefs was not translated: the input shows no pods behind it, which keep Linkerd's default inbound policy, so access may be wider than Istio's",
			refNames(unresolved))
	}
}
