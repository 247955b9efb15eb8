package smi

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
)

// Two independent evaluators, so that tests can check the contract "never widen": every request
// the emitted SMI objects allow (under each consumer's reading) is one Istio allows.

// request is one connection or HTTP request from a service account to a workload port.
type request struct {
	source  sa
	dest    sa
	port    int32
	http    bool
	method  string
	path    string
	headers map[string]string
	ip      string // caller IP, for ipBlocks
	jwt     string // request principal, "" when the request carries no JWT
	// plain: the destination port takes plain text (PeerAuthentication DISABLE), so Istio sees
	// no peer identity. Set by istioAllows.
	plain bool
}

// reading is how a consumer reads HTTPRouteGroup regexes: OSM matches paths and headers in
// full; Traefik Mesh anchors paths at the start only (PathPrefix(`/{path:...}`)) and searches
// header values.
type reading int

const (
	readOSM reading = iota
	readTraefik
)

// smiAllows evaluates the objects as an enforcing consumer would.
func smiAllows(objs []*unstructured.Unstructured, r request, rd reading) bool {
	find := func(kind, ns, name string) *unstructured.Unstructured {
		for _, o := range objs {
			if o.GetKind() == kind && o.GetNamespace() == ns && o.GetName() == name {
				return o
			}
		}
		return nil
	}
	for _, tt := range kinds(objs, "TrafficTarget") {
		spec := tt.Object["spec"].(map[string]any)
		dst := spec["destination"].(map[string]any)
		if dst["name"] != r.dest.Name || dst["namespace"] != r.dest.Namespace || tt.GetNamespace() != r.dest.Namespace {
			continue
		}
		if p, ok := dst["port"]; ok && toInt(p) != int64(r.port) {
			continue
		}
		if !slices.ContainsFunc(list(spec["sources"]), func(s any) bool {
			m := s.(map[string]any)
			return m["name"] == r.source.Name && m["namespace"] == r.source.Namespace
		}) {
			continue
		}
		// Traefik Mesh builds an HTTP router's rule from the TrafficTarget's HTTP matches only; with
		// none (TCPRoute rules only) the rule is empty and every HTTP request passes.
		if tt.GetAPIVersion() == accessGroup+"/v1alpha2" && r.http && !slices.ContainsFunc(list(spec["rules"]), func(x any) bool {
			return x.(map[string]any)["kind"] == "HTTPRouteGroup"
		}) {
			return true
		}
		for _, rule := range list(spec["rules"]) {
			rm := rule.(map[string]any)
			ref := find(rm["kind"].(string), tt.GetNamespace(), rm["name"].(string))
			if ref == nil {
				continue
			}
			rs := ref.Object["spec"].(map[string]any)
			switch rm["kind"] {
			case "TCPRoute":
				if r.http {
					continue
				}
				m, _ := rs["matches"].(map[string]any)
				ports := list(m["ports"])
				if len(ports) == 0 || slices.ContainsFunc(ports, func(p any) bool { return toInt(p) == int64(r.port) }) {
					return true
				}
			case "HTTPRouteGroup":
				if !r.http {
					continue
				}
				names := list(rm["matches"])
				for _, mm := range list(rs["matches"]) {
					m := mm.(map[string]any)
					if len(names) > 0 && !slices.Contains(names, m["name"]) {
						continue
					}
					if httpMatches(m, r, rd) {
						return true
					}
				}
			}
		}
	}
	return false
}

func httpMatches(m map[string]any, r request, rd reading) bool {
	if ms := list(m["methods"]); len(ms) > 0 && !slices.Contains(ms, any("*")) && !slices.Contains(ms, any(r.method)) {
		return false
	}
	if p, _ := m["pathRegex"].(string); p != "" {
		var re string
		if rd == readOSM {
			re = "^(?:" + p + ")$"
		} else {
			re = "^/(?:" + strings.TrimPrefix(p, "/") + ")"
		}
		if !compile(re).MatchString(r.path) {
			return false
		}
	}
	for _, h := range list(m["headers"]) {
		for name, v := range h.(map[string]any) {
			val, ok := r.headers[strings.ToLower(name)]
			if !ok {
				return false
			}
			re := v.(string)
			if rd == readOSM {
				re = "^(?:" + re + ")$"
			}
			if !compile(re).MatchString(val) {
				return false
			}
		}
	}
	return true
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func toInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case float64:
		return int64(n)
	case int:
		return int64(n)
	}
	return -1
}

