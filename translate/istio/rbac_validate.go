package istio

import (
	"fmt"
	"slices"

	rbacv1alpha1 "github.com/meshbridge/meshbridge/apis/rbac/v1alpha1"
	"github.com/meshbridge/meshbridge/model"
)

// checkServiceRole applies Istio 1.4's validation of a ServiceRole and reports what it rejects.
func (r *reader) checkServiceRole(origin model.Origin, spec *rbacv1alpha1.ServiceRoleSpec) bool {
	c := &authzCheck{}
	if len(spec.Rules) == 0 {
		c.fail("spec.rules", "at least one rule must be specified")
	}
	for i, rule := range spec.Rules {
		f := fmt.Sprintf("spec.rules[%d]", i)
		if len(rule.Services) == 0 {
			c.fail(f+".services", "at least one service must be specified")
		}
		if len(rule.Methods) > 0 && len(rule.NotMethods) > 0 {
			c.fail(f, "methods and not_methods cannot both be set")
		}
		if len(rule.Ports) > 0 && len(rule.NotPorts) > 0 {
			c.fail(f, "ports and not_ports cannot both be set")
		}
		for _, p := range slices.Concat(rule.Ports, rule.NotPorts) {
			if p < 0 || p > 65535 {
				c.fail(f+".ports", "port %d is not in the range [0, 65535]", p)
			}
		}
		for j, con := range rule.Constraints {
			cf := fmt.Sprintf("%s.constraints[%d]", f, j)
			if con.Key == "" {
				c.fail(cf+".key", "the key must not be empty")
			}
			if len(con.Values) == 0 {
				c.fail(cf+".values", "at least one value must be specified")
			}
			if con.Key == "destination.port" && len(rule.Ports)+len(rule.NotPorts) > 0 {
				c.fail(cf, "destination.port cannot be used with ports or not_ports")
			}
		}
	}
	for _, e := range c.errs {
		r.report(model.CodeServiceRoleRefused, origin, e.field, "%s; bindings to this role grant nothing", e.msg)
	}
	return len(c.errs) == 0
}

// checkBinding applies Istio 1.4's validation of a ServiceRoleBinding.
func (r *reader) checkBinding(origin model.Origin, spec *rbacv1alpha1.ServiceRoleBindingSpec) bool {
	c := &authzCheck{}
	if len(spec.Subjects) == 0 {
		c.fail("spec.subjects", "at least one subject must be specified")
	}
	for i, s := range spec.Subjects {
		f := fmt.Sprintf("spec.subjects[%d]", i)
		if subjectEmpty(s) {
			c.fail(f, "empty subjects are not allowed")
		}
		for _, k := range sortedKeys(s.Properties) {
			if conflict := propertyConflict(k, s); conflict != "" {
				c.fail(f+".properties["+k+"]", "cannot be set together with %s", conflict)
			}
		}
		if slices.Contains(s.Names, "*") || slices.Contains(s.NotNames, "*") {
			c.fail(f, "\"*\" is not allowed in names or not_names; use allUsers or allAuthenticatedUsers")
		}
	}
	set := 0
	if spec.RoleRef != nil {
		set++
	}
	if len(spec.Actions) > 0 {
		set++
	}
	if spec.Role != "" {
		set++
	}
	if set != 1 {
		c.fail("spec", "exactly one of roleRef, role and actions must be set")
	}
	if ref := spec.RoleRef; ref != nil {
		if ref.Kind != rbacv1alpha1.KindServiceRole {
			c.fail("spec.roleRef.kind", "kind must be ServiceRole, not %q", ref.Kind)
		}
		if ref.Name == "" {
			c.fail("spec.roleRef.name", "name must not be empty")
		}
	}
	for _, e := range c.errs {
		r.report(model.CodeRoleBindingRefused, origin, e.field, "%s; the binding grants nothing", e.msg)
	}
	return len(c.errs) == 0
}

func subjectEmpty(s rbacv1alpha1.Subject) bool {
	return s.User == "" && s.Group == "" && len(s.Properties) == 0 &&
		len(s.Names)+len(s.NotNames)+len(s.Groups)+len(s.NotGroups)+len(s.Namespaces)+
			len(s.NotNamespaces)+len(s.Ips)+len(s.NotIps) == 0
}

// propertyConflict names the first-class subject field a property repeats, if it is set.
func propertyConflict(key string, s rbacv1alpha1.Subject) string {
	switch {
	case key == "source.principal" && len(s.Names) > 0:
		return "names"
	case key == "request.auth.claims[groups]" && len(s.Groups) > 0:
		return "groups"
	case key == "source.namespace" && len(s.Namespaces) > 0:
		return "namespaces"
	case key == "source.ip" && len(s.Ips) > 0:
		return "ips"
	}
	return ""
}
