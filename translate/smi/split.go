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

// A TrafficSplit sends the traffic clients address to one Service (the root) to backend
// Services in its namespace, by relative weight. It has no order, no per-path routing and no
// request edits: a VirtualService becomes TrafficSplits only when its mesh rules are weighted
// destinations, optionally behind header-only matches (split v1alpha3 and later; requests
// that do not match reach the root Service unsplit). Subsets become generated Services.

// splitBackend is one weighted backend Service.
type splitBackend struct {
	service string
	weight  int
}

// writeRoutes writes TrafficSplits for the snapshot's mesh routes.
func (w *writer) writeRoutes() {
	var subsets emit.Subsets
	for i := range w.snap.Routes {
		w.writeRouteSet(&w.snap.Routes[i], &subsets)
	}
	w.objs = append(w.objs, subsets.Objects()...)
}

func (w *writer) writeRouteSet(rs *model.RouteSet, subsets *emit.Subsets) {
	notWritten := func(format string, args ...any) {
		w.report(model.CodeSMIRouteNotWritten, rs.Origin, "spec", format, args...)
	}
	switch {
	case !rs.Mesh:
		notWritten("the routes are bound to gateways only; SMI has no ingress routing")
		return
	case len(rs.Services) != 1 || len(rs.Hosts) != 1:
		notWritten("a TrafficSplit has one root Service; the route has hosts %v, of which %d resolved to a Service", rs.Hosts, len(rs.Services))
		return
	}
	root, ok := w.snap.Inventory.Service(rs.Services[0].Namespace, rs.Services[0].Name)
	if !ok {
		notWritten("Service %s/%s is not in the input", rs.Services[0].Namespace, rs.Services[0].Name)
		return
	}
	for _, r := range rs.TLS {
		w.report(model.CodeSMIRouteMatch, rs.Origin, r.Field, "TLS routes select by SNI, which TrafficSplit cannot; not written")
	}

	type written struct {
		field    string
		name     string
		matches  []httpMatch
		backends []splitBackend
	}
	var splits []written
	for _, r := range rs.HTTP {
		w.reportRuleFeatures(rs, r)
		if len(r.Backends) == 0 {
			continue // a redirect or direct response: reported above
		}
		matches, ok := w.splitMatches(rs, r)
		if !ok {
			continue
		}
		backends, ok := w.splitBackends(rs, root, r.Field, r.Backends, subsets)
		if !ok {
			continue
		}
		splits = append(splits, written{field: r.Field, name: r.Name, matches: matches, backends: backends})
		if matches == nil {
			break // a catch-all: later rules never match in Istio
		}
	}
	if len(rs.TCP) > 0 {
		switch {
		case len(rs.HTTP) > 0:
			w.report(model.CodeSMIRouteMatch, rs.Origin, rs.TCP[0].Field,
				"a TrafficSplit applies to every port; TCP routes beside HTTP routes were not written")
		case len(rs.TCP) > 1 || len(rs.TCP[0].Matches) > 0:
			w.report(model.CodeSMIRouteMatch, rs.Origin, rs.TCP[0].Field,
				"TCP routes with matches or several TCP routes cannot be written; not written")
		default:
			if backends, ok := w.splitBackends(rs, root, rs.TCP[0].Field, rs.TCP[0].Backends, subsets); ok {
				splits = append(splits, written{field: rs.TCP[0].Field, backends: backends})
			}
		}
	}
	if len(splits) > 1 {
		w.report(model.CodeSMIRouteMatch, rs.Origin, "spec.http",
			"%d TrafficSplits were written for Service %s/%s; SMI does not order them, and consumers differ on which applies "+
				"when several match", len(splits), root.Namespace, root.Name)
	}
	for i, s := range splits {
		if len(s.backends) == 1 && s.backends[0].service == root.Name {
			continue // all traffic to the root Service itself: nothing to split
		}
		parts := []string{rs.Name}
		if len(splits) > 1 {
			parts = append(parts, cmp.Or(s.name, fmt.Sprint(i)))
		}
		name := w.uniqueName("TrafficSplit", root.Namespace, parts...)
		var group string
		if s.matches != nil {
			group = w.uniqueName("HTTPRouteGroup", root.Namespace, slices.Concat(parts, []string{"match"})...)
			annotations := map[string]string{emit.SourceAnnotation: emit.Source(rs.Origin)}
			w.objs = append(w.objs, w.httpRouteGroup(group, root.Namespace, annotations, s.matches, matchNamer(s.matches)))
		}
		w.objs = append(w.objs, w.trafficSplit(name, root.Namespace, root.Name, group, s.backends, rs.Origin))
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

// splitMatches returns the HTTPRouteGroup matches a rule's match blocks become (nil for a rule
// without matches, which takes every request); ok is false when the rule cannot be written.
func (w *writer) splitMatches(rs *model.RouteSet, r model.HTTPRule) (matches []httpMatch, ok bool) {
	if len(r.Matches) == 0 {
		return nil, true
	}
	skip := func(field, format string, args ...any) ([]httpMatch, bool) {
		w.report(model.CodeSMIRouteMatch, rs.Origin, field, format+"; the rule was not written", args...)
		return nil, false
	}
	if !w.prof.splitMatches {
		return skip(r.Field+".match", "split %s (%s) has no matches", w.prof.split, w.prof.mesh)
	}
	for _, m := range r.Matches {
		if len(m.Gateways) > 0 && !slices.Contains(m.Gateways, "mesh") {
			continue // the block applies to gateways only
		}
		var other []string
		for _, f := range []struct {
			name string
			set  bool
		}{
			{"uri", m.Path != nil}, {"method", m.Method != nil}, {"scheme", m.Scheme != nil}, {"authority", m.Authority != nil},
			{"withoutHeaders", len(m.WithoutHeaders) > 0}, {"queryParams", len(m.QueryParams) > 0}, {"port", m.Port != 0},
			{"sourceLabels", len(m.SourceLabels) > 0}, {"sourceNamespace", m.SourceNamespace != ""}, {"ignoreUriCase", m.IgnoreURICase},
		} {
			if f.set {
				other = append(other, f.name)
			}
		}
		if len(other) > 0 {
			return skip(m.Field, "TrafficSplit matches can only test headers, not %s", strings.Join(other, ", "))
		}
		var hm httpMatch
		for _, h := range m.Headers {
			hm.headers = append(hm.headers, header{name: strings.ToLower(h.Name), regex: routeHeaderRegex(h)})
		}
		slices.SortFunc(hm.headers, func(a, b header) int { return strings.Compare(a.name, b.name) })
		matches = append(matches, hm)
	}
	if len(matches) == 0 {
		return skip(r.Field+".match", "no match block applies to the mesh")
	}
	return normalizeMatches(matches), true
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

// splitBackends resolves a rule's destinations to backend Services in the root's namespace,
// generating a Service per subset; ok is false when one cannot be.
func (w *writer) splitBackends(rs *model.RouteSet, root model.Service, field string, bs []model.Backend,
	subsets *emit.Subsets) (out []splitBackend, ok bool) {
	skip := func(f, format string, args ...any) ([]splitBackend, bool) {
		w.report(model.CodeSMIRouteNotWritten, rs.Origin, f, format+"; the rule was not written", args...)
		return nil, false
	}
	for _, b := range bs {
		ref := b.Service
		switch {
		case ref.Name == "":
			return skip(b.Field, "destination %q is not a Service in the input", b.Host)
		case ref.Namespace != root.Namespace:
			return skip(b.Field, "backend %s/%s is not in the root Service's namespace %s", ref.Namespace, ref.Name, root.Namespace)
		}
		name := ref.Name
		if b.Subset != "" {
			got, err := subsets.Add(&w.snap.Inventory, b, rs.Origin)
			if err != nil {
				return skip(b.Field, "%v", err)
			}
			name = got.Name
			w.report(model.CodeSMISubsetService, rs.Origin, b.Field, "Service %s/%s generated for subset %q", got.Namespace, got.Name, b.Subset)
		} else if svc, found := w.snap.Inventory.Service(ref.Namespace, ref.Name); !found {
			return skip(b.Field, "Service %s/%s is not in the input", ref.Namespace, ref.Name)
		} else if missing := missingPorts(root, svc); len(missing) > 0 {
			return skip(b.Field, "backend %s lacks ports %v of the root Service, which consumers require", svc.Name, missing)
		}
		if i := slices.IndexFunc(out, func(x splitBackend) bool { return x.service == name }); i >= 0 {
			out[i].weight += int(b.Weight)
		} else {
			out = append(out, splitBackend{service: name, weight: int(b.Weight)})
		}
	}
	slices.SortFunc(out, func(a, b splitBackend) int { return strings.Compare(a.service, b.service) })
	return out, len(out) > 0
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
