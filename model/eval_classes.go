package model

import (
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// RequestClasses returns requests that tell apart the access policies of the snapshots: every
// destination the policies or inventories name (and one they do not), on every port they
// mention, over HTTP and TCP, from every caller they mention (and from a plain-text caller and a
// stranger), with every method and path they mention crossed with each further attribute they
// mention (hosts, IPs, tokens, claims, headers, SNI), one at a time and all together. Two
// policy sets that decide all of these alike agree on every attribute the policies distinguish
// by value. The result is deterministic.
func RequestClasses(snaps ...*Snapshot) []Request {
	// Destinations come from every snapshot; the other literals of a destination only from
	// the policies that apply to it, since no other policy can change its decisions.
	all := newLiterals()
	for _, s := range snaps {
		all.addSnapshot(s, nil)
	}
	var out []Request
	for _, d := range all.destinations() {
		l := newLiterals()
		for _, s := range snaps {
			l.addSnapshot(s, &d)
		}
		for _, port := range l.portsFor(d) {
			for _, principal := range l.principals() {
				base := d
				base.Port, base.Principal, base.SourceIP = port, principal, defaultIP
				// TCP: only the attributes a connection has.
				for _, x := range l.extras() {
					r := cloneRequest(base)
					r.TCP = true
					x(&r)
					r.Method, r.Path, r.Host, r.Headers, r.RequestPrincipal, r.Claims = "", "", "", nil, "", nil
					out = append(out, r)
				}
				for _, m := range l.sorted(l.methods) {
					for _, p := range l.sorted(l.paths) {
						for _, x := range l.extras() {
							r := cloneRequest(base)
							r.Method, r.Path, r.Host = m, p, defaultHost
							x(&r)
							out = append(out, r)
						}
					}
				}
			}
		}
	}
	return out
}

const (
	defaultIP     = "192.0.2.1"
	defaultHost   = "meshbridge.example"
	elsewhereNS   = "meshbridge-elsewhere"
	strangerTD    = "meshbridge.example"
	unmatchedPath = "/meshbridge/unmatched"
)

type literals struct {
	trustDomain, root string
	dests             map[string]Request
	ports             map[int32]bool
	principal         map[string]bool
	methods, paths    map[string]bool
	hosts, ips        map[string]bool
	jwt               map[string]bool
	claims            map[string]map[string]bool
	headers           map[string]map[string]bool
	sni, destIPs      map[string]bool
	metadata          map[string]map[string]bool
}

func newLiterals() *literals {
	return &literals{
		dests: map[string]Request{}, ports: map[int32]bool{65000: true},
		principal: map[string]bool{"": true}, methods: map[string]bool{"GET": true, "MESHBRIDGE": true},
		paths: map[string]bool{"/": true, unmatchedPath: true}, hosts: map[string]bool{},
		ips: map[string]bool{}, jwt: map[string]bool{}, claims: map[string]map[string]bool{},
		headers: map[string]map[string]bool{}, sni: map[string]bool{}, destIPs: map[string]bool{},
		metadata: map[string]map[string]bool{},
	}
}

// addSnapshot collects the literals of s; with dest set, only those of the policies that
// apply to dest.
func (l *literals) addSnapshot(s *Snapshot, dest *Request) {
	l.trustDomain, l.root = s.TrustDomain, s.RootNamespace
	if l.trustDomain == "" {
		l.trustDomain = "cluster.local"
	}
	l.addDest(Request{Namespace: elsewhereNS})
	l.principal[Peer(l.trustDomain, elsewhereNS, "meshbridge")] = true
	l.principal[Peer(strangerTD, "default", "default")] = true
	for _, w := range s.Inventory.Workloads {
		l.addDest(Request{Namespace: w.Namespace, Labels: w.Labels})
		for _, p := range w.Ports {
			l.ports[p.Port] = true
		}
	}
	for _, sa := range s.Inventory.ServiceAccountsIn("") {
		l.principal[sa.Identity(l.trustDomain)] = true
	}
	for _, p := range s.Access {
		if dest != nil && !p.Target.Applies(dest.Namespace, dest.Labels, dest.Attached) {
			continue
		}
		l.addTarget(p.Target)
		for _, r := range p.Rules {
			for _, src := range r.From {
				l.addSource(p.Namespace, src)
			}
			for _, op := range r.To {
				l.addOperation(op)
			}
			for _, c := range r.When {
				l.addCondition(p.Namespace, c)
			}
		}
	}
}

func (l *literals) addDest(r Request) {
	l.dests[r.Namespace+"|"+labelKey(r.Labels)+"|"+refKey(r.Attached)] = r
}

func (l *literals) addTarget(t Target) {
	for _, ref := range t.Refs {
		if ref.Kind == "Gateway" {
			l.addDest(Request{Namespace: t.Namespace, Labels: map[string]string{GatewayNameLabel: ref.Name}})
			continue
		}
		a := ref
		a.Namespace = t.Namespace
		l.addDest(Request{Namespace: t.Namespace, Attached: []ObjectRef{a}})
	}
	if len(t.Refs) == 0 {
		l.addDest(Request{Namespace: t.Namespace, Labels: t.Selector})
		if t.MeshWide {
			l.addDest(Request{Namespace: elsewhereNS, Labels: t.Selector})
		}
	}
}

func (l *literals) addSource(ns string, s Source) {
	for _, v := range concat(s.Principals, s.NotPrincipals) {
		l.principal[instance(v)] = true
	}
	for _, v := range concat(s.Namespaces, s.NotNamespaces) {
		l.principal[Peer(l.trustDomain, strings.ReplaceAll(v, "*", "x"), "default")] = true
	}
	for _, v := range concat(s.ServiceAccounts, s.NotServiceAccounts) {
		san, sa, ok := strings.Cut(v, "/")
		if !ok {
			san, sa = ns, v
		}
		l.principal[Peer(l.trustDomain, san, sa)] = true
	}
	for _, v := range concat(s.TrustDomains, s.NotTrustDomains) {
		l.principal[Peer(instance(v), "default", "default")] = true
	}
	for _, v := range concat(s.RequestPrincipals, s.NotRequestPrincipals) {
		l.jwt[instance(v)] = true
	}
	for _, v := range concat(s.IPBlocks, s.NotIPBlocks, s.RemoteIPBlocks, s.NotRemoteIPBlocks) {
		l.addIP(v)
	}
}

func (l *literals) addOperation(o Operation) {
	for _, v := range concat(o.Hosts, o.NotHosts) {
		l.hosts[instance(v)] = true
	}
	for _, v := range concat(o.Ports, o.NotPorts) {
		if n, err := strconv.Atoi(v); err == nil {
			l.ports[int32(n)] = true
		}
	}
	for _, v := range concat(o.Methods, o.NotMethods) {
		l.methods[instance(v)] = true
	}
	for _, v := range concat(o.Paths, o.NotPaths) {
		l.addPath(v)
	}
}

func (l *literals) addCondition(ns string, c Condition) {
	vals := concat(c.Values, c.NotValues)
	switch c.Key {
	case "source.ip", "remote.ip":
		for _, v := range vals {
			l.addIP(v)
		}
	case "destination.ip":
		for _, v := range vals {
			l.destIPs[firstAddr(v)] = true
		}
	case "destination.port":
		for _, v := range vals {
			if n, err := strconv.Atoi(v); err == nil {
				l.ports[int32(n)] = true
			}
		}
	case "connection.sni":
		for _, v := range vals {
			l.sni[instance(v)] = true
		}
	case "source.namespace", "source.principal", "source.serviceAccount", "source.trustDomain":
		l.addSource(ns, sourceFor(c.Key, vals))
	case "request.auth.principal":
		for _, v := range vals {
			l.jwt[instance(v)] = true
		}
	case "request.auth.audiences":
		l.addClaim("aud", vals)
	case "request.auth.presenter":
		l.addClaim("azp", vals)
	default:
		if name, ok := bracketed(c.Key, "request.headers"); ok {
			addTo(l.headers, strings.ToLower(name), vals)
		} else if names, ok := ClaimPath(c.Key); ok {
			l.addClaim(strings.Join(names, "."), vals)
		} else if strings.HasPrefix(c.Key, "experimental.envoy.filters.") {
			addTo(l.metadata, c.Key, vals)
		}
	}
}

func sourceFor(key string, vals []string) Source {
	switch key {
	case "source.namespace":
		return Source{Namespaces: vals}
	case "source.principal":
		return Source{Principals: vals}
	case "source.serviceAccount":
		return Source{ServiceAccounts: vals}
	}
	return Source{TrustDomains: vals}
}

func (l *literals) addClaim(name string, vals []string) {
	addTo(l.claims, name, vals)
}

func addTo(m map[string]map[string]bool, k string, vals []string) {
	if m[k] == nil {
		m[k] = map[string]bool{}
	}
	for _, v := range vals {
		m[k][strings.Trim(instance(v), "[]")] = true
	}
}

func (l *literals) addIP(v string) {
	l.ips[firstAddr(v)] = true
}

func (l *literals) addPath(v string) {
	if IsPathTemplate(v) {
		l.paths[strings.NewReplacer("{**}", "x/y", "{*}", "x").Replace(v)] = true
		l.paths[strings.NewReplacer("{**}", "", "{*}", "x").Replace(v)] = true
		return
	}
	l.paths[instance(v)] = true
	if p, ok := strings.CutSuffix(v, "*"); ok && p != "" {
		l.paths[p] = true
		l.paths[p+"/sub"] = true
	}
}

// instance returns a value that matches the Istio pattern v.
func instance(v string) string {
	switch {
	case v == "*":
		return "x"
	case strings.HasPrefix(v, "*"):
		return "x" + v[1:]
	case strings.HasSuffix(v, "*"):
		return v[:len(v)-1] + "x"
	}
	return v
}

// firstAddr returns the address of an IP or the first address of a CIDR.
func firstAddr(v string) string {
	if p, err := netip.ParsePrefix(v); err == nil {
		return p.Masked().Addr().String()
	}
	return v
}

func (l *literals) destinations() []Request {
	return slices.Collect(func(yield func(Request) bool) {
		for _, k := range slices.Sorted(maps.Keys(l.dests)) {
			if !yield(l.dests[k]) {
				return
			}
		}
	})
}

func (l *literals) portsFor(Request) []int32 {
	return slices.Sorted(maps.Keys(l.ports))
}

func (l *literals) principals() []string { return l.sorted(l.principal) }

func (l *literals) sorted(m map[string]bool) []string { return slices.Sorted(maps.Keys(m)) }

// extras returns the variations applied on top of a base request: none, each literal on its
// own, and all of them together.
func (l *literals) extras() []func(*Request) {
	xs := []func(*Request){func(*Request) {}}
	var all []func(*Request)
	add := func(f func(*Request)) {
		xs = append(xs, f)
		all = append(all, f)
	}
	for _, h := range l.sorted(l.hosts) {
		add(func(r *Request) { r.Host = h })
	}
	for _, ip := range l.sorted(l.ips) {
		xs = append(xs, func(r *Request) { r.SourceIP = ip }, func(r *Request) { r.RemoteIP = ip })
		all = append(all, func(r *Request) { r.SourceIP, r.RemoteIP = ip, ip })
	}
	for _, j := range l.sorted(l.jwt) {
		add(func(r *Request) { r.RequestPrincipal = j })
	}
	for _, name := range slices.Sorted(maps.Keys(l.claims)) {
		for _, v := range l.sorted(l.claims[name]) {
			add(func(r *Request) {
				if r.RequestPrincipal == "" {
					r.RequestPrincipal = strangerTD + "/nobody"
				}
				r.Claims = maps.Clone(r.Claims)
				if r.Claims == nil {
					r.Claims = map[string][]string{}
				}
				r.Claims[name] = append(slices.Clone(r.Claims[name]), v)
			})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(l.headers)) {
		for _, v := range l.sorted(l.headers[name]) {
			add(func(r *Request) {
				r.Headers = maps.Clone(r.Headers)
				if r.Headers == nil {
					r.Headers = map[string]string{}
				}
				r.Headers[name] = v
			})
		}
	}
	for _, s := range l.sorted(l.sni) {
		add(func(r *Request) { r.SNI = s })
	}
	for _, ip := range l.sorted(l.destIPs) {
		add(func(r *Request) { r.DestinationIP = ip })
	}
	for _, k := range slices.Sorted(maps.Keys(l.metadata)) {
		for _, v := range l.sorted(l.metadata[k]) {
			add(func(r *Request) {
				r.Metadata = maps.Clone(r.Metadata)
				if r.Metadata == nil {
					r.Metadata = map[string][]string{}
				}
				r.Metadata[k] = append(slices.Clone(r.Metadata[k]), v)
			})
		}
	}
	if len(all) > 1 {
		xs = append(xs, func(r *Request) {
			for _, f := range all {
				f(r)
			}
		})
	}
	return xs
}

func cloneRequest(r Request) Request {
	r.Labels = maps.Clone(r.Labels)
	r.Attached = slices.Clone(r.Attached)
	return r
}

func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func labelKey(m map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(m)) {
		b.WriteString(k + "=" + m[k] + ",")
	}
	return b.String()
}

func refKey(refs []ObjectRef) string {
	var b strings.Builder
	for _, r := range refs {
		b.WriteString(r.String() + ",")
	}
	return b.String()
}
