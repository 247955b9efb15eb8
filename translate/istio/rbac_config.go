package istio

import (
	"slices"
	"strings"

	rbacv1alpha1 "github.com/meshbridge/meshbridge/apis/rbac/v1alpha1"
	"github.com/meshbridge/meshbridge/model"
)

// rbacConfig is the ClusterRbacConfig (or RbacConfig) Pilot 1.4 would have used.
type rbacConfig struct {
	origin model.Origin
	spec   rbacv1alpha1.RbacConfigSpec
	// The entries of the target the mode uses (inclusion or exclusion), as sets: enabled is
	// asked for every Service.
	services, namespaces map[string]bool
}

// rbacConfig picks the config as Pilot 1.4 did: the ClusterRbacConfig named default, else the
// first RbacConfig named default. Configs Istio rejected never took effect and are skipped.
func (r *reader) rbacConfig() *rbacConfig {
	var valid []*rbacConfig
	for _, c := range r.inv.ClusterRbacConfigs {
		if rc, ok := r.checkRbacConfig(r.inv.Origin(rbacv1alpha1.GroupVersion.String(), rbacv1alpha1.KindClusterRbacConfig, c), c.Name, c.Spec); ok {
			valid = append(valid, rc)
		}
	}
	clusterScoped := len(valid)
	for _, c := range r.inv.RbacConfigs {
		if rc, ok := r.checkRbacConfig(r.inv.Origin(rbacv1alpha1.GroupVersion.String(), rbacv1alpha1.KindRbacConfig, c), c.Name, c.Spec); ok {
			valid = append(valid, rc)
		}
	}
	if len(valid) == 0 {
		return nil
	}
	chosen := valid[0]
	for _, other := range valid[1:] {
		r.report(model.CodeRbacConfigChoice, other.origin, "metadata.name",
			"ignored: Istio used %s", chosen.origin.Object)
	}
	if clusterScoped == 0 {
		r.report(model.CodeRbacConfigChoice, chosen.origin, "kind",
			"the deprecated RbacConfig is used because there is no ClusterRbacConfig; Istio did the same")
	}
	return chosen
}

// checkRbacConfig applies Istio 1.4's validation of (Cluster)RbacConfig.
func (r *reader) checkRbacConfig(origin model.Origin, name string, spec rbacv1alpha1.RbacConfigSpec) (*rbacConfig, bool) {
	ok := true
	if name != "default" {
		r.report(model.CodeRbacConfigRefused, origin, "metadata.name", "the name must be \"default\", not %q", name)
		ok = false
	}
	switch spec.Mode.OrDefault() {
	case rbacv1alpha1.ModeOnWithInclusion:
		if spec.Inclusion == nil {
			r.report(model.CodeRbacConfigRefused, origin, "spec.inclusion", "ON_WITH_INCLUSION needs an inclusion")
			ok = false
		}
	case rbacv1alpha1.ModeOnWithExclusion:
		if spec.Exclusion == nil {
			r.report(model.CodeRbacConfigRefused, origin, "spec.exclusion", "ON_WITH_EXCLUSION needs an exclusion")
			ok = false
		}
	}
	for _, t := range []struct {
		field  string
		target *rbacv1alpha1.RbacConfigTarget
	}{{"spec.inclusion", spec.Inclusion}, {"spec.exclusion", spec.Exclusion}} {
		if t.target == nil {
			continue
		}
		for _, v := range slices.Concat(t.target.Services, t.target.Namespaces) {
			if strings.Contains(v, "*") {
				r.report(model.CodeRbacTargetWildcard, origin, t.field, "%q never matches: entries are compared exactly", v)
			}
		}
	}
	rc := &rbacConfig{origin: origin, spec: spec}
	target := spec.Inclusion
	if spec.Mode.OrDefault() == rbacv1alpha1.ModeOnWithExclusion {
		target = spec.Exclusion
	}
	if target != nil {
		rc.services, rc.namespaces = stringSet(target.Services), stringSet(target.Namespaces)
	}
	return rc, ok
}

func stringSet(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, v := range list {
		m[v] = true
	}
	return m
}

// enabled is Istio 1.4's IsRBACEnabled: whether RBAC is on for the service with this FQDN in
// namespace ns.
func (c *rbacConfig) enabled(fqdn, ns string) bool {
	if c == nil {
		return false
	}
	in := c.services[fqdn] || c.namespaces[ns]
	switch c.spec.Mode.OrDefault() {
	case rbacv1alpha1.ModeOn:
		return true
	case rbacv1alpha1.ModeOnWithInclusion:
		return in
	case rbacv1alpha1.ModeOnWithExclusion:
		return !in
	}
	return false
}

// permissive reports enforcement_mode PERMISSIVE: every binding is a shadow rule.
func (c *rbacConfig) permissive() bool {
	return c != nil && c.spec.EnforcementMode.OrDefault() == rbacv1alpha1.Permissive
}

// rbacMatch is Istio 1.4's config-time match: exact, "*", "prefix*" or "*suffix".
func rbacMatch(v string, patterns []string) bool {
	for _, p := range patterns {
		switch {
		case p == "*", p == v:
			return true
		case strings.HasSuffix(p, "*") && strings.HasPrefix(v, p[:len(p)-1]):
			return true
		case strings.HasPrefix(p, "*") && strings.HasSuffix(v, p[1:]):
			return true
		}
	}
	return false
}
