package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// AuthorizationPolicy admits the clients its authentications describe to its target.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:shortName=authzpolicy
type AuthorizationPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              AuthorizationPolicySpec `json:"spec"`
}

// AuthorizationPolicySpec names the target and the authentications a client must satisfy.
type AuthorizationPolicySpec struct {
	// TargetRef is a Server, an HTTPRoute (policy.linkerd.io or gateway.networking.k8s.io), a
	// GRPCRoute, or the policy's own Namespace, in the policy's namespace.
	TargetRef LocalTargetRef `json:"targetRef"`
	// RequiredAuthenticationRefs must all hold. The CRD requires the field; an empty list
	// admits every client.
	RequiredAuthenticationRefs []NamespacedTargetRef `json:"requiredAuthenticationRefs"`
}

// LocalTargetRef names an object in the referrer's namespace. An empty Group is the core API
// group.
type LocalTargetRef struct {
	// +optional
	Group string `json:"group,omitempty"`
	Kind  string `json:"kind"`
	Name  string `json:"name"`
}

// NamespacedTargetRef names an object, in the referrer's namespace unless Namespace is set.
type NamespacedTargetRef struct {
	// +optional
	Group string `json:"group,omitempty"`
	Kind  string `json:"kind"`
	// Name may be empty in a MeshTLSAuthentication's identityRefs, where kind Namespace with a
	// name means every service account of that namespace.
	// +optional
	Name string `json:"name,omitempty"`
	// +optional
	Namespace string `json:"namespace,omitempty"`
}

// MeshTLSAuthentication is satisfied by a client whose mesh TLS identity matches any of its
// identities or identityRefs.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:shortName=meshtlsauthn
type MeshTLSAuthentication struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              MeshTLSAuthenticationSpec `json:"spec"`
}

// MeshTLSAuthenticationSpec lists identities; exactly one of the two lists must be set.
type MeshTLSAuthenticationSpec struct {
	// Identities are identity strings, <sa>.<ns>.serviceaccount.identity.linkerd.<trust
	// domain>. "*" matches any meshed client; a leading "*." matches any identity that ends with
	// the rest.
	// +optional
	Identities []string `json:"identities,omitempty"`
	// IdentityRefs are kind ServiceAccount (name, namespace defaulting to the authentication's)
	// or kind Namespace (name; every service account of that namespace), in Linkerd's trust
	// domain.
	// +optional
	IdentityRefs []NamespacedTargetRef `json:"identityRefs,omitempty"`
}

// NetworkAuthentication is satisfied by a client whose address lies in any of its networks.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:shortName=netauthn;networkauthn
type NetworkAuthentication struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              NetworkAuthenticationSpec `json:"spec"`
}

// NetworkAuthenticationSpec lists networks; Linkerd's admission requires at least one.
type NetworkAuthenticationSpec struct {
	Networks []Network `json:"networks"`
}

// Network is a CIDR less the CIDRs in Except. Linkerd's admission requires every exception to
// lie inside Cidr and none to cover it whole.
type Network struct {
	Cidr string `json:"cidr"`
	// +optional
	Except []string `json:"except,omitempty"`
}

// AuthorizationPolicyList is a list of AuthorizationPolicies.
//
// +kubebuilder:object:root=true
type AuthorizationPolicyList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []AuthorizationPolicy `json:"items"`
}

// MeshTLSAuthenticationList is a list of MeshTLSAuthentications.
//
// +kubebuilder:object:root=true
type MeshTLSAuthenticationList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []MeshTLSAuthentication `json:"items"`
}

// NetworkAuthenticationList is a list of NetworkAuthentications.
//
// +kubebuilder:object:root=true
type NetworkAuthenticationList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []NetworkAuthentication `json:"items"`
}
