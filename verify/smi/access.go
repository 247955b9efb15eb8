package smi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/verify/semantics"
)

// subject is a TrafficTarget destination or source: a service account.
type subject struct {
	kind, namespace, name string
	port                  int64 // destination.port (access v1alpha2); 0 for any
}

type rule struct {
	kind, name string
	matches    []string
}

type trafficTarget struct {
	ref         string // "TrafficTarget ns/name"
	namespace   string
	destination subject
	sources     []subject
	rules       []rule
}

// Access decides requests under SMI access.
type Access struct {
	reading     Reading
	trustDomain string
	targets     []trafficTarget
	groups      routeGroups
	// tcpPorts holds each TCPRoute's ports by namespace/name; nil means every port.
	tcpPorts map[string][]int64
}

// NewAccess reads the SMI access objects among objs. trustDomain is the mesh's: identities
// from other trust domains are not service accounts SMI can name.
func NewAccess(objs semantics.Objects, reading Reading, trustDomain string) *Access {
	a := &Access{reading: reading, trustDomain: trustDomain, groups: readRouteGroups(objs), tcpPorts: map[string][]int64{}}
	for _, o := range objs.Of("specs.smi-spec.io", "TCPRoute") {
		var ports []int64
		for _, p := range semantics.List(o.Object, "spec", "matches", "ports") {
			if n, ok := semantics.Number(p); ok {
				ports = append(ports, n)
			}
		}
		a.tcpPorts[o.GetNamespace()+"/"+o.GetName()] = ports
	}
	for _, o := range objs.Of("access.smi-spec.io", "TrafficTarget") {
		ns := o.GetNamespace()
		t := trafficTarget{ref: semantics.Name(o), namespace: ns, destination: readSubject(semantics.Map(o.Object, "spec", "destination"), ns)}
		for _, s := range semantics.Maps(semantics.List(o.Object, "spec", "sources")) {
			t.sources = append(t.sources, readSubject(s, ns))
		}
		for _, r := range semantics.Maps(semantics.List(o.Object, "spec", "rules")) {
			t.rules = append(t.rules, rule{kind: semantics.Str(r, "kind"), name: semantics.Str(r, "name"),
				matches: semantics.Strings(semantics.List(r, "matches"))})
		}
		a.targets = append(a.targets, t)
	}
	slices.SortStableFunc(a.targets, func(x, y trafficTarget) int { return strings.Compare(x.ref, y.ref) })
	return a
}

func readSubject(m map[string]any, ns string) subject {
	s := subject{kind: semantics.Str(m, "kind"), namespace: semantics.Str(m, "namespace"), name: semantics.Str(m, "name")}
	if s.namespace == "" {
		s.namespace = ns
	}
	if p, ok := semantics.Number(m["port"]); ok {
		s.port = p
	}
	return s
}

// Authorize implements semantics.Authorizer.
func (a *Access) Authorize(w model.Workload, r model.Request) semantics.Verdict {
	if !a.reading.Access {
		return semantics.Verdict{Allow: true, By: "default: " + a.reading.Mesh + " enforces no SMI access"}
	}
	ns, sa, ok := ParsePrincipal(r.Principal, a.trustDomain)
	if !ok {
		why := "the caller has no mesh identity"
		if r.Principal != "" {
			why = "the caller's identity " + r.Principal + " is not a service account of trust domain " + a.trustDomain
		}
		return semantics.Verdict{By: "default: " + why}
	}
	for _, t := range a.targets {
		if !a.applies(t, w, r) || !slices.ContainsFunc(t.sources, func(s subject) bool {
			return s.kind == "ServiceAccount" && s.namespace == ns && s.name == sa
		}) {
			continue
		}
		for _, ru := range t.rules {
			if by, ok := a.ruleMatches(t, ru, r); ok {
				return semantics.Verdict{Allow: true, By: t.ref + " rule " + by}
			}
		}
	}
	return semantics.Verdict{By: fmt.Sprintf("default: no TrafficTarget admits %s/%s", ns, sa)}
}

func (a *Access) applies(t trafficTarget, w model.Workload, r model.Request) bool {
	d := t.destination
	if d.kind != "ServiceAccount" || d.name != w.ServiceAccount || d.namespace != w.Namespace {
		return false
	}
	if a.reading.SameNamespace && t.namespace != d.namespace {
		return false
	}
	return d.port == 0 || d.port == int64(r.Port)
}

func (a *Access) ruleMatches(t trafficTarget, ru rule, r model.Request) (string, bool) {
	key := t.namespace + "/" + ru.name
	switch ru.kind {
	case "HTTPRouteGroup":
		if r.TCP {
			return "", false
		}
		header := func(name string) (string, bool) {
			for k, v := range r.Headers {
				if strings.EqualFold(k, name) {
					return v, true
				}
			}
			if name == "host" && r.Host != "" {
				return r.Host, true
			}
			return "", false
		}
		path, _, _ := strings.Cut(r.Path, "?")
		for _, m := range selected(a.groups[key], ru.matches) {
			if a.reading.matches(m, r.Method, path, header) {
				return "HTTPRouteGroup " + key + " match " + m.name, true
			}
		}
	case "TCPRoute":
		if !r.TCP {
			return "", false
		}
		ports, ok := a.tcpPorts[key]
		if !ok {
			return "", false // a rule naming a missing route matches nothing
		}
		if len(ports) == 0 || slices.Contains(ports, int64(r.Port)) {
			return "TCPRoute " + key, true
		}
	}
	return "", false
}

// ParsePrincipal splits an Istio principal <td>/ns/<ns>/sa/<sa> of trust domain td.
func ParsePrincipal(p, td string) (ns, sa string, ok bool) {
	parts := strings.Split(p, "/")
	if len(parts) != 5 || parts[0] != td || parts[1] != "ns" || parts[3] != "sa" || parts[2] == "" || parts[4] == "" {
		return "", "", false
	}
	return parts[2], parts[4], true
}

// Literals returns the callers, paths, methods, headers and ports the SMI objects name.
func Literals(objs semantics.Objects, trustDomain string) semantics.Literals {
	var l semantics.Literals
	for _, o := range objs.Of("access.smi-spec.io", "TrafficTarget") {
		for _, s := range semantics.Maps(semantics.List(o.Object, "spec", "sources")) {
			src := readSubject(s, o.GetNamespace())
			l.Principals = append(l.Principals, model.Peer(trustDomain, src.namespace, src.name))
		}
		if p, ok := semantics.Number(semantics.Field(o.Object, "spec", "destination", "port")); ok {
			l.Ports = append(l.Ports, int32(p))
		}
	}
	for _, ms := range readRouteGroups(objs) {
		for _, m := range ms {
			l.Methods = append(l.Methods, m.methods...)
			if m.pathRegex != "" {
				l.AddPathRegex(m.pathRegex)
			}
			for name, expr := range m.headers {
				for _, v := range semantics.Samples(expr) {
					l.AddHeader(name, v)
				}
			}
		}
	}
	for _, o := range objs.Of("specs.smi-spec.io", "TCPRoute") {
		for _, p := range semantics.List(o.Object, "spec", "matches", "ports") {
			if n, ok := semantics.Number(p); ok {
				l.Ports = append(l.Ports, int32(n))
			}
		}
	}
	return l
}
