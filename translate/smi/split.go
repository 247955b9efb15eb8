package smi

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	splitv1alpha2 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/split/v1alpha2"
	splitv1alpha3 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/split/v1alpha3"
	splitv1alpha4 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/split/v1alpha4"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// A TrafficSplit sends the traffic every client addresses to one Service (the root) to backend
// Services in its namespace, by relative weight. It has no order, no per-path routing and no
// request edits: a VirtualService becomes TrafficSplits only when its mesh rules are weighted
// destinations, optionally behind header-only matches (split v1alpha3 and later; requests
// that do not match reach the root Service unsplit). Subsets become generated Services.

// splitBackend is one weighted backend Service.
type splitBackend struct {
	service string
	weight  int
}

// writeRoutes writes TrafficSplits for the snapshot's mesh routes. A TrafficSplit applies to
// every client of its root Service: a VirtualService is written only when it applies to every
// client (split_scope.go), is the only one that does for its Service, and every request it
// routes reaches the destination Istio gives it (split_plan.go, split_order.go); otherwise it is
// reported.
func (w *writer) writeRoutes() {
	var subsets emit.Subsets
	conflicts := w.routeConflicts()
	written := map[model.ServiceRef]string{}
	var claims map[string][2]string
	var narrow []*model.RouteSet
	for i := range w.snap.Routes {
		rs := &w.snap.Routes[i]
		if !rs.Mesh {
			w.report(model.CodeSMIRouteNotWritten, rs.Origin, "spec", "the routes are bound to gateways only; SMI has no ingress routing")
			continue
		}
		every, none, _ := exportScope(rs)
		switch {
		case none:
			w.report(model.CodeSMIRouteHidden, rs.Origin, "spec.exportTo", "exported to no namespace, so it routes no client; nothing written")
			continue
		case !every && len(rs.Services) > 0:
			narrow = append(narrow, rs) // reported once every route for every client is known
			continue
		case len(conflicts[i]) > 0:
			for _, msg := range conflicts[i] {
				w.report(model.CodeSMIRouteConflict, rs.Origin, "spec.hosts", "%s", msg)
			}
			continue
		}
		if p := w.planRoute(rs, claims); p != nil && len(p.splits) > 0 {
			w.commitRoute(p, &subsets)
			claims = p.subsets
			written[model.ServiceRef{Namespace: p.root.Namespace, Name: p.root.Name}] = rs.Namespace + "/" + rs.Name
		}
	}
	for _, rs := range narrow {
		w.reportNarrow(rs, written)
	}
	w.emit(subsets.Objects()...)
}

// commitRoute writes a planned route: its subset Services, TrafficSplits and HTTPRouteGroups.
func (w *writer) commitRoute(p *routePlan, subsets *emit.Subsets) {
	rs, root := p.rs, p.root
	for _, s := range p.splits {
		for _, b := range s.backends {
			if b.Subset == "" {
				continue
			}
			got, err := subsets.Add(&w.snap.Inventory, b, rs.Origin)
			if err != nil {
				panic(fmt.Sprintf("subset %q checked when planned: %v", b.Subset, err)) // resolveBackends checks what Add does
			}
			w.report(model.CodeSMISubsetService, rs.Origin, b.Field, "Service %s/%s generated for subset %q", got.Namespace, got.Name, b.Subset)
		}
		parts := []string{rs.Name}
		if len(p.splits) > 1 {
			parts = append(parts, cmp.Or(s.name, fmt.Sprint(s.index)))
		}
		name := w.uniqueName("TrafficSplit", root.Namespace, parts...)
		var group string
		if s.matches != nil {
			group = w.uniqueName("HTTPRouteGroup", root.Namespace, slices.Concat(parts, []string{"match"})...)
			annotations := map[string]string{emit.SourceAnnotation: emit.Source(rs.Origin)}
			w.emit(w.httpRouteGroup(group, root.Namespace, annotations, s.matches, matchNamer(s.matches)))
		}
		w.emit(w.trafficSplit(name, root.Namespace, root.Name, group, s.split, rs.Origin))
	}
	if n := len(p.splits); n > 1 {
		why := "no request matches two of them that route it differently"
		if traefikRules(w.prof) {
			why = "Traefik Mesh tries those with more conditions first, which keeps Istio's order here"
		}
		w.report(model.CodeSMIRouteMatch, rs.Origin, "spec.http",
			"%d TrafficSplits were written for Service %s/%s; SMI does not order them, and %s", n, root.Namespace, root.Name, why)
	}
}

