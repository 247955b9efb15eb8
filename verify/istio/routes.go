package istio

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/verify/semantics"
)

// Routes routes requests as Istio's sidecars do, by the snapshot's mesh VirtualServices.
type Routes struct {
	snap     *model.Snapshot
	services *semantics.Services
}

// NewRoutes routes by snap's route sets; Services resolve in snap's inventory.
func NewRoutes(snap *model.Snapshot) *Routes {
	return &Routes{snap: snap, services: semantics.NewServices(nil, &snap.Inventory)}
}

// RouteSet returns the VirtualService a client in clientNS uses for Service svc: among the
// mesh route sets that name the Service and are exported to clientNS, the one in the client's
// namespace, else the one in the Service's, else the first by namespace and name.
func (rt *Routes) RouteSet(clientNS string, svc model.ServiceRef) *model.RouteSet {
	var cands []*model.RouteSet
	for i := range rt.snap.Routes {
		rs := &rt.snap.Routes[i]
		if rs.Mesh && exported(rs, clientNS) && slices.ContainsFunc(rs.Services, func(s model.ServiceRef) bool {
			return s.Namespace == svc.Namespace && s.Name == svc.Name
		}) {
			cands = append(cands, rs)
		}
	}
	for _, ns := range []string{clientNS, svc.Namespace} {
		for _, rs := range cands {
			if rs.Namespace == ns {
				return rs
			}
		}
	}
	if len(cands) > 0 {
		return cands[0]
	}
	return nil
}

func exported(rs *model.RouteSet, ns string) bool {
	if len(rs.ExportTo) == 0 {
		return true
	}
	for _, e := range rs.ExportTo {
		if e == "*" || e == ns || (e == "." && rs.Namespace == ns) {
			return true
		}
	}
	return false
}

// Route implements semantics.Router: the first rule of the VirtualService that matches
// decides; with HTTP rules and none matching the request gets 404; without a VirtualService
// the request reaches the Service's endpoints.
func (rt *Routes) Route(req semantics.RouteRequest) semantics.Outcome {
	def := semantics.Outcome{Kind: semantics.Forward, By: "default",
		Backends: []semantics.Backend{{Key: rt.services.Key(req.Service.Namespace, req.Service.Name), Share: 1}}}
	rs := rt.RouteSet(req.ClientNamespace, req.Service)
	if rs == nil {
		return def
	}
	by := "VirtualService " + rs.Namespace + "/" + rs.Name
	if req.TCP {
		if len(rs.TCP) == 0 {
			return def
		}
		for _, r := range rs.TCP {
			if len(r.Matches) == 0 || slices.ContainsFunc(r.Matches, func(m model.L4Match) bool { return l4Match(m, req) }) {
				return rt.forward(r.Backends, by+" "+r.Field)
			}
		}
		return semantics.Outcome{Kind: semantics.NotFound, By: by + ": no tcp rule matches"}
	}
	if len(rs.HTTP) == 0 {
		return def
	}
	for _, r := range rs.HTTP {
		if len(r.Matches) > 0 && !slices.ContainsFunc(r.Matches, func(m model.HTTPMatch) bool { return HTTPMatch(m, req) }) {
			continue
		}
		rby := by + " " + r.Field
		switch {
		case r.Redirect != nil:
			code := int64(r.Redirect.StatusCode)
			if code == 0 {
				code = 301
			}
			return semantics.Outcome{Kind: semantics.Redirect, By: rby,
				Detail: semantics.RedirectDetail(r.Redirect.Scheme, r.Redirect.Authority, r.Redirect.Path, int64(r.Redirect.Port), code)}
		case r.DirectResponse != nil:
			return semantics.Outcome{Kind: semantics.Respond, Detail: fmt.Sprint(r.DirectResponse.Status), By: rby}
		case r.Delegate != nil:
			return semantics.Outcome{Kind: semantics.Unknown, Detail: "delegated to " + r.Delegate.String(), By: rby}
		case len(r.Backends) == 0:
			return semantics.Outcome{Kind: semantics.Unknown, Detail: "the rule's action is not modelled", By: rby}
		}
		return rt.forward(r.Backends, rby)
	}
	return semantics.Outcome{Kind: semantics.NotFound, By: by + ": no http rule matches"}
}

