package verify

import (
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/verify/istio"
	"github.com/meshbridge/meshbridge/verify/semantics"
)

// elsewhere is a client namespace no object names.
const elsewhere = "meshbridge-elsewhere"

// routeTarget is one Service verify routes requests to, and what its requests are made of.
type routeTarget struct {
	svc        model.ServiceRef
	ports      []model.ServicePort
	namespaces []string
	labels     []map[string]string
}

// RouteClasses returns the requests verify routes for each Service that a mesh route set of
// snap names (or that the output routes): every port, from the Service's namespace, the route
// sets' namespaces, extraNamespaces and a namespace nothing names, and from pods with each
// sourceLabels the matches name; with every path, method, header, host and query value the
// matches (and lit) name, one at a time and all together, crossed.
func RouteClasses(snap *model.Snapshot, lit semantics.Literals, extraServices []model.ServiceRef, extraNamespaces []string) map[model.ServiceRef][]semantics.RouteRequest {
	l := lit
	targets := map[model.ServiceRef]*routeTarget{}
	add := func(ref model.ServiceRef, ns string) *routeTarget {
		ref.Port = 0
		t, ok := targets[ref]
		if !ok {
			t = &routeTarget{svc: ref, namespaces: []string{ref.Namespace, elsewhere}, labels: []map[string]string{nil}}
			if svc, ok := snap.Inventory.Service(ref.Namespace, ref.Name); ok {
				t.ports = svc.Ports
			}
			if len(t.ports) == 0 {
				t.ports = []model.ServicePort{{}}
			}
			targets[ref] = t
		}
		t.namespaces = append(t.namespaces, ns)
		return t
	}
	for _, rs := range snap.Routes {
		if !rs.Mesh {
			continue
		}
		for _, s := range rs.Services {
			t := add(s, rs.Namespace)
			for _, r := range rs.HTTP {
				for _, m := range r.Matches {
					if len(m.SourceLabels) > 0 {
						t.labels = append(t.labels, m.SourceLabels)
					}
					if m.SourceNamespace != "" {
						t.namespaces = append(t.namespaces, m.SourceNamespace)
					}
				}
			}
		}
		for _, r := range rs.HTTP {
			for _, m := range r.Matches {
				addMatchLiterals(&l, m)
			}
		}
	}
	for _, s := range extraServices {
		add(s, s.Namespace)
	}
	paths := sortedUnique(append([]string{"/", "/meshbridge/unmatched"}, usable(l.Paths)...))
	methods := sortedUnique(append([]string{"GET", "MESHBRIDGE"}, upper(usable(l.Methods))...))
	paths, methods = paths[:min(len(paths), maxLiterals)], methods[:min(len(methods), maxLiterals/4)]
	headerSets := sets(l.Headers)
	querySets := sets(l.QueryParams)
	headerSets, querySets = headerSets[:min(len(headerSets), maxLiterals/4)], querySets[:min(len(querySets), maxLiterals/8)]
	out := map[model.ServiceRef][]semantics.RouteRequest{}
	for _, ref := range slices.SortedFunc(maps.Keys(targets), compareRefs) {
		t := targets[ref]
		nss := clientNamespaces(ref.Namespace, append(t.namespaces, extraNamespaces...))
		var reqs []semantics.RouteRequest
		for _, port := range t.ports {
			svc := ref
			svc.Port = port.Port
			proto := portProtocol(port)
			for _, ns := range nss {
				for _, labels := range uniqueLabels(t.labels) {
					base := semantics.RouteRequest{ClientNamespace: ns, ClientLabels: labels, Service: svc}
					if proto != "http" {
						tcp := base
						tcp.TCP = true
						reqs = append(reqs, tcp)
					}
					if proto == "tcp" {
						continue
					}
					for _, p := range paths {
						for _, m := range methods {
							for _, hs := range headerSets {
								for _, qs := range querySets {
									reqs = append(reqs, build(base, m, p, hs, qs))
								}
							}
						}
					}
				}
			}
		}
		out[ref] = reqs
	}
	return out
}

func build(base semantics.RouteRequest, method, path string, headers, query map[string]string) semantics.RouteRequest {
	r := base
	r.Method, r.Path = method, path
	if len(query) > 0 {
		var kv []string
		for _, k := range slices.Sorted(maps.Keys(query)) {
			kv = append(kv, url.QueryEscape(k)+"="+url.QueryEscape(query[k]))
		}
		r.Path += "?" + strings.Join(kv, "&")
	}
	for k, v := range headers {
		if k == "host" || k == ":authority" {
			r.Host = v
			continue
		}
		if r.Headers == nil {
			r.Headers = map[string]string{}
		}
		r.Headers[k] = v
	}
	return r
}

// sets returns the variations of named values: none, each value alone, and the first value of
// every name together.
func sets(m map[string][]string) []map[string]string {
	out := []map[string]string{nil}
	all := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		vals := sortedUnique(m[k])
		for _, v := range vals {
			out = append(out, map[string]string{k: v})
		}
		if len(vals) > 0 {
			all[k] = vals[0]
		}
	}
	if len(all) > 1 {
		out = append(out, all)
	}
	return out
}

