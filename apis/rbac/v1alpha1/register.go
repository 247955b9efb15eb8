package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// GroupVersion is rbac.istio.io/v1alpha1.
var GroupVersion = schema.GroupVersion{Group: "rbac.istio.io", Version: "v1alpha1"}

// Kind names, as they appear in YAML.
const (
	KindServiceRole        = "ServiceRole"
	KindServiceRoleBinding = "ServiceRoleBinding"
	KindClusterRbacConfig  = "ClusterRbacConfig"
	KindRbacConfig         = "RbacConfig"
)

var (
	// SchemeBuilder registers the four kinds and their lists.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)
	// AddToScheme adds the kinds to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

func addKnownTypes(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion,
		&ServiceRole{}, &ServiceRoleList{},
		&ServiceRoleBinding{}, &ServiceRoleBindingList{},
		&ClusterRbacConfig{}, &ClusterRbacConfigList{},
		&RbacConfig{}, &RbacConfigList{},
	)
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}
