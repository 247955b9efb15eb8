// Package v1beta3 holds meshbridge's Go types for the policy.linkerd.io/v1beta3 Server: the
// storage version of Linkerd's Server CRD (Linkerd 2.20, linkerd2 main 2026-08).
//
// Linkerd's policy controller is written in Rust, so no Go module ships these types. They are
// written here field for field from the CRD's OpenAPI schema, with the semantics Linkerd's
// policy controller gives them, and tested against the official CRD: objects built from these
// types must validate against ../shared/crds/linkerd/ (see translate/linkerd's CRD test).
//
// A Server selects pods (podSelector) or external workloads (externalWorkloadSelector) in its
// namespace, and one port of them, by number or by a container port name. Once a Server selects
// a pod's port, traffic to it is denied unless an AuthorizationPolicy authorizes it, or the
// Server's accessPolicy says otherwise. Linkerd's admission webhook rejects a Server whose port
// and selector overlap another Server's (it detects identical selectors and empty ones).
//
// +kubebuilder:object:generate=true
// +groupName=policy.linkerd.io
package v1beta3
