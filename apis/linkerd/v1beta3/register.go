package v1beta3

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// GroupVersion is policy.linkerd.io/v1beta3.
var GroupVersion = schema.GroupVersion{Group: "policy.linkerd.io", Version: "v1beta3"}

// KindServer is the Server kind.
const KindServer = "Server"

var (
	// SchemeBuilder registers Server and ServerList.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)
	// AddToScheme adds the kinds to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

func addKnownTypes(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion, &Server{}, &ServerList{})
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}
