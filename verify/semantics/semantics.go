package semantics

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/meshbridge/meshbridge/model"
)

// Verdict is a destination's decision on one request, and what decided it: an object
// ("TrafficTarget shop/readers") or a default ("default: no TrafficTarget admits the caller").
type Verdict struct {
	Allow bool   `json:"allow"`
	By    string `json:"by"`
}

// String renders "allow by …" or "deny by …".
func (v Verdict) String() string {
	if v.Allow {
		return "allow by " + v.By
	}
	return "deny by " + v.By
}

// Authorizer decides requests to a workload under a destination's access semantics. The
// request is the one Istio's evaluator reads (model.Request); the workload is the inventory's
// workload the request reaches (its namespace and labels are those of the request).
type Authorizer interface {
	Authorize(w model.Workload, r model.Request) Verdict
}

// RouteRequest is one request a client sends to a Service through the mesh.
type RouteRequest struct {
	// ClientNamespace and ClientLabels describe the caller's pod.
	ClientNamespace string            `json:"clientNamespace"`
	ClientLabels    map[string]string `json:"clientLabels,omitempty"`
	// Service is the Service called; Port is the Service port (0 when the Service is unknown).
	Service model.ServiceRef `json:"service"`
	// TCP is a plain TCP connection: no HTTP attributes.
	TCP bool `json:"tcp,omitempty"`
	// HTTP attributes. Path may carry a query. Header names are lower case.
	Method  string            `json:"method,omitempty"`
	Path    string            `json:"path,omitempty"`
	Host    string            `json:"host,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
}

// PathOnly returns the path without its query.
func (r RouteRequest) PathOnly() string {
	p, _, _ := strings.Cut(r.Path, "?")
	return p
}

// Query returns the query parameters (the first value of each).
func (r RouteRequest) Query() map[string]string {
	_, q, ok := strings.Cut(r.Path, "?")
	out := map[string]string{}
	if !ok {
		return out
	}
	for _, kv := range strings.Split(q, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if _, seen := out[k]; !seen && k != "" {
			out[k] = v
		}
	}
	return out
}

// Header returns the value of a header (any case) and whether it is present. The Host header
// is the request's host.
func (r RouteRequest) Header(name string) (string, bool) {
	name = strings.ToLower(name)
	if name == "host" || name == ":authority" {
		return r.Host, r.Host != ""
	}
	v, ok := r.Headers[name]
	return v, ok
}

// String renders the request for people: "GET /a?b=c [x-user: jason] to shop/reviews:9080 from
// namespace shop".
func (r RouteRequest) String() string {
	var b strings.Builder
	if r.TCP {
		b.WriteString("TCP connection")
	} else {
		fmt.Fprintf(&b, "%s %s", r.Method, r.Path)
		if r.Host != "" {
			fmt.Fprintf(&b, " host %s", r.Host)
		}
		for _, k := range slices.Sorted(maps.Keys(r.Headers)) {
			fmt.Fprintf(&b, " [%s: %s]", k, r.Headers[k])
		}
	}
	fmt.Fprintf(&b, " to %s/%s", r.Service.Namespace, r.Service.Name)
	if r.Service.Port != 0 {
		fmt.Fprintf(&b, ":%d", r.Service.Port)
	}
	fmt.Fprintf(&b, " from namespace %s", r.ClientNamespace)
	if len(r.ClientLabels) > 0 {
		fmt.Fprintf(&b, " (pod %s)", LabelString(r.ClientLabels))
	}
	return b.String()
}

// OutcomeKind says what happens to a routed request.
type OutcomeKind string

// Outcome kinds.
const (
	// Forward: sent to Backends.
	Forward OutcomeKind = "forward"
	// NotFound: routes apply to the Service but none matches (404, or a refused connection).
	NotFound OutcomeKind = "not-found"
	// Redirect: answered with a redirect (Detail).
	Redirect OutcomeKind = "redirect"
	// Respond: answered by the proxy with a fixed response (Detail).
	Respond OutcomeKind = "respond"
	// Unknown: the evaluator cannot tell (Detail says why); never compared.
	Unknown OutcomeKind = "unknown"
)

// Backend is one destination of a forwarded request: the pods it reaches, named by namespace
// and label selector (a Service's selector merged with a subset's labels), with its share of
// the requests.
type Backend struct {
	// Key names the pods: "shop {app=reviews,version=v1}", or "host api.example.com" for a
	// destination that is not a Service with a selector.
	Key   string  `json:"key"`
	Share float64 `json:"share"`
}

// Outcome is where a request goes.
type Outcome struct {
	Kind     OutcomeKind `json:"kind"`
	Backends []Backend   `json:"backends,omitempty"`
	Detail   string      `json:"detail,omitempty"`
	// By names the object (and rule) that decided, or "default" for a Service's own routing.
	By string `json:"by"`
}

// Equal reports whether two outcomes send the request to the same pods in the same shares
// (within half a percent), or answer it the same way.
func (o Outcome) Equal(p Outcome) bool {
	if o.Kind != p.Kind {
		return false
	}
	switch o.Kind {
	case Forward:
		a, b := shares(o.Backends), shares(p.Backends)
		if len(a) != len(b) {
			return false
		}
		for k, v := range a {
			if w, ok := b[k]; !ok || math.Abs(v-w) > 0.005 {
				return false
			}
		}
		return true
	case Redirect, Respond:
		return o.Detail == p.Detail
	}
	return true
}

func shares(bs []Backend) map[string]float64 {
	m := map[string]float64{}
	for _, b := range bs {
		if b.Share > 0 {
			m[b.Key] += b.Share
		}
	}
	return m
}

// String renders the outcome for people: "forward to shop {app=reviews,version=v1} 75%, … (by
// HTTPRoute shop/reviews rule 0)".
func (o Outcome) String() string {
	var s string
	switch o.Kind {
	case Forward:
		var parts []string
		for _, b := range o.Backends {
			parts = append(parts, fmt.Sprintf("%s %s", b.Key, percent(b.Share)))
		}
		s = "forward to " + strings.Join(parts, ", ")
	case NotFound:
		s = "no route (404)"
	case Redirect:
		s = "redirect " + o.Detail
	case Respond:
		s = "respond " + o.Detail
	default:
		s = "unknown: " + o.Detail
	}
	if o.By != "" {
		s += " (by " + o.By + ")"
	}
	return s
}

func percent(f float64) string {
	p := f * 100
	if p == math.Trunc(p) {
		return fmt.Sprintf("%d%%", int(p))
	}
	return fmt.Sprintf("%.1f%%", p)
}

// Weighted turns weights into backends with shares; non-positive weights get no share. It
// returns nil when no weight is positive.
func Weighted(keys []string, weights []float64) []Backend {
	total := 0.0
	for _, w := range weights {
		if w > 0 {
			total += w
		}
	}
	if total == 0 {
		return nil
	}
	var out []Backend
	for i, k := range keys {
		if weights[i] > 0 {
			out = append(out, Backend{Key: k, Share: weights[i] / total})
		}
	}
	slices.SortStableFunc(out, func(a, b Backend) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// Router says where requests go under a destination's routing semantics.
type Router interface {
	Route(r RouteRequest) Outcome
}

// PodsKey names the pods a selector picks in namespace, as Backend.Key does.
func PodsKey(namespace string, selector map[string]string) string {
	return namespace + " {" + LabelString(selector) + "}"
}

// LabelString renders labels sorted: "app=reviews,version=v1".
func LabelString(m map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, ",")
}

// ServiceKey names the pods behind a Service: its selector merged with extra labels (a
// subset's), or "service ns/name" when the Service has no selector or is unknown.
func ServiceKey(svc model.Service, known bool, extra map[string]string) string {
	if !known || len(svc.Selector) == 0 {
		k := "service " + svc.Namespace + "/" + svc.Name
		if len(extra) > 0 {
			k += " {" + LabelString(extra) + "}"
		}
		return k
	}
	sel := maps.Clone(svc.Selector)
	maps.Copy(sel, extra)
	return PodsKey(svc.Namespace, sel)
}

// RedirectDetail renders a redirect for Outcome.Detail, so that Istio's and a destination's
// redirects compare equal when they send the client to the same place with the same code.
// Empty fields (and port 0) keep the request's value.
func RedirectDetail(scheme, host, path string, port, code int64) string {
	s := fmt.Sprintf("%d", code)
	if scheme != "" {
		s += " scheme " + scheme
	}
	if host != "" {
		s += " host " + host
	}
	if port != 0 {
		s += fmt.Sprintf(" port %d", port)
	}
	if path != "" {
		s += " path " + path
	}
	return s
}
