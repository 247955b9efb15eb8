package istio

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	securityv1beta1 "istio.io/api/security/v1beta1"
	typev1beta1 "istio.io/api/type/v1beta1"
	securityv1 "istio.io/client-go/pkg/apis/security/v1"

	"github.com/meshbridge/meshbridge/model"
)

// DryRunAnnotation makes Istio evaluate and log a policy without enforcing it.
const DryRunAnnotation = "istio.io/dry-run"

// authzCheck collects what Istio's validation would reject in one policy.
type authzCheck struct {
	errs []fieldError
}

type fieldError struct{ field, msg string }

func (c *authzCheck) fail(field, format string, args ...any) {
	c.errs = append(c.errs, fieldError{field, fmt.Sprintf(format, args...)})
}

// readAuthorizationPolicy reads one AuthorizationPolicy. A policy Istio would reject is not
// dropped (that could turn a workload into default-allow, or lift a deny) but replaced by its
// fail-closed form, see failClosed.
func (r *reader) readAuthorizationPolicy(obj *securityv1.AuthorizationPolicy) {
	apiVersion := obj.APIVersion
	if apiVersion == "" {
		apiVersion = "security.istio.io/v1"
	}
	origin := r.inv.Origin(apiVersion, "AuthorizationPolicy", obj)
	spec := &obj.Spec
	c := &authzCheck{}
	p := model.AccessPolicy{
		Origin: origin, Namespace: obj.Namespace, Name: obj.Name,
		Action: actionOf(spec.Action),
	}
	if prov := spec.GetProvider(); prov != nil {
		p.Provider = prov.GetName()
	}
	p.DryRun = r.dryRun(origin, obj.Annotations, p.Action)
	target, targetOK := r.authzTarget(origin, obj.Namespace, spec, c)
	p.Target = target
	r.checkAction(spec, c)
	if len(spec.Rules) > 512 {
		c.fail("spec.rules", "%d rules; at most 512 are allowed", len(spec.Rules))
	}
	for i, rule := range spec.Rules {
		if rule == nil {
			c.fail(fmt.Sprintf("spec.rules[%d]", i), "rule must not be null")
			continue
		}
		p.Rules = append(p.Rules, r.authzRule(origin, fmt.Sprintf("spec.rules[%d]", i), p, rule, c))
	}
	if len(c.errs) > 0 {
		for _, e := range c.errs {
			r.report(model.CodeAuthzRefused, origin, e.field, "%s; %s", e.msg, failClosedText(p.Action))
		}
		var keep bool
		p, keep = failClosed(p, targetOK, r.opts.RootNamespace)
		if !keep {
			return
		}
	}
	if len(p.Target.Refs) == 0 && len(r.snap.Inventory.Workloads) > 0 && len(r.snap.Inventory.PolicyWorkloads(p.Target)) == 0 {
		r.report(model.CodeAuthzSelectsNone, origin, p.Target.Field, "no workload in the input matches the policy's target")
	}
	r.snap.Access = append(r.snap.Access, p)
}

func actionOf(a securityv1beta1.AuthorizationPolicy_Action) model.Action {
	switch a {
	case securityv1beta1.AuthorizationPolicy_DENY:
		return model.Deny
	case securityv1beta1.AuthorizationPolicy_AUDIT:
		return model.Audit
	case securityv1beta1.AuthorizationPolicy_CUSTOM:
		return model.Custom
	}
	return model.Allow
}

// failClosed replaces a policy Istio would reject by the narrowest policy with its action, so
// that refusing it never widens access:
//   - ALLOW allows nothing: the workloads stay deny-by-default and gain no access;
//   - DENY and CUSTOM deny every request: the deny (or the external check, which may deny)
//     cannot silently disappear;
//   - AUDIT is dropped: it never changes a decision.
//
// When the target itself is invalid, the fail-closed policy applies to the whole namespace (the
// whole mesh in the root namespace), the smallest scope that surely covers the intended one.
func failClosed(p model.AccessPolicy, targetOK bool, root string) (model.AccessPolicy, bool) {
	if !targetOK {
		p.Target = model.Target{Namespace: p.Namespace, MeshWide: p.Namespace == root, Field: "metadata.namespace"}
	}
	switch p.Action {
	case model.Audit:
		return p, false
	case model.Deny, model.Custom:
		p.Action, p.Provider = model.Deny, ""
		p.Rules = []model.AccessRule{{Field: "spec"}}
	default:
		p.Rules = nil
	}
	return p, true
}

func failClosedText(a model.Action) string {
	switch a {
	case model.Audit:
		return "the AUDIT policy was dropped"
	case model.Deny, model.Custom:
		return "the policy was replaced by one that denies every request to its workloads"
	}
	return "the policy was replaced by one that allows nothing to its workloads"
}

// dryRun reads istio.io/dry-run as Istio does (strconv.ParseBool); it applies to ALLOW and DENY.
func (r *reader) dryRun(origin model.Origin, ann map[string]string, a model.Action) bool {
	v, ok := ann[DryRunAnnotation]
	if !ok {
		return false
	}
	field := "metadata.annotations[" + DryRunAnnotation + "]"
	on, err := strconv.ParseBool(v)
	if err != nil {
		r.report(model.CodeAuthzDryRunIgnored, origin, field, "%q is not a boolean; the policy is enforced", v)
		return false
	}
	if on && (a == model.Custom || a == model.Audit) {
		r.report(model.CodeAuthzDryRunIgnored, origin, field, "dry-run is not supported for %s policies; the policy is enforced", a)
		return false
	}
	return on
}

