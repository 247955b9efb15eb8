package smi

import (
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/meshbridge/meshbridge/verify/semantics"
)

type split struct {
	ref, namespace, root string
	groups               []string // HTTPRouteGroup names (spec.matches)
	keys                 []string
	weights              []float64
}

// Splits routes requests by TrafficSplit.
type Splits struct {
	reading  Reading
	services *semantics.Services
	groups   routeGroups
	splits   []split
}

// NewSplits reads the TrafficSplits (any version) among objs.
func NewSplits(objs semantics.Objects, reading Reading, services *semantics.Services) *Splits {
	s := &Splits{reading: reading, services: services, groups: readRouteGroups(objs)}
	for _, o := range objs.Of("split.smi-spec.io", "TrafficSplit") {
		ns := o.GetNamespace()
		root, _, _ := strings.Cut(semantics.Str(o.Object, "spec", "service"), ".") // v1alpha1 allows an FQDN
		sp := split{ref: semantics.Name(o), namespace: ns, root: root}
		for _, m := range semantics.Maps(semantics.List(o.Object, "spec", "matches")) {
			if k := semantics.Str(m, "kind"); k == "" || k == "HTTPRouteGroup" {
				sp.groups = append(sp.groups, semantics.Str(m, "name"))
			}
		}
		for _, b := range semantics.Maps(semantics.List(o.Object, "spec", "backends")) {
			sp.keys = append(sp.keys, services.Key(ns, semantics.Str(b, "service")))
			sp.weights = append(sp.weights, weight(b["weight"]))
		}
		s.splits = append(s.splits, sp)
	}
	slices.SortStableFunc(s.splits, func(a, b split) int { return strings.Compare(a.ref, b.ref) })
	return s
}

// weight reads a backend weight: a number (v1alpha2 and later) or a quantity such as "500m"
// (v1alpha1).
func weight(v any) float64 {
	if n, ok := semantics.Number(v); ok {
		return float64(n)
	}
	switch x := v.(type) {
	case float64:
		return x
	case string:
		if q, err := resource.ParseQuantity(x); err == nil {
			return q.AsApproximateFloat64()
		}
	}
	return 0
}

// Route implements semantics.Router.
func (s *Splits) Route(r semantics.RouteRequest) semantics.Outcome {
	var withMatch, catchAll *split
	for i := range s.splits {
		sp := &s.splits[i]
		if sp.namespace != r.Service.Namespace || sp.root != r.Service.Name {
			continue
		}
		if len(sp.groups) == 0 {
			if catchAll == nil {
				catchAll = sp
			}
			continue
		}
		if withMatch == nil && !r.TCP && s.matches(sp, r) {
			withMatch = sp
		}
	}
	chosen := withMatch
	if chosen == nil {
		chosen = catchAll
	}
	if chosen == nil {
		return semantics.Outcome{Kind: semantics.Forward, By: "default",
			Backends: []semantics.Backend{{Key: s.services.Key(r.Service.Namespace, r.Service.Name), Share: 1}}}
	}
	bs := semantics.Weighted(chosen.keys, chosen.weights)
	if bs == nil {
		return semantics.Outcome{Kind: semantics.NotFound, By: chosen.ref + " (no backend has a weight)"}
	}
	return semantics.Outcome{Kind: semantics.Forward, Backends: bs, By: chosen.ref}
}

func (s *Splits) matches(sp *split, r semantics.RouteRequest) bool {
	for _, g := range sp.groups {
		for _, m := range s.groups[sp.namespace+"/"+g] {
			if s.reading.matches(m, r.Method, r.PathOnly(), r.Header) {
				return true
			}
		}
	}
	return false
}

// RouteLiterals returns the paths, methods and headers that TrafficSplit matches name.
func RouteLiterals(objs semantics.Objects) semantics.Literals {
	var l semantics.Literals
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
	return l
}
