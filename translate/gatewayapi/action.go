package gatewayapi

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// routeKind is the kind of route a set of rules is written as.
type routeKind int

const (
	kindHTTP routeKind = iota
	kindGRPC
	kindTCP
	kindTLS
)

func (k routeKind) String() string {
	return [...]string{"HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute"}[k]
}

// pctx says where a set of rules attaches.
type pctx struct {
	kind routeKind
	// matchPort is the port the rules are written for (match.port keeps only matches on it); 0
	// when the route attaches to every port.
	matchPort int32
	// backendPort is the port a destination without one uses: Istio keeps the request's port.
	backendPort int32
	// mesh is true for Service parents; gateway names the Istio Gateway otherwise.
	mesh    bool
	gateway model.ObjectRef
}

// action is what one Istio rule does, in Gateway API terms.
type action struct {
	backends    []gwv1.HTTPBackendRef
	redirect    *gwv1.HTTPRequestRedirectFilter
	reqHeaders  *gwv1.HTTPHeaderFilter
	respHeaders *gwv1.HTTPHeaderFilter
	mirrors     []gwv1.HTTPRequestMirrorFilter
	cors        *gwv1.HTTPCORSFilter
	rewriteHost *gwv1.PreciseHostname
	rewritePath *string
	policy      policy
	// subsets are the destinations whose subset Service must be written with the route.
	subsets []model.Backend
}

var preciseHostnameRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)

// backendRef resolves a destination to a Service reference with a port. It returns a reason
// when it cannot, and the subset destination to generate a Service for, if any.
func (w *writer) backendRef(b model.Backend, backendPort int32) (gwv1.BackendObjectReference, *model.Backend, string) {
	var ref gwv1.BackendObjectReference
	if b.Service.Name == "" {
		return ref, nil, fmt.Sprintf("destination %q is not a Service in the input", b.Host)
	}
	svc, ok := w.inv.Service(b.Service.Namespace, b.Service.Name)
	if !ok {
		return ref, nil, fmt.Sprintf("destination %s/%s is not a Service in the input", b.Service.Namespace, b.Service.Name)
	}
	port := b.Service.Port
	switch {
	case port != 0:
	case len(svc.Ports) == 1:
		port = svc.Ports[0].Port
	case backendPort != 0:
		if _, ok := svc.Port(backendPort); !ok {
			return ref, nil, fmt.Sprintf("destination %s/%s has no port %d for requests on port %d", svc.Namespace, svc.Name, backendPort, backendPort)
		}
		port = backendPort
	default:
		return ref, nil, fmt.Sprintf("destination %s/%s has %d ports and names none; Gateway API needs one", svc.Namespace, svc.Name, len(svc.Ports))
	}
	name := svc.Name
	var subset *model.Backend
	if b.Subset != "" {
		if b.SubsetLabels == nil {
			return ref, nil, fmt.Sprintf("subset %q of %s/%s did not resolve", b.Subset, svc.Namespace, svc.Name)
		}
		if err := emit.CheckSubset(w.inv, b); err != nil {
			return ref, nil, err.Error()
		}
		name = emit.SubsetServiceName(b)
		sb := b
		subset = &sb
	}
	ns := gwv1.Namespace(svc.Namespace)
	ref = gwv1.BackendObjectReference{Name: gwv1.ObjectName(name), Namespace: &ns, Port: &port}
	return ref, subset, ""
}

