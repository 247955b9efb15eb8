package gatewayapi

import (
	"regexp"
	"strings"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// This file turns the writer's rules into Gateway API types.

func ptr[T any](v T) *T { return &v }

// valueMatch writes a value condition as Gateway API's Exact or RegularExpression.
func valueMatch(v val) (exact bool, value string) {
	switch v.kind {
	case valExact:
		if v.value == "" {
			return false, "^$" // Gateway API values cannot be empty
		}
		return true, v.value
	case valPrefix:
		return false, regexp.QuoteMeta(v.value) + ".*"
	case valRegex:
		return false, v.value
	}
	return false, ".*"
}

func toHTTPMatch(m *match) gwv1.HTTPRouteMatch {
	pt := [...]gwv1.PathMatchType{pathPrefix: gwv1.PathMatchPathPrefix, pathExact: gwv1.PathMatchExact, pathRegex: gwv1.PathMatchRegularExpression}[m.path.kind]
	out := gwv1.HTTPRouteMatch{Path: &gwv1.HTTPPathMatch{Type: &pt, Value: ptr(m.path.value)}}
	for _, h := range m.headers {
		exact, v := valueMatch(h.val)
		t := gwv1.HeaderMatchRegularExpression
		if exact {
			t = gwv1.HeaderMatchExact
		}
		out.Headers = append(out.Headers, gwv1.HTTPHeaderMatch{Type: &t, Name: gwv1.HTTPHeaderName(h.name), Value: v})
	}
	for _, q := range m.query {
		exact, v := valueMatch(q.val)
		t := gwv1.QueryParamMatchRegularExpression
		if exact {
			t = gwv1.QueryParamMatchExact
		}
		out.QueryParams = append(out.QueryParams, gwv1.HTTPQueryParamMatch{Type: &t, Name: gwv1.HTTPHeaderName(q.name), Value: v})
	}
	if m.method != "" {
		out.Method = ptr(gwv1.HTTPMethod(m.method))
	}
	return out
}

// ruleFilters returns a rule's filters in a fixed order.
func ruleFilters(r *outRule) []gwv1.HTTPRouteFilter {
	a := r.a
	var fs []gwv1.HTTPRouteFilter
	if a.reqHeaders != nil {
		fs = append(fs, gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterRequestHeaderModifier, RequestHeaderModifier: a.reqHeaders})
	}
	if a.respHeaders != nil {
		fs = append(fs, gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterResponseHeaderModifier, ResponseHeaderModifier: a.respHeaders})
	}
	for i := range a.mirrors {
		fs = append(fs, gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterRequestMirror, RequestMirror: &a.mirrors[i]})
	}
	if a.redirect != nil {
		fs = append(fs, gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterRequestRedirect, RequestRedirect: a.redirect})
	}
	if a.rewriteHost != nil || a.rewritePath != nil {
		rw := &gwv1.HTTPURLRewriteFilter{Hostname: a.rewriteHost}
		if p := a.rewritePath; p != nil {
			if r.prefixRewrite {
				rw.Path = &gwv1.HTTPPathModifier{Type: gwv1.PrefixMatchHTTPPathModifier, ReplacePrefixMatch: p}
			} else {
				rw.Path = &gwv1.HTTPPathModifier{Type: gwv1.FullPathHTTPPathModifier, ReplaceFullPath: p}
			}
		}
		fs = append(fs, gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterURLRewrite, URLRewrite: rw})
	}
	if a.cors != nil {
		fs = append(fs, gwv1.HTTPRouteFilter{Type: gwv1.HTTPRouteFilterCORS, CORS: a.cors})
	}
	return fs
}

func toHTTPRule(r *outRule) gwv1.HTTPRouteRule {
	out := gwv1.HTTPRouteRule{Filters: ruleFilters(r), Timeouts: r.policy.timeouts, Retry: r.policy.retry}
	if r.name != "" {
		out.Name = ptr(gwv1.SectionName(r.name))
	}
	for _, m := range r.matches {
		out.Matches = append(out.Matches, toHTTPMatch(m))
	}
	for _, b := range r.a.backends {
		out.BackendRefs = append(out.BackendRefs, *b.DeepCopy())
	}
	return out
}

