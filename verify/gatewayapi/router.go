package gatewayapi

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/verify/semantics"
)

const group = "gateway.networking.k8s.io"

// Ranking is how an implementation orders the matches of one request.
type Ranking int

// Rankings. The specification puts Exact paths before the longest PathPrefix and leaves
// RegularExpression to the implementation.
const (
	// RegexAbovePrefix: Exact, then RegularExpression, then PathPrefix by length.
	RegexAbovePrefix Ranking = iota
	// RegexBelowPrefix: Exact, then PathPrefix by length, then RegularExpression (Istio).
	RegexBelowPrefix
	// ByMatchedLength: the length of path the match covers (the whole path for Exact and
	// RegularExpression, the prefix for PathPrefix), as Linkerd ranks.
	ByMatchedLength
)

func (r Ranking) String() string {
	switch r {
	case RegexAbovePrefix:
		return "RegularExpression ranked above PathPrefix"
	case RegexBelowPrefix:
		return "RegularExpression ranked below PathPrefix"
	}
	return "ranked by matched path length"
}

// Reading is how one implementation reads HTTPRoutes.
type Reading struct {
	Ranking Ranking
	// PathRegex and HeaderRegex match a RegularExpression value.
	PathRegex, HeaderRegex func(expr, s string) bool
}

// Readings returns the readings of a --mesh value: one, or (where the regex rank is
// implementation-specific) both ranks, so that verify reports a difference under either.
func Readings(mesh string) []Reading {
	switch strings.ToLower(mesh) {
	case "istio":
		return []Reading{{Ranking: RegexBelowPrefix, PathRegex: semantics.FullMatch, HeaderRegex: semantics.FullMatch}}
	case "linkerd":
		return []Reading{{Ranking: ByMatchedLength, PathRegex: leftmostWhole, HeaderRegex: semantics.Search}}
	}
	return []Reading{
		{Ranking: RegexAbovePrefix, PathRegex: semantics.FullMatch, HeaderRegex: semantics.FullMatch},
		{Ranking: RegexBelowPrefix, PathRegex: semantics.FullMatch, HeaderRegex: semantics.FullMatch},
	}
}

// leftmostWhole is Linkerd's path regex: the leftmost-first match must cover the whole path.
func leftmostWhole(expr, s string) bool {
	if !semantics.Valid(expr) {
		return false
	}
	loc := compiledFind(expr, s)
	return loc != nil && loc[0] == 0 && loc[1] == len(s)
}

// Match is one HTTPRouteMatch.
type Match struct {
	pathType, pathValue string
	method              string
	headers, query      []kv
}

type kv struct{ typ, name, value string }

type httpRule struct {
	index    int
	matches  []Match
	keys     []string
	weights  []float64
	redirect string
	noBack   bool
}

type route struct {
	ref, namespace string
	parents        []parent
	rules          []httpRule
	tcp            bool
	// unmodelled: a GRPCRoute (HTTP) or TLSRoute (TCP), whose requests verify does not decide.
	unmodelled bool
}

type parent struct {
	namespace, name, section string
	port                     int64
}

// Router routes requests by the GAMMA routes (Service parents) among the objects.
type Router struct {
	reading  Reading
	services *semantics.Services
	routes   []route
}

// NewRouter reads HTTPRoutes and TCPRoutes whose parents are Services, and notes the
// GRPCRoutes and TLSRoutes, whose requests it leaves undecided.
func NewRouter(objs semantics.Objects, reading Reading, services *semantics.Services) *Router {
	rt := &Router{reading: reading, services: services}
	var all []*unstructured.Unstructured
	for _, kind := range []string{"HTTPRoute", "TCPRoute", "GRPCRoute", "TLSRoute"} {
		all = append(all, objs.Of(group, kind)...)
	}
	for _, o := range all {
		ns := o.GetNamespace()
		kind := o.GetKind()
		r := route{ref: semantics.Name(o), namespace: ns, tcp: kind == "TCPRoute" || kind == "TLSRoute",
			unmodelled: kind == "GRPCRoute" || kind == "TLSRoute"}
		for _, p := range semantics.Maps(semantics.List(o.Object, "spec", "parentRefs")) {
			g, hasGroup := p["group"].(string)
			if !hasGroup || g != "" || semantics.Str(p, "kind") != "Service" {
				continue
			}
			pr := parent{namespace: semantics.Str(p, "namespace"), name: semantics.Str(p, "name"), section: semantics.Str(p, "sectionName")}
			if pr.namespace == "" {
				pr.namespace = ns
			}
			pr.port, _ = semantics.Number(p["port"])
			r.parents = append(r.parents, pr)
		}
		if len(r.parents) == 0 {
			continue
		}
		if r.unmodelled {
			rt.routes = append(rt.routes, r)
			continue
		}
		for i, ru := range semantics.Maps(semantics.List(o.Object, "spec", "rules")) {
			r.rules = append(r.rules, rt.readRule(i, ns, ru))
		}
		rt.routes = append(rt.routes, r)
	}
	slices.SortStableFunc(rt.routes, func(a, b route) int { return strings.Compare(a.ref, b.ref) })
	return rt
}

