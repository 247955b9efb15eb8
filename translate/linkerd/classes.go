package linkerd

import (
	"maps"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/meshbridge/meshbridge/model"
)

// class is a set of workloads of one namespace that exactly the same policies apply to. Istio
// decides per workload; Linkerd per Server, so every class gets its own Servers, and their pod
// selectors select the class's pods and no other (Linkerd refuses overlapping Servers).
type class struct {
	ns string
	// access holds the enforced ALLOW, DENY and CUSTOM policies that select the workloads, in
	// snapshot order; refs those attached by targetRefs that guard them (see targetrefs.go);
	// peer the PeerAuthentications, most specific first.
	access    []*model.AccessPolicy
	refs      []*model.AccessPolicy
	peer      []*model.PeerAuthentication
	workloads []model.Workload
	// conjuncts are label selectors that together select exactly the class's pods.
	conjuncts []conjunct
}

// enforced reports whether the writer translates p: dry-run and AUDIT policies never change a
// decision, and policies attached by targetRefs do not select pods.
func enforced(p *model.AccessPolicy) bool {
	return !p.DryRun && p.Action != model.Audit && len(p.Target.Refs) == 0
}

func (w *writer) meshWide(ns string, flag bool) bool {
	return flag || (w.snap.RootNamespace != "" && ns == w.snap.RootNamespace)
}

// accessApplies reports whether p selects workload wl.
func (w *writer) accessApplies(p *model.AccessPolicy, wl model.Workload) bool {
	if !enforced(p) || (!w.meshWide(p.Namespace, p.Target.MeshWide) && p.Namespace != wl.Namespace) {
		return false
	}
	return model.Selects(p.Target.Selector, wl.Labels)
}

// peerLevel ranks how specific a PeerAuthentication is for wl: 0 selects it by labels, 1 is its
// namespace's default, 2 the mesh's; -1 does not apply.
func (w *writer) peerLevel(p *model.PeerAuthentication, wl model.Workload) int {
	switch {
	case p.Namespace == wl.Namespace && len(p.Selector) > 0:
		if model.Selects(p.Selector, wl.Labels) {
			return 0
		}
	case w.meshWide(p.Namespace, p.MeshWide) && len(p.Selector) == 0:
		if p.Namespace == wl.Namespace {
			return 1
		}
		return 2
	case p.Namespace == wl.Namespace:
		return 1
	}
	return -1
}

// classes groups the workloads of namespace ns by the policies that apply to them. Only the
// policies the index gives for ns are checked (index.go).
func (w *writer) classes(ns string, workloads []model.Workload) []*class {
	// Selectors that split the namespace: those of policies (and workload PeerAuthentications)
	// that select some pods only.
	access, peers := w.accessIn(ns), w.peersIn(ns)
	var splitters []map[string]string
	for _, p := range access {
		if enforced(p) && len(p.Target.Selector) > 0 && (p.Namespace == ns || w.meshWide(p.Namespace, p.Target.MeshWide)) {
			splitters = append(splitters, p.Target.Selector)
		}
	}
	for _, p := range peers {
		if p.Namespace == ns && len(p.Selector) > 0 {
			splitters = append(splitters, p.Selector)
		}
	}
	splitters = append(splitters, w.refSplitters(ns, access)...)
	byKey := map[string]*class{}
	var order []string
	for _, wl := range workloads {
		var key strings.Builder
		c := &class{ns: ns}
		for _, p := range access {
			if w.accessApplies(p, wl) {
				c.access = append(c.access, p)
				key.WriteString("a" + p.Namespace + "/" + p.Name + ";")
			} else if which, ok := w.refsSelect(p, wl); ok {
				c.refs = append(c.refs, p)
				key.WriteString("r" + p.Namespace + "/" + p.Name + ":" + which + ";")
			}
		}
		for level := 0; level <= 2; level++ {
			for _, p := range peers {
				if w.peerLevel(p, wl) == level {
					c.peer = append(c.peer, p)
					key.WriteString("p" + p.Namespace + "/" + p.Name + ";")
				}
			}
		}
		k := key.String()
		if prev, ok := byKey[k]; ok {
			prev.workloads = append(prev.workloads, wl)
			continue
		}
		c.workloads = []model.Workload{wl}
		byKey[k] = c
		order = append(order, k)
	}
	out := make([]*class, 0, len(order))
	for _, k := range order {
		c := byKey[k]
		c.conjuncts = atoms(c.workloads, splitters)
		out = append(out, c)
	}
	return out
}