// buildAction converts a rule's action. ok is false when the rule cannot be written faithfully
// (each reason reported as an Error).
func (w *writer) buildAction(o model.Origin, r *model.HTTPRule, pc pctx) (*action, bool) {
	a := &action{}
	ok := true
	fail := func(code model.Code, field, format string, args ...any) {
		w.report(code, o, field, format+"; rule not written", args...)
		ok = false
	}
	switch {
	case r.DirectResponse != nil:
		fail(model.CodeGWActionNotExpressible, r.DirectResponse.Field, "directResponse has no Gateway API equivalent")
	case r.Delegate != nil:
		fail(model.CodeGWActionNotExpressible, r.Field+".delegate", "delegation to %s has no Gateway API equivalent", r.Delegate)
	case r.Fault != nil && r.Fault.AbortStatus != 0:
		fail(model.CodeGWActionNotExpressible, r.Fault.Field+".abort", "fault abort (status %d) has no Gateway API equivalent", r.Fault.AbortStatus)
	case r.Redirect == nil && len(r.Backends) == 0:
		fail(model.CodeGWActionNotExpressible, r.Field, "the rule has no destination Gateway API can write")
	}
	if r.Fault != nil && r.Fault.AbortStatus == 0 && r.Fault.Delay > 0 {
		w.report(model.CodeGWFaultDropped, o, r.Fault.Field+".delay", "fault delay of %s was not written", r.Fault.Delay)
	}
	if len(r.Other) > 0 {
		w.report(model.CodeGWRuleApproximated, o, r.Field, "written without %s", strings.Join(r.Other, ", "))
	}

	// Destinations, merged when they are the same Service, port and edits.
	byKey := map[string]int{}
	for _, b := range r.Backends {
		ref, subset, why := w.backendRef(b, pc.backendPort)
		if why != "" {
			code := model.CodeGWBackendNotService
			if b.Subset != "" && b.Service.Name != "" {
				code = model.CodeGWSubsetService
			}
			fail(code, b.Field+".destination", "%s", why)
			continue
		}
		if subset != nil {
			a.subsets = append(a.subsets, *subset)
		}
		br := gwv1.HTTPBackendRef{BackendRef: gwv1.BackendRef{BackendObjectReference: ref}}
		if b.Headers != nil {
			if f := w.headerFilter(o, b.Field+".headers.request", b.Headers.Request); f != nil {
				br.Filters = append(br.Filters, gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterRequestHeaderModifier, RequestHeaderModifier: f})
			}
			if f := w.headerFilter(o, b.Field+".headers.response", b.Headers.Response); f != nil {
				br.Filters = append(br.Filters, gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterResponseHeaderModifier, ResponseHeaderModifier: f})
			}
		}
		key := fmt.Sprintf("%s/%s:%d %v", *ref.Namespace, ref.Name, *ref.Port, br.Filters)
		weight := b.Weight
		if i, dup := byKey[key]; dup {
			*a.backends[i].Weight += weight
			continue
		}
		byKey[key] = len(a.backends)
		br.Weight = &weight
		a.backends = append(a.backends, br)
	}
	if len(a.backends) == 1 {
		a.backends[0].Weight = nil // one destination takes everything whatever its weight
	}
	if len(a.backends) > 16 {
		fail(model.CodeGWTooManyBackends, r.Field+".route", "%d destinations exceed Gateway API's 16 per rule", len(a.backends))
	}

	if r.Redirect != nil {
		if !w.buildRedirect(o, r.Redirect, pc, a) {
			ok = false
		}
	}
	if r.Rewrite != nil {
		if !w.buildRewrite(o, r.Rewrite, pc, a) {
			ok = false
		}
	}
	if r.Headers != nil {
		a.reqHeaders = w.headerFilter(o, r.Field+".headers.request", r.Headers.Request)
		a.respHeaders = w.headerFilter(o, r.Field+".headers.response", r.Headers.Response)
	}
	for _, m := range r.Mirrors {
		w.buildMirror(o, m, pc, a)
	}
	if r.CORS != nil {
		a.cors = w.buildCORS(o, r.CORS, pc)
	}
	a.policy = w.buildPolicy(o, r, pc.kind)
	return a, ok
}

func (w *writer) buildRedirect(o model.Origin, rd *model.Redirect, pc pctx, a *action) bool {
	bad := func(format string, args ...any) bool {
		w.report(model.CodeGWRedirectNotWritten, o, rd.Field, format+"; rule not written", args...)
		return false
	}
	if pc.kind != kindHTTP {
		return bad("%s has no redirect", pc.kind)
	}
	f := &gwv1.HTTPRequestRedirectFilter{}
	switch rd.Scheme {
	case "":
	case "http", "https":
		s := rd.Scheme
		f.Scheme = &s
	default:
		return bad("scheme %q is not http or https", rd.Scheme)
	}
	port := rd.Port
	if host := rd.Authority; host != "" {
		if h, p, found := strings.Cut(host, ":"); found {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > 65535 {
				return bad("authority %q has an invalid port", host)
			}
			host = h
			if port == 0 {
				port = int32(n)
			}
		}
		if !preciseHostnameRE.MatchString(host) {
			return bad("authority %q is not a host name Gateway API accepts", rd.Authority)
		}
		hn := gwv1.PreciseHostname(host)
		f.Hostname = &hn
	}
	if rd.Path != "" {
		if !w.p.redirectPath {
			return bad("%s does not implement path redirects", w.p.mesh)
		}
		p := rd.Path
		f.Path = &gwv1.HTTPPathModifier{Type: gwv1.FullPathHTTPPathModifier, ReplaceFullPath: &p}
	}
	switch {
	case port != 0:
		f.Port = &port
	case rd.DerivePort == "FROM_PROTOCOL_DEFAULT" && f.Scheme == nil:
		w.report(model.CodeGWRedirectApproximated, o, rd.Field+".derivePort",
			"Gateway API keeps the listener's port when no scheme is given, not the scheme's default port")
	case rd.DerivePort != "FROM_PROTOCOL_DEFAULT" && f.Scheme != nil:
		// Istio keeps the request's port; Gateway API would take the scheme's default.
		if pc.backendPort != 0 && pc.mesh {
			p := pc.backendPort
			f.Port = &p
		} else {
			w.report(model.CodeGWRedirectApproximated, o, rd.Field,
				"Istio keeps the request's port on a scheme redirect; Gateway API uses the scheme's default port")
		}
	}
	code := rd.StatusCode
	if code == 0 {
		code = 301 // Istio's default; Gateway API's is 302
	}
	if !w.p.redirectCodeOK(code) {
		sub := map[int]int{303: 302, 307: 302, 308: 301}[code]
		if sub == 0 || !w.p.redirectCodeOK(sub) {
			return bad("redirect status %d is not one Gateway API accepts", code)
		}
		w.report(model.CodeGWRedirectApproximated, o, rd.Field+".redirectCode",
			"%s does not accept status %d; %d was written", w.p.mesh, code, sub)
		code = sub
	}
	f.StatusCode = &code
	a.redirect = f
	return true
}