func (rt *Router) readRule(i int, ns string, ru map[string]any) httpRule {
	r := httpRule{index: i, matches: ReadMatches(ru)}
	for _, f := range semantics.Maps(semantics.List(ru, "filters")) {
		if semantics.Str(f, "type") == "RequestRedirect" {
			rr := semantics.Map(f, "requestRedirect")
			path := ""
			if p := semantics.Map(rr, "path"); p != nil {
				path = semantics.Str(p, "replaceFullPath")
				if semantics.Str(p, "type") == "ReplacePrefixMatch" {
					path = "prefix:" + semantics.Str(p, "replacePrefixMatch")
				}
			}
			port, _ := semantics.Number(rr["port"])
			code, ok := semantics.Number(rr["statusCode"])
			if !ok {
				code = 302
			}
			r.redirect = semantics.RedirectDetail(semantics.Str(rr, "scheme"), semantics.Str(rr, "hostname"), path, port, code)
		}
	}
	for _, b := range semantics.Maps(semantics.List(ru, "backendRefs")) {
		kind, bns := or(semantics.Str(b, "kind"), "Service"), or(semantics.Str(b, "namespace"), ns)
		key := kind + " " + bns + "/" + semantics.Str(b, "name")
		if kind == "Service" && semantics.Str(b, "group") == "" {
			key = rt.services.Key(bns, semantics.Str(b, "name"))
		}
		w, ok := semantics.Number(b["weight"])
		if !ok {
			w = 1
		}
		r.keys, r.weights = append(r.keys, key), append(r.weights, float64(w))
	}
	r.noBack = len(r.keys) == 0 && r.redirect == ""
	return r
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// attached reports whether a route applies to the request's Service and port.
func (rt *Router) attached(r route, req semantics.RouteRequest) bool {
	svc, known := rt.services.Get(req.Service.Namespace, req.Service.Name)
	for _, p := range r.parents {
		if p.namespace != req.Service.Namespace || p.name != req.Service.Name {
			continue
		}
		if p.port != 0 && p.port != int64(req.Service.Port) {
			continue
		}
		if p.section != "" {
			sp, ok := svc.Port(req.Service.Port)
			if !known || !ok || sp.Name != p.section {
				continue
			}
		}
		return true
	}
	return false
}

// Route implements semantics.Router: consumer routes (in the client's namespace) replace
// producer routes (in the Service's); the best-ranked matching rule decides; with routes but
// no match the request gets 404; without routes, the Service's own endpoints. Requests a
// GRPCRoute or TLSRoute may take are left undecided (semantics.Unknown).
func (rt *Router) Route(req semantics.RouteRequest) semantics.Outcome {
	var consumer, producer []route
	for _, r := range rt.routes {
		if r.tcp != req.TCP || !rt.attached(r, req) {
			continue
		}
		if r.unmodelled {
			return semantics.Outcome{Kind: semantics.Unknown, By: r.ref + " is not compared"}
		}
		switch r.namespace {
		case req.Service.Namespace:
			producer = append(producer, r)
		case req.ClientNamespace:
			consumer = append(consumer, r)
		}
	}
	routes := producer
	if len(consumer) > 0 {
		routes = consumer
	}
	if len(routes) == 0 {
		return semantics.Outcome{Kind: semantics.Forward, By: "default",
			Backends: []semantics.Backend{{Key: rt.services.Key(req.Service.Namespace, req.Service.Name), Share: 1}}}
	}
	if req.TCP {
		r := routes[0]
		if len(r.rules) == 0 {
			return semantics.Outcome{Kind: semantics.NotFound, By: r.ref}
		}
		return rt.outcome(r, r.rules[0])
	}
	all := make([][][]Match, len(routes))
	for i, r := range routes {
		for _, ru := range r.rules {
			all[i] = append(all[i], ru.matches)
		}
	}
	ri, ui, ok := rt.reading.Best(all, req)
	if !ok {
		return semantics.Outcome{Kind: semantics.NotFound, By: "no rule of " + refs(routes) + " matches"}
	}
	return rt.outcome(routes[ri], routes[ri].rules[ui])
}

// Best returns the route and rule whose match ranks best for req. routes[i][j] holds the
// matches of rule j of route i; routes come in their tie-breaking order (oldest first).
func (rd Reading) Best(routes [][][]Match, req semantics.RouteRequest) (route, rule int, ok bool) {
	var best *candidate
	for ri := range routes {
		for ui, ms := range routes[ri] {
			for mi, m := range ms {
				if !rd.Matches(m, req) {
					continue
				}
				c := &candidate{route: ri, rule: ui, match: mi, m: m, pathLen: pathLen(m, req)}
				if best == nil || rd.better(c, best) {
					best = c
				}
			}
		}
	}
	if best == nil {
		return 0, 0, false
	}
	return best.route, best.rule, true
}

func refs(rs []route) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ref)
	}
	return strings.Join(out, ", ")
}

