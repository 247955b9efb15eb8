// Package v1alpha1 holds Go types for Istio's retired rbac.istio.io/v1alpha1 API: ServiceRole,
// ServiceRoleBinding, ClusterRbacConfig and RbacConfig.
//
// Istio removed these kinds in 1.6 (istio/api #1427), so no maintained Go module serves them.
// Real clusters and repositories still hold them, and meshbridge translates them, so this
// package defines them itself, field for field as Istio 1.4 and 1.5 enforced them, including the
// fields the reference page hid ($hide_from_docs): not_* variants, ports, hosts, the subject's
// names, namespaces, ips and groups, and the binding's mode, actions and role.
//
// # Spelling
//
// Istio decoded its YAML with gogo jsonpb, which accepts both the proto field name and its JSON
// name, so real files contain `enforcement_mode:` and `not_paths:` as well as
// `enforcementMode:` and `notPaths:`. The types here accept both (UnmarshalJSON normalizes the
// keys) and always write the JSON name. Decode additionally reports unknown keys with their path,
// so that a loader can turn them into findings instead of dropping them in silence.
//
// # Enums
//
// Enum fields accept the proto value name ("ON_WITH_INCLUSION") or its number, as jsonpb did.
// An unquoted YAML ON or OFF is a YAML 1.1 boolean, not a mode; it is rejected with an error
// that says so rather than guessed.
//
// +groupName=rbac.istio.io
package v1alpha1
