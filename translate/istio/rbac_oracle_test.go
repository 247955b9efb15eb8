package istio

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"

	rbacv1alpha1 "github.com/meshbridge/meshbridge/apis/rbac/v1alpha1"
	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/model"
)

// rbacOracle decides requests the way Istio 1.4 enforced rbac.istio.io/v1alpha1, straight from
// the v1alpha1 objects, independently of the reader: it finds the Service whose port the
// request reached, checks IsRBACEnabled, then looks for a role rule and a binding subject that
// both match. It covers the fields the tests use and fails the test on any other.
type rbacOracle struct {
	t    *testing.T
	inv  *inventory.Inventory
	snap *model.Snapshot // for the Services and workloads only
}

// decide returns the decision, and false when the v1alpha1 objects do not tell it: a port
// served by several Services (Istio picked one), or a port no Service serves (Istio 1.4 passed
// such traffic through without an RBAC filter; the translation denies it, which is narrower).
func (o rbacOracle) decide(req model.Request) (allow, known bool) {
	var svc *model.Service
	for i, s := range o.snap.Inventory.Services {
		if s.Namespace != req.Namespace || len(s.Selector) == 0 || !model.Selects(s.Selector, req.Labels) {
			continue
		}
		for _, sp := range s.Ports {
			if tp := sp.TargetPort; tp == req.Port || (tp == 0 && sp.Port == req.Port) {
				if svc != nil {
					return false, false
				}
				svc = &o.snap.Inventory.Services[i]
			}
		}
	}
	if svc == nil {
		for _, s := range o.snap.Inventory.Services {
			if s.Namespace == req.Namespace && len(s.Selector) > 0 && model.Selects(s.Selector, req.Labels) {
				return false, false // a port of a Service's workload that the Service does not serve
			}
		}
		return true, true // behind no Service: no inbound listener, no RBAC filter
	}
	cfg := o.config()
	fqdn := svc.FQDN("cluster.local")
	if cfg == nil || !o.enabled(cfg, fqdn, svc.Namespace) || cfg.EnforcementMode == rbacv1alpha1.Permissive {
		return true, true
	}
	var sa string
	for _, w := range o.snap.Inventory.Workloads {
		if w.Namespace == req.Namespace && model.Selects(w.Labels, req.Labels) && model.Selects(req.Labels, w.Labels) {
			sa = w.ServiceAccount
		}
	}
	for _, role := range o.inv.ServiceRoles {
		if role.Namespace != svc.Namespace {
			continue
		}
		for _, b := range o.inv.ServiceRoleBindings {
			if b.Namespace != role.Namespace || b.Spec.RoleRef == nil || b.Spec.RoleRef.Name != role.Name ||
				b.Spec.Mode == rbacv1alpha1.Permissive {
				continue
			}
			for _, rule := range role.Spec.Rules {
				if !o.ruleApplies(rule, fqdn, *svc, req.Labels, sa) || !o.permission(rule, req) {
					continue
				}
				for _, s := range b.Spec.Subjects {
					if o.subject(s, req) {
						return true, true
					}
				}
			}
		}
	}
	return false, true
}

func (o rbacOracle) config() *rbacv1alpha1.RbacConfigSpec {
	for _, c := range o.inv.ClusterRbacConfigs {
		if c.Name == "default" {
			return &c.Spec
		}
	}
	return nil
}

func (o rbacOracle) enabled(c *rbacv1alpha1.RbacConfigSpec, fqdn, ns string) bool {
	in := func(t *rbacv1alpha1.RbacConfigTarget) bool {
		if t == nil {
			return false
		}
		for _, s := range t.Services {
			if s == fqdn {
				return true
			}
		}
		for _, n := range t.Namespaces {
			if n == ns {
				return true
			}
		}
		return false
	}
	switch c.Mode {
	case rbacv1alpha1.ModeOn:
		return true
	case rbacv1alpha1.ModeOnWithInclusion:
		return in(c.Inclusion)
	case rbacv1alpha1.ModeOnWithExclusion:
		return !in(c.Exclusion)
	}
	return false
}

// glob is Istio 1.4's value match: exact, "*", prefix*, *suffix.
func glob(p, v string) bool {
	switch {
	case p == "*":
		return true
	case strings.HasSuffix(p, "*"):
		return strings.HasPrefix(v, p[:len(p)-1])
	case strings.HasPrefix(p, "*"):
		return strings.HasSuffix(v, p[1:])
	}
	return p == v
}

func anyGlob(ps []string, v string) bool {
	for _, p := range ps {
		if glob(p, v) {
			return true
		}
	}
	return false
}

