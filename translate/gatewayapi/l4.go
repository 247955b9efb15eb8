package gatewayapi

import (
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// TCPRoute and TLSRoute hold one rule each and cannot match on anything but the parent (port,
// listener) and, for TLS, the SNI host. Istio's tcp and tls rules are first-match lists, so
// for each port the writer finds the rule Istio would pick and writes it as its own route.

// conditional reports why an L4 match cannot be written ("" when it can).
func conditional(m model.L4Match) string {
	switch {
	case len(m.SourceLabels) > 0:
		return "sourceLabels"
	case m.SourceNamespace != "":
		return "sourceNamespace"
	case len(m.DestinationSubnets) > 0:
		return "destinationSubnets"
	}
	return ""
}

// l4Applies is appliesTo for L4 matches.
func l4Applies(rs *model.RouteSet, m model.L4Match, pc pctx) bool {
	return appliesTo(rs, m.Gateways, m.Port, pc)
}

// tcpChoice returns the tcp rule Istio uses on pc's port, -1 when none applies, -2 when the
// choice depends on something TCPRoute cannot express (reported).
func (w *writer) tcpChoice(rs *model.RouteSet, pc pctx) int {
	for i, r := range rs.TCP {
		if len(r.Matches) == 0 {
			return i
		}
		for _, m := range r.Matches {
			if !l4Applies(rs, m, pc) {
				continue
			}
			if why := conditional(m); why != "" {
				w.report(model.CodeGWL4NotWritten, rs.Origin, m.Field+"."+why,
					"%s cannot be expressed by TCPRoute and decides which rule takes the traffic; nothing was written for %s", why, w.parentName(pc))
				return -2
			}
			return i
		}
	}
	return -1
}

// l4Backends resolves an L4 rule's destinations; ok is false when one cannot be (reported).
func (w *writer) l4Backends(o model.Origin, bs []model.Backend, port int32) ([]gwv1.BackendRef, []model.Backend, bool) {
	var refs []gwv1.BackendRef
	var subsets []model.Backend
	for _, b := range bs {
		ref, subset, why := w.backendRef(b, port)
		if why != "" {
			code := model.CodeGWBackendNotService
			if b.Subset != "" && b.Service.Name != "" {
				code = model.CodeGWSubsetService
			}
			w.report(code, o, b.Field+".destination", "%s; the rule was not written", why)
			return nil, nil, false
		}
		if subset != nil {
			subsets = append(subsets, *subset)
		}
		weight := b.Weight
		if i := slices.IndexFunc(refs, func(r gwv1.BackendRef) bool {
			return r.Name == ref.Name && *r.Namespace == *ref.Namespace && *r.Port == *ref.Port
		}); i >= 0 {
			*refs[i].Weight += weight
			continue
		}
		refs = append(refs, gwv1.BackendRef{BackendObjectReference: ref, Weight: &weight})
	}
	if len(refs) == 1 {
		refs[0].Weight = nil
	}
	if len(refs) > 16 {
		w.report(model.CodeGWTooManyBackends, o, bs[0].Field, "%d destinations exceed Gateway API's 16 per rule; the rule was not written", len(refs))
		return nil, nil, false
	}
	return refs, subsets, len(refs) > 0
}

// l4Group is one L4 route being planned: a rule, its backends, and the parents sharing them.
type l4Group struct {
	rule      int
	sig       string
	hostnames []string
	refs      []gwv1.BackendRef
	subsets   []model.Backend
	parents   []gwv1.ParentReference
	ports     []int32
}

// addL4 adds a route for parent, sharing one already planned for the same rule, hosts and
// backends when the parents differ by section (a Gateway's listeners); parents that differ by
// port alone cannot share a route.
func addL4(groups []*l4Group, g *l4Group, parent gwv1.ParentReference, port int32) []*l4Group {
	sharable := parent.SectionName != nil
	b, _ := json.Marshal([]any{g.rule, g.hostnames, g.refs, sharable, sharable || port == 0, map[bool]int32{false: port}[sharable]})
	g.sig = string(b)
	if i := slices.IndexFunc(groups, func(x *l4Group) bool { return x.sig == g.sig }); i >= 0 {
		groups[i].parents = append(groups[i].parents, parent)
		groups[i].ports = append(groups[i].ports, port)
		return groups
	}
	g.parents, g.ports = []gwv1.ParentReference{parent}, []int32{port}
	return append(groups, g)
}

func (w *writer) l4Plans(rs *model.RouteSet, kind routeKind, base string, groups []*l4Group) []*routePlan {
	var plans []*routePlan
	nameOf := func(g *l4Group) string {
		name := emit.Name(base, strings.ToLower(strings.TrimSuffix(kind.String(), "Route")))
		if kind == kindTLS {
			name = emit.Name(name, strconv.Itoa(g.rule))
		}
		return name
	}
	for _, g := range groups {
		name := nameOf(g)
		if slices.ContainsFunc(groups, func(x *l4Group) bool { return x != g && nameOf(x) == name }) {
			name = emit.Name(name, portList(g.ports))
		}
		var hs []gwv1.Hostname
		for _, h := range g.hostnames {
			hs = append(hs, gwv1.Hostname(h))
		}
		plans = append(plans, &routePlan{kind: kind, origin: rs.Origin, name: name, parents: g.parents,
			hostnames: hs, l4: g.refs, subsets: g.subsets})
	}
	return plans
}

// l4Allowed reports, once per VirtualService, whether the profile writes kind at all.
func (w *writer) l4Allowed(rs *model.RouteSet, kind routeKind, field string, mesh bool) bool {
	if !w.p.l4 {
		w.report(model.CodeGWKindNotRead, rs.Origin, field, "%s does not read %s v1; the %s rules were not written", w.p.mesh, kind, field)
		return false
	}
	if mesh && !w.p.l4Conformant {
		w.report(model.CodeGWL4MeshSupport, rs.Origin, field, "%s attached to a Service is outside every mesh conformance profile", kind)
	}
	return true
}

func (w *writer) meshTCP(rs *model.RouteSet, svc model.Service, base string) []*routePlan {
	if len(rs.TCP) == 0 || !w.l4Allowed(rs, kindTCP, "spec.tcp", true) {
		return nil
	}
	classes := []portClass{classTCP}
	if len(rs.HTTP) == 0 {
		classes = append(classes, classUnknown)
	}
	ports := portsOf(svc, classes...)
	if len(ports) == 0 {
		w.report(model.CodeGWNoPort, rs.Origin, "spec.tcp", "Service %s/%s has no TCP port for the tcp rules; they were not written", svc.Namespace, svc.Name)
		return nil
	}
	var groups []*l4Group
	for _, p := range ports {
		pc := pctx{kind: kindTCP, matchPort: p.Port, backendPort: p.Port, mesh: true}
		i := w.tcpChoice(rs, pc)
		if i < 0 {
			continue
		}
		refs, subsets, ok := w.l4Backends(rs.Origin, rs.TCP[i].Backends, p.Port)
		if !ok {
			continue
		}
		groups = addL4(groups, &l4Group{rule: i, refs: refs, subsets: subsets}, serviceParents(svc, []int32{p.Port})[0], p.Port)
	}
	return w.l4Plans(rs, kindTCP, base, groups)
}

var tlsHostnameRE = regexp.MustCompile(`^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
var ipLikeRE = regexp.MustCompile(`^[0-9.]+$|:`)

// covers reports whether SNI pattern by (exact or *.suffix) matches every host h matches.
func covers(by, h string) bool {
	if by == h || by == "*" {
		return true
	}
	return strings.HasPrefix(by, "*.") && strings.HasSuffix(h, by[1:]) && len(h) > len(by)-1
}

// tlsChoices returns, per tls rule, the SNI hosts Istio routes to it on pc's port: hosts an
// earlier rule already takes are left out, since TLSRoute prefers the more specific host. ok is
// false when the port cannot be written (reported).
func (w *writer) tlsChoices(rs *model.RouteSet, pc pctx) (map[int][]string, bool) {
	out := map[int][]string{}
	var taken []string
	for i, r := range rs.TLS {
		var hosts []string
		for _, m := range r.Matches {
			if !l4Applies(rs, m, pc) {
				continue
			}
			if why := conditional(m); why != "" {
				w.report(model.CodeGWL4NotWritten, rs.Origin, m.Field+"."+why,
					"%s cannot be expressed by TLSRoute and decides which rule takes the traffic; nothing was written for %s", why, w.parentName(pc))
				return nil, false
			}
			hosts = append(hosts, m.SNIHosts...)
		}
		if len(r.Matches) == 0 {
			hosts = append(hosts, rs.Hosts...)
		}
		var keep []string
		for _, h := range hosts {
			h = strings.ToLower(h)
			switch {
			case slices.ContainsFunc(taken, func(t string) bool { return covers(t, h) }):
				continue
			case !tlsHostnameRE.MatchString(h) || ipLikeRE.MatchString(h):
				w.report(model.CodeGWL4NotWritten, rs.Origin, r.Field,
					"SNI host %q cannot be a TLSRoute hostname, so Istio's choice of rule cannot be kept; nothing was written for %s", h, w.parentName(pc))
				return nil, false
			}
			keep = append(keep, h)
		}
		taken = append(taken, hosts...)
		if len(keep) > 0 {
			slices.Sort(keep)
			out[i] = slices.Compact(keep)
		} else if len(hosts) > 0 {
			w.report(model.CodeGWRuleUnreachable, rs.Origin, r.Field, "every SNI host of this rule is taken by an earlier rule in Istio; dropped")
		}
	}
	return out, true
}

func (w *writer) meshTLS(rs *model.RouteSet, svc model.Service, base string) []*routePlan {
	if len(rs.TLS) == 0 || !w.l4Allowed(rs, kindTLS, "spec.tls", true) {
		return nil
	}
	classes := []portClass{classTLS}
	if len(rs.HTTP) == 0 && len(rs.TCP) == 0 {
		classes = append(classes, classUnknown)
	}
	ports := portsOf(svc, classes...)
	if len(ports) == 0 {
		w.report(model.CodeGWNoPort, rs.Origin, "spec.tls", "Service %s/%s has no TLS port for the tls rules; they were not written", svc.Namespace, svc.Name)
		return nil
	}
	var groups []*l4Group
	for _, p := range ports {
		pc := pctx{kind: kindTLS, matchPort: p.Port, backendPort: p.Port, mesh: true}
		groups = w.tlsGroups(rs, pc, groups, serviceParents(svc, []int32{p.Port})[0], p.Port, "")
	}
	return w.l4Plans(rs, kindTLS, base, groups)
}

// tlsGroups adds the TLSRoutes for one parent. A route attaches to a listener only when one of
// its SNI hosts meets the listener's hostname (listenerHost; "" accepts any).
func (w *writer) tlsGroups(rs *model.RouteSet, pc pctx, groups []*l4Group, parent gwv1.ParentReference, port int32, listenerHost string) []*l4Group {
	choices, ok := w.tlsChoices(rs, pc)
	if !ok {
		return groups
	}
	var ps []*l4Group
	for i := range rs.TLS {
		hosts, ok := choices[i]
		if !ok || !slices.ContainsFunc(hosts, func(h string) bool { return hostsMeet(h, listenerHost) }) {
			continue
		}
		refs, subsets, ok := w.l4Backends(rs.Origin, rs.TLS[i].Backends, pc.backendPort)
		if !ok {
			// The hosts would otherwise reach nothing, as in Istio a broken destination does.
			continue
		}
		ps = append(ps, &l4Group{rule: i, hostnames: hosts, refs: refs, subsets: subsets})
	}
	for _, p := range ps {
		groups = addL4(groups, p, parent, port)
	}
	return groups
}
