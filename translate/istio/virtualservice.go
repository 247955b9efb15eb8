package istio

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"istio.io/api/networking/v1alpha3"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"

	"github.com/meshbridge/meshbridge/model"
)

// readVirtualServices reads VirtualServices into snap.Routes, one RouteSet each.
func (r *reader) readVirtualServices() {
	r.snap.Routes = slices.Grow(r.snap.Routes, len(r.inv.VirtualServices))
	for _, vs := range r.inv.VirtualServices {
		r.snap.Routes = append(r.snap.Routes, r.readVirtualService(vs))
	}
}

func (r *reader) readVirtualService(vs *networkingv1.VirtualService) model.RouteSet {
	origin := r.inv.Origin(vs.APIVersion, "VirtualService", vs)
	spec := &vs.Spec
	rs := model.RouteSet{
		Origin:    origin,
		Namespace: vs.Namespace,
		Name:      vs.Name,
		Hosts:     spec.GetHosts(),
		ExportTo:  spec.GetExportTo(),
		Mesh:      len(spec.GetGateways()) == 0,
	}
	for _, g := range spec.GetGateways() {
		if g == "mesh" {
			rs.Mesh = true
			continue
		}
		rs.Gateways = append(rs.Gateways, r.gatewayRef(g, vs.Namespace))
	}
	for i, h := range spec.GetHosts() {
		svc, ok := r.resolveHost(h, vs.Namespace)
		if !ok {
			if rs.Mesh {
				r.report(model.CodeHostNotResolved, origin, fmt.Sprintf("spec.hosts[%d]", i),
					"host %q is not a Service in the input; mesh routes cannot be attached to it", h)
			}
			continue
		}
		rs.Services = append(rs.Services, model.ServiceRef{Namespace: svc.Namespace, Name: svc.Name})
	}
	for i, h := range spec.GetHttp() {
		rs.HTTP = append(rs.HTTP, r.readHTTPRule(origin, vs.Namespace, fmt.Sprintf("spec.http[%d]", i), h))
	}
	for i, t := range spec.GetTcp() {
		field := fmt.Sprintf("spec.tcp[%d]", i)
		rule := model.L4Rule{Field: field, Backends: r.readL4Backends(origin, vs.Namespace, field, t.GetRoute())}
		for j, m := range t.GetMatch() {
			mf := fmt.Sprintf("%s.match[%d]", field, j)
			rule.Matches = append(rule.Matches, model.L4Match{
				Field: mf, Port: int32(m.GetPort()), DestinationSubnets: m.GetDestinationSubnets(),
				SourceLabels: m.GetSourceLabels(), SourceNamespace: m.GetSourceNamespace(), Gateways: m.GetGateways(),
			})
			r.rest(origin, mf, m, "port", "destinationSubnets", "sourceLabels", "sourceNamespace", "gateways")
		}
		r.rest(origin, field, t, "match", "route")
		rs.TCP = append(rs.TCP, rule)
	}
	for i, t := range spec.GetTls() {
		field := fmt.Sprintf("spec.tls[%d]", i)
		rule := model.L4Rule{Field: field, Backends: r.readL4Backends(origin, vs.Namespace, field, t.GetRoute())}
		for j, m := range t.GetMatch() {
			mf := fmt.Sprintf("%s.match[%d]", field, j)
			rule.Matches = append(rule.Matches, model.L4Match{
				Field: mf, Port: int32(m.GetPort()), SNIHosts: m.GetSniHosts(), DestinationSubnets: m.GetDestinationSubnets(),
				SourceLabels: m.GetSourceLabels(), SourceNamespace: m.GetSourceNamespace(), Gateways: m.GetGateways(),
			})
			r.rest(origin, mf, m, "port", "sniHosts", "destinationSubnets", "sourceLabels", "sourceNamespace", "gateways")
		}
		r.rest(origin, field, t, "match", "route")
		rs.TLS = append(rs.TLS, rule)
	}
	r.rest(origin, "spec", spec, "hosts", "gateways", "http", "tcp", "tls", "exportTo")
	return rs
}

// gatewayRef resolves a VirtualService's gateway name: "ns/name", or "name" in the
// VirtualService's namespace.
func (r *reader) gatewayRef(g, ns string) model.ObjectRef {
	if i := strings.IndexByte(g, '/'); i >= 0 {
		return model.ObjectRef{Kind: "Gateway", Namespace: g[:i], Name: g[i+1:]}
	}
	return model.ObjectRef{Kind: "Gateway", Namespace: ns, Name: g}
}

