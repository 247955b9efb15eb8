package linkerd

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/verify/gatewayapi"
	"github.com/meshbridge/meshbridge/verify/semantics"
)

// Options describe the cluster the objects are applied to.
type Options struct {
	// TrustDomain is the mesh's identity trust domain (default cluster.local).
	TrustDomain string
	// DefaultPolicy is the cluster's default inbound policy (default all-unauthenticated).
	DefaultPolicy string
	// NamespacePolicies and WorkloadPolicies hold config.linkerd.io/default-inbound-policy
	// annotations: by namespace, and by workload "namespace/name".
	NamespacePolicies, WorkloadPolicies map[string]string
	// ClusterNetworks are the cluster-* policies' networks (default Linkerd's: the private
	// ranges); ProbeNetworks admit kubelet probes (default everything).
	ClusterNetworks, ProbeNetworks []string
}

func (o Options) withDefaults() Options {
	if o.TrustDomain == "" {
		o.TrustDomain = "cluster.local"
	}
	if o.DefaultPolicy == "" {
		o.DefaultPolicy = "all-unauthenticated"
	}
	if o.ClusterNetworks == nil {
		o.ClusterNetworks = []string{"10.0.0.0/8", "100.64.0.0/10", "172.16.0.0/12", "192.168.0.0/16", "fd00::/8"}
	}
	if o.ProbeNetworks == nil {
		o.ProbeNetworks = []string{"0.0.0.0/0", "::/0"}
	}
	return o
}

type server struct {
	namespace, name, ref string
	labels               map[string]string
	selector             map[string]any
	port                 string // a number or a container port name
	protocol, access     string
}

type authorization struct {
	ref          string
	targetKind   string // Server, HTTPRoute, GRPCRoute, Namespace
	targetName   string
	authns       []authn
	unresolvable string // a reference to a missing authentication: the policy is ignored
}

type inboundRoute struct {
	ref, name string
	rules     [][]gatewayapi.Match
}

// Access decides requests under Linkerd's inbound policy.
type Access struct {
	opts           Options
	clusterNets    []network
	probeNets      []network
	servers        []server
	authorizations map[string][]authorization // by namespace
	routes         map[string][]inboundRoute  // by namespace/server
	// serverAuthorizations are the older ServerAuthorization objects.
	serverAuthorizations []serverAuthorization
	reading              gatewayapi.Reading
}