func (w *writer) buildRewrite(o model.Origin, rw *model.Rewrite, pc pctx, a *action) bool {
	bad := func(field, format string, args ...any) bool {
		w.report(model.CodeGWRewriteNotWritten, o, field, format+"; rule not written", args...)
		return false
	}
	switch {
	case rw.RegexPattern != "":
		return bad(rw.Field+".uriRegexRewrite", "Gateway API has no regex rewrite")
	case (rw.Path != "" || rw.Authority != "") && (pc.kind != kindHTTP || !w.p.urlRewrite):
		if pc.kind != kindHTTP {
			return bad(rw.Field, "%s has no URL rewrite", pc.kind)
		}
		return bad(rw.Field, "%s does not implement the URLRewrite filter", w.p.mesh)
	}
	if rw.Authority != "" {
		if !preciseHostnameRE.MatchString(rw.Authority) {
			return bad(rw.Field+".authority", "authority %q is not a host name Gateway API accepts", rw.Authority)
		}
		h := gwv1.PreciseHostname(rw.Authority)
		a.rewriteHost = &h
	}
	if rw.Path != "" {
		p := rw.Path
		a.rewritePath = &p
	}
	return true
}

// prefixRewrite checks that replacing Istio prefix p with r gives the path Gateway API's
// segment-wise ReplacePrefixMatch gives. It returns "" when exact, "approx" when only slashes
// differ, and a reason otherwise.
func prefixRewrite(p, r string) string {
	pSlash, rSlash := strings.HasSuffix(p, "/"), strings.HasSuffix(r, "/")
	switch {
	case pSlash == rSlash:
		return ""
	case !pSlash && rSlash:
		return "approx"
	}
	return fmt.Sprintf("Istio turns %sx into %sx, Gateway API into %s/x", p, r, r)
}

func (w *writer) headerFilter(o model.Origin, field string, ops *model.HeaderOps) *gwv1.HTTPHeaderFilter {
	if ops == nil {
		return nil
	}
	f := &gwv1.HTTPHeaderFilter{}
	conv := func(what string, in []model.KeyValue) []gwv1.HTTPHeader {
		var out []gwv1.HTTPHeader
		for _, kv := range in {
			switch {
			case !headerNameRE.MatchString(kv.Name):
				w.report(model.CodeGWHeaderEditDropped, o, field+"."+what, "header name %q is not valid in Gateway API", kv.Name)
			case kv.Value == "" || len(kv.Value) > 4096:
				w.report(model.CodeGWHeaderEditDropped, o, field+"."+what, "header %s: Gateway API needs a value of 1 to 4096 characters", kv.Name)
			case len(out) == 16:
				w.report(model.CodeGWHeaderEditDropped, o, field+"."+what, "header %s: more than 16 entries", kv.Name)
			default:
				out = append(out, gwv1.HTTPHeader{Name: gwv1.HTTPHeaderName(kv.Name), Value: kv.Value})
			}
		}
		return out
	}
	f.Set = conv("set", ops.Set)
	f.Add = conv("add", ops.Add)
	for _, n := range ops.Remove {
		switch {
		case !headerNameRE.MatchString(n):
			w.report(model.CodeGWHeaderEditDropped, o, field+".remove", "header name %q is not valid in Gateway API", n)
		case len(f.Remove) == 16:
			w.report(model.CodeGWHeaderEditDropped, o, field+".remove", "header %s: more than 16 entries", n)
		default:
			f.Remove = append(f.Remove, n)
		}
	}
	if len(f.Set)+len(f.Add)+len(f.Remove) == 0 {
		return nil
	}
	return f
}

