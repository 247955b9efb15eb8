package v1alpha1

import (
	"maps"
	"slices"

	"k8s.io/apimachinery/pkg/runtime"
)

// DeepCopyInto copies r into out.
func (r *AccessRule) DeepCopyInto(out *AccessRule) {
	*out = AccessRule{
		Services: slices.Clone(r.Services), Paths: slices.Clone(r.Paths), Methods: slices.Clone(r.Methods),
		Hosts: slices.Clone(r.Hosts), NotHosts: slices.Clone(r.NotHosts), NotPaths: slices.Clone(r.NotPaths),
		NotMethods: slices.Clone(r.NotMethods), Ports: slices.Clone(r.Ports), NotPorts: slices.Clone(r.NotPorts),
	}
	if r.Constraints != nil {
		out.Constraints = make([]Constraint, len(r.Constraints))
		for i, c := range r.Constraints {
			out.Constraints[i] = Constraint{Key: c.Key, Values: slices.Clone(c.Values)}
		}
	}
}

func copyRules(in []AccessRule) []AccessRule {
	if in == nil {
		return nil
	}
	out := make([]AccessRule, len(in))
	for i := range in {
		in[i].DeepCopyInto(&out[i])
	}
	return out
}

// DeepCopyInto copies s into out.
func (s *Subject) DeepCopyInto(out *Subject) {
	*out = Subject{
		User: s.User, Group: s.Group, Properties: maps.Clone(s.Properties),
		Names: slices.Clone(s.Names), NotNames: slices.Clone(s.NotNames),
		Groups: slices.Clone(s.Groups), NotGroups: slices.Clone(s.NotGroups),
		Namespaces: slices.Clone(s.Namespaces), NotNamespaces: slices.Clone(s.NotNamespaces),
		Ips: slices.Clone(s.Ips), NotIps: slices.Clone(s.NotIps),
	}
}

// DeepCopyInto copies s into out.
func (s *ServiceRoleBindingSpec) DeepCopyInto(out *ServiceRoleBindingSpec) {
	*out = ServiceRoleBindingSpec{Mode: s.Mode, Role: s.Role, Actions: copyRules(s.Actions)}
	if s.Subjects != nil {
		out.Subjects = make([]Subject, len(s.Subjects))
		for i := range s.Subjects {
			s.Subjects[i].DeepCopyInto(&out.Subjects[i])
		}
	}
	if s.RoleRef != nil {
		ref := *s.RoleRef
		out.RoleRef = &ref
	}
}

// DeepCopyInto copies s into out.
func (s *RbacConfigSpec) DeepCopyInto(out *RbacConfigSpec) {
	*out = RbacConfigSpec{Mode: s.Mode, EnforcementMode: s.EnforcementMode,
		Inclusion: copyTarget(s.Inclusion), Exclusion: copyTarget(s.Exclusion)}
}

func copyTarget(t *RbacConfigTarget) *RbacConfigTarget {
	if t == nil {
		return nil
	}
	return &RbacConfigTarget{Services: slices.Clone(t.Services), Namespaces: slices.Clone(t.Namespaces)}
}

// DeepCopy returns a deep copy of o.
func (o *ServiceRole) DeepCopy() *ServiceRole {
	if o == nil {
		return nil
	}
	out := &ServiceRole{TypeMeta: o.TypeMeta}
	o.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	out.Spec.Rules = copyRules(o.Spec.Rules)
	return out
}

// DeepCopyObject implements runtime.Object.
func (o *ServiceRole) DeepCopyObject() runtime.Object { return o.DeepCopy() }

// DeepCopy returns a deep copy of o.
func (o *ServiceRoleBinding) DeepCopy() *ServiceRoleBinding {
	if o == nil {
		return nil
	}
	out := &ServiceRoleBinding{TypeMeta: o.TypeMeta}
	o.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	o.Spec.DeepCopyInto(&out.Spec)
	return out
}

// DeepCopyObject implements runtime.Object.
func (o *ServiceRoleBinding) DeepCopyObject() runtime.Object { return o.DeepCopy() }

// DeepCopy returns a deep copy of o.
func (o *ClusterRbacConfig) DeepCopy() *ClusterRbacConfig {
	if o == nil {
		return nil
	}
	out := &ClusterRbacConfig{TypeMeta: o.TypeMeta}
	o.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	o.Spec.DeepCopyInto(&out.Spec)
	return out
}

// DeepCopyObject implements runtime.Object.
func (o *ClusterRbacConfig) DeepCopyObject() runtime.Object { return o.DeepCopy() }

// DeepCopy returns a deep copy of o.
func (o *RbacConfig) DeepCopy() *RbacConfig {
	if o == nil {
		return nil
	}
	out := &RbacConfig{TypeMeta: o.TypeMeta}
	o.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	o.Spec.DeepCopyInto(&out.Spec)
	return out
}

// DeepCopyObject implements runtime.Object.
func (o *RbacConfig) DeepCopyObject() runtime.Object { return o.DeepCopy() }

// DeepCopyObject implements runtime.Object.
func (l *ServiceRoleList) DeepCopyObject() runtime.Object {
	if l == nil {
		return nil
	}
	out := &ServiceRoleList{TypeMeta: l.TypeMeta}
	l.ListMeta.DeepCopyInto(&out.ListMeta)
	for i := range l.Items {
		out.Items = append(out.Items, *l.Items[i].DeepCopy())
	}
	return out
}

// DeepCopyObject implements runtime.Object.
func (l *ServiceRoleBindingList) DeepCopyObject() runtime.Object {
	if l == nil {
		return nil
	}
	out := &ServiceRoleBindingList{TypeMeta: l.TypeMeta}
	l.ListMeta.DeepCopyInto(&out.ListMeta)
	for i := range l.Items {
		out.Items = append(out.Items, *l.Items[i].DeepCopy())
	}
	return out
}

// DeepCopyObject implements runtime.Object.
func (l *ClusterRbacConfigList) DeepCopyObject() runtime.Object {
	if l == nil {
		return nil
	}
	out := &ClusterRbacConfigList{TypeMeta: l.TypeMeta}
	l.ListMeta.DeepCopyInto(&out.ListMeta)
	for i := range l.Items {
		out.Items = append(out.Items, *l.Items[i].DeepCopy())
	}
	return out
}

// DeepCopyObject implements runtime.Object.
func (l *RbacConfigList) DeepCopyObject() runtime.Object {
	if l == nil {
		return nil
	}
	out := &RbacConfigList{TypeMeta: l.TypeMeta}
	l.ListMeta.DeepCopyInto(&out.ListMeta)
	for i := range l.Items {
		out.Items = append(out.Items, *l.Items[i].DeepCopy())
	}
	return out
}
