package smi

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// Planning a route. Istio sends a request to the first rule that matches it; a TrafficSplit
// sends the requests it matches to its backends and everything else to the root Service
// unsplit. The writer plans every rule Istio can reach (up to the first that takes every
// request), as a TrafficSplit, as nothing (the rule routes to the root Service itself) or as
// not written, then checks the plan against Istio's order (split_order.go) before writing
// anything, so that a refused route leaves no objects behind.

// ruleKind is how a rule's requests are written.
type ruleKind int

const (
	asSplit    ruleKind = iota // a TrafficSplit
	asRoot                     // the root Service itself: no TrafficSplit, the requests reach it unsplit
	notWritten                 // no SMI form
)

// plannedRule is one rule of a route as the writer plans it.
type plannedRule struct {
	field, name string
	index       int
	kind        ruleKind
	// blocks are the rule's match blocks that apply to the mesh; nil when it takes every request.
	blocks []model.HTTPMatch
	// backends are Istio's destinations; split the TrafficSplit backends they resolve to.
	backends []model.Backend
	split    []splitBackend
	// matches are a TrafficSplit's HTTPRouteGroup matches; nil for every request.
	matches []httpMatch
	// dest is equal for rules that send requests to the same Services in the same proportions;
	// "" for a rule that does not forward.
	dest string
	// istio says what Istio does with the rule's requests, and why, for a rule that is not a
	// TrafficSplit, why its requests must not go to a later one (both for messages).
	istio, why string
}

// routePlan is what will be written for one VirtualService.
type routePlan struct {
	rs     *model.RouteSet
	root   model.Service
	splits []*plannedRule
	// subsets maps the subset Services the plan and the routes written before it claim to the
	// Service and subset each stands for, as emit.Subsets will.
	subsets map[string][2]string
}

// planRoute plans the TrafficSplits of a mesh VirtualService that applies to every client and
// reports what it cannot write. It returns nil when nothing is to be written.
func (w *writer) planRoute(rs *model.RouteSet, claims map[string][2]string) *routePlan {
	notWritten := func(format string, args ...any) *routePlan {
		w.report(model.CodeSMIRouteNotWritten, rs.Origin, "spec", format, args...)
		w.reportUnrouted(rs)
		return nil
	}
	if len(rs.Services) != 1 || len(rs.Hosts) != 1 {
		return notWritten("a TrafficSplit has one root Service; the route has hosts %v, of which %d resolved to a Service", rs.Hosts, len(rs.Services))
	}
	root, ok := w.snap.Inventory.Service(rs.Services[0].Namespace, rs.Services[0].Name)
	if !ok {
		return notWritten("Service %s/%s is not in the input", rs.Services[0].Namespace, rs.Services[0].Name)
	}
	p := &routePlan{rs: rs, root: root, subsets: maps.Clone(claims)}
	if p.subsets == nil {
		p.subsets = map[string][2]string{}
	}
	var rules []*plannedRule
	for i, r := range rs.HTTP {
		w.reportRuleFeatures(rs, r)
		blocks, applies := meshBlocks(r)
		if !applies {
			w.report(model.CodeSMIRouteMatch, rs.Origin, r.Field+".match", "no match block applies to the mesh; the rule was not written")
			continue
		}
		pr := w.planHTTPRule(p, i, r, blocks)
		rules = append(rules, pr)
		if pr.blocks == nil {
			break // Istio never reaches the rules after one that takes every request
		}
	}
	l4 := w.planL4(p, len(rs.HTTP) > 0)
	if field, conflict := w.orderConflict(rules); conflict != "" {
		w.report(model.CodeSMIRouteOrder, rs.Origin, field, "%s; no TrafficSplit was written for Service %s/%s, whose clients reach it unsplit",
			conflict, root.Namespace, root.Name)
		return nil
	}
	for _, r := range append(rules, l4...) {
		if r.kind == asSplit {
			p.splits = append(p.splits, r)
		}
	}
	w.reportElsewhere(p, rules, l4)
	return p
}

