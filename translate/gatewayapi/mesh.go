package gatewayapi

import (
	"fmt"
	"slices"
	"strings"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// writeMeshRoutes writes the VirtualServices that apply to sidecars as GAMMA routes: one set per
// Service host, attached to the Service, in the namespaces exportTo allows.
func (w *writer) writeMeshRoutes() {
	owner := map[string]string{}
	for i := range w.snap.Routes {
		rs := &w.snap.Routes[i]
		if !rs.Mesh {
			continue
		}
		for hi, h := range rs.Hosts {
			if !slices.ContainsFunc(rs.Services, func(s model.ServiceRef) bool { return hostNames(h, rs.Namespace, s) }) {
				w.report(model.CodeGWHostNotService, rs.Origin, fmt.Sprintf("spec.hosts[%d]", hi),
					"host %q is not a Service in the input; no mesh route was written for it", h)
			}
		}
		services := uniqueServices(rs.Services)
		base := rs.Name
		if len(rs.Gateways) > 0 {
			base = emit.Name(rs.Name, "mesh")
		}
		for _, ref := range services {
			svc, ok := w.inv.Service(ref.Namespace, ref.Name)
			if !ok {
				w.report(model.CodeGWHostNotService, rs.Origin, "spec.hosts", "Service %s/%s is not in the input", ref.Namespace, ref.Name)
				continue
			}
			nss := w.routeNamespaces(rs, svc)
			if len(nss) == 0 {
				continue
			}
			// Two routes for one Service in one namespace merge in Gateway API; a consumer route
			// beside a producer route overrides it for its namespace, as a VirtualService in
			// the client's namespace does in Istio.
			for _, ns := range nss {
				key := ns + ": " + svc.Namespace + "/" + svc.Name
				if prev, dup := owner[key]; dup && prev != emit.Source(rs.Origin) {
					w.report(model.CodeGWSameHost, rs.Origin, "spec.hosts",
						"%s also routes Service %s/%s for clients in %s; Istio uses one VirtualService per host, Gateway API merges both by precedence",
						prev, svc.Namespace, svc.Name, ns)
				}
				owner[key] = emit.Source(rs.Origin)
			}
			name := base
			if len(services) > 1 {
				name = emit.Name(base, svc.Name)
				if sameName(services, svc.Name) {
					name = emit.Name(base, svc.Name, svc.Namespace)
				}
			}
			var plans []*routePlan
			plans = append(plans, w.meshHTTP(rs, svc, name)...)
			plans = append(plans, w.meshTCP(rs, svc, name)...)
			plans = append(plans, w.meshTLS(rs, svc, name)...)
			for _, ns := range nss {
				for _, p := range plans {
					w.emitRoute(p, ns)
				}
			}
		}
	}
}

// hostNames reports whether Istio host h, written in namespace ns, names Service s.
func hostNames(h, ns string, s model.ServiceRef) bool {
	parts := strings.Split(h, ".")
	switch {
	case len(parts) == 1:
		return parts[0] == s.Name && ns == s.Namespace
	case len(parts) >= 2:
		return parts[0] == s.Name && parts[1] == s.Namespace
	}
	return false
}

func uniqueServices(in []model.ServiceRef) []model.ServiceRef {
	var out []model.ServiceRef
	for _, s := range in {
		s.Port = 0
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func sameName(list []model.ServiceRef, name string) bool {
	n := 0
	for _, s := range list {
		if s.Name == name {
			n++
		}
	}
	return n > 1
}

// routeNamespaces returns where the routes for svc go. A route in the Service's namespace (a
// producer route) applies to every client; one elsewhere (a consumer route) applies to clients
// in its own namespace only. Istio's exportTo says which clients see the VirtualService.
func (w *writer) routeNamespaces(rs *model.RouteSet, svc model.Service) []string {
	exp := rs.ExportTo
	if len(exp) == 0 {
		exp = []string{"*"}
	}
	if slices.Equal(exp, []string{"~"}) {
		w.report(model.CodeGWExportToHidden, rs.Origin, "spec.exportTo", "exported to no namespace; nothing written")
		return nil
	}
	consumer := func(ns string) []string {
		if !w.p.consumerRoutes {
			w.report(model.CodeGWConsumerRoute, rs.Origin, "metadata.namespace",
				"a route for Service %s/%s in namespace %s would be a consumer route, which %s does not implement; not written", svc.Namespace, svc.Name, ns, w.p.mesh)
			return nil
		}
		return []string{ns}
	}
	if slices.Contains(exp, "*") {
		if rs.Namespace == svc.Namespace {
			return []string{svc.Namespace}
		}
		out := consumer(rs.Namespace)
		if out != nil {
			w.report(model.CodeGWExportToWidened, rs.Origin, "spec.exportTo",
				"exported to every namespace, but a route in %s applies only to clients in %s; clients elsewhere reach Service %s/%s without these rules",
				rs.Namespace, rs.Namespace, svc.Namespace, svc.Name)
		}
		return out
	}
	var nss []string
	for _, e := range exp {
		switch e {
		case ".":
			nss = append(nss, rs.Namespace)
		case "~":
		default:
			nss = append(nss, e)
		}
	}
	slices.Sort(nss)
	var out []string
	for _, ns := range slices.Compact(nss) {
		if ns == svc.Namespace {
			w.report(model.CodeGWExportToProducer, rs.Origin, "spec.exportTo",
				"exported to %v only, but a route in the Service's namespace %s would apply to every client; not written there", rs.ExportTo, ns)
			continue
		}
		out = append(out, consumer(ns)...)
	}
	return out
}

// meshHTTP plans the HTTPRoutes and GRPCRoutes for a VirtualService's http rules on svc. The
// rules are written once for the whole Service, or per port when matches name ports, when a
// destination's port depends on the request's, or when ports carry different protocols.
func (w *writer) meshHTTP(rs *model.RouteSet, svc model.Service, base string) []*routePlan {
	if len(rs.HTTP) == 0 {
		return nil
	}
	ports := portsOf(svc, classHTTP, classGRPC, classUnknown)
	if len(ports) == 0 {
		w.report(model.CodeGWNoPort, rs.Origin, "spec.http", "Service %s/%s has no port that carries HTTP; the http rules were not written", svc.Namespace, svc.Name)
		return nil
	}
	kindOf := func(p model.ServicePort) routeKind {
		if classify(p) != classGRPC {
			return kindHTTP
		}
		if !w.p.grpcRoute {
			w.report(model.CodeGWGRPCAsHTTP, rs.Origin, "spec.http", "port %d of %s/%s carries gRPC; written as HTTPRoute", p.Port, svc.Namespace, svc.Name)
			return kindHTTP
		}
		return kindGRPC
	}
	kinds := map[routeKind]bool{}
	for _, p := range ports {
		kinds[kindOf(p)] = true
	}
	type group struct {
		kind  routeKind
		ports []int32
		rules []*outRule
	}
	var groups []*group
	if len(kinds) == 1 && !matchesPorts(rs) && !w.needsRequestPort(rs) {
		kind := kindOf(ports[0])
		rules, ok := w.buildHTTPRules(rs, pctx{kind: kind, mesh: true})
		if ok && len(rules) > 0 {
			groups = append(groups, &group{kind: kind, rules: rules})
		}
	} else {
		for _, p := range ports {
			kind := kindOf(p)
			rules, ok := w.buildHTTPRules(rs, pctx{kind: kind, matchPort: p.Port, backendPort: p.Port, mesh: true})
			if !ok || len(rules) == 0 {
				continue
			}
			// One route per port: parentRefs to one Service that differ only in port are
			// refused by the CRD (it wants distinct sectionNames).
			groups = append(groups, &group{kind: kind, ports: []int32{p.Port}, rules: rules})
		}
	}
	var plans []*routePlan
	for _, g := range groups {
		name := base
		if len(groups) > 1 {
			name = emit.Name(base, portList(g.ports))
		}
		for k, c := range w.chunk(rs.Origin, g.rules) {
			plans = append(plans, &routePlan{
				kind: g.kind, origin: rs.Origin, name: chunkName(name, k), parents: serviceParents(svc, g.ports),
				rules: c, subsets: ruleSubsets(c), ann: w.routeAnnotations(rs.Origin, g.kind, c),
			})
		}
	}
	return plans
}

func matchesPorts(rs *model.RouteSet) bool {
	for _, r := range rs.HTTP {
		for _, m := range r.Matches {
			if m.Port != 0 {
				return true
			}
		}
	}
	return false
}

// needsRequestPort reports whether a destination without port has several, so that Istio
// picks the one the request came on.
func (w *writer) needsRequestPort(rs *model.RouteSet) bool {
	multi := func(b model.Backend) bool {
		if b.Service.Name == "" || b.Service.Port != 0 {
			return false
		}
		s, ok := w.inv.Service(b.Service.Namespace, b.Service.Name)
		return ok && len(s.Ports) > 1
	}
	for _, r := range rs.HTTP {
		for _, b := range r.Backends {
			if multi(b) {
				return true
			}
		}
		for _, m := range r.Mirrors {
			if multi(m.Backend) {
				return true
			}
		}
	}
	return false
}

func portList(ports []int32) string {
	var s []string
	for _, p := range ports {
		s = append(s, fmt.Sprint(p))
	}
	return strings.Join(s, "-")
}

// serviceParents attaches to svc, on each port given (on every port when none is).
func serviceParents(svc model.Service, ports []int32) []gwv1.ParentReference {
	ref := func() gwv1.ParentReference {
		return gwv1.ParentReference{Group: ptr(gwv1.Group("")), Kind: ptr(gwv1.Kind("Service")),
			Namespace: ptr(gwv1.Namespace(svc.Namespace)), Name: gwv1.ObjectName(svc.Name)}
	}
	if len(ports) == 0 {
		return []gwv1.ParentReference{ref()}
	}
	var out []gwv1.ParentReference
	for _, p := range ports {
		r := ref()
		r.Port = ptr(p)
		out = append(out, r)
	}
	return out
}

func ruleSubsets(rules []*outRule) []model.Backend {
	var out []model.Backend
	for _, r := range rules {
		out = append(out, r.a.subsets...)
	}
	return out
}
