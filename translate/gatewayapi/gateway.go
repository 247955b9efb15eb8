package gatewayapi

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// An Istio Gateway becomes a Gateway API Gateway of the profile's class, with one listener per
// server and host. The namespace part of a server host ("ns/host") says which namespaces may
// bind VirtualServices to it; it becomes the listener's allowedRoutes.

// listenerOut is what routes need to know about a written listener.
type listenerOut struct {
	name     string
	port     int32
	protocol gwv1.ProtocolType
	hostname string // "" for any host
	redirect bool   // the server only redirects to HTTPS
	// namespaces that may attach routes; nil means all.
	namespaces []string
}

type gatewayOut struct {
	ref       model.ObjectRef
	listeners []listenerOut
}

func gatewayKey(ns, name string) string { return ns + "/" + name }

func (w *writer) writeGateways() {
	w.gateways = map[string]*gatewayOut{}
	for i := range w.snap.Gateways {
		w.writeGateway(&w.snap.Gateways[i])
	}
}

func (w *writer) writeGateway(g *model.Gateway) {
	o := g.Origin
	if w.p.gatewayClass == "" {
		w.report(model.CodeGWKindNotRead, o, "", "%s implements no Gateway; not written", w.p.mesh)
		return
	}
	out := &gatewayOut{ref: model.ObjectRef{Kind: "Gateway", Namespace: g.Namespace, Name: g.Name}}
	var listeners []gwv1.Listener
	used := map[string]bool{}
	names := map[string]bool{}
	var redirectSections []gwv1.SectionName
	for _, s := range g.Servers {
		proto, tls, ok := w.listenerProtocol(g, s)
		if !ok {
			continue
		}
		redirect := s.TLS != nil && s.TLS.HTTPSRedirect && proto == gwv1.HTTPProtocolType
		nsByHost := map[string][]string{}
		for hi, h := range s.Hosts {
			ns, host, found := strings.Cut(h, "/")
			if !found {
				ns, host = "*", h
			}
			if ns == "." {
				ns = g.Namespace
			}
			host = strings.ToLower(host)
			switch {
			case proto == gwv1.TCPProtocolType || host == "*":
				host = ""
			case !tlsHostnameRE.MatchString(host) || ipLikeRE.MatchString(host):
				w.report(model.CodeGWHostnameNotExpressible, o, fmt.Sprintf("%s.hosts[%d]", s.Field, hi),
					"host %q is not a Gateway API listener hostname; no listener was written for it", h)
				continue
			}
			nsByHost[host] = append(nsByHost[host], ns)
		}
		hosts := make([]string, 0, len(nsByHost))
		for h := range nsByHost {
			hosts = append(hosts, h)
		}
		slices.Sort(hosts)
		for _, host := range hosts {
			key := fmt.Sprintf("%d/%s/%s", s.Port, proto, host)
			if used[key] {
				w.report(model.CodeGWServerNotWritten, o, s.Field,
					"another server already listens on port %d (%s) for host %q; this one was not written", s.Port, proto, cmpOr(host, "*"))
				continue
			}
			used[key] = true
			label := s.Name
			if label == "" {
				label = strings.ToLower(string(proto)) + "-" + strconv.Itoa(int(s.Port))
			}
			name := emit.Name(label, strings.ReplaceAll(cmpOr(host, "any"), "*", "wildcard"))
			for n := 2; names[name]; n++ {
				name = emit.Name(label, strings.ReplaceAll(cmpOr(host, "any"), "*", "wildcard"), strconv.Itoa(n))
			}
			names[name] = true
			l := gwv1.Listener{Name: gwv1.SectionName(name), Port: s.Port, Protocol: proto, TLS: tls,
				AllowedRoutes: allowedRoutes(g.Namespace, nsByHost[host])}
			if host != "" {
				l.Hostname = ptr(gwv1.Hostname(host))
			}
			listeners = append(listeners, l)
			lo := listenerOut{name: name, port: s.Port, protocol: proto, hostname: host, redirect: redirect}
			if !slices.Contains(nsByHost[host], "*") {
				lo.namespaces = slices.Clone(nsByHost[host])
			}
			out.listeners = append(out.listeners, lo)
			if redirect {
				redirectSections = append(redirectSections, l.Name)
			}
		}
	}
	if len(listeners) > 64 {
		w.report(model.CodeGWServerNotWritten, o, "spec.servers", "%d listeners exceed Gateway API's 64; the last %d were not written", len(listeners), len(listeners)-64)
		listeners, out.listeners = listeners[:64], out.listeners[:64]
	}
	if len(listeners) == 0 {
		w.report(model.CodeGWGatewayNotWritten, o, "spec.servers", "no server could be written; the Gateway and the routes bound to it were not written")
		return
	}
	if len(g.Selector) > 0 {
		w.report(model.CodeGWGatewaySelector, o, "spec.selector",
			"the Gateway gets its own proxies from GatewayClass %q instead of the pods selected by %v", w.p.gatewayClass, g.Selector)
	}
	w.add(&gwv1.Gateway{
		ObjectMeta: metav1.ObjectMeta{Name: g.Name, Namespace: g.Namespace},
		Spec:       gwv1.GatewaySpec{GatewayClassName: gwv1.ObjectName(w.p.gatewayClass), Listeners: listeners},
	}, "Gateway", o)
	if len(redirectSections) > 0 {
		rt := &gwv1.HTTPRoute{ObjectMeta: metav1.ObjectMeta{Name: emit.Name(g.Name, "https-redirect"), Namespace: g.Namespace}}
		for _, sec := range redirectSections {
			rt.Spec.ParentRefs = append(rt.Spec.ParentRefs, gwv1.ParentReference{Name: gwv1.ObjectName(g.Name), SectionName: ptr(sec)})
		}
		rt.Spec.Rules = []gwv1.HTTPRouteRule{{Filters: []gwv1.HTTPRouteFilter{{
			Type:            gwv1.HTTPRouteFilterRequestRedirect,
			RequestRedirect: &gwv1.HTTPRequestRedirectFilter{Scheme: ptr("https"), StatusCode: ptr(301)},
		}}}}
		w.add(rt, "HTTPRoute", o)
	}
	w.gateways[gatewayKey(g.Namespace, g.Name)] = out
}