func (r *reader) readHTTPRule(origin model.Origin, ns, field string, h *v1alpha3.HTTPRoute) model.HTTPRule {
	rule := model.HTTPRule{Field: field, Name: h.GetName()}
	for j, m := range h.GetMatch() {
		rule.Matches = append(rule.Matches, r.readHTTPMatch(origin, fmt.Sprintf("%s.match[%d]", field, j), m))
	}
	for j, d := range h.GetRoute() {
		df := fmt.Sprintf("%s.route[%d]", field, j)
		b := r.backend(origin, ns, df, d.GetDestination(), d.GetWeight())
		b.Headers = headerEdits(d.GetHeaders())
		r.rest(origin, df, d, "destination", "weight", "headers")
		rule.Backends = append(rule.Backends, b)
	}
	if len(rule.Backends) == 1 && rule.Backends[0].Weight == 0 {
		rule.Backends[0].Weight = 100 // a single destination takes all traffic
	}
	if rd := h.GetRedirect(); rd != nil {
		rule.Redirect = &model.Redirect{
			Field: field + ".redirect", Scheme: rd.GetScheme(), Authority: rd.GetAuthority(), Path: rd.GetUri(),
			Port: int32(rd.GetPort()), StatusCode: int(rd.GetRedirectCode()),
		}
		if _, ok := rd.GetRedirectPort().(*v1alpha3.HTTPRedirect_DerivePort); ok {
			rule.Redirect.DerivePort = rd.GetDerivePort().String()
		}
		r.rest(origin, field+".redirect", rd, "uri", "authority", "port", "derivePort", "scheme", "redirectCode")
	}
	if rw := h.GetRewrite(); rw != nil {
		rule.Rewrite = &model.Rewrite{Field: field + ".rewrite", Path: rw.GetUri(), Authority: rw.GetAuthority()}
		if rx := rw.GetUriRegexRewrite(); rx != nil {
			rule.Rewrite.RegexPattern, rule.Rewrite.RegexSubstitution = rx.GetMatch(), rx.GetRewrite()
		}
		r.rest(origin, field+".rewrite", rw, "uri", "authority", "uriRegexRewrite")
	}
	if t := h.GetTimeout(); t != nil {
		rule.Timeout, rule.TimeoutSet = t.AsDuration(), true
	}
	if rt := h.GetRetries(); rt != nil {
		rule.Retry = &model.Retry{Field: field + ".retries", Attempts: rt.GetAttempts(), PerTryTimeout: rt.GetPerTryTimeout().AsDuration(), Backoff: rt.GetBackoff().AsDuration()}
		for _, c := range strings.Split(rt.GetRetryOn(), ",") {
			if c = strings.TrimSpace(c); c != "" {
				rule.Retry.RetryOn = append(rule.Retry.RetryOn, c)
			}
		}
		r.rest(origin, field+".retries", rt, "attempts", "perTryTimeout", "retryOn", "backoff")
	}
	rule.Headers = headerEdits(h.GetHeaders())
	rule.Mirrors = r.readMirrors(origin, ns, field, h)
	rule.CORS = r.readCORS(origin, field, h.GetCorsPolicy())
	rule.Fault = r.readFault(origin, field, h.GetFault())
	if dr := h.GetDirectResponse(); dr != nil {
		rule.DirectResponse = &model.DirectResponse{Field: field + ".directResponse", Status: int(dr.GetStatus())}
		if b := dr.GetBody(); b != nil {
			rule.DirectResponse.Body = b.GetString_() + string(b.GetBytes())
		}
	}
	if d := h.GetDelegate(); d != nil {
		dns := d.GetNamespace()
		if dns == "" {
			dns = ns
		}
		rule.Delegate = &model.ObjectRef{Kind: "VirtualService", Namespace: dns, Name: d.GetName()}
	}
	r.rest(origin, field, h, "name", "match", "route", "redirect", "rewrite", "timeout", "retries", "headers",
		"mirror", "mirrors", "mirrorPercent", "mirrorPercentage", "corsPolicy", "fault", "directResponse", "delegate")
	return rule
}