func (r *reader) checkAction(spec *securityv1beta1.AuthorizationPolicy, c *authzCheck) {
	switch {
	case spec.Action == securityv1beta1.AuthorizationPolicy_CUSTOM && len(spec.Rules) == 0:
		c.fail("spec.rules", "CUSTOM action without rules is meaningless as it is never triggered; add an empty rule {} to trigger it for every request")
	case spec.Action == securityv1beta1.AuthorizationPolicy_CUSTOM && spec.GetProvider().GetName() == "":
		c.fail("spec.provider.name", "provider.name must not be empty with the CUSTOM action")
	case spec.Action == securityv1beta1.AuthorizationPolicy_DENY && len(spec.Rules) == 0:
		c.fail("spec.rules", "DENY action without rules is meaningless as it is never triggered; add an empty rule {} to deny every request")
	}
	if spec.GetProvider() != nil && spec.Action != securityv1beta1.AuthorizationPolicy_CUSTOM {
		c.fail("spec.provider", "provider must not be set with the %s action", spec.Action)
	}
}

// authzTarget reads selector, targetRef and targetRefs. It returns false when the target is
// invalid, so that the fail-closed policy covers the whole namespace.
func (r *reader) authzTarget(origin model.Origin, ns string, spec *securityv1beta1.AuthorizationPolicy, c *authzCheck) (model.Target, bool) {
	t := model.Target{Namespace: ns, MeshWide: ns == r.opts.RootNamespace}
	errs := len(c.errs)
	set := 0
	if spec.Selector != nil {
		set++
		t.Field = "spec.selector"
		t.Selector = r.selector(origin, "spec.selector", spec.Selector, c)
	}
	refs := spec.TargetRefs
	field := "spec.targetRefs"
	if spec.TargetRef != nil {
		set++
		refs, field = append([]*typev1beta1.PolicyTargetReference{spec.TargetRef}, refs...), "spec.targetRef"
	}
	if len(spec.TargetRefs) > 0 {
		set++
		field = "spec.targetRefs"
	}
	if set > 1 {
		c.fail("spec", "only one of selector, targetRef and targetRefs may be set")
	}
	if len(spec.TargetRefs) > 16 {
		c.fail("spec.targetRefs", "%d targetRefs; at most 16 are allowed", len(spec.TargetRefs))
	}
	for i, ref := range refs {
		f := field
		if field == "spec.targetRefs" {
			f = fmt.Sprintf("spec.targetRefs[%d]", i-btoi(spec.TargetRef != nil))
		}
		if mref, ok := targetRef(ref, ns, f, c); ok {
			t.Refs = append(t.Refs, mref)
		}
	}
	if len(refs) > 0 {
		t.Field = field
		r.report(model.CodeAuthzTargetRefs, origin, field, "the policy applies to %s only through gateways or waypoints", refList(t.Refs))
	}
	return t, len(c.errs) == errs
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func refList(refs []model.ObjectRef) string {
	var s []string
	for _, r := range refs {
		s = append(s, r.String())
	}
	return strings.Join(s, ", ")
}

// allowedTargetRefs are the group/kind pairs Istio accepts in targetRefs ("" and "core" are the
// core group).
var allowedTargetRefs = map[string]bool{
	"core/Service":                           true,
	"networking.istio.io/ServiceEntry":       true,
	"gateway.networking.k8s.io/Gateway":      true,
	"gateway.networking.k8s.io/GatewayClass": true,
}

// targetRef reads one policy target reference. The model keeps the group in APIVersion.
func targetRef(ref *typev1beta1.PolicyTargetReference, ns, field string, c *authzCheck) (model.ObjectRef, bool) {
	if ref == nil {
		c.fail(field, "target reference must not be null")
		return model.ObjectRef{}, false
	}
	ok := true
	if ref.Name == "" {
		c.fail(field+".name", "name must be set")
		ok = false
	}
	if ref.Namespace != "" {
		c.fail(field+".namespace", "namespace must not be set; cross-namespace references are not supported")
		ok = false
	}
	group := ref.Group
	if group == "" {
		group = "core"
	}
	if !allowedTargetRefs[group+"/"+ref.Kind] {
		c.fail(field, "a target must be a Service, ServiceEntry, Gateway or GatewayClass, not %s/%s", ref.Group, ref.Kind)
		ok = false
	}
	return model.ObjectRef{APIVersion: ref.Group, Kind: ref.Kind, Namespace: ns, Name: ref.Name}, ok
}

// selector reads a workload selector as Istio validates it: no empty keys, no wildcards; an
// empty selector selects everything (Istio only warns).
func (r *reader) selector(origin model.Origin, field string, s *typev1beta1.WorkloadSelector, c *authzCheck) map[string]string {
	if len(s.MatchLabels) == 0 {
		r.report(model.CodeAuthzSelectorWithoutLabels, origin, field, "the selector has no labels and selects every workload in scope")
		return nil
	}
	for _, k := range sortedKeys(s.MatchLabels) {
		v := s.MatchLabels[k]
		if k == "" {
			c.fail(field+".matchLabels", "empty label key")
		}
		if strings.Contains(k, "*") || strings.Contains(v, "*") {
			c.fail(field+".matchLabels["+k+"]", "wildcards are not supported in selectors: %s=%s", k, v)
		}
	}
	out := make(map[string]string, len(s.MatchLabels))
	for k, v := range s.MatchLabels {
		out[k] = v
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
