package v1alpha1

import (
	"testing"

	"k8s.io/apimachinery/pkg/runtime"

	_ "github.com/meshbridge/meshbridge/internal/golden"
)

func TestSchemeKnowsTheKinds(t *testing.T) {
	s := runtime.NewScheme()
	if err := AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{KindAuthorizationPolicy, KindMeshTLSAuthentication, KindNetworkAuthentication,
		KindAuthorizationPolicy + "List", KindMeshTLSAuthentication + "List", KindNetworkAuthentication + "List"} {
		if !s.Recognizes(GroupVersion.WithKind(k)) {
			t.Errorf("the scheme does not know %s", k)
		}
	}
}

func TestDeepCopyIsDeep(t *testing.T) {
	in := &AuthorizationPolicy{Spec: AuthorizationPolicySpec{RequiredAuthenticationRefs: []NamespacedTargetRef{{Kind: KindMeshTLSAuthentication, Name: "a"}}}}
	out := in.DeepCopy()
	out.Spec.RequiredAuthenticationRefs[0].Name = "b"
	if in.Spec.RequiredAuthenticationRefs[0].Name != "a" {
		t.Error("DeepCopy shares requiredAuthenticationRefs")
	}
	n := &NetworkAuthentication{Spec: NetworkAuthenticationSpec{Networks: []Network{{Cidr: "10.0.0.0/8", Except: []string{"10.1.0.0/16"}}}}}
	m := n.DeepCopyObject().(*NetworkAuthentication)
	m.Spec.Networks[0].Except[0] = "x"
	if n.Spec.Networks[0].Except[0] != "10.1.0.0/16" {
		t.Error("DeepCopyObject shares except")
	}
}
