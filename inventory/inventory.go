package inventory

import (
	"cmp"
	"slices"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	securityv1 "istio.io/client-go/pkg/apis/security/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	rbacv1alpha1 "github.com/meshbridge/meshbridge/apis/rbac/v1alpha1"
	"github.com/meshbridge/meshbridge/model"
)

// Inventory is the set of objects one translation reads. The zero value is empty and usable.
type Inventory struct {
	VirtualServices       []*networkingv1.VirtualService
	DestinationRules      []*networkingv1.DestinationRule
	Gateways              []*networkingv1.Gateway
	AuthorizationPolicies []*securityv1.AuthorizationPolicy
	PeerAuthentications   []*securityv1.PeerAuthentication

	// The retired rbac.istio.io/v1alpha1 kinds (Istio 1.4/1.5).
	ServiceRoles        []*rbacv1alpha1.ServiceRole
	ServiceRoleBindings []*rbacv1alpha1.ServiceRoleBinding
	ClusterRbacConfigs  []*rbacv1alpha1.ClusterRbacConfig
	RbacConfigs         []*rbacv1alpha1.RbacConfig

	Services        []*corev1.Service
	ServiceAccounts []*corev1.ServiceAccount
	Namespaces      []*corev1.Namespace
	Pods            []*corev1.Pod
	Deployments     []*appsv1.Deployment
	StatefulSets    []*appsv1.StatefulSet
	DaemonSets      []*appsv1.DaemonSet

	// Locations says where each object was read from (files only; empty for cluster objects).
	Locations map[model.ObjectRef]model.Location
}

// Origin returns the model origin of obj: its reference and, when known, its file location.
// kind and apiVersion are passed in because typed objects from a cache carry no TypeMeta.
func (inv *Inventory) Origin(apiVersion, kind string, obj metav1.Object) model.Origin {
	ref := model.ObjectRef{APIVersion: apiVersion, Kind: kind, Namespace: obj.GetNamespace(), Name: obj.GetName()}
	o := model.Origin{Object: ref}
	if inv.Locations != nil {
		o.At = inv.Locations[Key(ref)]
	}
	return o
}

// Key is the map key of Locations: the reference without its apiVersion, since one object may
// be written at any served version.
func Key(ref model.ObjectRef) model.ObjectRef {
	ref.APIVersion = ""
	return ref
}

// SetLocation records where an object was read from.
func (inv *Inventory) SetLocation(ref model.ObjectRef, at model.Location) {
	if inv.Locations == nil {
		inv.Locations = map[model.ObjectRef]model.Location{}
	}
	inv.Locations[Key(ref)] = at
}

// Sort orders every list by namespace and name, so that whatever reads the inventory in order
// is deterministic regardless of how it was filled.
func (inv *Inventory) Sort() {
	sortObjs(inv.VirtualServices)
	sortObjs(inv.DestinationRules)
	sortObjs(inv.Gateways)
	sortObjs(inv.AuthorizationPolicies)
	sortObjs(inv.PeerAuthentications)
	sortObjs(inv.ServiceRoles)
	sortObjs(inv.ServiceRoleBindings)
	sortObjs(inv.ClusterRbacConfigs)
	sortObjs(inv.RbacConfigs)
	sortObjs(inv.Services)
	sortObjs(inv.ServiceAccounts)
	sortObjs(inv.Namespaces)
	sortObjs(inv.Pods)
	sortObjs(inv.Deployments)
	sortObjs(inv.StatefulSets)
	sortObjs(inv.DaemonSets)
}

// Len returns the number of objects held.
func (inv *Inventory) Len() int {
	return len(inv.VirtualServices) + len(inv.DestinationRules) + len(inv.Gateways) +
		len(inv.AuthorizationPolicies) + len(inv.PeerAuthentications) + len(inv.Services) +
		len(inv.ServiceAccounts) + len(inv.Namespaces) + len(inv.Pods) + len(inv.Deployments) +
		len(inv.StatefulSets) + len(inv.DaemonSets) +
		len(inv.ServiceRoles) + len(inv.ServiceRoleBindings) + len(inv.ClusterRbacConfigs) + len(inv.RbacConfigs)
}

func sortObjs[T metav1.Object](objs []T) {
	slices.SortStableFunc(objs, func(a, b T) int {
		return cmp.Or(cmp.Compare(a.GetNamespace(), b.GetNamespace()), cmp.Compare(a.GetName(), b.GetName()))
	})
}