var (
	grpcServiceRE = regexp.MustCompile(`^(?i)\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$`)
	grpcMethodRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z_0-9]*$`)
)

// grpcAdapt keeps the matches a GRPCRoute can express, in a canonical path form: an Exact
// /service/method, a PathPrefix /service, or PathPrefix / for any method. gRPC calls are
// POST requests to /service/method, so a POST method condition says nothing. It returns the
// prefix remainders it left out (other services whose names continue the prefix) apart.
func grpcAdapt(ms []*match) (out []*match, drops []dropped, gone []*match) {
	lose := func(m *match, why string) {
		drops = append(drops, dropped{field: m.field, reason: why, loose: m})
	}
	for _, m := range ms {
		if m.remainder {
			gone = append(gone, m)
			continue
		}
		switch m.method {
		case "", "POST":
			m.method = ""
		default:
			lose(m, "gRPC calls are POST requests; a "+m.method+" match has no GRPCRoute form")
			continue
		}
		if len(m.query) > 0 {
			lose(m, "GRPCRoute has no query parameter matches")
			continue
		}
		v := strings.TrimPrefix(m.path.value, "/")
		svc, meth, hasMeth := strings.Cut(v, "/")
		switch {
		case m.path.kind == pathPrefix && v == "":
		case m.path.kind == pathRegex || strings.Contains(meth, "/") || !grpcServiceRE.MatchString(svc) ||
			(hasMeth && !grpcMethodRE.MatchString(meth)) || (m.path.kind == pathExact && !hasMeth):
			lose(m, "path "+m.path.value+" is not a gRPC service or /service/method name")
			continue
		case hasMeth:
			m.path = pathMatch{kind: pathExact, value: "/" + svc + "/" + meth}
		default:
			m.path = pathMatch{kind: pathPrefix, value: "/" + svc}
		}
		out = append(out, m)
	}
	return out, drops, gone
}

func toGRPCMatch(m *match) gwv1.GRPCRouteMatch {
	var out gwv1.GRPCRouteMatch
	v := strings.TrimPrefix(m.path.value, "/")
	if v != "" {
		svc, meth, hasMeth := strings.Cut(v, "/")
		mm := &gwv1.GRPCMethodMatch{Type: ptr(gwv1.GRPCMethodMatchExact), Service: ptr(svc)}
		if hasMeth {
			mm.Method = ptr(meth)
		}
		out.Method = mm
	}
	for _, h := range m.headers {
		exact, val := valueMatch(h.val)
		t := gwv1.GRPCHeaderMatchRegularExpression
		if exact {
			t = gwv1.GRPCHeaderMatchExact
		}
		out.Headers = append(out.Headers, gwv1.GRPCHeaderMatch{Type: &t, Name: gwv1.GRPCHeaderName(h.name), Value: val})
	}
	return out
}

// grpcFilters converts the filters GRPCRoute has (header modifiers and mirrors).
func grpcFilters(in []gwv1.HTTPRouteFilter) []gwv1.GRPCRouteFilter {
	var out []gwv1.GRPCRouteFilter
	for _, f := range in {
		switch f.Type {
		case gwv1.HTTPRouteFilterRequestHeaderModifier:
			out = append(out, gwv1.GRPCRouteFilter{Type: gwv1.GRPCRouteFilterRequestHeaderModifier, RequestHeaderModifier: f.RequestHeaderModifier})
		case gwv1.HTTPRouteFilterResponseHeaderModifier:
			out = append(out, gwv1.GRPCRouteFilter{Type: gwv1.GRPCRouteFilterResponseHeaderModifier, ResponseHeaderModifier: f.ResponseHeaderModifier})
		case gwv1.HTTPRouteFilterRequestMirror:
			out = append(out, gwv1.GRPCRouteFilter{Type: gwv1.GRPCRouteFilterRequestMirror, RequestMirror: f.RequestMirror})
		}
	}
	return out
}

func toGRPCRule(r *outRule) gwv1.GRPCRouteRule {
	out := gwv1.GRPCRouteRule{Filters: grpcFilters(ruleFilters(r))}
	if r.name != "" {
		out.Name = ptr(gwv1.SectionName(r.name))
	}
	for _, m := range r.matches {
		gm := toGRPCMatch(m)
		if gm.Method == nil && len(gm.Headers) == 0 {
			continue // matches every call: the rule gets no matches
		}
		out.Matches = append(out.Matches, gm)
	}
	if len(out.Matches) < len(r.matches) {
		out.Matches = nil // one match takes every call, so the rule does
	}
	for _, b := range r.a.backends {
		gb := gwv1.GRPCBackendRef{BackendRef: *b.BackendRef.DeepCopy(), Filters: grpcFilters(b.Filters)}
		out.BackendRefs = append(out.BackendRefs, gb)
	}
	return out
}
