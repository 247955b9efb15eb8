package gatewayapi

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/meshbridge/meshbridge/internal/crdvalidate"
	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// Snapshots are built with functional options; field paths are filled in as the reader would.

type snapOpt func(*model.Snapshot)

func snapshot(opts ...snapOpt) *model.Snapshot {
	s := &model.Snapshot{RootNamespace: "istio-system", ClusterDomain: "cluster.local", TrustDomain: "cluster.local"}
	for _, o := range opts {
		o(s)
	}
	s.Inventory.Sort()
	for i := range s.Routes {
		fillFields(&s.Routes[i])
	}
	return s
}

// svc adds a Service with selector app=name and the given ports.
func svc(ns, name string, ports ...model.ServicePort) snapOpt {
	return func(s *model.Snapshot) {
		s.Inventory.Services = append(s.Inventory.Services, model.Service{
			Origin:    origin("Service", ns, name),
			Namespace: ns, Name: name, Selector: map[string]string{"app": name}, Ports: ports,
		})
	}
}

func workload(ns, name string, labels map[string]string) snapOpt {
	return func(s *model.Snapshot) {
		s.Inventory.Workloads = append(s.Inventory.Workloads, model.Workload{Namespace: ns, Name: name, Kind: "Deployment", Labels: labels})
	}
}

func port(name string, n int32) model.ServicePort {
	return model.ServicePort{Name: name, Port: n, Protocol: "TCP", TargetPort: n}
}

func origin(kind, ns, name string) model.Origin {
	return model.Origin{Object: model.ObjectRef{Kind: kind, Namespace: ns, Name: name}}
}

type vsOpt func(*model.RouteSet)

// vs adds a mesh VirtualService.
func vs(ns, name string, opts ...vsOpt) snapOpt {
	return func(s *model.Snapshot) {
		rs := model.RouteSet{Origin: origin("VirtualService", ns, name), Namespace: ns, Name: name, Mesh: true}
		for _, o := range opts {
			o(&rs)
		}
		s.Routes = append(s.Routes, rs)
	}
}

// host adds a host that is Service ns/name, written as its FQDN.
func host(ns, name string) vsOpt {
	return func(rs *model.RouteSet) {
		rs.Hosts = append(rs.Hosts, name+"."+ns+".svc.cluster.local")
		rs.Services = append(rs.Services, model.ServiceRef{Namespace: ns, Name: name})
	}
}

func rawHost(h string) vsOpt { return func(rs *model.RouteSet) { rs.Hosts = append(rs.Hosts, h) } }

func exportTo(e ...string) vsOpt { return func(rs *model.RouteSet) { rs.ExportTo = e } }

// gateways binds the VirtualService to Istio Gateways (ns/name), and not to the mesh unless
// "mesh" is among them.
func gateways(gs ...string) vsOpt {
	return func(rs *model.RouteSet) {
		rs.Mesh = false
		for _, g := range gs {
			if g == "mesh" {
				rs.Mesh = true
				continue
			}
			ns, n, _ := strings.Cut(g, "/")
			rs.Gateways = append(rs.Gateways, model.ObjectRef{Kind: "Gateway", Namespace: ns, Name: n})
		}
	}
}

type ruleOpt func(*model.HTTPRule)

func http(opts ...ruleOpt) vsOpt {
	return func(rs *model.RouteSet) {
		var r model.HTTPRule
		for _, o := range opts {
			o(&r)
		}
		if len(r.Backends) == 1 && r.Backends[0].Weight == 0 {
			r.Backends[0].Weight = 100
		}
		rs.HTTP = append(rs.HTTP, r)
	}
}

func named(n string) ruleOpt { return func(r *model.HTTPRule) { r.Name = n } }

type matchOpt func(*model.HTTPMatch)

func when(opts ...matchOpt) ruleOpt {
	return func(r *model.HTTPRule) {
		var m model.HTTPMatch
		for _, o := range opts {
			o(&m)
		}
		r.Matches = append(r.Matches, m)
	}
}

func sm(t model.MatchType, v string) *model.StringMatch { return &model.StringMatch{Type: t, Value: v} }

func exact(v string) matchOpt  { return func(m *model.HTTPMatch) { m.Path = sm(model.MatchExact, v) } }
func prefix(v string) matchOpt { return func(m *model.HTTPMatch) { m.Path = sm(model.MatchPrefix, v) } }
func regex(v string) matchOpt  { return func(m *model.HTTPMatch) { m.Path = sm(model.MatchRegex, v) } }
func ignoreCase() matchOpt     { return func(m *model.HTTPMatch) { m.IgnoreURICase = true } }
func method(t model.MatchType, v string) matchOpt {
	return func(m *model.HTTPMatch) { m.Method = sm(t, v) }
}
func authority(t model.MatchType, v string) matchOpt {
	return func(m *model.HTTPMatch) { m.Authority = sm(t, v) }
}
func header(name string, t model.MatchType, v string) matchOpt {
	return func(m *model.HTTPMatch) {
		m.Headers = append(m.Headers, model.KeyMatch{Name: name, Match: model.StringMatch{Type: t, Value: v}})
	}
}
func query(name string, t model.MatchType, v string) matchOpt {
	return func(m *model.HTTPMatch) {
		m.QueryParams = append(m.QueryParams, model.KeyMatch{Name: name, Match: model.StringMatch{Type: t, Value: v}})
	}
}
func onPort(p int32) matchOpt { return func(m *model.HTTPMatch) { m.Port = p } }
func withoutHeader(name string) matchOpt {
	return func(m *model.HTTPMatch) {
		m.WithoutHeaders = append(m.WithoutHeaders, model.KeyMatch{Name: name, Present: true})
	}
}
func sourceLabels(l map[string]string) matchOpt {
	return func(m *model.HTTPMatch) { m.SourceLabels = l }
}
func onGateways(g ...string) matchOpt { return func(m *model.HTTPMatch) { m.Gateways = g } }

