package linkerd

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// routeKind tells the routes of a Server apart.
type routeKind int

const (
	routeRule     routeKind = iota // the requests of one or more rules
	routeCatchAll                  // every request, for the grants that allow all of them
	routeProbes                    // the kubelet's probe requests
)

// routePlan is one inbound HTTPRoute on a Server and the grants its AuthorizationPolicies write.
type routePlan struct {
	kind   routeKind
	name   string
	req    requests
	grants []grant
	// attached are grants of routes whose requests contain this route's: written on this route
	// too, since Linkerd decides a request on the one route it picks.
	attached []grant
}

// planRoutes splits a Server's grants into server-wide grants (all requests, TCP included) and
// inbound routes. Once any route is attached to a Server, Linkerd answers requests that match
// no route with 404, so a catch-all route carries the server-wide grants' requests. Linkerd adds
// a Server's authorizations to each of its routes, so server-wide grants need no route of their
// own; grants that allow every HTTP request but no TCP go on the catch-all route.
func planRoutes(server string, grants []grant, probes []string) (serverWide []grant, routes []*routePlan) {
	byKey := map[string]*routePlan{}
	var httpAll []grant
	for _, g := range grants {
		switch {
		case g.req.all && g.httpOnly:
			httpAll = append(httpAll, g)
			continue
		case g.req.all:
			serverWide = append(serverWide, g)
			continue
		}
		k := g.req.key()
		r, ok := byKey[k]
		if !ok {
			sum := sha256.Sum256([]byte(k))
			r = &routePlan{kind: routeRule, name: emit.Name(server, hex.EncodeToString(sum[:])[:8]), req: g.req}
			byKey[k] = r
			routes = append(routes, r)
		}
		r.grants = append(r.grants, g)
	}
	if len(routes) == 0 && len(httpAll) == 0 {
		return serverWide, nil
	}
	slices.SortFunc(routes, func(a, b *routePlan) int { return strings.Compare(a.name, b.name) })
	for _, r := range routes {
		for _, o := range routes {
			if o != r && r.req.within(o.req) {
				r.attached = append(r.attached, o.grants...)
			}
		}
		r.attached = append(r.attached, httpAll...) // every HTTP request: this route's too
	}
	if len(serverWide) > 0 || len(httpAll) > 0 {
		routes = append(routes, &routePlan{kind: routeCatchAll, name: emit.Name(server, "any"), req: allRequests, grants: httpAll})
	}
	if len(probes) > 0 {
		var bs []block
		for _, p := range probes {
			bs = append(bs, block{path: pathMatch{kind: pathExact, literal: p, exact: p}, method: "GET"})
		}
		routes = append(routes, &routePlan{kind: routeProbes, name: emit.Name(server, "probes"), req: normalize(bs)})
	}
	return serverWide, routes
}

// summary is what Linkerd ranks the matches of one request by (linkerd-http-route): the
// length of the path it matched, then whether a method matched, then how many headers.
// Exact and regular-expression paths always match the whole path.
type summary struct {
	fullPath bool
	method   bool
	headers  int
}

func summarize(b block) summary {
	return summary{fullPath: b.path.kind != pathAny, method: b.method != "", headers: len(b.headers)}
}

// winners returns which of two blocks Linkerd may pick for a request both match: 1 for a, 2
// for b, 3 when it depends on the routes' age.
func winners(a, b block) int {
	sa, sb := summarize(a), summarize(b)
	rootTie := false // on the path "/", a full match is as long as PathPrefix "/"
	if sa.fullPath != sb.fullPath {
		full := a
		if sb.fullPath {
			full = b
		}
		if !full.path.mayMatchRoot() {
			if sa.fullPath {
				return 1
			}
			return 2
		}
		rootTie = true
	}
	w := 0
	switch {
	case sa.method != sb.method:
		w = 2
		if sa.method {
			w = 1
		}
	case sa.headers != sb.headers:
		w = 2
		if sa.headers > sb.headers {
			w = 1
		}
	default:
		w = 3
	}
	if rootTie { // the longer path wins elsewhere; on "/" the tie-breakers above decide
		full := 1
		if sb.fullPath {
			full = 2
		}
		if w != full {
			return 3
		}
	}
	return w
}

// checkOverlaps reports pairs of routes on which Linkerd may pick a route whose authorizations
// lack a grant that Istio would apply to the request: access narrower than Istio's.
func (w *writer) checkOverlaps(server string, serverWide []grant, routes []*routePlan, fallback model.Origin) {
	for i, a := range routes {
		for _, b := range routes[i+1:] {
			if a.kind == routeProbes || b.kind == routeProbes {
				continue // probes admit everyone; losing them costs no access
			}
			w.checkPair(server, serverWide, a, b, fallback)
		}
	}
}

func (w *writer) checkPair(server string, serverWide []grant, a, b *routePlan, fallback model.Origin) {
	aBlocks, bBlocks := a.req.blocks, b.req.blocks
	if a.req.all {
		aBlocks = []block{{path: pathMatch{kind: pathAny}}}
	}
	if b.req.all {
		bBlocks = []block{{path: pathMatch{kind: pathAny}}}
	}
	for _, x := range aBlocks {
		for _, y := range bBlocks {
			if !x.mayMeet(y) {
				continue
			}
			win := winners(x, y)
			if win&1 != 0 && !covered(a, b, serverWide) {
				w.reportOverlap(server, a, b, fallback)
				return
			}
			if win&2 != 0 && !covered(b, a, serverWide) {
				w.reportOverlap(server, b, a, fallback)
				return
			}
		}
	}
}

// covered reports whether the route that wins admits every client of the grants of the one
// that loses: through its own grants, grants attached to it, or the Server's.
func covered(win, lose *routePlan, serverWide []grant) bool {
	have := append(append(slices.Clone(win.grants), win.attached...), serverWide...)
	for _, g := range lose.grants {
		if !slices.ContainsFunc(have, func(h grant) bool { return h.clients.contains(g.clients) }) {
			return false
		}
	}
	return true
}

func (w *writer) reportOverlap(server string, win, lose *routePlan, fallback model.Origin) {
	g := lose.grants[0]
	origin := fallback
	if g.policy != nil {
		origin = g.policy.Origin
	}
	w.report(model.CodeLinkerdRouteOverlap, origin, g.field,
		"on Server %s, requests matching both %s and %s may be decided by route %s alone, which does not admit this rule's clients",
		server, describe(lose.req), describe(win.req), win.name)
}

// describe renders requests for messages.
func describe(r requests) string {
	if r.all {
		return "any request"
	}
	var parts []string
	for _, b := range r.blocks {
		s := "any path"
		switch b.path.kind {
		case pathExact:
			s = b.path.literal
		case pathPrefix:
			s = b.path.literal + "*"
		case pathSuffix:
			s = "*" + b.path.literal
		}
		if b.method != "" {
			s = b.method + " " + s
		}
		for _, h := range b.headers {
			s += fmt.Sprintf(" [%s]", h)
		}
		parts = append(parts, s)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
