// Package v1alpha1 holds meshbridge's Go types for policy.linkerd.io/v1alpha1
// AuthorizationPolicy, MeshTLSAuthentication and NetworkAuthentication: the storage (and only)
// versions of those Linkerd CRDs (Linkerd 2.20, linkerd2 main 2026-08).
//
// Linkerd's policy controller is written in Rust, so no Go module ships these types. They are
// written here field for field from the CRDs' OpenAPI schemas, and tested against the official
// CRDs in ../shared/crds/linkerd/.
//
// An AuthorizationPolicy authorizes clients of a target: a Server, an HTTPRoute or GRPCRoute
// (inbound routes on a Server), or its own Namespace (every Server in it). Its
// requiredAuthenticationRefs must ALL hold: at most one MeshTLSAuthentication or one
// ServiceAccount (the client's mesh identity), and at most one NetworkAuthentication (the
// client's address). An empty list admits every client, meshed or not, from any network. A
// reference to an object that does not exist makes Linkerd ignore the whole policy, so a typo
// fails closed. Several policies on one target add up.
//
// +kubebuilder:object:generate=true
// +groupName=policy.linkerd.io
package v1alpha1