// istioAllows evaluates the snapshot's policies for a request to one workload, as Istio does:
// CUSTOM (taken as deny: the external authorizer may deny), DENY, then ALLOW with default allow.
func istioAllows(s *model.Snapshot, target model.Workload, r request) bool {
	r.plain = s.MTLSModeFor(target.Namespace, target.Labels, r.port) == model.MTLSDisable
	var allows []model.AccessPolicy
	for _, p := range s.Access {
		if p.DryRun || p.Action == model.Audit || !applies(s, p, target) {
			continue
		}
		switch p.Action {
		case model.Custom, model.Deny:
			if policyMatches(s, p, r, true) {
				return false
			}
		case model.Allow:
			allows = append(allows, p)
		}
	}
	if len(allows) == 0 {
		return true
	}
	for _, p := range allows {
		if policyMatches(s, p, r, false) {
			return true
		}
	}
	return false
}

// applies: targetRefs apply to a Gateway's pods, and to the workloads behind a referenced
// Service (its waypoint sees their traffic); other references reach no workload.
func applies(s *model.Snapshot, p model.AccessPolicy, w model.Workload) bool {
	if len(p.Target.Refs) > 0 {
		return p.Target.Applies(w.Namespace, w.Labels, attachedServices(s, w))
	}
	if !p.Target.MeshWide && p.Target.Namespace != w.Namespace {
		return false
	}
	return model.Selects(p.Target.Selector, w.Labels)
}

func policyMatches(s *model.Snapshot, p model.AccessPolicy, r request, deny bool) bool {
	for _, rule := range p.Rules {
		if ruleMatches(s, p, rule, r, deny) {
			return true
		}
	}
	return false
}

func ruleMatches(s *model.Snapshot, p model.AccessPolicy, rule model.AccessRule, r request, deny bool) bool {
	if len(rule.From) > 0 && !slices.ContainsFunc(rule.From, func(src model.Source) bool { return sourceMatchesReq(s, p, src, r) }) {
		return false
	}
	if len(rule.To) > 0 && !slices.ContainsFunc(rule.To, func(op model.Operation) bool { return opMatches(op, r, deny) }) {
		return false
	}
	for _, c := range rule.When {
		if !condMatches(s, p, c, r, deny) {
			return false
		}
	}
	return true
}

func principalOf(s *model.Snapshot, a sa) string {
	return s.TrustDomain + "/ns/" + a.Namespace + "/sa/" + a.Name
}

// field evaluates one Istio field: values (any matches) and notValues (none matches); an empty
// values list places no constraint.
func field(values, notValues []string, match func(string) bool) bool {
	if len(values) > 0 && !slices.ContainsFunc(values, match) {
		return false
	}
	return !slices.ContainsFunc(notValues, match)
}

// trustDomainAliases makes the evaluator treat every other literal trust domain in a principal
// as an alias of the mesh's (MeshConfig trustDomainAliases), which the writer assumes.
var trustDomainAliases bool

func sourceMatchesReq(s *model.Snapshot, p model.AccessPolicy, src model.Source, r request) bool {
	principal := principalOf(s, r.source)
	matchPrincipal := func(v string) bool {
		if td, rest, ok := strings.Cut(v, "/"); trustDomainAliases && ok && !strings.Contains(td, "*") {
			v = s.TrustDomain + "/" + rest
		}
		return !r.plain && istioMatch(v, principal)
	}
	return field(src.Principals, src.NotPrincipals, matchPrincipal) &&
		field(src.Namespaces, src.NotNamespaces, func(v string) bool { return !r.plain && globMatch(v, r.source.Namespace) }) &&
		field(src.ServiceAccounts, src.NotServiceAccounts, func(v string) bool { return !r.plain && serviceAccountMatches(v, p.Namespace, r.source) }) &&
		field(src.TrustDomains, src.NotTrustDomains, func(v string) bool { return !r.plain && istioMatch(v, s.TrustDomain) }) &&
		field(src.RequestPrincipals, src.NotRequestPrincipals, func(v string) bool { return istioMatch(v, r.jwt) }) &&
		field(src.IPBlocks, src.NotIPBlocks, func(v string) bool { return inBlock(v, r.ip) }) &&
		field(src.RemoteIPBlocks, src.NotRemoteIPBlocks, func(v string) bool { return inBlock(v, r.ip) })
}