// listenerProtocol maps a server's protocol and TLS mode. It refuses (reporting why) what a
// listener would accept more widely than Istio: client certificate checks, Istio mTLS.
func (w *writer) listenerProtocol(g *model.Gateway, s model.GatewayServer) (gwv1.ProtocolType, *gwv1.ListenerTLSConfig, bool) {
	bad := func(format string, args ...any) (gwv1.ProtocolType, *gwv1.ListenerTLSConfig, bool) {
		w.report(model.CodeGWServerNotWritten, g.Origin, s.Field, format+"; the server was not written", args...)
		return "", nil, false
	}
	mode := ""
	if s.TLS != nil {
		mode = s.TLS.Mode
	}
	switch p := strings.ToUpper(s.Protocol); p {
	case "HTTP", "HTTP2", "GRPC", "GRPC-WEB":
		return gwv1.HTTPProtocolType, nil, true
	case "TCP", "MONGO":
		return gwv1.TCPProtocolType, nil, true
	case "HTTPS", "TLS":
		switch mode {
		case "PASSTHROUGH":
			return gwv1.TLSProtocolType, &gwv1.ListenerTLSConfig{Mode: ptr(gwv1.TLSModePassthrough)}, true
		case "SIMPLE":
			if p == "TLS" {
				return bad("TLS termination for tcp routes (protocol TLS, mode SIMPLE) is not translated")
			}
			if s.TLS.CredentialName == "" {
				return bad("the certificate is given by file paths, not credentialName")
			}
			return gwv1.HTTPSProtocolType, &gwv1.ListenerTLSConfig{Mode: ptr(gwv1.TLSModeTerminate),
				CertificateRefs: []gwv1.SecretObjectReference{w.certificateRef(g, s.TLS.CredentialName)}}, true
		case "":
			return bad("protocol %s without a TLS mode", p)
		default:
			return bad("TLS mode %s (client certificate validation or Istio mTLS) has no Gateway API listener that enforces it", mode)
		}
	}
	return bad("protocol %q has no Gateway API listener", s.Protocol)
}