// to adds a destination: Service ns/name (port 0 = unset), optionally a resolved subset.
func to(ns, name string, p int32, weight int32, subset ...string) ruleOpt {
	return func(r *model.HTTPRule) { r.Backends = append(r.Backends, backend(ns, name, p, weight, subset...)) }
}

func backend(ns, name string, p int32, weight int32, subset ...string) model.Backend {
	b := model.Backend{Host: name + "." + ns + ".svc.cluster.local", Weight: weight,
		Service: model.ServiceRef{Namespace: ns, Name: name, Port: p}}
	if len(subset) > 0 {
		b.Subset, b.SubsetLabels = subset[0], map[string]string{"version": subset[0]}
	}
	return b
}

func toExternal(h string) ruleOpt {
	return func(r *model.HTTPRule) { r.Backends = append(r.Backends, model.Backend{Host: h, Weight: 100}) }
}

func timeout(d time.Duration) ruleOpt { return func(r *model.HTTPRule) { r.Timeout = d } }
func retries(attempts int32, per time.Duration, on ...string) ruleOpt {
	return func(r *model.HTTPRule) { r.Retry = &model.Retry{Attempts: attempts, PerTryTimeout: per, RetryOn: on} }
}
func redirect(rd model.Redirect) ruleOpt { return func(r *model.HTTPRule) { r.Redirect = &rd } }
func rewrite(rw model.Rewrite) ruleOpt   { return func(r *model.HTTPRule) { r.Rewrite = &rw } }
func mirror(b model.Backend, pct *float64) ruleOpt {
	return func(r *model.HTTPRule) { r.Mirrors = append(r.Mirrors, model.Mirror{Backend: b, Percent: pct}) }
}
func cors(c model.CORS) ruleOpt           { return func(r *model.HTTPRule) { r.CORS = &c } }
func headers(h model.HeaderEdits) ruleOpt { return func(r *model.HTTPRule) { r.Headers = &h } }

func tcp(r model.L4Rule) vsOpt { return func(rs *model.RouteSet) { rs.TCP = append(rs.TCP, r) } }
func tls(r model.L4Rule) vsOpt { return func(rs *model.RouteSet) { rs.TLS = append(rs.TLS, r) } }

func gateway(ns, name string, servers ...model.GatewayServer) snapOpt {
	return func(s *model.Snapshot) {
		g := model.Gateway{Origin: origin("Gateway", ns, name), Namespace: ns, Name: name,
			Selector: map[string]string{"istio": "ingressgateway"}}
		for i, srv := range servers {
			srv.Field = fmt.Sprintf("spec.servers[%d]", i)
			g.Servers = append(g.Servers, srv)
		}
		s.Gateways = append(s.Gateways, g)
	}
}

// fillFields sets field paths the way the reader does.
func fillFields(rs *model.RouteSet) {
	for i := range rs.HTTP {
		r := &rs.HTTP[i]
		r.Field = fmt.Sprintf("spec.http[%d]", i)
		for j := range r.Matches {
			r.Matches[j].Field = fmt.Sprintf("%s.match[%d]", r.Field, j)
		}
		for j := range r.Backends {
			r.Backends[j].Field = fmt.Sprintf("%s.route[%d]", r.Field, j)
		}
		for j := range r.Mirrors {
			r.Mirrors[j].Field = fmt.Sprintf("%s.mirrors[%d]", r.Field, j)
			r.Mirrors[j].Backend.Field = r.Mirrors[j].Field
		}
		if r.Redirect != nil {
			r.Redirect.Field = r.Field + ".redirect"
		}
		if r.Rewrite != nil {
			r.Rewrite.Field = r.Field + ".rewrite"
		}
		if r.Retry != nil {
			r.Retry.Field = r.Field + ".retries"
		}
		if r.CORS != nil {
			r.CORS.Field = r.Field + ".corsPolicy"
		}
	}
	for _, l4 := range []struct {
		list []model.L4Rule
		name string
	}{{rs.TCP, "tcp"}, {rs.TLS, "tls"}} {
		for i := range l4.list {
			r := &l4.list[i]
			r.Field = fmt.Sprintf("spec.%s[%d]", l4.name, i)
			for j := range r.Matches {
				r.Matches[j].Field = fmt.Sprintf("%s.match[%d]", r.Field, j)
			}
			for j := range r.Backends {
				r.Backends[j].Field = fmt.Sprintf("%s.route[%d]", r.Field, j)
			}
		}
	}
}