// addMatchLiterals records the values an Istio match block names, and values around them.
func addMatchLiterals(l *semantics.Literals, m model.HTTPMatch) {
	if p := m.Path; p != nil {
		switch p.Type {
		case model.MatchExact:
			l.AddExact(p.Value)
		case model.MatchPrefix:
			l.AddPrefix(p.Value)
		case model.MatchRegex:
			l.AddPathRegex(p.Value)
		}
		if m.IgnoreURICase && p.Type != model.MatchRegex {
			l.Paths = append(l.Paths, strings.ToUpper(p.Value))
		}
	}
	if m.Method != nil {
		l.Methods = append(l.Methods, stringInstances(*m.Method)...)
	}
	if m.Authority != nil {
		for _, v := range stringInstances(*m.Authority) {
			l.AddHeader("host", v)
		}
	}
	for _, h := range append(slices.Clone(m.Headers), m.WithoutHeaders...) {
		for _, v := range keyInstances(h) {
			l.AddHeader(h.Name, v)
		}
	}
	for _, q := range m.QueryParams {
		for _, v := range keyInstances(q) {
			l.AddQuery(q.Name, v)
		}
	}
}

func keyInstances(k model.KeyMatch) []string {
	if k.Present {
		return []string{"x"}
	}
	return stringInstances(k.Match)
}

// stringInstances returns values a StringMatch matches, and one it just misses.
func stringInstances(m model.StringMatch) []string {
	switch m.Type {
	case model.MatchPrefix:
		return []string{m.Value, m.Value + "x"}
	case model.MatchRegex:
		return semantics.Samples(m.Value)
	}
	return []string{m.Value, m.Value + "x"}
}

// compareRoutes routes every class by Istio and by the destination.
func compareRoutes(snap *model.Snapshot, d *destination, cov *coverage) []ServiceReport {
	istioRouter := istio.NewRoutes(snap)
	classes := RouteClasses(snap, d.literals, d.routeServices, nil)
	var out []ServiceReport
	for _, ref := range slices.SortedFunc(maps.Keys(classes), compareRefs) {
		sr := ServiceReport{Service: ref.Namespace + "/" + ref.Name}
		reported := cov.routes(ref)
		groups := map[string]*RouteDifference{}
		for _, r := range classes[ref] {
			want := istioRouter.Route(r)
			if want.Kind == semantics.Unknown {
				sr.Skipped++
				continue
			}
			sr.Requests++
			for _, nr := range outcomes(d.routers, r) {
				got := nr.outcome
				if got.Kind == semantics.Unknown || got.Equal(want) {
					continue
				}
				key := want.String() + "|" + got.String() + "|" + nr.reading
				if g, ok := groups[key]; ok {
					g.Requests++
					continue
				}
				g := &RouteDifference{Example: r, Requests: 1, Istio: want, Target: got, Reading: nr.reading, ReportedBy: reported}
				groups[key] = g
				sr.Rerouted = append(sr.Rerouted, g)
			}
		}
		out = append(out, sr)
	}
	return out
}

type readingOutcome struct {
	reading string
	outcome semantics.Outcome
}

// outcomes routes r by every reading; when they all agree, one outcome stands for them all.
func outcomes(routers []namedRouter, r semantics.RouteRequest) []readingOutcome {
	var out []readingOutcome
	same := true
	for _, nr := range routers {
		o := nr.router.Route(r)
		same = same && (len(out) == 0 || (o.Equal(out[0].outcome) && o.By == out[0].outcome.By))
		out = append(out, readingOutcome{reading: nr.reading, outcome: o})
	}
	if same && len(out) > 0 {
		return []readingOutcome{{outcome: out[0].outcome}}
	}
	return out
}

func compareRefs(a, b model.ServiceRef) int {
	return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name)
}

func sortedUnique(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

func usable(s []string) []string {
	var out []string
	for _, v := range s {
		if semantics.Usable(v) && v != "" {
			out = append(out, v)
		}
	}
	return out
}

func upper(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strings.ToUpper(v)
	}
	return out
}

func uniqueLabels(ls []map[string]string) []map[string]string {
	seen := map[string]bool{}
	var out []map[string]string
	for _, l := range ls {
		k := semantics.LabelString(l)
		if !seen[k] {
			seen[k] = true
			out = append(out, l)
		}
	}
	return out
}

// clientNamespaces orders the callers' namespaces: the Service's own first, then the others,
// and the namespace nothing names last, so that examples read naturally.
func clientNamespaces(own string, nss []string) []string {
	out := []string{own}
	for _, ns := range sortedUnique(nss) {
		if ns != own && ns != elsewhere {
			out = append(out, ns)
		}
	}
	return append(out, elsewhere)
}

// portProtocol is how Istio reads a Service port: "http" (HTTP, HTTP2, gRPC by appProtocol or
// name prefix), "tcp" (TCP, TLS, databases, or a UDP port) or "" (detected: either).
func portProtocol(p model.ServicePort) string {
	proto := strings.ToLower(p.AppProtocol)
	if proto == "" {
		proto, _, _ = strings.Cut(strings.ToLower(p.Name), "-")
	}
	switch {
	case strings.EqualFold(p.Protocol, "UDP") || strings.EqualFold(p.Protocol, "SCTP"):
		return "tcp"
	case strings.HasPrefix(proto, "http"), strings.HasPrefix(proto, "grpc"), proto == "kubernetes.io/h2c":
		return "http"
	case proto == "tcp", proto == "tls", proto == "https", proto == "mongo", proto == "mysql", proto == "redis":
		return "tcp"
	}
	return ""
}
