package controller

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
)

// inputKind is a kind the reader handles, with the versions the controller may watch it at,
// best first. Istio serves one schema at every version, so any of them decodes into the
// inventory's v1 types.
type inputKind struct {
	schema.GroupKind
	Versions []string
	// Cluster is true for cluster-scoped kinds.
	Cluster bool
}

// istioKinds are the input kinds, in the order the reader documents them. The retired
// rbac.istio.io/v1alpha1 kinds are watched where their CRDs are installed (config/crd/rbac
// installs them on clusters that no longer have Istio's).
var istioKinds = []inputKind{
	{GroupKind: schema.GroupKind{Group: "networking.istio.io", Kind: "VirtualService"}, Versions: []string{"v1", "v1beta1", "v1alpha3"}},
	{GroupKind: schema.GroupKind{Group: "networking.istio.io", Kind: "DestinationRule"}, Versions: []string{"v1", "v1beta1", "v1alpha3"}},
	{GroupKind: schema.GroupKind{Group: "networking.istio.io", Kind: "Gateway"}, Versions: []string{"v1", "v1beta1", "v1alpha3"}},
	{GroupKind: schema.GroupKind{Group: "security.istio.io", Kind: "AuthorizationPolicy"}, Versions: []string{"v1", "v1beta1"}},
	{GroupKind: schema.GroupKind{Group: "security.istio.io", Kind: "PeerAuthentication"}, Versions: []string{"v1", "v1beta1"}},
	{GroupKind: schema.GroupKind{Group: "rbac.istio.io", Kind: "ServiceRole"}, Versions: []string{"v1alpha1"}},
	{GroupKind: schema.GroupKind{Group: "rbac.istio.io", Kind: "ServiceRoleBinding"}, Versions: []string{"v1alpha1"}},
	{GroupKind: schema.GroupKind{Group: "rbac.istio.io", Kind: "RbacConfig"}, Versions: []string{"v1alpha1"}},
	{GroupKind: schema.GroupKind{Group: "rbac.istio.io", Kind: "ClusterRbacConfig"}, Versions: []string{"v1alpha1"}, Cluster: true},
}

// clusterScoped reports whether an input kind is cluster-scoped.
func clusterScoped(gk schema.GroupKind) bool {
	for _, k := range istioKinds {
		if k.GroupKind == gk {
			return k.Cluster
		}
	}
	return false
}

// outputKinds are the kinds each writer may produce. The controller watches those the server
// serves from the start, so that owned objects of every kind are pruned even after a restart;
// a kind a writer produces beyond this list is watched from its first appearance.
var outputKinds = map[string][]schema.GroupKind{
	"gatewayapi": {
		{Group: "gateway.networking.k8s.io", Kind: "HTTPRoute"},
		{Group: "gateway.networking.k8s.io", Kind: "GRPCRoute"},
		{Group: "gateway.networking.k8s.io", Kind: "TCPRoute"},
		{Group: "gateway.networking.k8s.io", Kind: "TLSRoute"},
		{Group: "gateway.networking.k8s.io", Kind: "Gateway"},
		{Group: "gateway.networking.k8s.io", Kind: "ReferenceGrant"},
		{Kind: "Service"},
	},
	"smi": {
		{Group: "split.smi-spec.io", Kind: "TrafficSplit"},
		{Group: "specs.smi-spec.io", Kind: "HTTPRouteGroup"},
		{Group: "specs.smi-spec.io", Kind: "TCPRoute"},
		{Group: "access.smi-spec.io", Kind: "TrafficTarget"},
		{Kind: "Service"},
	},
	"istio": {
		{Group: "security.istio.io", Kind: "AuthorizationPolicy"},
		{Group: "security.istio.io", Kind: "PeerAuthentication"},
	},
	"linkerd": {
		{Group: "policy.linkerd.io", Kind: "Server"},
		{Group: "policy.linkerd.io", Kind: "AuthorizationPolicy"},
		{Group: "policy.linkerd.io", Kind: "MeshTLSAuthentication"},
		{Group: "policy.linkerd.io", Kind: "NetworkAuthentication"},
		{Group: "policy.linkerd.io", Kind: "HTTPRoute"},
		{Group: "gateway.networking.k8s.io", Kind: "HTTPRoute"},
		{Group: "gateway.networking.k8s.io", Kind: "GRPCRoute"},
		{Kind: "Service"},
	},
}

// served maps a group/version to the kinds the server serves there.
type served map[schema.GroupVersion][]string

// has reports whether gvk is served.
func (s served) has(gvk schema.GroupVersionKind) bool {
	return slices.Contains(s[gvk.GroupVersion()], gvk.Kind)
}

// resolveInputs picks for each kind the first listed version the server serves; kinds served
// at none of them are left out.
func resolveInputs(kinds []inputKind, s served) []schema.GroupVersionKind {
	var out []schema.GroupVersionKind
	for _, k := range kinds {
		for _, v := range k.Versions {
			if gvk := k.WithVersion(v); s.has(gvk) {
				out = append(out, gvk)
				break
			}
		}
	}
	return out
}

// discoverServed asks the server which kinds it serves in groups. A group the server does not
// serve is simply absent; a failing group is an error, so that a flaky discovery does not look
// like a removed CRD.
func discoverServed(dc discovery.DiscoveryInterface, groups []string) (served, error) {
	apiGroups, err := dc.ServerGroups()
	if err != nil {
		return nil, fmt.Errorf("discovering API groups: %w", err)
	}
	s := served{}
	var errs []error
	for _, g := range apiGroups.Groups {
		if !slices.Contains(groups, g.Name) {
			continue
		}
		for _, v := range g.Versions {
			gv := schema.GroupVersion{Group: g.Name, Version: v.Version}
			list, err := dc.ServerResourcesForGroupVersion(gv.String())
			if apierrors.IsNotFound(err) {
				continue // removed between the two calls
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("discovering %s: %w", gv, err))
				continue
			}
			for _, r := range list.APIResources {
				if !strings.Contains(r.Name, "/") {
					s[gv] = append(s[gv], r.Kind)
				}
			}
		}
	}
	return s, errors.Join(errs...)
}

// inputGroups are the API groups of istioKinds.
func inputGroups() []string {
	var gs []string
	for _, k := range istioKinds {
		if !slices.Contains(gs, k.Group) {
			gs = append(gs, k.Group)
		}
	}
	return gs
}
