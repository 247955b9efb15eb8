package load

import (
	"strings"

	"google.golang.org/protobuf/proto"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	securityv1 "istio.io/client-go/pkg/apis/security/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	rbacv1alpha1 "github.com/meshbridge/meshbridge/apis/rbac/v1alpha1"
	"github.com/meshbridge/meshbridge/inventory"
)

// Every kind the loader reads, and nothing else: an object of any other kind is reported as
// ignored (model.CodeIgnoredKind). An object of a kind listed here at a version not listed is
// an error, since its schema is unknown.
//
// To read a new kind, add its inventory field and one line here: istioKind for Istio kinds
// whose spec is a protobuf message (decoded with protojson), kubeKind for any Go type that
// embeds metav1.TypeMeta and metav1.ObjectMeta (decoded strictly as JSON), rbacKind for the
// rbac.istio.io/v1alpha1 kinds.
var kinds = []kindInfo{
	// Istio serves one schema at several versions; every version is stored as the v1 Go type.
	istioKind("networking.istio.io", networkingVersions, "VirtualService",
		func(inv *inventory.Inventory) *[]*networkingv1.VirtualService { return &inv.VirtualServices },
		func(o *networkingv1.VirtualService) proto.Message { return &o.Spec }),
	istioKind("networking.istio.io", networkingVersions, "DestinationRule",
		func(inv *inventory.Inventory) *[]*networkingv1.DestinationRule { return &inv.DestinationRules },
		func(o *networkingv1.DestinationRule) proto.Message { return &o.Spec }),
	istioKind("networking.istio.io", networkingVersions, "Gateway",
		func(inv *inventory.Inventory) *[]*networkingv1.Gateway { return &inv.Gateways },
		func(o *networkingv1.Gateway) proto.Message { return &o.Spec }),
	istioKind("security.istio.io", securityVersions, "AuthorizationPolicy",
		func(inv *inventory.Inventory) *[]*securityv1.AuthorizationPolicy { return &inv.AuthorizationPolicies },
		func(o *securityv1.AuthorizationPolicy) proto.Message { return &o.Spec }),
	istioKind("security.istio.io", securityVersions, "PeerAuthentication",
		func(inv *inventory.Inventory) *[]*securityv1.PeerAuthentication { return &inv.PeerAuthentications },
		func(o *securityv1.PeerAuthentication) proto.Message { return &o.Spec }),

	// The workloads and identities the Istio objects select and name.
	kubeKind("", coreVersions, "Service", namespaced,
		func(inv *inventory.Inventory) *[]*corev1.Service { return &inv.Services }),
	kubeKind("", coreVersions, "ServiceAccount", namespaced,
		func(inv *inventory.Inventory) *[]*corev1.ServiceAccount { return &inv.ServiceAccounts }),
	kubeKind("", coreVersions, "Namespace", clusterScoped,
		func(inv *inventory.Inventory) *[]*corev1.Namespace { return &inv.Namespaces }),
	kubeKind("", coreVersions, "Pod", namespaced,
		func(inv *inventory.Inventory) *[]*corev1.Pod { return &inv.Pods }),
	kubeKind("apps", appsVersions, "Deployment", namespaced,
		func(inv *inventory.Inventory) *[]*appsv1.Deployment { return &inv.Deployments }),
	kubeKind("apps", appsVersions, "StatefulSet", namespaced,
		func(inv *inventory.Inventory) *[]*appsv1.StatefulSet { return &inv.StatefulSets }),
	kubeKind("apps", appsVersions, "DaemonSet", namespaced,
		func(inv *inventory.Inventory) *[]*appsv1.DaemonSet { return &inv.DaemonSets }),

	// The retired rbac.istio.io/v1alpha1 kinds (Istio 1.4/1.5), in our own types.
	rbacKind(rbacv1alpha1.KindServiceRole, namespaced,
		func(inv *inventory.Inventory) *[]*rbacv1alpha1.ServiceRole { return &inv.ServiceRoles }),
	rbacKind(rbacv1alpha1.KindServiceRoleBinding, namespaced,
		func(inv *inventory.Inventory) *[]*rbacv1alpha1.ServiceRoleBinding { return &inv.ServiceRoleBindings }),
	rbacKind(rbacv1alpha1.KindClusterRbacConfig, clusterScoped,
		func(inv *inventory.Inventory) *[]*rbacv1alpha1.ClusterRbacConfig { return &inv.ClusterRbacConfigs }),
	rbacKind(rbacv1alpha1.KindRbacConfig, namespaced,
		func(inv *inventory.Inventory) *[]*rbacv1alpha1.RbacConfig { return &inv.RbacConfigs }),
}

var (
	networkingVersions = []string{"v1alpha3", "v1beta1", "v1"}
	securityVersions   = []string{"v1beta1", "v1"}
	coreVersions       = []string{"v1"}
	appsVersions       = []string{"v1"}
)

// scope says whether objects of a kind live in a namespace.
type scope bool

