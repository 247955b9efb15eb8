package smi

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/meshbridge/meshbridge/model"
)

// Istio's order. A request goes to the first rule that matches it. In SMI it goes to a
// TrafficSplit that matches it, chosen by the consumer when several do, and to the root Service
// when none does. So a plan keeps Istio's order when:
//   - no later TrafficSplit may take a request of a rule that is not one (a rule that cannot be
//     written, or that routes to the root Service itself), unless it sends it to the same place;
//   - of two TrafficSplits that may match the same request and route it differently, the
//     consumer prefers the earlier. Traefik Mesh ranks a split by the number of && and || in the
//     router rule it builds (more conditions first, equal ranks in no defined order); other
//     consumers define no order, so such splits are refused there.
//
// "May match the same request" is decided on headers, the only thing a TrafficSplit tests:
// blocks that require the same header with values no string has in common never overlap;
// anything else (regular expressions, paths, sources) is taken to overlap.

// orderConflict returns the field and description of the first place where the plan would
// send a request elsewhere than Istio, or "".
func (w *writer) orderConflict(rules []*plannedRule) (field, conflict string) {
	for i, a := range rules {
		for _, b := range rules[i+1:] {
			if b.kind != asSplit || sameDest(a, b) || !rulesOverlap(a, b) {
				continue
			}
			if a.kind != asSplit {
				return a.field, fmt.Sprintf("%s %s, and the TrafficSplit for the later %s would take requests it matches", a.field, a.why, b.field)
			}
			if !traefikRules(w.prof) {
				return a.field, fmt.Sprintf("the TrafficSplits for %s and the later %s may match the same request and route it differently, "+
					"and %s (split %s) defines no order between TrafficSplits", a.field, b.field, w.prof.mesh, w.prof.split)
			}
			pa, pb := traefikPriority(a), traefikPriority(b)
			if pa > pb {
				continue
			}
			why := "ranks them equally"
			if pa < pb {
				why = "prefers the later one, which has more conditions"
			}
			return a.field, fmt.Sprintf("the TrafficSplits for %s and the later %s may match the same request and route it differently, "+
				"and Traefik Mesh %s", a.field, b.field, why)
		}
	}
	return "", ""
}

// traefikPriority is the rank Traefik Mesh gives a TrafficSplit's router over the other
// routers of the root Service: the number of && and || in its rule. The rule is
// "(Host(name) || Host(clusterIP))", and with matches "&& (" + the matches joined by " || " +
// ")", each match "(PathPrefix(path) && HeadersRegexp(name, value) && …)" (httpRouteGroup
// writes a path and no method).
func traefikPriority(r *plannedRule) int {
	if r.matches == nil {
		return 1
	}
	n := 2 + len(r.matches) - 1
	for _, m := range r.matches {
		n += len(m.headers)
		for _, h := range m.headers {
			n += strings.Count(h.name, "&&") + strings.Count(h.name, "||") + strings.Count(h.regex, "&&") + strings.Count(h.regex, "||")
		}
	}
	return n
}

// rulesOverlap reports whether some request may match both rules.
func rulesOverlap(a, b *plannedRule) bool {
	if a.blocks == nil || b.blocks == nil {
		return true
	}
	for _, x := range a.blocks {
		for _, y := range b.blocks {
			if blocksOverlap(x, y) {
				return true
			}
		}
	}
	return false
}

// blocksOverlap reports whether some request may match both blocks: false only when they
// require one header with values that have nothing in common.
func blocksOverlap(x, y model.HTTPMatch) bool {
	for _, hx := range x.Headers {
		for _, hy := range y.Headers {
			if strings.EqualFold(hx.Name, hy.Name) && !valuesOverlap(hx, hy) {
				return false
			}
		}
	}
	return true
}

// valuesOverlap reports whether some value may match both (true when unknown).
func valuesOverlap(x, y model.KeyMatch) bool {
	if x.Present || y.Present {
		return true
	}
	a, b := x.Match, y.Match
	if a.Type != model.MatchExact && b.Type == model.MatchExact {
		a, b = b, a
	}
	switch {
	case a.Type == model.MatchExact && b.Type == model.MatchExact:
		return a.Value == b.Value
	case a.Type == model.MatchExact && b.Type == model.MatchPrefix:
		return strings.HasPrefix(a.Value, b.Value)
	case a.Type == model.MatchExact && b.Type == model.MatchRegex:
		re, err := regexp.Compile("^(?:" + b.Value + ")$")
		return err != nil || re.MatchString(a.Value)
	case a.Type == model.MatchPrefix && b.Type == model.MatchPrefix:
		return strings.HasPrefix(a.Value, b.Value) || strings.HasPrefix(b.Value, a.Value)
	}
	return true
}