func (rt *Router) outcome(r route, ru httpRule) semantics.Outcome {
	by := fmt.Sprintf("%s rule %d", r.ref, ru.index)
	switch {
	case ru.redirect != "":
		return semantics.Outcome{Kind: semantics.Redirect, Detail: ru.redirect, By: by}
	case ru.noBack:
		return semantics.Outcome{Kind: semantics.Respond, Detail: "500 (no backends)", By: by}
	}
	bs := semantics.Weighted(ru.keys, ru.weights)
	if bs == nil {
		return semantics.Outcome{Kind: semantics.Respond, Detail: "500 (every backend weighs 0)", By: by}
	}
	return semantics.Outcome{Kind: semantics.Forward, Backends: bs, By: by}
}

type candidate struct {
	route, rule, match int
	m                  Match
	pathLen            int
}

func pathLen(m Match, req semantics.RouteRequest) int {
	switch m.pathType {
	case "PathPrefix":
		return len(strings.TrimSuffix(m.pathValue, "/"))
	}
	return len(req.PathOnly())
}

// better reports whether a outranks b.
func (rd Reading) better(a, b *candidate) bool {
	if c := rd.comparePath(a, b); c != 0 {
		return c > 0
	}
	if (a.m.method != "") != (b.m.method != "") {
		return a.m.method != ""
	}
	if len(a.m.headers) != len(b.m.headers) {
		return len(a.m.headers) > len(b.m.headers)
	}
	if len(a.m.query) != len(b.m.query) {
		return len(a.m.query) > len(b.m.query)
	}
	// Then the older route (unknown here: by namespace/name), the first rule, the first match.
	if a.route != b.route {
		return a.route < b.route
	}
	if a.rule != b.rule {
		return a.rule < b.rule
	}
	return a.match < b.match
}

func (rd Reading) comparePath(a, b *candidate) int {
	if rd.Ranking == ByMatchedLength {
		return a.pathLen - b.pathLen
	}
	rank := func(c *candidate) (int, int) {
		switch c.m.pathType {
		case "Exact":
			return 3, 0
		case "RegularExpression":
			if rd.Ranking == RegexAbovePrefix {
				return 2, 0
			}
			return 0, 0
		}
		if rd.Ranking == RegexAbovePrefix {
			return 1, c.pathLen
		}
		return 2, c.pathLen
	}
	ra, la := rank(a)
	rb, lb := rank(b)
	if ra != rb {
		return ra - rb
	}
	return la - lb
}

// Matches reports whether req satisfies every field of m.
func (rd Reading) Matches(m Match, req semantics.RouteRequest) bool {
	path := req.PathOnly()
	switch m.pathType {
	case "Exact":
		if path != m.pathValue {
			return false
		}
	case "RegularExpression":
		if !rd.PathRegex(m.pathValue, path) {
			return false
		}
	default:
		if !PrefixMatch(m.pathValue, path) {
			return false
		}
	}
	if m.method != "" && m.method != req.Method {
		return false
	}
	for _, h := range m.headers {
		v, ok := req.Header(h.name)
		if !ok || !rd.value(h, v) {
			return false
		}
	}
	q := req.Query()
	for _, p := range m.query {
		v, ok := q[p.name]
		if !ok || !rd.value(p, v) {
			return false
		}
	}
	return true
}

func (rd Reading) value(k kv, v string) bool {
	if k.typ == "RegularExpression" {
		return rd.HeaderRegex(k.value, v)
	}
	return v == k.value
}

// PrefixMatch is Gateway API's PathPrefix: element-wise, ignoring a trailing slash, so /foo
// matches /foo and /foo/bar but not /foobar.
func PrefixMatch(prefix, path string) bool {
	p := strings.TrimSuffix(prefix, "/")
	if p == "" {
		return strings.HasPrefix(path, "/")
	}
	return path == p || strings.HasPrefix(path, p+"/")
}

// ReadMatches reads the matches of an HTTPRoute rule; a rule without matches matches every
// request (PathPrefix /).
func ReadMatches(ru map[string]any) []Match {
	var out []Match
	for _, m := range semantics.Maps(semantics.List(ru, "matches")) {
		mm := Match{pathType: "PathPrefix", pathValue: "/", method: semantics.Str(m, "method")}
		if p := semantics.Map(m, "path"); p != nil {
			if t := semantics.Str(p, "type"); t != "" {
				mm.pathType = t
			}
			if v, ok := p["value"].(string); ok {
				mm.pathValue = v
			}
		}
		for _, h := range semantics.Maps(semantics.List(m, "headers")) {
			mm.headers = append(mm.headers, kv{typ: or(semantics.Str(h, "type"), "Exact"), name: strings.ToLower(semantics.Str(h, "name")), value: semantics.Str(h, "value")})
		}
		for _, q := range semantics.Maps(semantics.List(m, "queryParams")) {
			mm.query = append(mm.query, kv{typ: or(semantics.Str(q, "type"), "Exact"), name: semantics.Str(q, "name"), value: semantics.Str(q, "value")})
		}
		out = append(out, mm)
	}
	if len(out) == 0 {
		out = []Match{{pathType: "PathPrefix", pathValue: "/"}}
	}
	return out
}