func (o rbacOracle) ruleApplies(r rbacv1alpha1.AccessRule, fqdn string, s model.Service, podLabels map[string]string, sa string) bool {
	if !anyGlob(r.Services, fqdn) {
		return false
	}
	for _, c := range r.Constraints {
		switch {
		case strings.HasPrefix(c.Key, "destination.labels["):
			v, ok := podLabels[strings.TrimSuffix(strings.TrimPrefix(c.Key, "destination.labels["), "]")]
			if !ok || !anyGlob(c.Values, v) {
				return false
			}
		case c.Key == "destination.user" && !anyGlob(c.Values, sa):
			return false
		case c.Key == "destination.name" && !anyGlob(c.Values, s.Name):
			return false
		case c.Key == "destination.namespace" && !anyGlob(c.Values, s.Namespace):
			return false
		}
	}
	return true
}

func (o rbacOracle) permission(r rbacv1alpha1.AccessRule, req model.Request) bool {
	http := len(r.Paths)+len(r.Methods)+len(r.NotPaths)+len(r.NotMethods)+len(r.Hosts)+len(r.NotHosts) > 0
	for _, c := range r.Constraints {
		if strings.HasPrefix(c.Key, "request.headers") {
			http = true
		}
	}
	if req.TCP && http {
		return false
	}
	path, _, _ := strings.Cut(req.Path, "?")
	if (len(r.Methods) > 0 && !anyGlob(r.Methods, req.Method)) || (len(r.NotMethods) > 0 && anyGlob(r.NotMethods, req.Method)) ||
		(len(r.Paths) > 0 && !anyGlob(r.Paths, path)) || (len(r.NotPaths) > 0 && anyGlob(r.NotPaths, path)) ||
		(len(r.Hosts) > 0 && !anyGlob(r.Hosts, req.Host)) || (len(r.NotHosts) > 0 && anyGlob(r.NotHosts, req.Host)) {
		return false
	}
	port := strconv.Itoa(int(req.Port))
	ports := func(ps []int32) []string {
		var out []string
		for _, p := range ps {
			out = append(out, strconv.Itoa(int(p)))
		}
		return out
	}
	if (len(r.Ports) > 0 && !anyGlob(ports(r.Ports), port)) || (len(r.NotPorts) > 0 && anyGlob(ports(r.NotPorts), port)) {
		return false
	}
	for _, c := range r.Constraints {
		switch {
		case c.Key == "destination.port":
			if !anyGlob(c.Values, port) {
				return false
			}
		case strings.HasPrefix(c.Key, "request.headers["):
			name := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(c.Key, "request.headers["), "]"))
			v, ok := req.Headers[name]
			if !ok || !anyGlob(c.Values, v) {
				return false
			}
		case strings.HasPrefix(c.Key, "destination."):
		default:
			o.t.Fatalf("the oracle does not know constraint %s", c.Key)
		}
	}
	return true
}

func (o rbacOracle) principal(p, peer string) bool {
	switch p {
	case "*", "allUsers":
		return true
	case "allAuthenticatedUsers":
		return peer != ""
	}
	return peer != "" && glob(p, peer)
}

func (o rbacOracle) subject(s rbacv1alpha1.Subject, req model.Request) bool {
	ns := ""
	if parts := strings.Split(req.Principal, "/"); len(parts) >= 3 && parts[1] == "ns" {
		ns = parts[2]
	}
	inNS := func(p string) bool { return req.Principal != "" && glob(p, ns) }
	ipIn := func(block string) bool {
		a, err := netip.ParseAddr(req.SourceIP)
		if err != nil {
			return false
		}
		if pr, err := netip.ParsePrefix(block); err == nil {
			return pr.Contains(a)
		}
		return block == req.SourceIP
	}
	if s.User != "" && !o.principal(s.User, req.Principal) {
		return false
	}
	if len(s.Names) > 0 && !anyOf(s.Names, func(n string) bool { return o.principal(n, req.Principal) }) {
		return false
	}
	if len(s.NotNames) > 0 && anyOf(s.NotNames, func(n string) bool { return o.principal(n, req.Principal) }) {
		return false
	}
	if len(s.Namespaces) > 0 && !anyOf(s.Namespaces, inNS) || len(s.NotNamespaces) > 0 && anyOf(s.NotNamespaces, inNS) {
		return false
	}
	if len(s.Ips) > 0 && !anyOf(s.Ips, ipIn) || len(s.NotIps) > 0 && anyOf(s.NotIps, ipIn) {
		return false
	}
	if s.Group != "" || len(s.Groups)+len(s.NotGroups) > 0 {
		o.t.Fatal("the oracle does not know groups")
	}
	for k, v := range s.Properties {
		switch k {
		case "source.principal":
			if !o.principal(v, req.Principal) {
				return false
			}
		case "source.namespace":
			if !inNS(v) {
				return false
			}
		case "source.ip":
			if !ipIn(v) {
				return false
			}
		default:
			o.t.Fatalf("the oracle does not know property %s", k)
		}
	}
	return true
}

func anyOf(list []string, f func(string) bool) bool {
	for _, v := range list {
		if f(v) {
			return true
		}
	}
	return false
}
