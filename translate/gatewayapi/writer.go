package gatewayapi

import (
	"fmt"
	"hash/maphash"
	"maps"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// Name is the writer's --to value and finding stage.
const Name = "gatewayapi"

// Write turns the snapshot's routes and gateways into Gateway API objects, with the Services
// that stand for DestinationRule subsets and the ReferenceGrants that cross-namespace
// references need. Objects come out sorted; findings in the order they were found. Access
// policies, which Gateway API cannot hold, are reported.
func Write(snap *model.Snapshot, opts emit.Options) ([]*unstructured.Unstructured, model.Findings) {
	return writeAll(snap, opts, true)
}

// WriteRoutes is Write for writers that translate access themselves and use Gateway API only
// for routing (the Linkerd writer): it leaves access policies to the caller.
func WriteRoutes(snap *model.Snapshot, opts emit.Options) ([]*unstructured.Unstructured, model.Findings) {
	return writeAll(snap, opts, false)
}

func writeAll(snap *model.Snapshot, opts emit.Options, withAccess bool) ([]*unstructured.Unstructured, model.Findings) {
	w := &writer{snap: snap, inv: &snap.Inventory, seen: map[uint64]int{}, seed: maphash.MakeSeed(), names: map[string]string{}}
	w.p = newProfile(opts, w)
	w.writeGateways()
	w.writeMeshRoutes()
	w.writeGatewayRoutes()
	if withAccess {
		w.reportAccess()
	}
	w.objs = append(w.objs, w.subsets.Objects()...)
	w.objs = append(w.objs, w.grants.objects()...)
	emit.Sort(w.objs)
	return w.objs, w.findings
}

type writer struct {
	snap     *model.Snapshot
	inv      *model.Inventory
	p        profile
	findings model.Findings
	// seen maps the hash of each finding reported to its index in findings; collided holds
	// the findings whose hash an earlier, different finding had.
	seen     map[uint64]int
	seed     maphash.Seed
	collided map[findingKey]bool
	objs     []*unstructured.Unstructured
	subsets  emit.Subsets
	grants   grants
	// names maps kind/namespace/name of every route written to the source that took it.
	names map[string]string
	// gateways holds what was written for each Istio Gateway, by namespace/name.
	gateways map[string]*gatewayOut
	// pods finds the namespaces of the pods that Gateways select.
	pods podIndex
}

// report adds a finding once: rules written per port or per namespace would repeat it.
func (w *writer) report(code model.Code, o model.Origin, field, format string, args ...any) {
	f := model.NewFinding(Name, code, o, field, format, args...)
	k := keyOf(f)
	h := maphash.Comparable(w.seed, k)
	if i, ok := w.seen[h]; ok {
		if keyOf(w.findings[i]) == k {
			return
		}
		// Another finding has the same hash: tell the two apart by their keys.
		if w.collided == nil {
			w.collided = map[findingKey]bool{}
		}
		if w.collided[k] {
			return
		}
		w.collided[k] = true
		w.keep(f)
		return
	}
	w.seen[h] = len(w.findings)
	w.keep(f)
}

// keep appends f to the findings, doubling their room when full: append grows a long slice by
// a quarter at a time, which for tens of thousands of findings copies them over and over.
func (w *writer) keep(f model.Finding) {
	if n := len(w.findings); n == cap(w.findings) {
		w.findings = slices.Grow(w.findings, max(n, 64))
	}
	w.findings = append(w.findings, f)
}

// findingKey tells findings apart as their String renderings do (which leave out the
// apiVersion, and the location's line and document when its file is unknown), without
// rendering them.
type findingKey struct {
	severity             model.Severity
	code                 model.Code
	kind, ns, name, file string
	line, doc            int
	field, message       string
}

func keyOf(f model.Finding) findingKey {
	o := f.Origin
	k := findingKey{severity: f.Severity, code: f.Code, kind: o.Object.Kind, ns: o.Object.Namespace, name: o.Object.Name,
		file: o.At.File, field: f.Field, message: f.Message}
	if o.At.File != "" {
		k.line, k.doc = o.At.Line, o.At.Doc
	}
	return k
}

// global reports a finding about the options rather than an object.
func (w *writer) global(code model.Code, format string, args ...any) {
	w.report(code, model.Origin{Object: model.ObjectRef{Kind: "Options", Name: Name}}, "", format, args...)
}

var gvk = gwv1.SchemeGroupVersion.WithKind

// add converts obj and records it, annotated with its sources.
func (w *writer) add(obj runtime.Object, kind string, sources ...model.Origin) {
	u := emit.MustObject(obj, gvk(kind))
	emit.AddSources(u, sources...)
	w.objs = append(w.objs, u)
}

// uniqueName returns name, or a variant of it when a route of that kind and namespace was
// already written under it (two VirtualServices "a" with host "b" and "a-b" with host "c" both
// want a-b, for example). Routes are written in snapshot order, so the choice is stable.
func (w *writer) uniqueName(kind routeKind, ns, name string, o model.Origin) string {
	for i := 1; ; i++ {
		n := name
		if i > 1 {
			n = emit.Name(name, fmt.Sprint(i))
		}
		k := kind.String() + "/" + ns + "/" + n
		if _, taken := w.names[k]; !taken {
			w.names[k] = emit.Source(o)
			return n
		}
	}
}

// routePlan is one route to write, before it is placed in a namespace.
type routePlan struct {
	kind      routeKind
	origin    model.Origin
	name      string
	parents   []gwv1.ParentReference
	hostnames []gwv1.Hostname
	rules     []*outRule        // HTTPRoute, GRPCRoute
	l4        []gwv1.BackendRef // TCPRoute, TLSRoute
	subsets   []model.Backend
	ann       map[string]string
}

// emitRoute writes plan as a route in namespace ns, with the subset Services and grants it needs.
func (w *writer) emitRoute(plan *routePlan, ns string) {
	name := w.uniqueName(plan.kind, ns, plan.name, plan.origin)
	meta := metav1.ObjectMeta{Name: name, Namespace: ns}
	if len(plan.ann) > 0 {
		meta.Annotations = maps.Clone(plan.ann)
	}
	common := gwv1.CommonRouteSpec{}
	for _, pr := range plan.parents {
		pr := *pr.DeepCopy()
		if pr.Namespace != nil && string(*pr.Namespace) == ns {
			pr.Namespace = nil
		}
		common.ParentRefs = append(common.ParentRefs, pr)
	}
	for _, b := range plan.subsets {
		if _, err := w.subsets.Add(w.inv, b, plan.origin); err != nil {
			w.report(model.CodeGWSubsetService, plan.origin, b.Field, "%v", err)
		}
	}
	local := func(ref *gwv1.BackendObjectReference) {
		if ref.Namespace == nil {
			return
		}
		if string(*ref.Namespace) == ns {
			ref.Namespace = nil
			return
		}
		w.grants.add(string(*ref.Namespace), string(ref.Name), "", "Service", ns, plan.kind.String(), plan.origin)
	}
	switch plan.kind {
	case kindHTTP:
		rt := &gwv1.HTTPRoute{ObjectMeta: meta, Spec: gwv1.HTTPRouteSpec{CommonRouteSpec: common, Hostnames: plan.hostnames,
			Rules: make([]gwv1.HTTPRouteRule, 0, len(plan.rules))}}
		for _, r := range plan.rules {
			hr := toHTTPRule(r)
			for i := range hr.BackendRefs {
				local(&hr.BackendRefs[i].BackendObjectReference)
			}
			for i := range hr.Filters {
				if m := hr.Filters[i].RequestMirror; m != nil {
					mc := *m.DeepCopy()
					local(&mc.BackendRef)
					hr.Filters[i].RequestMirror = &mc
				}
			}
			rt.Spec.Rules = append(rt.Spec.Rules, hr)
		}
		w.add(rt, "HTTPRoute", plan.origin)
	case kindGRPC:
		rt := &gwv1.GRPCRoute{ObjectMeta: meta, Spec: gwv1.GRPCRouteSpec{CommonRouteSpec: common, Hostnames: plan.hostnames,
			Rules: make([]gwv1.GRPCRouteRule, 0, len(plan.rules))}}
		for _, r := range plan.rules {
			gr := toGRPCRule(r)
			for i := range gr.BackendRefs {
				local(&gr.BackendRefs[i].BackendObjectReference)
			}
			for i := range gr.Filters {
				if m := gr.Filters[i].RequestMirror; m != nil {
					mc := *m.DeepCopy()
					local(&mc.BackendRef)
					gr.Filters[i].RequestMirror = &mc
				}
			}
			rt.Spec.Rules = append(rt.Spec.Rules, gr)
		}
		w.add(rt, "GRPCRoute", plan.origin)
	case kindTCP, kindTLS:
		refs := make([]gwv1.BackendRef, len(plan.l4))
		for i := range plan.l4 {
			refs[i] = *plan.l4[i].DeepCopy()
			local(&refs[i].BackendObjectReference)
		}
		if plan.kind == kindTCP {
			w.add(&gwv1.TCPRoute{ObjectMeta: meta, Spec: gwv1.TCPRouteSpec{CommonRouteSpec: common,
				Rules: []gwv1.TCPRouteRule{{BackendRefs: refs}}}}, "TCPRoute", plan.origin)
		} else {
			w.add(&gwv1.TLSRoute{ObjectMeta: meta, Spec: gwv1.TLSRouteSpec{CommonRouteSpec: common, Hostnames: plan.hostnames,
				Rules: []gwv1.TLSRouteRule{{BackendRefs: refs}}}}, "TLSRoute", plan.origin)
		}
	}
}

// chunk splits rules into routes within Gateway API's limits (16 rules, 128 matches), in order,
// and reports ties across routes that creation order would decide.
func (w *writer) chunk(o model.Origin, rules []*outRule) [][]*outRule {
	var out [][]*outRule
	var cur []*outRule
	n := 0
	for _, r := range rules {
		m := max(1, len(r.matches))
		if len(cur) == 16 || n+m > 128 {
			out = append(out, cur)
			cur, n = nil, 0
		}
		cur = append(cur, r)
		n += m
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	if len(out) < 2 {
		return out
	}
	w.report(model.CodeGWRouteSplit, o, "spec.http", "%d rules split over %d routes (Gateway API allows 16 rules and 128 matches per route)", len(rules), len(out))
	for ci, c := range out {
		for _, later := range out[ci+1:] {
			for _, ri := range c {
				for _, rj := range later {
					if ri.idx == rj.idx {
						continue
					}
					for _, mi := range ri.matches {
						for _, mj := range rj.matches {
							if c, _ := comparePrec(mj, mi); c == 0 && overlaps(mi, mj) {
								w.report(model.CodeGWSplitOrder, o, rj.field,
									"%s ties with %s in an earlier route; the route named first must also be created first", rj.field, ri.field)
							}
						}
					}
				}
			}
		}
	}
	return out
}

// chunkName names the k-th (0-based) route of a split.
func chunkName(base string, k int) string {
	if k == 0 {
		return base
	}
	return emit.Name(base, fmt.Sprintf("part-%02d", k+1))
}
