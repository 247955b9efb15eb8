package emit

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
)

func subsetInventory() *model.Inventory {
	inv := &model.Inventory{Services: []model.Service{
		{Namespace: "shop", Name: "reviews", Selector: map[string]string{"app": "reviews"}, Ports: []model.ServicePort{
			{Name: "http", Port: 9080, Protocol: "TCP", AppProtocol: "http", TargetPort: 8080},
			{Name: "admin", Port: 9090, Protocol: "TCP", TargetPortName: "admin"},
		}},
		{Namespace: "shop", Name: "external", Ports: []model.ServicePort{{Port: 80}}},
		{Namespace: "shop", Name: "a-b", Selector: map[string]string{"app": "ab"}, Ports: []model.ServicePort{{Port: 80}}},
		{Namespace: "shop", Name: "a", Selector: map[string]string{"app": "a"}, Ports: []model.ServicePort{{Port: 80}}},
	}}
	inv.Sort()
	return inv
}

func vsOrigin(name string) model.Origin {
	return model.Origin{Object: model.ObjectRef{Kind: "VirtualService", Namespace: "shop", Name: name}}
}

func TestSubsetService(t *testing.T) {
	inv := subsetInventory()
	v2 := model.Backend{Service: model.ServiceRef{Namespace: "shop", Name: "reviews", Port: 9080}, Subset: "v2",
		SubsetLabels: map[string]string{"version": "v2"}}

	t.Run("the subset Service selects the host's pods that carry the subset labels, on the same ports", func(t *testing.T) {
		u, err := SubsetService(inv, v2, vsOrigin("reviews"))
		if err != nil {
			t.Fatal(err)
		}
		if u.GetName() != "reviews-v2" || u.GetNamespace() != "shop" || u.GetKind() != "Service" || u.GetAPIVersion() != "v1" {
			t.Errorf("got %s %s/%s", u.GetAPIVersion()+" "+u.GetKind(), u.GetNamespace(), u.GetName())
		}
		sel, _, _ := unstructured.NestedStringMap(u.Object, "spec", "selector")
		if len(sel) != 2 || sel["app"] != "reviews" || sel["version"] != "v2" {
			t.Errorf("selector = %v", sel)
		}
		ports, _, _ := unstructured.NestedSlice(u.Object, "spec", "ports")
		if len(ports) != 2 {
			t.Fatalf("ports = %v", ports)
		}
		p0, p1 := ports[0].(map[string]any), ports[1].(map[string]any)
		if p0["port"] != int64(9080) || p0["targetPort"] != int64(8080) || p0["appProtocol"] != "http" || p1["targetPort"] != "admin" {
			t.Errorf("ports = %v", ports)
		}
		ann := u.GetAnnotations()
		if ann[GeneratedAnnotation] != "true" || ann[SourceAnnotation] != "VirtualService/shop/reviews" {
			t.Errorf("annotations = %v", ann)
		}
		if _, ok := u.Object["status"]; ok {
			t.Errorf("status should be left out: %v", u.Object)
		}
	})

	bad := []struct {
		name string
		b    model.Backend
		want string
	}{
		{"a destination without subset is refused", model.Backend{Service: v2.Service}, "no subset"},
		{"an unresolved subset is refused", model.Backend{Service: v2.Service, Subset: "v9"}, "did not resolve"},
		{"a Service missing from the input is refused",
			model.Backend{Service: model.ServiceRef{Namespace: "shop", Name: "nope"}, Subset: "v1", SubsetLabels: map[string]string{}}, "not in the input"},
		{"a Service without selector is refused",
			model.Backend{Service: model.ServiceRef{Namespace: "shop", Name: "external"}, Subset: "v1", SubsetLabels: map[string]string{"v": "1"}}, "no selector"},
		{"a subset label that contradicts the selector is refused",
			model.Backend{Service: v2.Service, Subset: "other", SubsetLabels: map[string]string{"app": "other"}}, "selects no pod"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := SubsetService(inv, c.b)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestSubsetsCollectsOneServicePerSubset(t *testing.T) {
	inv := subsetInventory()
	v1 := model.Backend{Service: model.ServiceRef{Namespace: "shop", Name: "reviews", Port: 9080}, Subset: "v1",
		SubsetLabels: map[string]string{"version": "v1"}}
	v2 := v1
	v2.Subset, v2.SubsetLabels = "v2", map[string]string{"version": "v2"}
	var s Subsets
	for _, c := range []struct {
		b   model.Backend
		src string
	}{{v2, "b"}, {v1, "a"}, {v2, "a"}} {
		ref, err := s.Add(inv, c.b, vsOrigin(c.src))
		if err != nil {
			t.Fatal(err)
		}
		if want := "reviews-" + c.b.Subset; ref.Name != want || ref.Port != 9080 || ref.Namespace != "shop" {
			t.Errorf("ref = %+v, want %s port 9080", ref, want)
		}
	}
	objs := s.Objects()
	if len(objs) != 2 || objs[0].GetName() != "reviews-v1" || objs[1].GetName() != "reviews-v2" {
		t.Fatalf("objects = %v", objs)
	}
	if got := objs[1].GetAnnotations()[SourceAnnotation]; got != "VirtualService/shop/a,VirtualService/shop/b" {
		t.Errorf("sources of reviews-v2 = %q", got)
	}

	t.Run("two subsets whose names collide are refused", func(t *testing.T) {
		var s Subsets
		ab := model.Backend{Service: model.ServiceRef{Namespace: "shop", Name: "a-b"}, Subset: "c", SubsetLabels: map[string]string{}}
		a := model.Backend{Service: model.ServiceRef{Namespace: "shop", Name: "a"}, Subset: "b-c", SubsetLabels: map[string]string{}}
		if _, err := s.Add(inv, ab, vsOrigin("x")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Add(inv, a, vsOrigin("x")); err == nil {
			t.Error("colliding subset names were accepted")
		}
	})
}