// conjunct is a label selector: labels that must equal, and values each key must not have.
type conjunct struct {
	labels map[string]string
	notIn  map[string][]string
}

func (c conjunct) selects(labels map[string]string) bool {
	for k, v := range c.labels {
		if labels[k] != v {
			return false
		}
	}
	for k, vs := range c.notIn {
		if v, ok := labels[k]; ok && slices.Contains(vs, v) {
			return false
		}
	}
	return true
}

func (c conjunct) clone() conjunct {
	out := conjunct{labels: maps.Clone(c.labels), notIn: map[string][]string{}}
	for k, vs := range c.notIn {
		out.notIn[k] = slices.Clone(vs)
	}
	if out.labels == nil {
		out.labels = map[string]string{}
	}
	return out
}

// and adds the requirement key=value (in) or key∉{value} (!in); ok is false when c then selects
// nothing.
func (c conjunct) and(key, value string, in bool) (conjunct, bool) {
	have, set := c.labels[key]
	if in {
		if set {
			return c, have == value
		}
		if slices.Contains(c.notIn[key], value) {
			return c, false
		}
		out := c.clone()
		out.labels[key] = value
		delete(out.notIn, key) // implied by the equality
		return out, true
	}
	if set {
		return c, have != value // key∉{value} is implied, or contradicted
	}
	out := c.clone()
	out.notIn[key] = sortedUnion(out.notIn[key], []string{value})
	return out, true
}

// atoms returns selectors that select the given workloads' pods and none that a different set
// of splitters selects: the intersection of the splitters that select them and the complements
// of the others. A complement of several labels is a disjunction, so the result may take more
// than one selector; selectors that no given workload matches are left out.
func atoms(workloads []model.Workload, splitters []map[string]string) []conjunct {
	ref := workloads[0].Labels
	cur := []conjunct{{labels: map[string]string{}, notIn: map[string][]string{}}}
	for _, s := range splitters {
		if model.Selects(s, ref) {
			for i := range cur {
				for _, k := range slices.Sorted(maps.Keys(s)) {
					cur[i], _ = cur[i].and(k, s[k], true)
				}
			}
			continue
		}
		// not (k1=v1 and … and kn=vn) = k1≠v1, or k1=v1 and k2≠v2, or …: disjoint alternatives.
		var next []conjunct
		for _, c := range cur {
			prefix := c
			for _, k := range slices.Sorted(maps.Keys(s)) {
				if alt, ok := prefix.and(k, s[k], false); ok && selectsAny(alt, workloads) {
					next = append(next, alt)
				}
				var ok bool
				if prefix, ok = prefix.and(k, s[k], true); !ok {
					break
				}
			}
		}
		cur = next
	}
	slices.SortFunc(cur, func(a, b conjunct) int { return strings.Compare(a.key(), b.key()) })
	return slices.CompactFunc(cur, func(a, b conjunct) bool { return a.key() == b.key() })
}

func selectsAny(c conjunct, workloads []model.Workload) bool {
	return slices.ContainsFunc(workloads, func(wl model.Workload) bool { return c.selects(wl.Labels) })
}

func (c conjunct) key() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(c.labels)) {
		parts = append(parts, k+"="+c.labels[k])
	}
	for _, k := range slices.Sorted(maps.Keys(c.notIn)) {
		parts = append(parts, k+"!="+strings.Join(c.notIn[k], "|"))
	}
	return strings.Join(parts, ",")
}

// selector renders c as a Kubernetes label selector.
func (c conjunct) selector() *metav1.LabelSelector {
	sel := &metav1.LabelSelector{}
	if len(c.labels) > 0 {
		sel.MatchLabels = maps.Clone(c.labels)
	}
	for _, k := range slices.Sorted(maps.Keys(c.notIn)) {
		sel.MatchExpressions = append(sel.MatchExpressions, metav1.LabelSelectorRequirement{
			Key: k, Operator: metav1.LabelSelectorOpNotIn, Values: slices.Clone(c.notIn[k]),
		})
	}
	return sel
}

// baseName is a readable name for c's pods: its label values, "not-" the excluded ones.
func (c conjunct) baseName() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(c.labels)) {
		parts = append(parts, c.labels[k])
	}
	for _, k := range slices.Sorted(maps.Keys(c.notIn)) {
		for _, v := range c.notIn[k] {
			parts = append(parts, "not-"+v)
		}
	}
	if len(parts) == 0 {
		return "all"
	}
	return strings.Join(parts, "-")
}
