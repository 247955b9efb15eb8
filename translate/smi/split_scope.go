package smi

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/meshbridge/meshbridge/model"
)

// Which clients a VirtualService routes. Istio applies a VirtualService to the sidecars of the
// namespaces exportTo names: every namespace with "*" or without exportTo (the mesh default,
// defaultVirtualServiceExportTo, is taken to be "*"), none with "~", else the listed ones ("."
// is the VirtualService's own), wherever the VirtualService lives. A TrafficSplit applies to
// every client of its root Service, so only a VirtualService for every client is written,
// always in the Service's namespace; one for some namespaces is reported (its clients there
// get what every other client gets). Istio applies one VirtualService per host to a client:
// when several apply to every client of a Service, none is written.

// exportScope reads exportTo: every is true when the VirtualService applies to every client,
// none when it applies to no client; otherwise namespaces are the client namespaces.
func exportScope(rs *model.RouteSet) (every, none bool, namespaces []string) {
	switch {
	case len(rs.ExportTo) == 0 || slices.Contains(rs.ExportTo, "*"):
		return true, false, nil
	case slices.Contains(rs.ExportTo, "~"):
		return false, true, nil // Istio ignores the other entries
	}
	for _, e := range rs.ExportTo {
		if e == "." {
			e = rs.Namespace
		}
		namespaces = append(namespaces, e)
	}
	slices.Sort(namespaces)
	return false, false, slices.Compact(namespaces)
}

// routeConflicts returns, by route index, a message for each Service that several mesh
// VirtualServices for every client route.
func (w *writer) routeConflicts() map[int][]string {
	byService := map[model.ServiceRef][]int{}
	for i := range w.snap.Routes {
		rs := &w.snap.Routes[i]
		if every, _, _ := exportScope(rs); !rs.Mesh || !every {
			continue
		}
		var seen []model.ServiceRef
		for _, s := range rs.Services {
			ref := model.ServiceRef{Namespace: s.Namespace, Name: s.Name}
			if !slices.Contains(seen, ref) {
				seen = append(seen, ref)
				byService[ref] = append(byService[ref], i)
			}
		}
	}
	out := map[int][]string{}
	refs := make([]model.ServiceRef, 0, len(byService))
	for ref := range byService {
		refs = append(refs, ref)
	}
	slices.SortFunc(refs, func(a, b model.ServiceRef) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	for _, ref := range refs {
		idx := byService[ref]
		if len(idx) < 2 {
			continue
		}
		var names []string
		for _, i := range idx {
			names = append(names, w.snap.Routes[i].Namespace+"/"+w.snap.Routes[i].Name)
		}
		slices.Sort(names)
		msg := fmt.Sprintf("VirtualServices %s all route every client of Service %s/%s; Istio applies only one of them to a client, "+
			"a consumer would apply the TrafficSplits of all; none was written for the Service", strings.Join(names, ", "), ref.Namespace, ref.Name)
		for _, i := range idx {
			out[i] = append(out[i], msg)
		}
	}
	return out
}

// reportNarrow reports a VirtualService that routes clients of some namespaces only, saying
// what its clients get instead: the TrafficSplits written for the Service, or the Service.
func (w *writer) reportNarrow(rs *model.RouteSet, written map[model.ServiceRef]string) {
	_, _, namespaces := exportScope(rs)
	var get []string
	for _, s := range rs.Services {
		ref := model.ServiceRef{Namespace: s.Namespace, Name: s.Name}
		if vs, ok := written[ref]; ok {
			get = append(get, fmt.Sprintf("Service %s/%s through the TrafficSplits of VirtualService %s", ref.Namespace, ref.Name, vs))
		} else {
			get = append(get, fmt.Sprintf("Service %s/%s unsplit", ref.Namespace, ref.Name))
		}
	}
	w.report(model.CodeSMIRouteScope, rs.Origin, "spec.exportTo",
		"exported to %v, it routes clients in %s only, while a TrafficSplit applies to every client of its Service; "+
			"not written, so its clients reach %s", rs.ExportTo, strings.Join(namespaces, ", "), strings.Join(slices.Compact(get), " and "))
}
