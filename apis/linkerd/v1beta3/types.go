package v1beta3

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Server describes one port of a set of pods (or external workloads) in its namespace, so that
// AuthorizationPolicies and inbound routes can refer to it.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:shortName=srv
// +kubebuilder:storageversion
type Server struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              ServerSpec `json:"spec"`
}

// ServerSpec selects the workloads and the port. Exactly one of PodSelector and
// ExternalWorkloadSelector must be set.
type ServerSpec struct {
	// PodSelector selects pods in the Server's namespace. An empty selector selects every pod.
	// +optional
	PodSelector *metav1.LabelSelector `json:"podSelector,omitempty"`
	// ExternalWorkloadSelector selects ExternalWorkloads in the Server's namespace.
	// +optional
	ExternalWorkloadSelector *metav1.LabelSelector `json:"externalWorkloadSelector,omitempty"`
	// Port is a container port number, or a container port name. Only ports the pod spec
	// declares are matched.
	Port intstr.IntOrString `json:"port"`
	// ProxyProtocol configures protocol detection for inbound connections; empty means
	// ProtocolUnknown (detect).
	// +optional
	ProxyProtocol ProxyProtocol `json:"proxyProtocol,omitempty"`
	// AccessPolicy decides traffic that no authorization matches; empty means AccessDeny.
	// +optional
	AccessPolicy AccessPolicy `json:"accessPolicy,omitempty"`
}

// ProxyProtocol is a Server's proxyProtocol.
type ProxyProtocol string

// Proxy protocols Linkerd accepts.
const (
	ProtocolUnknown ProxyProtocol = "unknown"
	ProtocolHTTP1   ProxyProtocol = "HTTP/1"
	ProtocolHTTP2   ProxyProtocol = "HTTP/2"
	ProtocolGRPC    ProxyProtocol = "gRPC"
	ProtocolOpaque  ProxyProtocol = "opaque"
	ProtocolTLS     ProxyProtocol = "TLS"
)

// AccessPolicy is a Server's accessPolicy, and also the value of the
// config.linkerd.io/default-inbound-policy annotation and of the cluster's default policy.
type AccessPolicy string

// Access policies, as Linkerd's policy controller parses them.
const (
	// AccessDeny denies every connection no authorization admits (the Server default).
	AccessDeny AccessPolicy = "deny"
	// AccessAllUnauthenticated admits every client, meshed or not.
	AccessAllUnauthenticated AccessPolicy = "all-unauthenticated"
	// AccessAllAuthenticated admits every client with a mesh TLS identity.
	AccessAllAuthenticated AccessPolicy = "all-authenticated"
	// AccessClusterUnauthenticated admits every client from the cluster networks.
	AccessClusterUnauthenticated AccessPolicy = "cluster-unauthenticated"
	// AccessClusterAuthenticated admits every meshed client from the cluster networks.
	AccessClusterAuthenticated AccessPolicy = "cluster-authenticated"
	// AccessAudit admits every client but flags what no authorization admits.
	AccessAudit AccessPolicy = "audit"
)

// DefaultInboundPolicyAnnotation sets the access policy of ports no Server selects, on a
// namespace, workload or pod. The proxy reads it when the pod starts.
const DefaultInboundPolicyAnnotation = "config.linkerd.io/default-inbound-policy"

// ServerList is a list of Servers.
//
// +kubebuilder:object:root=true
type ServerList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Server `json:"items"`
}