// NewAccess reads the policy.linkerd.io objects and inbound routes among objs.
func NewAccess(objs semantics.Objects, opts Options) *Access {
	opts = opts.withDefaults()
	a := &Access{opts: opts, authorizations: map[string][]authorization{}, routes: map[string][]inboundRoute{},
		reading: gatewayapi.Readings("linkerd")[0]}
	a.clusterNets = readNetworks(cidrs(opts.ClusterNetworks))
	a.probeNets = readNetworks(cidrs(opts.ProbeNetworks))
	for _, o := range objs.Of(policyGroup, "Server") {
		s := server{namespace: o.GetNamespace(), name: o.GetName(), ref: semantics.Name(o), labels: o.GetLabels(),
			selector: semantics.Map(o.Object, "spec", "podSelector"), protocol: semantics.Str(o.Object, "spec", "proxyProtocol"),
			access: semantics.Str(o.Object, "spec", "accessPolicy")}
		switch p := semantics.Field(o.Object, "spec", "port").(type) {
		case string:
			s.port = p
		default:
			if n, ok := semantics.Number(p); ok {
				s.port = strconv.FormatInt(n, 10)
			}
		}
		a.servers = append(a.servers, s)
	}
	slices.SortStableFunc(a.servers, func(x, y server) int { return strings.Compare(x.ref, y.ref) })

	authns := map[string]authn{}
	for _, o := range objs.Of(policyGroup, "MeshTLSAuthentication") {
		authns["MeshTLSAuthentication/"+o.GetNamespace()+"/"+o.GetName()] = meshTLS(o.Object, o.GetNamespace(), opts.TrustDomain)
	}
	for _, o := range objs.Of(policyGroup, "NetworkAuthentication") {
		nets := readNetworks(semantics.List(o.Object, "spec", "networks"))
		authns["NetworkAuthentication/"+o.GetNamespace()+"/"+o.GetName()] = func(c client) bool { return inNetworks(nets, c.ip) }
	}
	for _, o := range objs.Of(policyGroup, "AuthorizationPolicy") {
		ns := o.GetNamespace()
		t := semantics.Map(o.Object, "spec", "targetRef")
		az := authorization{ref: semantics.Name(o), targetKind: semantics.Str(t, "kind"), targetName: semantics.Str(t, "name")}
		for _, r := range semantics.Maps(semantics.List(o.Object, "spec", "requiredAuthenticationRefs")) {
			kind, name, rns := semantics.Str(r, "kind"), semantics.Str(r, "name"), semantics.Str(r, "namespace")
			if rns == "" {
				rns = ns
			}
			if kind == "ServiceAccount" {
				id := name + "." + rns + ".serviceaccount.identity.linkerd." + opts.TrustDomain
				az.authns = append(az.authns, func(c client) bool { return c.identity == id })
				continue
			}
			f, ok := authns[kind+"/"+rns+"/"+name]
			if !ok {
				az.unresolvable = kind + " " + rns + "/" + name
				continue
			}
			az.authns = append(az.authns, f)
		}
		a.authorizations[ns] = append(a.authorizations[ns], az)
	}
	for _, o := range objs.Of(policyGroup, "ServerAuthorization") {
		a.serverAuthorizations = append(a.serverAuthorizations, readServerAuthorization(o.Object, o.GetNamespace(), semantics.Name(o), opts.TrustDomain))
	}
	for _, g := range []string{"gateway.networking.k8s.io", policyGroup} {
		for _, o := range objs.Of(g, "HTTPRoute") {
			for _, p := range semantics.Maps(semantics.List(o.Object, "spec", "parentRefs")) {
				if semantics.Str(p, "group") != policyGroup || semantics.Str(p, "kind") != "Server" {
					continue
				}
				r := inboundRoute{ref: semantics.Name(o), name: o.GetName()}
				for _, ru := range semantics.Maps(semantics.List(o.Object, "spec", "rules")) {
					r.rules = append(r.rules, gatewayapi.ReadMatches(ru))
				}
				key := o.GetNamespace() + "/" + semantics.Str(p, "name")
				a.routes[key] = append(a.routes[key], r)
			}
		}
	}
	for k := range a.routes {
		slices.SortStableFunc(a.routes[k], func(x, y inboundRoute) int { return strings.Compare(x.ref, y.ref) })
	}
	return a
}

func cidrs(ss []string) []any {
	var out []any
	for _, s := range ss {
		out = append(out, map[string]any{"cidr": s})
	}
	return out
}

// Authorize implements semantics.Authorizer.
func (a *Access) Authorize(w model.Workload, r model.Request) semantics.Verdict {
	c := client{}
	if r.Principal != "" {
		c.identity = Identity(r.Principal)
	}
	c.ip, _ = netip.ParseAddr(r.SourceIP)
	srv := a.server(w, r.Port)
	if srv == nil {
		return a.defaultServer(w, r, c)
	}
	serverAuthz := a.serverAuthz(srv)
	protocol := strings.ToLower(srv.protocol)
	switch {
	case r.TCP && (protocol == "http/1" || protocol == "http/2" || protocol == "grpc"):
		return semantics.Verdict{By: srv.ref + " speaks " + srv.protocol + "; a plain TCP connection fails"}
	case r.TCP || protocol == "opaque" || protocol == "tls":
		return decide(serverAuthz, c, srv.ref)
	}
	routes := a.routes[srv.namespace+"/"+srv.name]
	if len(routes) == 0 {
		if v, ok := a.probe(w, r, c); ok {
			return v
		}
		return decide(serverAuthz, c, srv.ref)
	}
	all := make([][][]gatewayapi.Match, len(routes))
	for i, rt := range routes {
		all[i] = rt.rules
	}
	ri, _, ok := a.reading.Best(all, routeRequest(r))
	if !ok {
		return semantics.Verdict{By: srv.ref + ": no inbound route matches (404)"}
	}
	rt := routes[ri]
	var authz []authorization
	for _, az := range a.authorizations[srv.namespace] {
		if az.targetKind == "HTTPRoute" && az.targetName == rt.name {
			authz = append(authz, az)
		}
	}
	return decide(append(authz, serverAuthz...), c, srv.ref+" route "+rt.ref)
}