// certificateRef names an Istio credential: a Secret in the namespace of the gateway's pods,
// which is the Gateway's own unless every selected workload runs elsewhere.
func (w *writer) certificateRef(g *model.Gateway, credential string) gwv1.SecretObjectReference {
	ref := gwv1.SecretObjectReference{Name: gwv1.ObjectName(credential)}
	var nss []string
	if len(g.Selector) > 0 {
		nss = w.podNamespaces(g.Selector)
	}
	if len(nss) == 1 && nss[0] != g.Namespace {
		ref.Namespace = ptr(gwv1.Namespace(nss[0]))
		w.grants.add(nss[0], credential, "", "Secret", g.Namespace, "Gateway", g.Origin)
	}
	return ref
}

func allowedRoutes(gwNS string, nss []string) *gwv1.AllowedRoutes {
	if slices.Contains(nss, "*") {
		return &gwv1.AllowedRoutes{Namespaces: &gwv1.RouteNamespaces{From: ptr(gwv1.NamespacesFromAll)}}
	}
	nss = slices.Clone(nss)
	slices.Sort(nss)
	nss = slices.Compact(nss)
	if len(nss) == 1 && nss[0] == gwNS {
		return &gwv1.AllowedRoutes{Namespaces: &gwv1.RouteNamespaces{From: ptr(gwv1.NamespacesFromSame)}}
	}
	return &gwv1.AllowedRoutes{Namespaces: &gwv1.RouteNamespaces{
		From: ptr(gwv1.NamespacesFromSelector),
		Selector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
			Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpIn, Values: nss,
		}}},
	}}
}

// hostsMeet reports whether a VirtualService host and a listener hostname ("" = any) share a name.
func hostsMeet(vsHost, listener string) bool {
	vsHost = strings.ToLower(vsHost)
	return listener == "" || vsHost == "*" || covers(vsHost, listener) || covers(listener, vsHost)
}

// exportedTo reports whether a VirtualService is visible in namespace ns.
func exportedTo(rs *model.RouteSet, ns string) bool {
	if len(rs.ExportTo) == 0 {
		return true
	}
	for _, e := range rs.ExportTo {
		if e == "*" || e == ns || (e == "." && ns == rs.Namespace) {
			return true
		}
	}
	return false
}

// writeGatewayRoutes writes the VirtualServices bound to Gateways as routes attached to the
// listeners that accept their hosts, in the VirtualService's namespace.
func (w *writer) writeGatewayRoutes() {
	for i := range w.snap.Routes {
		rs := &w.snap.Routes[i]
		for _, ref := range rs.Gateways {
			field := "spec.gateways"
			gout := w.gateways[gatewayKey(ref.Namespace, ref.Name)]
			switch {
			case gout == nil:
				w.report(model.CodeGWGatewayMissing, rs.Origin, field, "Gateway %s/%s was not written (or is not in the input); no route was attached to it", ref.Namespace, ref.Name)
				continue
			case !exportedTo(rs, ref.Namespace):
				w.report(model.CodeGWGatewayMissing, rs.Origin, "spec.exportTo", "exportTo hides the VirtualService from Gateway %s/%s; no route was attached to it", ref.Namespace, ref.Name)
				continue
			}
			base := rs.Name
			if len(rs.Gateways) > 1 {
				base = emit.Name(rs.Name, ref.Name, ref.Namespace)
			}
			var plans []*routePlan
			plans = append(plans, w.gatewayHTTP(rs, gout, base)...)
			plans = append(plans, w.gatewayL4(rs, gout, base)...)
			for _, p := range plans {
				w.emitRoute(p, rs.Namespace)
			}
		}
	}
}

// attachable returns the listeners of gout with one of protocols that accept the VirtualService.
func attachable(rs *model.RouteSet, gout *gatewayOut, protocols ...gwv1.ProtocolType) []listenerOut {
	var out []listenerOut
	for _, l := range gout.listeners {
		if !slices.Contains(protocols, l.protocol) || l.redirect {
			continue
		}
		if l.namespaces != nil && !slices.Contains(l.namespaces, rs.Namespace) {
			continue
		}
		if l.protocol != gwv1.TCPProtocolType && !slices.ContainsFunc(rs.Hosts, func(h string) bool { return hostsMeet(h, l.hostname) }) {
			continue
		}
		out = append(out, l)
	}
	return out
}

func gatewayParent(gout *gatewayOut, l listenerOut) gwv1.ParentReference {
	return gwv1.ParentReference{Namespace: ptr(gwv1.Namespace(gout.ref.Namespace)), Name: gwv1.ObjectName(gout.ref.Name),
		SectionName: ptr(gwv1.SectionName(l.name))}
}

