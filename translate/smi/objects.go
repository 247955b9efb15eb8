package smi

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// grantSource is the policy a grant was written for (or the default allow).
type grantSource struct {
	origin    model.Origin
	name      string
	namespace string // the policy's namespace; "" for the default allow
}

// sourceGroup is the sources that share one set of clauses, and so one TrafficTarget.
type sourceGroup struct {
	sources []sa
	clauses []clause
}

// writeGrant writes g for destination d: one HTTPRouteGroup holding every HTTP match, the
// TCPRoutes, and one TrafficTarget per group of sources with the same clauses (and, with
// access v1alpha2, per destination port). Everything lives in the destination's namespace, as
// OSM requires. It returns the sources written, sorted: none when nothing could be written.
func (w *writer) writeGrant(src grantSource, d destination, g grant) []sa {
	var groups []*sourceGroup
	byKey := map[string]*sourceGroup{}
	for _, s := range sortAccounts(keys(g)) {
		cs := w.expressible(src, g[s], d)
		if len(cs) == 0 {
			continue
		}
		k := clausesKey(cs)
		if byKey[k] == nil {
			byKey[k] = &sourceGroup{clauses: cs}
			groups = append(groups, byKey[k])
		}
		byKey[k].sources = append(byKey[k].sources, s)
	}
	if len(groups) == 0 {
		return nil
	}
	ns := d.account.Namespace
	base := []string{src.name, d.account.Name}
	if src.namespace != "" && src.namespace != ns {
		base = append([]string{src.namespace}, base...)
	}
	annotations := map[string]string{emit.SourceAnnotation: emit.Source(src.origin)}

	// HTTP matches, named by their sorted position.
	var matches []httpMatch
	seen := map[string]bool{}
	for _, grp := range groups {
		for _, c := range grp.clauses {
			if m, ok := c.httpPart(); ok && !seen[m.key()] {
				seen[m.key()] = true
				matches = append(matches, m)
			}
		}
	}
	slices.SortFunc(matches, func(a, b httpMatch) int { return strings.Compare(a.key(), b.key()) })
	matchName := matchNamer(matches)
	var hrg string
	if len(matches) > 0 {
		hrg = w.uniqueName("HTTPRouteGroup", ns, base...)
		w.emit(w.httpRouteGroup(hrg, ns, annotations, matches, matchName))
	}

	// TCPRoutes: one per port set (v1alpha4), or one for all (v1alpha3 has no ports).
	tcpRoutes := map[string]string{}
	tcpRoute := func(ports []int32) string {
		if !w.prof.tcpRoutePorts {
			ports = nil
		}
		k := fmt.Sprint(ports)
		if tcpRoutes[k] == "" {
			parts := append(slices.Clone(base), "tcp")
			for _, p := range ports {
				parts = append(parts, fmt.Sprint(p))
			}
			tcpRoutes[k] = w.uniqueName("TCPRoute", ns, parts...)
			w.emit(w.tcpRoute(tcpRoutes[k], ns, annotations, ports))
		}
		return tcpRoutes[k]
	}

	var written []sa
	for gi, grp := range groups {
		written = append(written, grp.sources...)
		for _, bucket := range w.portBuckets(grp.clauses) {
			var httpNames, tcpNames []string
			for _, c := range bucket.clauses {
				if m, ok := c.httpPart(); ok {
					httpNames = append(httpNames, matchName(m))
				}
				if c.kind != kindHTTP {
					tcpNames = append(tcpNames, tcpRoute(c.ports))
				}
			}
			parts := slices.Clone(base)
			if len(groups) > 1 {
				parts = append(parts, fmt.Sprint(gi+1))
			}
			if bucket.port != 0 {
				parts = append(parts, fmt.Sprint(bucket.port))
			}
			name := w.uniqueName("TrafficTarget", ns, parts...)
			w.emit(w.trafficTarget(name, d.account, bucket.port, grp.sources, hrg,
				sortedUnique(httpNames), sortedUnique(tcpNames), annotations))
		}
	}
	return sortAccounts(written)
}

// httpPart is the HTTPRouteGroup match a clause needs: its own, or every request for kindAll.
func (c clause) httpPart() (httpMatch, bool) {
	switch c.kind {
	case kindHTTP:
		return c.match, true
	case kindAll:
		return httpMatch{}, true
	}
	return httpMatch{}, false
}

// portBucket is the clauses of one TrafficTarget: with access v1alpha2, those on one destination
// port (0: any port).
type portBucket struct {
	port    int32
	clauses []clause
}

func (w *writer) portBuckets(cs []clause) []portBucket {
	if !w.prof.destinationPort {
		return []portBucket{{clauses: cs}}
	}
	byPort := map[int32][]clause{}
	for _, c := range cs {
		if c.ports == nil {
			byPort[0] = append(byPort[0], c)
		}
		for _, p := range c.ports {
			byPort[p] = append(byPort[p], c)
		}
	}
	var out []portBucket
	for _, p := range slices.Sorted(maps.Keys(byPort)) {
		out = append(out, portBucket{port: p, clauses: byPort[p]})
	}
	return out
}