// server returns the Server that selects the workload's port: the first by name, as Linkerd
// keeps the first when Servers overlap.
func (a *Access) server(w model.Workload, port int32) *server {
	for i := range a.servers {
		s := &a.servers[i]
		if s.namespace != w.Namespace || !semantics.MatchSelector(s.selector, w.Labels) {
			continue
		}
		if s.port == strconv.Itoa(int(port)) {
			return s
		}
		for _, cp := range w.Ports {
			if cp.Name != "" && cp.Name == s.port && cp.Port == port {
				return s
			}
		}
	}
	return nil
}

// serverAuthz returns the authorizations of a Server: policies that target it or its
// namespace, and its accessPolicy's default.
func (a *Access) serverAuthz(s *server) []authorization {
	var out []authorization
	for _, az := range a.authorizations[s.namespace] {
		if (az.targetKind == "Server" && az.targetName == s.name) || (az.targetKind == "Namespace" && az.targetName == s.namespace) {
			out = append(out, az)
		}
	}
	for _, sa := range a.serverAuthorizations {
		if sa.namespace == s.namespace && (sa.server == s.name || (sa.selector != nil && semantics.MatchSelector(sa.selector, s.labels))) {
			out = append(out, sa.authorization)
		}
	}
	access := s.access
	if access == "" {
		access = "deny"
	}
	if f := defaultAuthz(access, a.clusterNets); f != nil {
		out = append(out, authorization{ref: s.ref + " accessPolicy " + access, authns: []authn{f}})
	}
	return out
}

func decide(authz []authorization, c client, where string) semantics.Verdict {
	for _, az := range authz {
		if az.unresolvable != "" {
			continue
		}
		ok := true
		for _, f := range az.authns {
			ok = ok && f(c)
		}
		if ok {
			return semantics.Verdict{Allow: true, By: az.ref}
		}
	}
	return semantics.Verdict{By: where + ": no authorization admits the client"}
}

// defaultServer decides a port no Server selects: the kubelet's probe route, then the default
// inbound policy of the workload, its namespace or the cluster.
func (a *Access) defaultServer(w model.Workload, r model.Request, c client) semantics.Verdict {
	if v, ok := a.probe(w, r, c); ok {
		return v
	}
	policy, from := a.opts.DefaultPolicy, "cluster"
	if p, ok := a.opts.NamespacePolicies[w.Namespace]; ok {
		policy, from = p, "namespace "+w.Namespace
	}
	if p, ok := a.opts.WorkloadPolicies[w.Namespace+"/"+w.Name]; ok {
		policy, from = p, "workload "+w.Namespace+"/"+w.Name
	}
	by := fmt.Sprintf("default inbound policy %s (%s; no Server selects port %d)", policy, from, r.Port)
	if f := defaultAuthz(policy, a.clusterNets); f != nil && f(c) {
		return semantics.Verdict{Allow: true, By: by}
	}
	return semantics.Verdict{By: by}
}

// probe admits the kubelet's probes (GET on a probe path of the port) from the probe
// networks, as Linkerd's default probe route does where no inbound route is attached.
func (a *Access) probe(w model.Workload, r model.Request, c client) (semantics.Verdict, bool) {
	if r.TCP || r.Method != "GET" || !inNetworks(a.probeNets, c.ip) {
		return semantics.Verdict{}, false
	}
	path, _, _ := strings.Cut(r.Path, "?")
	for _, p := range w.Probes {
		port := p.Port
		for _, cp := range w.Ports {
			if p.PortName != "" && cp.Name == p.PortName {
				port = cp.Port
			}
		}
		pp, _, _ := strings.Cut(p.Path, "?")
		if pp == "" {
			pp = "/"
		}
		if port == r.Port && pp == path {
			return semantics.Verdict{Allow: true, By: "default probe route (kubelet probe " + pp + ")"}, true
		}
	}
	return semantics.Verdict{}, false
}

func routeRequest(r model.Request) semantics.RouteRequest {
	h := map[string]string{}
	for k, v := range r.Headers {
		h[strings.ToLower(k)] = v
	}
	return semantics.RouteRequest{Method: r.Method, Path: r.Path, Host: r.Host, Headers: h}
}