// routeHostnames returns the VirtualService hosts as route hostnames (none when one is "*").
func (w *writer) routeHostnames(rs *model.RouteSet) []gwv1.Hostname {
	var out []gwv1.Hostname
	for hi, h := range rs.Hosts {
		h = strings.ToLower(h)
		if h == "*" {
			return nil
		}
		if !tlsHostnameRE.MatchString(h) || ipLikeRE.MatchString(h) {
			w.report(model.CodeGWHostnameNotExpressible, rs.Origin, fmt.Sprintf("spec.hosts[%d]", hi), "host %q is not a Gateway API hostname; left out of the route's hostnames", h)
			continue
		}
		out = append(out, gwv1.Hostname(h))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (w *writer) gatewayHTTP(rs *model.RouteSet, gout *gatewayOut, base string) []*routePlan {
	if len(rs.HTTP) == 0 {
		return nil
	}
	ls := attachable(rs, gout, gwv1.HTTPProtocolType, gwv1.HTTPSProtocolType)
	if len(ls) == 0 {
		w.report(model.CodeGWGatewayMissing, rs.Origin, "spec.http",
			"no HTTP server of Gateway %s/%s accepts hosts %v from namespace %s", gout.ref.Namespace, gout.ref.Name, rs.Hosts, rs.Namespace)
		return nil
	}
	hostnames := w.routeHostnames(rs)
	if len(hostnames) == 0 && !slices.Contains(rs.Hosts, "*") {
		return nil
	}
	// Matches on port need one route per listener port.
	byPort := map[int32][]listenerOut{0: ls}
	if matchesPorts(rs) {
		byPort = map[int32][]listenerOut{}
		for _, l := range ls {
			byPort[l.port] = append(byPort[l.port], l)
		}
	}
	ports := make([]int32, 0, len(byPort))
	for p := range byPort {
		ports = append(ports, p)
	}
	slices.Sort(ports)
	var plans []*routePlan
	for _, port := range ports {
		rules, ok := w.buildHTTPRules(rs, pctx{kind: kindHTTP, matchPort: port, gateway: gout.ref})
		if !ok || len(rules) == 0 {
			continue
		}
		var parents []gwv1.ParentReference
		for _, l := range byPort[port] {
			parents = append(parents, gatewayParent(gout, l))
		}
		name := base
		if port != 0 {
			name = emit.Name(base, strconv.Itoa(int(port)))
		}
		for k, c := range w.chunk(rs.Origin, rules) {
			plans = append(plans, &routePlan{kind: kindHTTP, origin: rs.Origin, name: chunkName(name, k), parents: parents,
				hostnames: hostnames, rules: c, subsets: ruleSubsets(c), ann: w.routeAnnotations(rs.Origin, kindHTTP, c)})
		}
	}
	return plans
}

func (w *writer) gatewayL4(rs *model.RouteSet, gout *gatewayOut, base string) []*routePlan {
	var plans []*routePlan
	if len(rs.TCP) > 0 && w.l4Allowed(rs, kindTCP, "spec.tcp", false) {
		var groups []*l4Group
		for _, l := range attachable(rs, gout, gwv1.TCPProtocolType) {
			pc := pctx{kind: kindTCP, matchPort: l.port, gateway: gout.ref}
			i := w.tcpChoice(rs, pc)
			if i < 0 {
				continue
			}
			refs, subsets, ok := w.l4Backends(rs.Origin, rs.TCP[i].Backends, 0)
			if !ok {
				continue
			}
			groups = addL4(groups, &l4Group{rule: i, refs: refs, subsets: subsets}, gatewayParent(gout, l), l.port)
		}
		plans = append(plans, w.l4Plans(rs, kindTCP, base, groups)...)
	}
	if len(rs.TLS) > 0 && w.l4Allowed(rs, kindTLS, "spec.tls", false) {
		var groups []*l4Group
		for _, l := range attachable(rs, gout, gwv1.TLSProtocolType) {
			pc := pctx{kind: kindTLS, matchPort: l.port, gateway: gout.ref}
			groups = w.tlsGroups(rs, pc, groups, gatewayParent(gout, l), l.port, l.hostname)
		}
		plans = append(plans, w.l4Plans(rs, kindTLS, base, groups)...)
	}
	return plans
}