func inBlock(block, ip string) bool {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	if pfx, err := netip.ParsePrefix(block); err == nil {
		return pfx.Contains(addr)
	}
	return block == ip
}

// opMatches: on TCP traffic, an ALLOW operation with HTTP fields never matches, and a DENY
// operation ignores them.
func opMatches(op model.Operation, r request, deny bool) bool {
	port := strconv.Itoa(int(r.port))
	if !field(op.Ports, op.NotPorts, func(v string) bool { return v == port }) {
		return false
	}
	hasHTTP := len(op.Hosts)+len(op.NotHosts)+len(op.Methods)+len(op.NotMethods)+len(op.Paths)+len(op.NotPaths) > 0
	if !r.http {
		return !hasHTTP || deny
	}
	host := r.headers["host"]
	return field(op.Hosts, op.NotHosts, func(v string) bool { return istioMatch(strings.ToLower(v), strings.ToLower(host)) }) &&
		field(op.Methods, op.NotMethods, func(v string) bool { return istioMatch(v, r.method) }) &&
		field(op.Paths, op.NotPaths, func(v string) bool { return pathMatches(v, r.path) })
}

// pathMatches is Istio's path match, templates included.
func pathMatches(pattern, path string) bool {
	if !strings.ContainsAny(pattern, "{}") {
		return istioMatch(pattern, path)
	}
	ps, qs := strings.Split(pattern, "/"), strings.Split(path, "/")
	for i, seg := range ps {
		if seg == "{**}" {
			rest := strings.Join(qs[i:], "/")
			return !strings.ContainsAny(rest, "*=\" ")
		}
		if i >= len(qs) {
			return false
		}
		if seg == "{*}" {
			if qs[i] == "" || strings.ContainsAny(qs[i], "*=\" ") {
				return false
			}
			continue
		}
		if seg != qs[i] {
			return false
		}
	}
	return len(ps) == len(qs)
}

func condMatches(s *model.Snapshot, p model.AccessPolicy, c model.Condition, r request, deny bool) bool {
	var v string
	match := istioMatch
	switch {
	case strings.HasPrefix(c.Key, "request.headers["):
		if !r.http {
			return deny
		}
		name := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(c.Key, "request.headers["), "]"))
		val, ok := r.headers[name]
		if !ok {
			return len(c.Values) == 0 // notValues only: an absent header matches none of them
		}
		v = val
	case r.plain && strings.HasPrefix(c.Key, "source.") && c.Key != "source.ip":
		return field(c.Values, c.NotValues, func(string) bool { return false }) // no peer identity
	case c.Key == "source.namespace":
		v, match = r.source.Namespace, globMatch
	case c.Key == "source.principal":
		v = principalOf(s, r.source)
	case c.Key == "source.serviceAccount":
		return field(c.Values, c.NotValues, func(x string) bool { return serviceAccountMatches(x, p.Namespace, r.source) })
	case c.Key == "destination.port":
		v, match = strconv.Itoa(int(r.port)), func(a, b string) bool { return a == b }
	case c.Key == "source.ip" || c.Key == "remote.ip":
		return field(c.Values, c.NotValues, func(x string) bool { return inBlock(x, r.ip) })
	case c.Key == "request.auth.principal":
		if !r.http {
			return deny
		}
		v = r.jwt
	default:
		return false // keys the test requests never carry (claims, sni, ...)
	}
	return field(c.Values, c.NotValues, func(x string) bool { return match(x, v) })
}