// reportRuleFeatures reports what a rule does besides choosing backends: SMI drops it.
func (w *writer) reportRuleFeatures(rs *model.RouteSet, r model.HTTPRule) {
	feature := func(field, what string) {
		w.report(model.CodeSMIRouteFeature, rs.Origin, field, "%s cannot be expressed by a TrafficSplit; dropped", what)
	}
	if r.Redirect != nil {
		feature(r.Redirect.Field, "a redirect")
	}
	if r.DirectResponse != nil {
		feature(r.DirectResponse.Field, "a direct response")
	}
	if r.Delegate != nil {
		feature(r.Field+".delegate", "delegation")
	}
	if r.Rewrite != nil {
		feature(r.Rewrite.Field, "a rewrite")
	}
	if r.Headers != nil {
		feature(r.Field+".headers", "header edits")
	}
	for _, m := range r.Mirrors {
		feature(m.Field, "a mirror")
	}
	if r.Timeout != 0 {
		feature(r.Field+".timeout", "a timeout")
	}
	if r.Retry != nil {
		feature(r.Retry.Field, "retries")
	}
	if r.CORS != nil {
		feature(r.CORS.Field, "a CORS policy")
	}
	if r.Fault != nil {
		feature(r.Fault.Field, "fault injection")
	}
	for _, o := range r.Other {
		feature(r.Field+"."+o, o)
	}
	for _, b := range r.Backends {
		if b.Headers != nil {
			feature(b.Field+".headers", "header edits")
		}
	}
}

func normalizeMatches(ms []httpMatch) []httpMatch {
	slices.SortFunc(ms, func(a, b httpMatch) int { return strings.Compare(a.key(), b.key()) })
	return slices.CompactFunc(ms, func(a, b httpMatch) bool { return a.key() == b.key() })
}

// routeHeaderRegex renders a VirtualService header match, anchored for every reading.
func routeHeaderRegex(h model.KeyMatch) string {
	switch {
	case h.Present:
		return "^.*$"
	case h.Match.Type == model.MatchPrefix:
		return "^(?:" + regexp.QuoteMeta(h.Match.Value) + ".*)$"
	case h.Match.Type == model.MatchRegex:
		return "^(?:" + h.Match.Value + ")$"
	}
	return "^(?:" + regexp.QuoteMeta(h.Match.Value) + ")$"
}

func missingPorts(root, backend model.Service) []int32 {
	var out []int32
	for _, p := range root.Ports {
		if _, ok := backend.Port(p.Port); !ok {
			out = append(out, p.Port)
		}
	}
	return out
}

func (w *writer) trafficSplit(name, ns, root, group string, backends []splitBackend, origin model.Origin) *unstructured.Unstructured {
	meta := metav1.ObjectMeta{Name: name, Namespace: ns, Annotations: map[string]string{emit.SourceAnnotation: emit.Source(origin)}}
	gvk := schema.GroupVersionKind{Group: splitGroup, Version: w.prof.split, Kind: "TrafficSplit"}
	var u *unstructured.Unstructured
	switch w.prof.split {
	case "v1alpha2":
		ts := &splitv1alpha2.TrafficSplit{ObjectMeta: meta, Spec: splitv1alpha2.TrafficSplitSpec{Service: root}}
		for _, b := range backends {
			ts.Spec.Backends = append(ts.Spec.Backends, splitv1alpha2.TrafficSplitBackend{Service: b.service, Weight: b.weight})
		}
		u = emit.MustObject(ts, gvk)
	case "v1alpha3":
		ts := &splitv1alpha3.TrafficSplit{ObjectMeta: meta, Spec: splitv1alpha3.TrafficSplitSpec{Service: root}}
		for _, b := range backends {
			ts.Spec.Backends = append(ts.Spec.Backends, splitv1alpha3.TrafficSplitBackend{Service: b.service, Weight: b.weight})
		}
		u = emit.MustObject(ts, gvk)
	default:
		ts := &splitv1alpha4.TrafficSplit{ObjectMeta: meta, Spec: splitv1alpha4.TrafficSplitSpec{Service: root}}
		for _, b := range backends {
			ts.Spec.Backends = append(ts.Spec.Backends, splitv1alpha4.TrafficSplitBackend{Service: b.service, Weight: b.weight})
		}
		u = emit.MustObject(ts, gvk)
	}
	if group != "" {
		// Written by hand: the SDK's TypedLocalObjectReference would add apiGroup: null, a field
		// the CRDs do not have.
		matches := []any{map[string]any{"kind": "HTTPRouteGroup", "name": group}}
		if err := unstructured.SetNestedSlice(u.Object, matches, "spec", "matches"); err != nil {
			panic(err)
		}
	}
	return u
}