// meshBlocks returns the rule's match blocks that apply to sidecars, nil when one of them (or
// the absence of any) takes every request; applies is false when every block names gateways
// other than "mesh".
func meshBlocks(r model.HTTPRule) (blocks []model.HTTPMatch, applies bool) {
	if len(r.Matches) == 0 {
		return nil, true
	}
	for _, m := range r.Matches {
		if len(m.Gateways) > 0 && !slices.Contains(m.Gateways, "mesh") {
			continue
		}
		if takesEvery(m) {
			return nil, true
		}
		blocks = append(blocks, m)
	}
	return blocks, len(blocks) > 0
}

// takesEvery reports whether a match block has no condition.
func takesEvery(m model.HTTPMatch) bool {
	return m.Path == nil && m.Method == nil && m.Scheme == nil && m.Authority == nil && len(m.Headers) == 0 &&
		len(m.WithoutHeaders) == 0 && len(m.QueryParams) == 0 && m.Port == 0 && len(m.SourceLabels) == 0 && m.SourceNamespace == ""
}

func (w *writer) planHTTPRule(p *routePlan, i int, r model.HTTPRule, blocks []model.HTTPMatch) *plannedRule {
	pr := &plannedRule{field: r.Field, name: r.Name, index: i, blocks: blocks, backends: r.Backends, kind: notWritten}
	if action := nonForwarding(r); action != "" {
		pr.istio, pr.why = action, "answers with "+action
		return pr
	}
	pr.dest, pr.istio = destKey(r.Backends), describeBackends(r.Backends)
	if routesOnlyTo(r.Backends, p.root.Namespace, p.root.Name) {
		pr.kind, pr.why = asRoot, fmt.Sprintf("routes to Service %s/%s itself", p.root.Namespace, p.root.Name)
		return pr
	}
	if blocks != nil {
		matches, ok := w.splitMatches(p.rs, r.Field, blocks)
		if !ok {
			pr.why = "has matches a TrafficSplit cannot hold"
			return pr
		}
		pr.matches = matches
	}
	split, ok := w.resolveBackends(p, r.Backends)
	if !ok {
		pr.why = "has destinations a TrafficSplit cannot hold"
		return pr
	}
	pr.kind, pr.split = asSplit, split
	return pr
}

// planL4 plans the TCP and TLS routes. Only a lone TCP route without matches beside no HTTP
// route can be written: a TrafficSplit applies to every port and cannot test SNI.
func (w *writer) planL4(p *routePlan, withHTTP bool) []*plannedRule {
	rs := p.rs
	var out []*plannedRule
	lost := func(r model.L4Rule) *plannedRule {
		pr := &plannedRule{field: r.Field, backends: r.Backends, kind: notWritten, dest: destKey(r.Backends), istio: describeBackends(r.Backends)}
		if routesOnlyTo(r.Backends, p.root.Namespace, p.root.Name) {
			pr.kind = asRoot
		}
		out = append(out, pr)
		return pr
	}
	for _, r := range rs.TLS {
		w.report(model.CodeSMIRouteMatch, rs.Origin, r.Field, "TLS routes select by SNI, which TrafficSplit cannot; not written")
		lost(r)
	}
	switch {
	case len(rs.TCP) == 0:
	case withHTTP:
		w.report(model.CodeSMIRouteMatch, rs.Origin, rs.TCP[0].Field,
			"a TrafficSplit applies to every port; TCP routes beside HTTP routes were not written")
		for _, r := range rs.TCP {
			lost(r)
		}
	case len(rs.TCP) > 1 || len(rs.TCP[0].Matches) > 0:
		w.report(model.CodeSMIRouteMatch, rs.Origin, rs.TCP[0].Field,
			"TCP routes with matches or several TCP routes cannot be written; not written")
		for _, r := range rs.TCP {
			lost(r)
		}
	default:
		pr := lost(rs.TCP[0])
		if pr.kind == notWritten {
			if split, ok := w.resolveBackends(p, rs.TCP[0].Backends); ok {
				pr.kind, pr.split = asSplit, split
			}
		}
	}
	return out
}