func (w *writer) buildMirror(o model.Origin, m model.Mirror, pc pctx, a *action) {
	if !w.p.mirror {
		w.report(model.CodeGWMirrorDropped, o, m.Field, "%s does not implement RequestMirror", w.p.mesh)
		return
	}
	ref, subset, why := w.backendRef(m.Backend, pc.backendPort)
	if why != "" {
		w.report(model.CodeGWMirrorDropped, o, m.Field, "%s", why)
		return
	}
	f := gwv1.HTTPRequestMirrorFilter{BackendRef: ref}
	if p := m.Percent; p != nil && *p < 100 {
		v := math.Max(*p, 0)
		if v == math.Trunc(v) {
			pc := int32(v)
			f.Percent = &pc
		} else {
			num, den := int64(math.Round(v*10000)), int64(1000000) // millionths
			g := gcd(num, den)
			d := int32(den / g)
			f.Fraction = &gwv1.Fraction{Numerator: int32(num / g), Denominator: &d}
		}
	}
	if subset != nil {
		a.subsets = append(a.subsets, *subset)
	}
	a.mirrors = append(a.mirrors, f)
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	if a == 0 {
		return 1
	}
	return a
}

var corsOriginRE = regexp.MustCompile(`(^\*$)|(^(http(s)?):\/\/(((\*\.)?([a-zA-Z0-9\-]+\.)*[a-zA-Z0-9-]+|\*)(:([0-9]{1,5}))?)$)`)

func (w *writer) buildCORS(o model.Origin, c *model.CORS, pc pctx) *gwv1.HTTPCORSFilter {
	if pc.kind != kindHTTP || !w.p.cors {
		what := w.p.mesh + " does not implement the CORS filter"
		if pc.kind != kindHTTP {
			what = pc.kind.String() + " has no CORS filter"
		}
		w.report(model.CodeGWCORSDropped, o, c.Field, "%s; the CORS policy was not written", what)
		return nil
	}
	f := &gwv1.HTTPCORSFilter{AllowCredentials: c.AllowCredentials}
	for i, org := range c.AllowOrigins {
		if org.Type != model.MatchExact || !corsOriginRE.MatchString(org.Value) {
			w.report(model.CodeGWCORSDropped, o, fmt.Sprintf("%s.allowOrigins[%d]", c.Field, i),
				"origin %s %q has no Gateway API form; it is no longer allowed", strings.ToLower(string(org.Type)), org.Value)
			continue
		}
		f.AllowOrigins = append(f.AllowOrigins, gwv1.CORSOrigin(org.Value))
	}
	if len(c.AllowOrigins) > 0 && len(f.AllowOrigins) == 0 {
		w.report(model.CodeGWCORSDropped, o, c.Field, "no origin could be written; the CORS policy was not written")
		return nil
	}
	if slices.Contains(f.AllowOrigins, "*") {
		f.AllowOrigins = []gwv1.CORSOrigin{"*"}
	}
	f.AllowOrigins = sortedUnique(f.AllowOrigins, 64)
	for _, m := range c.AllowMethods {
		m = strings.ToUpper(m)
		if m != "*" && !slices.Contains(standardMethods, m) {
			w.report(model.CodeGWCORSDropped, o, c.Field+".allowMethods", "method %q is not one Gateway API can name; it is no longer allowed", m)
			continue
		}
		f.AllowMethods = append(f.AllowMethods, gwv1.HTTPMethodWithWildcard(m))
	}
	if slices.Contains(f.AllowMethods, "*") {
		f.AllowMethods = []gwv1.HTTPMethodWithWildcard{"*"}
	}
	f.AllowMethods = sortedUnique(f.AllowMethods, 9)
	names := func(field string, in []string) []gwv1.HTTPHeaderName {
		var out []gwv1.HTTPHeaderName
		for _, h := range in {
			if !headerNameRE.MatchString(h) {
				w.report(model.CodeGWCORSDropped, o, field, "header %q is not a valid header name; dropped", h)
				continue
			}
			out = append(out, gwv1.HTTPHeaderName(h))
		}
		return sortedUnique(out, 64)
	}
	f.AllowHeaders = names(c.Field+".allowHeaders", c.AllowHeaders)
	if slices.Contains(f.AllowHeaders, "*") {
		f.AllowHeaders = []gwv1.HTTPHeaderName{"*"}
	}
	f.ExposeHeaders = names(c.Field+".exposeHeaders", c.ExposeHeaders)
	if c.MaxAge > 0 {
		secs := int32(min(c.MaxAge.Seconds(), math.MaxInt32))
		if secs < 1 {
			secs = 1
		}
		if c.MaxAge.Truncate(1e9) != c.MaxAge {
			w.report(model.CodeGWCORSDropped, o, c.Field+".maxAge", "maxAge %s written as %d whole seconds", c.MaxAge, secs)
		}
		f.MaxAge = secs
	}
	return f
}

func sortedUnique[T ~string](in []T, limit int) []T {
	slices.Sort(in)
	in = slices.Compact(in)
	if len(in) > limit {
		in = in[:limit]
	}
	return in
}