// result is what one Write produced.
type result struct {
	t        *testing.T
	objs     []*unstructured.Unstructured
	findings model.Findings
}

// write runs the writer and checks every object it returns against the Gateway API CRDs of
// the channel (or, for Services, the API server's name and label rules), so that every test
// also proves its output valid. It also checks that a second run gives the same output.
func write(t *testing.T, snap *model.Snapshot, opts emit.Options) result {
	t.Helper()
	objs, fs := Write(snap, opts)
	again, _ := Write(snap, opts)
	if a, b := mustJSON(t, objs), mustJSON(t, again); a != b {
		t.Errorf("output differs between two runs")
	}
	for _, f := range fs {
		if f.Stage != Name {
			t.Errorf("finding %s has stage %q", f, f.Stage)
		}
	}
	validateAll(t, objs, opts.Channel == "experimental")
	return result{t, objs, fs}
}

func mustJSON(t *testing.T, objs []*unstructured.Unstructured) string {
	t.Helper()
	var all []any
	for _, o := range objs {
		all = append(all, o.Object)
	}
	b, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var (
	validators   [2]*crdvalidate.Validator
	validatorErr [2]error
	validatorMu  sync.Mutex
)

func validator(t *testing.T, experimental bool) *crdvalidate.Validator {
	t.Helper()
	i, dir := 0, "standard"
	if experimental {
		i, dir = 1, "experimental"
	}
	validatorMu.Lock()
	defer validatorMu.Unlock()
	if validators[i] == nil && validatorErr[i] == nil {
		mod, err := crdvalidate.ModuleDir("sigs.k8s.io/gateway-api")
		if err == nil {
			validators[i], err = crdvalidate.Load(filepath.Join(mod, "config", "crd", dir))
		}
		validatorErr[i] = err
	}
	if validatorErr[i] != nil {
		t.Skipf("gateway-api CRDs not available: %v", validatorErr[i])
	}
	return validators[i]
}

func validateAll(t *testing.T, objs []*unstructured.Unstructured, experimental bool) {
	t.Helper()
	for _, o := range objs {
		id := o.GetKind() + " " + o.GetNamespace() + "/" + o.GetName()
		if o.GetAnnotations()[emit.SourceAnnotation] == "" {
			t.Errorf("%s has no %s annotation", id, emit.SourceAnnotation)
		}
		if o.GetAPIVersion() == "v1" && o.GetKind() == "Service" {
			for _, e := range validation.IsDNS1035Label(o.GetName()) {
				t.Errorf("%s: name: %s", id, e)
			}
			continue
		}
		if errs := validator(t, experimental).Validate(o); len(errs) > 0 {
			t.Errorf("%s is not valid for the %s channel CRDs: %v", id, map[bool]string{true: "experimental", false: "standard"}[experimental], errs.ToAggregate())
		}
	}
}

func (r result) get(kind, ns, name string) *unstructured.Unstructured {
	r.t.Helper()
	for _, o := range r.objs {
		if o.GetKind() == kind && o.GetNamespace() == ns && o.GetName() == name {
			return o
		}
	}
	r.t.Errorf("no %s %s/%s among %s", kind, ns, name, r.names())
	return &unstructured.Unstructured{Object: map[string]any{}}
}

func (r result) names() string {
	var s []string
	for _, o := range r.objs {
		s = append(s, o.GetKind()+" "+o.GetNamespace()+"/"+o.GetName())
	}
	return "[" + strings.Join(s, ", ") + "]"
}

func (r result) count(kind string) int {
	n := 0
	for _, o := range r.objs {
		if o.GetKind() == kind {
			n++
		}
	}
	return n
}

// has reports whether a finding with code was made.
func (r result) has(code model.Code) bool {
	for _, f := range r.findings {
		if f.Code == code {
			return true
		}
	}
	return false
}

func (r result) want(codes ...model.Code) {
	r.t.Helper()
	for _, c := range codes {
		if !r.has(c) {
			r.t.Errorf("no %s finding among %v", c, r.findings)
		}
	}
}

func (r result) wantNot(codes ...model.Code) {
	r.t.Helper()
	for _, c := range codes {
		if r.has(c) {
			r.t.Errorf("unexpected %s finding among %v", c, r.findings)
		}
	}
}

// field reads a nested value of obj given a path like spec.rules.0.backendRefs.1.weight.
func field(t *testing.T, obj *unstructured.Unstructured, path string) any {
	t.Helper()
	var cur any = obj.Object
	for _, p := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[p]
			if !ok {
				return nil
			}
			cur = v
		case []any:
			var i int
			if _, err := fmt.Sscan(p, &i); err != nil || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

func length(t *testing.T, obj *unstructured.Unstructured, path string) int {
	t.Helper()
	switch v := field(t, obj, path).(type) {
	case []any:
		return len(v)
	case map[string]any:
		return len(v)
	}
	return 0
}