// sameDest reports whether two rules send their requests to the same Services in the same
// proportions.
func sameDest(a, b *plannedRule) bool { return a.dest != "" && a.dest == b.dest }

// destKey identifies where backends send requests: Services (or unresolved hosts) and subsets
// with their weights in lowest terms.
func destKey(bs []model.Backend) string {
	weights := map[string]int64{}
	for _, b := range bs {
		if b.Weight <= 0 {
			continue
		}
		k := b.Service.Namespace + "/" + b.Service.Name
		if b.Service.Name == "" {
			k = "host " + b.Host
		}
		weights[k+" subset "+b.Subset] += int64(b.Weight)
	}
	var g int64
	for _, v := range weights {
		g = gcd(g, v)
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(weights)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, weights[k]/g))
	}
	return strings.Join(parts, ";")
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// describeBackends says where Istio sends a rule's requests, e.g. "reviews subset v1 90%,
// reviews subset v2 10%".
func describeBackends(bs []model.Backend) string {
	var parts []string
	for _, b := range bs {
		s := b.Service.Name
		if s == "" {
			s = b.Host
		} else if b.Service.Namespace != "" {
			s = b.Service.Namespace + "/" + s
		}
		if b.Subset != "" {
			s += " subset " + b.Subset
		}
		if len(bs) > 1 {
			s += fmt.Sprintf(" %d%%", b.Weight)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// reportElsewhere reports, for a plan that keeps Istio's order, the requests that still reach
// the root Service unsplit instead of Istio's destination: those of rules not written that no
// later TrafficSplit takes to the same place, those no rule matches (Istio answers 404), and
// TCP and TLS connections whose routes were not written.
func (w *writer) reportElsewhere(p *routePlan, rules, l4 []*plannedRule) {
	var unsplit, l4Items []string
	for i, r := range rules {
		if r.kind != notWritten {
			continue
		}
		covered := slices.ContainsFunc(rules[i+1:], func(b *plannedRule) bool {
			return b.kind == asSplit && b.blocks == nil && sameDest(r, b)
		})
		if !covered {
			unsplit = append(unsplit, fmt.Sprintf("requests of %s (Istio: %s)", r.field, r.istio))
		}
	}
	if len(rules) > 0 && rules[len(rules)-1].blocks != nil {
		unsplit = append(unsplit, "requests no rule matches (Istio: 404)")
	}
	for _, r := range l4 {
		if r.kind == notWritten || r.kind == asRoot && len(p.splits) > 0 {
			l4Items = append(l4Items, fmt.Sprintf("connections of %s (Istio: %s)", r.field, r.istio))
		}
	}
	var parts []string
	if len(unsplit) > 0 {
		parts = append(parts, fmt.Sprintf("%s reach Service %s/%s unsplit", strings.Join(unsplit, ", "), p.root.Namespace, p.root.Name))
	}
	if len(l4Items) > 0 {
		if len(p.splits) > 0 {
			parts = append(parts, fmt.Sprintf("%s get the TrafficSplits written for Service %s/%s, which apply to every port",
				strings.Join(l4Items, ", "), p.root.Namespace, p.root.Name))
		} else {
			parts = append(parts, fmt.Sprintf("%s reach Service %s/%s unsplit", strings.Join(l4Items, ", "), p.root.Namespace, p.root.Name))
		}
	}
	if len(parts) > 0 {
		w.report(model.CodeSMIRequestsElsewhere, p.rs.Origin, "spec", "%s", strings.Join(parts, "; "))
	}
}

// reportUnrouted reports, for a route not written at all, each Service whose mesh requests
// the VirtualService sends somewhere else than the Service itself.
func (w *writer) reportUnrouted(rs *model.RouteSet) {
	for _, svc := range rs.Services {
		if !onlyToService(rs, svc) {
			w.report(model.CodeSMIRequestsElsewhere, rs.Origin, "spec",
				"requests for Service %s/%s reach it unsplit, not as this VirtualService's rules route them", svc.Namespace, svc.Name)
		}
	}
}

// onlyToService reports whether the VirtualService routes every mesh request to svc itself,
// so that not writing it changes nothing.
func onlyToService(rs *model.RouteSet, svc model.ServiceRef) bool {
	takesEvery := len(rs.HTTP) == 0
	for _, r := range rs.HTTP {
		blocks, applies := meshBlocks(r)
		if !applies {
			continue
		}
		if nonForwarding(r) != "" || !routesOnlyTo(r.Backends, svc.Namespace, svc.Name) {
			return false
		}
		if blocks == nil {
			takesEvery = true
			break
		}
	}
	for _, r := range slices.Concat(rs.TCP, rs.TLS) {
		if !routesOnlyTo(r.Backends, svc.Namespace, svc.Name) {
			return false
		}
	}
	return takesEvery
}
