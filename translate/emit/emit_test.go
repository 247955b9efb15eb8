package emit

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/meshbridge/meshbridge/model"
)

func TestNameIsAValidStableLabel(t *testing.T) {
	long := strings.Repeat("very-long-segment", 6)
	cases := []struct {
		name  string
		parts []string
		want  string
	}{
		{"joins parts with dashes", []string{"reviews", "v1"}, "reviews-v1"},
		{"skips empty parts", []string{"a", "", "b"}, "a-b"},
		{"lowercases and replaces dots", []string{"Reviews.Default"}, "reviews-default"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Name(c.parts...); got != c.want {
				t.Errorf("Name(%q) = %q, want %q", c.parts, got, c.want)
			}
		})
	}
	t.Run("long names are cut with a hash that keeps them distinct", func(t *testing.T) {
		a, b := Name(long, "a"), Name(long, "b")
		if len(a) > 63 || a == b || a != Name(long, "a") {
			t.Errorf("Name gave %q and %q", a, b)
		}
		if errs := validation.IsDNS1123Label(a); len(errs) > 0 {
			t.Errorf("%q: %v", a, errs)
		}
	})
}

func TestSourceRoundTripsThroughParseSources(t *testing.T) {
	cases := []struct {
		name string
		ref  model.ObjectRef
		want string
	}{
		{"a namespaced object names its namespace", model.ObjectRef{Kind: "VirtualService", Namespace: "shop", Name: "reviews"}, "VirtualService/shop/reviews"},
		{"a cluster-scoped object has no empty segment", model.ObjectRef{Kind: "ClusterRbacConfig", Name: "default"}, "ClusterRbacConfig/default"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Source(model.Origin{Object: c.ref})
			if got != c.want {
				t.Fatalf("Source = %q, want %q", got, c.want)
			}
			back := ParseSources(got + ", Gateway/edge/public")
			if len(back) != 2 || back[0] != c.ref || back[1].Name != "public" {
				t.Errorf("ParseSources(%q) = %v", got, back)
			}
		})
	}
}
