package v1beta3

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	_ "github.com/meshbridge/meshbridge/internal/golden"
)

func TestSchemeKnowsServer(t *testing.T) {
	s := runtime.NewScheme()
	if err := AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{KindServer, KindServer + "List"} {
		if !s.Recognizes(GroupVersion.WithKind(k)) {
			t.Errorf("the scheme does not know %s", k)
		}
	}
}

func TestDeepCopyIsDeep(t *testing.T) {
	in := &Server{Spec: ServerSpec{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "a"}}}}
	out := in.DeepCopy()
	out.Spec.PodSelector.MatchLabels["app"] = "b"
	if in.Spec.PodSelector.MatchLabels["app"] != "a" {
		t.Error("DeepCopy shares the pod selector")
	}
}