const (
	namespaced    scope = true
	clusterScoped scope = false
)

// kindInfo describes one kind the loader reads.
type kindInfo struct {
	group    string   // "" for the core group
	versions []string // served versions, oldest first
	kind     string
	scope    scope
	// decode turns the object's JSON into its typed form, reporting unknown fields.
	decode func(o *object) (typedObject, error)
	// store adds obj to the inventory; with replace, it takes the place of the object with the
	// same namespace and name (a duplicate), which it returns.
	store func(inv *inventory.Inventory, obj typedObject, replace bool) (replaced typedObject)
}

// typedObject is what every stored type is: it embeds metav1.TypeMeta and metav1.ObjectMeta.
type typedObject interface {
	metav1.Object
	GetObjectKind() schema.ObjectKind
}

// objectType constrains a kind's Go type T through its pointer type.
type objectType[T any] interface {
	*T
	typedObject
}

// served reports whether version is one of the kind's versions.
func (k *kindInfo) served(version string) bool {
	for _, v := range k.versions {
		if v == version {
			return true
		}
	}
	return false
}

// apiVersions lists the served apiVersions for messages: "networking.istio.io/v1alpha3,
// networking.istio.io/v1beta1 or networking.istio.io/v1".
func (k *kindInfo) apiVersions() string {
	var all []string
	for _, v := range k.versions {
		all = append(all, schema.GroupVersion{Group: k.group, Version: v}.String())
	}
	if len(all) == 1 {
		return all[0]
	}
	return strings.Join(all[:len(all)-1], ", ") + " or " + all[len(all)-1]
}

// istioKind describes an Istio kind whose spec is the protobuf message spec returns.
func istioKind[T any, PT objectType[T]](group string, versions []string, kind string,
	list func(*inventory.Inventory) *[]PT, spec func(PT) proto.Message) kindInfo {
	return kindInfo{
		group: group, versions: versions, kind: kind, scope: namespaced,
		decode: func(o *object) (typedObject, error) {
			obj := PT(new(T))
			return obj, o.decodeIstio(obj, spec(obj))
		},
		store: storeInto(list),
	}
}

// kubeKind describes a kind whose Go type decodes from JSON, such as the Kubernetes API types.
func kubeKind[T any, PT objectType[T]](group string, versions []string, kind string, sc scope,
	list func(*inventory.Inventory) *[]PT) kindInfo {
	return kindInfo{
		group: group, versions: versions, kind: kind, scope: sc,
		decode: func(o *object) (typedObject, error) {
			obj := PT(new(T))
			return obj, o.decodeStrict(obj)
		},
		store: storeInto(list),
	}
}

// rbacKind describes an rbac.istio.io/v1alpha1 kind. Its decoder accepts both the proto and the
// JSON spelling of every field, as Istio 1.4's loader did, and names the keys it does not know.
func rbacKind[T any, PT objectType[T]](kind string, sc scope, list func(*inventory.Inventory) *[]PT) kindInfo {
	return kindInfo{
		group: rbacv1alpha1.GroupVersion.Group, versions: []string{rbacv1alpha1.GroupVersion.Version}, kind: kind, scope: sc,
		decode: func(o *object) (typedObject, error) {
			obj, unknown, err := rbacv1alpha1.Decode(kind, o.json)
			if err != nil {
				return nil, o.fail(nil, "%s", err)
			}
			for _, f := range unknown {
				o.warnUnknown(f)
			}
			typed, ok := obj.(PT)
			if !ok {
				return nil, o.fail(nil, "internal error: %T is not a %s", obj, kind)
			}
			return typed, nil
		},
		store: storeInto(list),
	}
}

// storeInto appends to the list, or replaces a duplicate in place. Finding the duplicate is a
// scan, but only duplicates pay for it.
func storeInto[PT typedObject](list func(*inventory.Inventory) *[]PT) func(*inventory.Inventory, typedObject, bool) typedObject {
	return func(inv *inventory.Inventory, obj typedObject, replace bool) typedObject {
		l := list(inv)
		o := obj.(PT)
		if replace {
			for i, prev := range *l {
				if prev.GetNamespace() == o.GetNamespace() && prev.GetName() == o.GetName() {
					(*l)[i] = o
					return prev
				}
			}
		}
		*l = append(*l, o)
		return nil
	}
}

// kindIndex finds a kind by group and kind.
var kindIndex = func() map[schema.GroupKind]*kindInfo {
	m := make(map[schema.GroupKind]*kindInfo, len(kinds))
	for i := range kinds {
		m[schema.GroupKind{Group: kinds[i].group, Kind: kinds[i].kind}] = &kinds[i]
	}
	return m
}()

// similarKind returns a kind of the group spelled like kind but for case, for a hint.
func similarKind(group, kind string) string {
	for _, k := range kinds {
		if k.group == group && strings.EqualFold(k.kind, kind) {
			return k.kind
		}
	}
	return ""
}
