package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ServiceRole is a namespaced set of access rules: which services, paths, methods and
// constraints a role grants. It grants nothing until a ServiceRoleBinding binds subjects to it,
// and nothing is enforced until a ClusterRbacConfig turns RBAC on for the service.
type ServiceRole struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              ServiceRoleSpec `json:"spec"`
}

// ServiceRoleSpec holds the role's rules; Istio requires at least one.
type ServiceRoleSpec struct {
	Rules []AccessRule `json:"rules,omitempty"`
}

// AccessRule is one permission. Its fields are ANDed, the values inside one field ORed, and a
// not* field matches when none of its values do. String values match exactly, by prefix
// ("abc*"), by suffix ("*abc") or always ("*").
type AccessRule struct {
	// Services are matched against the Service's FQDN (reviews.default.svc.cluster.local);
	// required.
	Services []string `json:"services,omitempty"`
	// Paths are HTTP paths or gRPC methods (/package.Service/Method).
	Paths   []string `json:"paths,omitempty"`
	Methods []string `json:"methods,omitempty"`
	// Constraints are extra conditions, keyed by attribute (destination.port, request.headers[x], …).
	Constraints []Constraint `json:"constraints,omitempty"`
	// The fields below were hidden from the reference page but enforced by Pilot 1.4.
	Hosts      []string `json:"hosts,omitempty"`
	NotHosts   []string `json:"notHosts,omitempty"`
	NotPaths   []string `json:"notPaths,omitempty"`
	NotMethods []string `json:"notMethods,omitempty"`
	Ports      []int32  `json:"ports,omitempty"`
	NotPorts   []int32  `json:"notPorts,omitempty"`
}

// Constraint is one AccessRule constraint: Key must match one of Values.
type Constraint struct {
	Key    string   `json:"key,omitempty"`
	Values []string `json:"values,omitempty"`
}

// ServiceRoleBinding grants a ServiceRole in the same namespace to a list of subjects.
type ServiceRoleBinding struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              ServiceRoleBindingSpec `json:"spec"`
}

// ServiceRoleBindingSpec binds Subjects (ORed) to the role RoleRef names.
type ServiceRoleBindingSpec struct {
	Subjects []Subject `json:"subjects,omitempty"`
	RoleRef  *RoleRef  `json:"roleRef,omitempty"`
	// Mode PERMISSIVE makes the binding a shadow rule: evaluated and logged, never enforced.
	Mode EnforcementMode `json:"mode,omitempty"`
	// Actions (an inline role) and Role ("/name" for the root namespace) are leftovers of the
	// experimental v1alpha1 AuthorizationPolicy; validation accepted them, Pilot 1.4 and 1.5
	// ignored them.
	Actions []AccessRule `json:"actions,omitempty"`
	Role    string       `json:"role,omitempty"`
}

// Subject is one caller pattern; its fields are ANDed.
type Subject struct {
	// User is the peer identity (cluster.local/ns/<ns>/sa/<sa>); "*" matches everyone, including
	// callers without mTLS.
	User string `json:"user,omitempty"`
	// Group is the deprecated single JWT group (claim "groups").
	Group string `json:"group,omitempty"`
	// Properties hold one value per attribute key (source.namespace, request.auth.claims[x], …).
	Properties map[string]string `json:"properties,omitempty"`
	// The fields below were hidden from the reference page but enforced by Pilot 1.4.
	Names         []string `json:"names,omitempty"`
	NotNames      []string `json:"notNames,omitempty"`
	Groups        []string `json:"groups,omitempty"`
	NotGroups     []string `json:"notGroups,omitempty"`
	Namespaces    []string `json:"namespaces,omitempty"`
	NotNamespaces []string `json:"notNamespaces,omitempty"`
	Ips           []string `json:"ips,omitempty"`
	NotIps        []string `json:"notIps,omitempty"`
}

// RoleRef names the bound ServiceRole. Kind must be ServiceRole.
type RoleRef struct {
	Kind string `json:"kind,omitempty"`
	Name string `json:"name,omitempty"`
}

// ClusterRbacConfig is the cluster-scoped singleton (named "default") that turns RBAC on.
type ClusterRbacConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              RbacConfigSpec `json:"spec"`
}

// RbacConfig is the deprecated namespaced predecessor of ClusterRbacConfig, with the same spec.
// Pilot read it only when no ClusterRbacConfig existed.
type RbacConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              RbacConfigSpec `json:"spec"`
}

// RbacConfigSpec says where RBAC is enforced.
type RbacConfigSpec struct {
	Mode Mode `json:"mode,omitempty"`
	// Inclusion lists what ON_WITH_INCLUSION enforces; Exclusion what ON_WITH_EXCLUSION spares.
	// Services are compared with the Service FQDN by exact equality (no wildcards).
	Inclusion *RbacConfigTarget `json:"inclusion,omitempty"`
	Exclusion *RbacConfigTarget `json:"exclusion,omitempty"`
	// EnforcementMode PERMISSIVE turns every binding into a shadow rule.
	EnforcementMode EnforcementMode `json:"enforcementMode,omitempty"`
}

// RbacConfigTarget lists services (by FQDN) and namespaces.
type RbacConfigTarget struct {
	Services   []string `json:"services,omitempty"`
	Namespaces []string `json:"namespaces,omitempty"`
}

// ServiceRoleList is a list of ServiceRoles.
type ServiceRoleList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ServiceRole `json:"items"`
}

// ServiceRoleBindingList is a list of ServiceRoleBindings.
type ServiceRoleBindingList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ServiceRoleBinding `json:"items"`
}

// ClusterRbacConfigList is a list of ClusterRbacConfigs.
type ClusterRbacConfigList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ClusterRbacConfig `json:"items"`
}

// RbacConfigList is a list of RbacConfigs.
type RbacConfigList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []RbacConfig `json:"items"`
}