// nonForwarding names what a rule does instead of forwarding its requests, or "".
func nonForwarding(r model.HTTPRule) string {
	switch {
	case r.Redirect != nil:
		return "a redirect"
	case r.DirectResponse != nil:
		return "a direct response"
	case r.Delegate != nil:
		return "delegation to VirtualService " + r.Delegate.Namespace + "/" + r.Delegate.Name
	case r.Fault != nil && (r.Fault.AbortStatus != 0 || r.Fault.AbortPercent != nil) &&
		(r.Fault.AbortPercent == nil || *r.Fault.AbortPercent > 0):
		return "an abort fault"
	case len(r.Backends) == 0:
		return "no destination"
	}
	return ""
}

// routesOnlyTo reports whether every backend that gets traffic is the Service ns/name itself.
func routesOnlyTo(bs []model.Backend, ns, name string) bool {
	n := 0
	for _, b := range bs {
		if b.Weight <= 0 {
			continue
		}
		if b.Subset != "" || b.Service.Namespace != ns || b.Service.Name != name {
			return false
		}
		n++
	}
	return n > 0
}

// splitMatches returns the HTTPRouteGroup matches of a rule's match blocks; ok is false when
// the rule cannot be written.
func (w *writer) splitMatches(rs *model.RouteSet, field string, blocks []model.HTTPMatch) (matches []httpMatch, ok bool) {
	skip := func(field, format string, args ...any) ([]httpMatch, bool) {
		w.report(model.CodeSMIRouteMatch, rs.Origin, field, format+"; the rule was not written", args...)
		return nil, false
	}
	if !w.prof.splitMatches {
		return skip(field+".match", "split %s (%s) has no matches", w.prof.split, w.prof.mesh)
	}
	for _, m := range blocks {
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
			if traefikRules(w.prof) && strings.Contains(h.Name+hm.headers[len(hm.headers)-1].regex, "`") {
				return skip(m.Field, "Traefik Mesh quotes header matches with backquotes, so header %s cannot be matched", h.Name)
			}
		}
		slices.SortFunc(hm.headers, func(a, b header) int { return strings.Compare(a.name, b.name) })
		matches = append(matches, hm)
	}
	return normalizeMatches(matches), true
}

// resolveBackends resolves a rule's destinations to backend Services in the root's namespace,
// checking what the subset Services need without generating them (commitRoute does); ok is
// false, and the reason reported, when one cannot be.
func (w *writer) resolveBackends(p *routePlan, bs []model.Backend) (out []splitBackend, ok bool) {
	rs, root := p.rs, p.root
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
			if _, err := emit.SubsetService(&w.snap.Inventory, b); err != nil {
				return skip(b.Field, "%v", err)
			}
			name = emit.SubsetServiceName(b)
			key, owner := ref.Namespace+"/"+name, [2]string{ref.Name, b.Subset}
			if o, taken := p.subsets[key]; taken && o != owner {
				return skip(b.Field, "subset %q of %s/%s and subset %q of %s/%s would both be served by Service %s",
					b.Subset, ref.Namespace, ref.Name, o[1], ref.Namespace, o[0], name)
			}
			p.subsets[key] = owner
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
	if traefikRules(w.prof) && len(out) > 1 && slices.ContainsFunc(out, func(x splitBackend) bool { return x.service == root.Name }) {
		return skip(bs[0].Field, "Traefik Mesh drops a TrafficSplit that names its root Service %s as a backend (a loop)", root.Name)
	}
	slices.SortFunc(out, func(a, b splitBackend) int { return strings.Compare(a.service, b.service) })
	return out, len(out) > 0
}

// traefikRules reports whether the consumer is Traefik Mesh, which turns TrafficSplits into
// router rules: it ranks them by their number of conditions, cannot quote a backquote, and drops
// a split whose backends lead back to its root Service.
func traefikRules(p profile) bool { return p.mesh == "traefik-mesh" }