// trafficTarget is built by hand, as the SDK's TrafficTarget of the profile's access version
// converts (TestTrafficTargetIsTheSDKs holds it to that): converting the typed object by
// reflection took about a tenth of the writer's time, and there is one per destination and
// group of sources.
func (w *writer) trafficTarget(name string, dest sa, port int32, sources []sa, hrg string, matches, tcpRoutes []string,
	annotations map[string]string) *unstructured.Unstructured {
	destination := subject(dest)
	if w.prof.access == "v1alpha2" && port != 0 {
		destination["port"] = int64(port)
	}
	spec := map[string]any{"destination": destination}
	if len(sources) > 0 {
		list := make([]any, len(sources))
		for i, s := range sources {
			list[i] = subject(s)
		}
		spec["sources"] = list
	}
	var rules []any
	if len(matches) > 0 {
		names := make([]any, len(matches))
		for i, m := range matches {
			names[i] = m
		}
		rules = append(rules, map[string]any{"kind": "HTTPRouteGroup", "name": hrg, "matches": names})
	}
	for _, t := range tcpRoutes {
		rules = append(rules, map[string]any{"kind": "TCPRoute", "name": t})
	}
	if len(rules) > 0 {
		spec["rules"] = rules
	}
	meta := map[string]any{}
	if name != "" {
		meta["name"] = name
	}
	if dest.Namespace != "" {
		meta["namespace"] = dest.Namespace
	}
	if len(annotations) > 0 {
		ann := make(map[string]any, len(annotations))
		for k, v := range annotations {
			ann[k] = v
		}
		meta["annotations"] = ann
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": accessGroup + "/" + w.prof.access,
		"kind":       "TrafficTarget",
		"metadata":   meta,
		"spec":       spec,
	}}
}

// subject is an SDK IdentityBindingSubject naming a service account.
func subject(s sa) map[string]any {
	m := map[string]any{"kind": "ServiceAccount", "name": s.Name}
	if s.Namespace != "" {
		m["namespace"] = s.Namespace
	}
	return m
}

// httpRouteGroup is built by hand: the SDK's headers type is a Go map and marshals in random
// order. Headers are written sorted by name, one single-key map each, as the CRDs require.
func (w *writer) httpRouteGroup(name, ns string, annotations map[string]string, matches []httpMatch,
	matchName func(httpMatch) string) *unstructured.Unstructured {
	var list []any
	for _, m := range matches {
		methods := []any{"*"}
		if m.methods != nil {
			methods = nil
			for _, x := range m.methods {
				methods = append(methods, x)
			}
		}
		entry := map[string]any{"name": matchName(m), "methods": methods, "pathRegex": "/.*"}
		if m.path != "" {
			entry["pathRegex"] = m.path
		}
		if len(m.headers) > 0 {
			var hs []any
			for _, h := range m.headers {
				hs = append(hs, map[string]any{h.name: h.regex})
			}
			entry["headers"] = hs
		}
		list = append(list, entry)
	}
	return object(specsGroup, w.prof.specs, "HTTPRouteGroup", name, ns, annotations, map[string]any{"matches": list})
}

// tcpRoute is built by hand so that an empty port list (every port) is written as ports: [],
// which the v1alpha4 CRDs require; v1alpha3 has no fields.
func (w *writer) tcpRoute(name, ns string, annotations map[string]string, ports []int32) *unstructured.Unstructured {
	spec := map[string]any{}
	if w.prof.tcpRoutePorts {
		list := []any{}
		for _, p := range ports {
			list = append(list, int64(p))
		}
		spec["matches"] = map[string]any{"ports": list}
	}
	return object(specsGroup, w.prof.specs, "TCPRoute", name, ns, annotations, spec)
}

func object(group, version, kind, name, ns string, annotations map[string]string, spec map[string]any) *unstructured.Unstructured {
	ann := map[string]any{}
	for k, v := range annotations {
		ann[k] = v
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": group + "/" + version,
		"kind":       kind,
		"metadata":   map[string]any{"name": name, "namespace": ns, "annotations": ann},
		"spec":       spec,
	}}
}

func clausesKey(cs []clause) string {
	var b []byte
	for _, c := range cs {
		b = c.appendKey(b)
		b = append(b, ';')
	}
	return string(b)
}

func keys(g grant) []sa {
	out := make([]sa, 0, len(g))
	for s := range g {
		out = append(out, s)
	}
	return out
}

func sortedUnique(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

// matchNamer names each match of a sorted list by its position: m0, m1, ...
func matchNamer(matches []httpMatch) func(httpMatch) string {
	index := make(map[string]int, len(matches))
	for i := len(matches) - 1; i >= 0; i-- {
		index[matches[i].key()] = i // the first of equal matches names them
	}
	return func(m httpMatch) string {
		i, ok := index[m.key()]
		if !ok {
			i = -1
		}
		return "m" + strconv.Itoa(i)
	}
}