func (rt *Routes) forward(bs []model.Backend, by string) semantics.Outcome {
	keys := make([]string, len(bs))
	weights := make([]float64, len(bs))
	for i, b := range bs {
		keys[i] = rt.BackendKey(b)
		weights[i] = float64(b.Weight)
		if len(bs) == 1 {
			weights[i] = 1 // a single destination takes all traffic, whatever its weight
		}
	}
	out := semantics.Weighted(keys, weights)
	if out == nil {
		return semantics.Outcome{Kind: semantics.Respond, Detail: "503 (every destination weighs 0)", By: by}
	}
	return semantics.Outcome{Kind: semantics.Forward, Backends: out, By: by}
}

// BackendKey names the pods an Istio destination reaches: the Service's selector merged with
// the subset's labels.
func (rt *Routes) BackendKey(b model.Backend) string {
	if b.Service.Name == "" {
		return "host " + b.Host
	}
	svc, ok := rt.services.Get(b.Service.Namespace, b.Service.Name)
	if b.Subset != "" && b.SubsetLabels == nil {
		return semantics.ServiceKey(svc, ok, nil) + " subset " + b.Subset + " (unresolved)"
	}
	return semantics.ServiceKey(svc, ok, b.SubsetLabels)
}

func l4Match(m model.L4Match, req semantics.RouteRequest) bool {
	return (m.Port == 0 || m.Port == req.Service.Port) &&
		(m.SourceNamespace == "" || m.SourceNamespace == req.ClientNamespace) &&
		model.Selects(m.SourceLabels, req.ClientLabels) &&
		meshGateway(m.Gateways)
}

func meshGateway(gws []string) bool {
	return len(gws) == 0 || slices.Contains(gws, "mesh")
}

// HTTPMatch reports whether req satisfies every field of one Istio match block.
func HTTPMatch(m model.HTTPMatch, req semantics.RouteRequest) bool {
	if m.Port != 0 && m.Port != req.Service.Port {
		return false
	}
	if !meshGateway(m.Gateways) || (m.SourceNamespace != "" && m.SourceNamespace != req.ClientNamespace) ||
		!model.Selects(m.SourceLabels, req.ClientLabels) {
		return false
	}
	if m.Path != nil && !stringMatch(*m.Path, req.PathOnly(), m.IgnoreURICase) {
		return false
	}
	if m.Method != nil && !stringMatch(*m.Method, req.Method, false) {
		return false
	}
	if m.Authority != nil && !stringMatch(*m.Authority, req.Host, false) {
		return false
	}
	if m.Scheme != nil && !stringMatch(*m.Scheme, "http", false) {
		return false
	}
	for _, h := range m.Headers {
		if !keyMatch(h, req.Header) {
			return false
		}
	}
	for _, h := range m.WithoutHeaders {
		if keyMatch(h, req.Header) {
			return false
		}
	}
	q := req.Query()
	for _, p := range m.QueryParams {
		if !keyMatch(p, func(name string) (string, bool) { v, ok := q[name]; return v, ok }) {
			return false
		}
	}
	return true
}

func keyMatch(k model.KeyMatch, get func(string) (string, bool)) bool {
	v, ok := get(k.Name)
	if !ok {
		return false
	}
	return k.Present || stringMatch(k.Match, v, false)
}

// stringMatch is Istio's StringMatch: exact, (string) prefix, or RE2 regex over the whole value.
func stringMatch(m model.StringMatch, v string, ignoreCase bool) bool {
	switch m.Type {
	case model.MatchPrefix:
		if ignoreCase {
			return strings.HasPrefix(strings.ToLower(v), strings.ToLower(m.Value))
		}
		return strings.HasPrefix(v, m.Value)
	case model.MatchRegex:
		expr := m.Value
		if ignoreCase {
			expr = "(?i)" + expr
		}
		return semantics.FullMatch(expr, v)
	}
	if ignoreCase {
		return strings.EqualFold(v, m.Value)
	}
	return v == m.Value
}
