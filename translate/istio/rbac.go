package istio

import (
	"fmt"
	"maps"
	"slices"

	rbacv1alpha1 "github.com/meshbridge/meshbridge/apis/rbac/v1alpha1"
	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// roleInfo is a valid ServiceRole with its rules translated (nil entries were refused).
type roleInfo struct {
	origin model.Origin
	obj    *rbacv1alpha1.ServiceRole
	perms  []*rolePerm
	used   bool // some rule names a Service with RBAC on
}

// bindingInfo is a valid ServiceRoleBinding that Pilot enforced through roleRef.
type bindingInfo struct {
	origin   model.Origin
	obj      *rbacv1alpha1.ServiceRoleBinding
	role     *roleInfo
	subjects []rbacSubject
}

// rbacReader holds one readRBAC pass.
type rbacReader struct {
	*reader
	cfg        *rbacConfig
	services   *rbacServices
	bindings   map[string][]*bindingInfo // by namespace
	suppressed map[string]bool           // workloads some v1beta1 policy selects
	ports      *portScope
}

// readRBAC reads the rbac.istio.io/v1alpha1 kinds into the model, with Istio 1.4/1.5's
// semantics written as v1beta1 policies, as Istio's own converter did, but exactly:
//
//   - RBAC is on per Service (IsRBACEnabled); a Service with RBAC on is deny-by-default, so
//     its workloads get an allow-nothing policy, and each binding gets an ALLOW policy with one
//     rule per role rule and subject;
//   - a Service's selector becomes the policy's selector; when only some of its workloads are
//     meant (destination.labels, destination.user, or workloads a v1beta1 policy covers, which
//     switched v1alpha1 off for them) the selector is narrowed to exactly those, or the rule is
//     left out with a finding;
//   - when several Services select a workload, each Service's rules are limited to its own
//     ports, as Istio's per-port listeners limited them;
//   - PERMISSIVE bindings and enforcement_mode become dry-run policies.
//
// What cannot be written exactly is left out (narrower) or reported; nothing widens access.
func (r *reader) readRBAC() {
	inv := r.inv
	if len(inv.ServiceRoles)+len(inv.ServiceRoleBindings)+len(inv.ClusterRbacConfigs)+len(inv.RbacConfigs) == 0 {
		return
	}
	rr := &rbacReader{reader: r, cfg: r.rbacConfig(), bindings: map[string][]*bindingInfo{}, ports: newPortScope(r)}
	rr.services = newRbacServices(r.snap.Inventory.Services, r.opts.ClusterDomain, rr.cfg)
	roles := rr.readRoles()
	rr.readBindings(roles)
	mode := rbacv1alpha1.ModeOff
	if rr.cfg != nil {
		mode = rr.cfg.spec.Mode.OrDefault()
	}
	if mode == rbacv1alpha1.ModeOff {
		for _, ro := range roles {
			r.report(model.CodeRbacOff, ro.origin, "spec", "no ClusterRbacConfig turns RBAC on; Istio enforced nothing of this role")
		}
		return
	}
	if rr.cfg.permissive() {
		r.report(model.CodeRbacPermissive, rr.cfg.origin, "spec.enforcementMode", "every v1alpha1 policy is written as dry-run")
	}
	// Only v1beta1 policies are in snap.Access yet: the workloads they select are out of
	// v1alpha1's reach.
	rr.suppressed = map[string]bool{}
	for _, p := range r.snap.Access {
		for _, w := range r.snap.Inventory.PolicyWorkloads(p.Target) {
			rr.suppressed[workloadKey(w)] = true
		}
	}
	for _, s := range rr.services.all {
		if s.on {
			rr.service(s.Service)
		}
	}
	for _, s := range rr.services.all {
		if !s.on {
			rr.openPorts(s.Service)
		}
	}
	for _, ro := range roles {
		for _, s := range rr.services.in(ro.obj.Namespace) {
			for _, p := range ro.perms {
				if p != nil && s.on && p.appliesToService(s.fqdn, s.Service) {
					ro.used = true
				}
			}
		}
		if !ro.used {
			r.report(model.CodeRbacOff, ro.origin, "spec",
				"RBAC is not on for any Service this role names; Istio enforced nothing of it")
		}
	}
}

func (rr *rbacReader) readRoles() map[string]*roleInfo {
	roles := map[string]*roleInfo{}
	for _, o := range rr.inv.ServiceRoles {
		origin := rr.inv.Origin(rbacv1alpha1.GroupVersion.String(), rbacv1alpha1.KindServiceRole, o)
		if !rr.checkServiceRole(origin, &o.Spec) {
			continue
		}
		ro := &roleInfo{origin: origin, obj: o}
		for i, rule := range o.Spec.Rules {
			field := fmt.Sprintf("spec.rules[%d]", i)
			var pp *rolePerm
			if p, ok := rr.readRolePerm(origin, o.Name, field, rule); ok {
				pp = &p
				rr.checkServices(origin, o.Namespace, field, rule.Services)
			}
			ro.perms = append(ro.perms, pp)
		}
		roles[o.Namespace+"/"+o.Name] = ro
	}
	return roles
}

// checkServices reports services entries that match no Service of the role's namespace, and
// names the first Service elsewhere that an entry matches.
func (rr *rbacReader) checkServices(origin model.Origin, ns, field string, services []string) {
	for _, e := range services {
		if rr.services.matchesIn(e, ns) {
			continue
		}
		// Nothing in ns matches, so the first match of all is in another namespace.
		if s, ok := rr.services.firstMatch(e); ok {
			rr.report(model.CodeRbacRoleOtherNamespace, origin, field+".services",
				"%q matches Service %s, but a role only governs Services of its own namespace", e, s.Namespace+"/"+s.Name)
		} else {
			rr.report(model.CodeRbacRoleMatchesNoService, origin, field+".services",
				"%q matches no Service FQDN in namespace %s", e, ns)
		}
	}
}

func (rr *rbacReader) readBindings(roles map[string]*roleInfo) {
	for _, o := range rr.inv.ServiceRoleBindings {
		origin := rr.inv.Origin(rbacv1alpha1.GroupVersion.String(), rbacv1alpha1.KindServiceRoleBinding, o)
		if !rr.checkBinding(origin, &o.Spec) {
			continue
		}
		if o.Spec.RoleRef == nil {
			rr.report(model.CodeRbacBindingNotEnforced, origin, "spec", "Pilot 1.4 and 1.5 ignored role and actions; only roleRef was enforced")
			continue
		}
		role := roles[o.Namespace+"/"+o.Spec.RoleRef.Name]
		if role == nil {
			rr.report(model.CodeRbacBindingNotEnforced, origin, "spec.roleRef.name",
				"no valid ServiceRole %q in namespace %s", o.Spec.RoleRef.Name, o.Namespace)
			continue
		}
		b := &bindingInfo{origin: origin, obj: o, role: role}
		for i, s := range o.Spec.Subjects {
			if sub, ok := rr.readSubject(origin, fmt.Sprintf("spec.subjects[%d]", i), s); ok {
				b.subjects = append(b.subjects, sub)
			}
		}
		if o.Spec.Mode.OrDefault() == rbacv1alpha1.Permissive {
			rr.report(model.CodeRbacPermissive, origin, "spec.mode", "the binding is written as dry-run")
		}
		rr.bindings[o.Namespace] = append(rr.bindings[o.Namespace], b)
	}
}

// service writes the policies of one Service with RBAC on.
func (rr *rbacReader) service(s model.Service) {
	if len(s.Selector) == 0 {
		rr.report(model.CodeRbacServiceWithoutSelector, s.Origin, "spec.selector",
			"RBAC is on for this Service but it has no selector; its workloads cannot be targeted and were left unprotected")
		return
	}
	all := rr.snap.Inventory.ServiceWorkloads(s)
	var active, off []model.Workload
	for _, w := range all {
		if rr.suppressed[workloadKey(w)] {
			off = append(off, w)
		} else {
			active = append(active, w)
		}
	}
	if len(off) > 0 {
		rr.report(model.CodeRbacSuppressed, s.Origin, "spec.selector",
			"AuthorizationPolicies select %s, so v1alpha1 policies do not apply to them", workloadNames(off))
		if len(active) == 0 {
			return
		}
	}
	shared := false
	for _, w := range active {
		if len(rr.snap.Inventory.WorkloadServices(w)) > 1 {
			shared = true
			rr.ports.reportShared(s, w)
		}
	}
	key := noKey
	if shared {
		key = func(w model.Workload) string { return portKey(rr.ports.ports(s, w)) }
	}
	// Deny by default: an allow-nothing policy. Where no selector isolates the workloads, it
	// still applies (to more workloads than Istio did, which only narrows access).
	targets, unreachable := rr.rbacTargets(s.Namespace, s.Selector, active, shared, key)
	if len(unreachable) > 0 {
		rr.report(model.CodeRbacWorkloadsNotSeparable, s.Origin, "spec.selector",
			"no selector picks %s without other workloads; their deny-by-default policy applies to those too", workloadNames(unreachable))
	}
	for _, w := range unreachable {
		targets = append(targets, rbacTarget{selector: w.Labels, workloads: []model.Workload{w}})
	}
	for i, t := range targets {
		rr.add(model.AccessPolicy{
			Origin: rr.cfg.origin, Namespace: s.Namespace, Name: rr.policyName("rbac-deny-by-default", s.Name, i, len(targets)),
			Action: model.Allow, Target: rr.target(s.Namespace, t.selector, "spec.mode"), DryRun: rr.cfg.permissive(),
		})
	}
	for _, b := range rr.bindings[s.Namespace] {
		rr.binding(s, b, active, shared, key)
	}
}

// binding writes one binding's ALLOW policies for Service s: the role rules that apply to s,
// each placed on exactly the workloads whose labels and service account it matched.
func (rr *rbacReader) binding(s model.Service, b *bindingInfo, active []model.Workload, shared bool, key func(model.Workload) string) {
	fqdn := s.FQDN(rr.opts.ClusterDomain)
	type placed struct {
		target rbacTarget
		rules  []model.AccessRule
	}
	bySelector := map[string]*placed{}
	for _, p := range b.role.perms {
		if p == nil || !p.appliesToService(fqdn, s) {
			continue
		}
		rules := crossRules(*p, b.subjects)
		if len(rules) == 0 {
			continue
		}
		for _, sel := range labelSelectors(s.Selector, p.labels) {
			var desired []model.Workload
			for _, w := range active {
				if model.Selects(sel, w.Labels) && p.appliesToWorkload(w) {
					desired = append(desired, w)
				}
			}
			if len(desired) == 0 && len(active) > 0 {
				continue
			}
			targets, unreachable := rr.rbacTargets(s.Namespace, sel, desired, shared, key)
			if len(unreachable) > 0 {
				rr.report(model.CodeRbacWorkloadsNotSeparable, b.origin, p.field,
					"no selector picks %s without other workloads; the rule was left out for them", workloadNames(unreachable))
			}
			for _, t := range targets {
				var ports []string
				if shared && len(t.workloads) > 0 {
					ports = portList(rr.ports.ports(s, t.workloads[0]))
					if ports == nil {
						ports = []string{}
					}
				}
				k := labelKey(t.selector)
				pl := bySelector[k]
				if pl == nil {
					pl = &placed{target: t}
					bySelector[k] = pl
				}
				for _, rule := range rules {
					if lr, ok := limitToPorts(rule, ports); ok {
						pl.rules = append(pl.rules, lr)
					}
				}
			}
		}
	}
	keys := slices.Sorted(maps.Keys(bySelector))
	for i, k := range keys {
		pl := bySelector[k]
		if len(pl.rules) == 0 {
			continue
		}
		rr.add(model.AccessPolicy{
			Origin: b.origin, Namespace: s.Namespace, Name: rr.policyName(b.obj.Name, s.Name, i, len(keys)),
			Action: model.Allow, Target: rr.target(s.Namespace, pl.target.selector, "spec.roleRef"),
			Rules:  pl.rules,
			DryRun: rr.cfg.permissive() || b.obj.Spec.Mode.OrDefault() == rbacv1alpha1.Permissive,
		})
	}
}

// openPorts keeps a Service without RBAC open on workloads that another Service's RBAC made
// deny-by-default: Istio 1.4 filtered each Service's port on its own.
func (rr *rbacReader) openPorts(s model.Service) {
	if len(s.Selector) == 0 {
		return
	}
	var desired []model.Workload
	for _, w := range rr.snap.Inventory.ServiceWorkloads(s) {
		if rr.suppressed[workloadKey(w)] || len(rr.ports.ports(s, w)) == 0 {
			continue
		}
		for _, other := range rr.snap.Inventory.WorkloadServices(w) {
			if rr.cfg.enabled(other.FQDN(rr.opts.ClusterDomain), other.Namespace) && len(other.Selector) > 0 {
				desired = append(desired, w)
				break
			}
		}
	}
	if len(desired) == 0 {
		return
	}
	key := func(w model.Workload) string { return portKey(rr.ports.ports(s, w)) }
	targets, unreachable := rr.rbacTargets(s.Namespace, s.Selector, desired, true, key)
	if len(unreachable) > 0 {
		rr.report(model.CodeRbacWorkloadsNotSeparable, s.Origin, "spec.selector",
			"no selector picks %s without other workloads; its ports stay deny-by-default", workloadNames(unreachable))
	}
	for i, t := range targets {
		rule := model.AccessRule{Field: "spec.mode", To: []model.Operation{{Field: "spec.mode", Ports: portList(rr.ports.ports(s, t.workloads[0]))}}}
		rr.add(model.AccessPolicy{
			Origin: rr.cfg.origin, Namespace: s.Namespace, Name: rr.policyName("rbac-off", s.Name, i, len(targets)),
			Action: model.Allow, Target: rr.target(s.Namespace, t.selector, "spec.mode"),
			Rules: []model.AccessRule{rule}, DryRun: rr.cfg.permissive(),
		})
	}
}

func (rr *rbacReader) target(ns string, sel map[string]string, field string) model.Target {
	return model.Target{Namespace: ns, MeshWide: ns == rr.opts.RootNamespace, Selector: maps.Clone(sel), Field: field}
}

func (rr *rbacReader) policyName(base, svc string, i, n int) string {
	if n > 1 {
		return emit.Name(base, svc, fmt.Sprint(i+1))
	}
	return emit.Name(base, svc)
}

func (rr *rbacReader) add(p model.AccessPolicy) {
	rr.snap.Access = append(rr.snap.Access, p)
}

// labelSelectors returns base merged with each combination of exact destination.labels
// values, so that a rule follows future pods too; wildcard values (and label keys whose value
// contradicts base) fall back to base, and the workload filter decides.
func labelSelectors(base map[string]string, labels map[string][]string) []map[string]string {
	out := []map[string]string{maps.Clone(base)}
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		vals := labels[k]
		if slices.ContainsFunc(vals, func(v string) bool { return v == "" || v[0] == '*' || v[len(v)-1] == '*' }) {
			continue
		}
		var next []map[string]string
		for _, sel := range out {
			for _, v := range vals {
				if bv, ok := sel[k]; ok && bv != v {
					continue
				}
				m := maps.Clone(sel)
				if m == nil {
					m = map[string]string{}
				}
				m[k] = v
				next = append(next, m)
			}
		}
		out = next
	}
	return out
}

func labelKey(m map[string]string) string {
	s := ""
	for _, k := range slices.Sorted(maps.Keys(m)) {
		s += k + "=" + m[k] + ","
	}
	return s
}

// crossRules combines a role rule with a binding's subjects into v1beta1 rules: subjects
// without conditions share one rule (any of them), the others get one rule each.
func crossRules(p rolePerm, subjects []rbacSubject) []model.AccessRule {
	var to []model.Operation
	if p.op != nil {
		to = []model.Operation{*p.op}
	}
	var plain []model.Source
	anyone := false
	var out []model.AccessRule
	for _, s := range subjects {
		if len(s.when) == 0 {
			if s.any() {
				anyone = true
			} else {
				plain = append(plain, s.source)
			}
			continue
		}
		rule := model.AccessRule{Field: s.field, To: to, When: slices.Concat(p.when, s.when)}
		if !s.anyCaller() {
			rule.From = []model.Source{s.source}
		}
		out = append(out, rule)
	}
	if anyone || len(plain) > 0 {
		rule := model.AccessRule{Field: "spec.subjects", To: to, When: slices.Clone(p.when)}
		if !anyone {
			rule.From = plain
		}
		out = append([]model.AccessRule{rule}, out...)
	}
	return out
}