func (r *reader) readHTTPMatch(origin model.Origin, field string, m *v1alpha3.HTTPMatchRequest) model.HTTPMatch {
	hm := model.HTTPMatch{
		Field: field, Name: m.GetName(), Path: stringMatch(m.GetUri()), IgnoreURICase: m.GetIgnoreUriCase(),
		Method: stringMatch(m.GetMethod()), Scheme: stringMatch(m.GetScheme()), Authority: stringMatch(m.GetAuthority()),
		Headers: keyMatches(m.GetHeaders()), WithoutHeaders: keyMatches(m.GetWithoutHeaders()),
		QueryParams: keyMatches(m.GetQueryParams()), Port: int32(m.GetPort()), SourceLabels: m.GetSourceLabels(),
		SourceNamespace: m.GetSourceNamespace(), Gateways: m.GetGateways(),
	}
	r.rest(origin, field, m, "name", "uri", "ignoreUriCase", "method", "scheme", "authority", "headers",
		"withoutHeaders", "queryParams", "port", "sourceLabels", "sourceNamespace", "gateways", "statPrefix")
	return hm
}

// stringMatch converts an Istio StringMatch; nil when unset or empty.
func stringMatch(m *v1alpha3.StringMatch) *model.StringMatch {
	switch t := m.GetMatchType().(type) {
	case *v1alpha3.StringMatch_Exact:
		return &model.StringMatch{Type: model.MatchExact, Value: t.Exact}
	case *v1alpha3.StringMatch_Prefix:
		return &model.StringMatch{Type: model.MatchPrefix, Value: t.Prefix}
	case *v1alpha3.StringMatch_Regex:
		return &model.StringMatch{Type: model.MatchRegex, Value: t.Regex}
	}
	return nil
}

// keyMatches converts a header or query map, sorted by name. An empty StringMatch means the
// key must be present with any value.
func keyMatches(m map[string]*v1alpha3.StringMatch) []model.KeyMatch {
	var out []model.KeyMatch
	for _, k := range slices.Sorted(maps.Keys(m)) {
		km := model.KeyMatch{Name: k}
		if sm := stringMatch(m[k]); sm != nil {
			km.Match = *sm
		} else {
			km.Present = true
		}
		out = append(out, km)
	}
	return out
}

// backend resolves one destination. Subsets are looked up in the DestinationRules read before.
func (r *reader) backend(origin model.Origin, ns, field string, d *v1alpha3.Destination, weight int32) model.Backend {
	b := model.Backend{Field: field, Host: d.GetHost(), Subset: d.GetSubset(), Weight: weight}
	svc, ok := r.resolveHost(d.GetHost(), ns)
	if !ok {
		r.report(model.CodeHostNotResolved, origin, field+".destination.host",
			"destination %q is not a Service in the input", d.GetHost())
		return b
	}
	b.Service = model.ServiceRef{Namespace: svc.Namespace, Name: svc.Name, Port: int32(d.GetPort().GetNumber())}
	if b.Subset != "" {
		labels, ok := r.subsets[subsetKey{svc.Namespace, svc.Name, b.Subset}]
		if !ok {
			r.report(model.CodeSubsetNotFound, origin, field+".destination.subset",
				"no DestinationRule in the input defines subset %q of %s/%s", b.Subset, svc.Namespace, svc.Name)
		} else {
			b.SubsetLabels = labels
		}
	}
	r.rest(origin, field+".destination", d, "host", "subset", "port")
	return b
}

func (r *reader) readL4Backends(origin model.Origin, ns, field string, ds []*v1alpha3.RouteDestination) []model.Backend {
	var out []model.Backend
	for j, d := range ds {
		df := fmt.Sprintf("%s.route[%d]", field, j)
		out = append(out, r.backend(origin, ns, df, d.GetDestination(), d.GetWeight()))
	}
	if len(out) == 1 && out[0].Weight == 0 {
		out[0].Weight = 100
	}
	return out
}

// headerEdits converts Istio's header operations, sorted by name.
func headerEdits(h *v1alpha3.Headers) *model.HeaderEdits {
	if h == nil {
		return nil
	}
	conv := func(o *v1alpha3.Headers_HeaderOperations) *model.HeaderOps {
		if o == nil {
			return nil
		}
		ops := &model.HeaderOps{Remove: slices.Sorted(slices.Values(o.GetRemove()))}
		for _, k := range slices.Sorted(maps.Keys(o.GetSet())) {
			ops.Set = append(ops.Set, model.KeyValue{Name: k, Value: o.GetSet()[k]})
		}
		for _, k := range slices.Sorted(maps.Keys(o.GetAdd())) {
			ops.Add = append(ops.Add, model.KeyValue{Name: k, Value: o.GetAdd()[k]})
		}
		return ops
	}
	return &model.HeaderEdits{Request: conv(h.GetRequest()), Response: conv(h.GetResponse())}
}
