package emit

import (
	"testing"

	"github.com/meshbridge/meshbridge/model"
)

func TestCheckSubsetSaysWhatSubsetServiceWould(t *testing.T) {
	inv := subsetInventory()
	inv.Services = append(inv.Services, model.Service{Namespace: "shop", Name: "two", Selector: map[string]string{"app": "two", "tier": "web"},
		Ports: []model.ServicePort{{Port: 80}}})
	inv.Sort()
	reviews := model.ServiceRef{Namespace: "shop", Name: "reviews", Port: 9080}
	cases := []struct {
		name string
		b    model.Backend
	}{
		{"a subset that can be written", model.Backend{Service: reviews, Subset: "v2", SubsetLabels: map[string]string{"version": "v2"}}},
		{"a destination without subset", model.Backend{Service: reviews}},
		{"an unresolved subset", model.Backend{Service: reviews, Subset: "v9"}},
		{"a Service missing from the input", model.Backend{Service: model.ServiceRef{Namespace: "shop", Name: "nope"}, Subset: "v1", SubsetLabels: map[string]string{}}},
		{"a Service without selector", model.Backend{Service: model.ServiceRef{Namespace: "shop", Name: "external"}, Subset: "v1", SubsetLabels: map[string]string{"v": "1"}}},
		{"labels that contradict the selector, the first by name named",
			model.Backend{Service: model.ServiceRef{Namespace: "shop", Name: "a"}, Subset: "x", SubsetLabels: map[string]string{"app": "z", "zone": "1"}}},
		{"several contradicting labels", model.Backend{Service: model.ServiceRef{Namespace: "shop", Name: "two"}, Subset: "x",
			SubsetLabels: map[string]string{"tier": "db", "app": "other", "version": "v1"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, want := SubsetService(inv, c.b)
			got := CheckSubset(inv, c.b)
			if (got == nil) != (want == nil) || (got != nil && got.Error() != want.Error()) {
				t.Errorf("CheckSubset = %v, SubsetService = %v", got, want)
			}
		})
	}
}

func TestSubsetsAnnotatesEachSourceOnce(t *testing.T) {
	inv := subsetInventory()
	v1 := model.Backend{Service: model.ServiceRef{Namespace: "shop", Name: "reviews", Port: 9080}, Subset: "v1",
		SubsetLabels: map[string]string{"version": "v1"}}
	var s Subsets
	for _, src := range []string{"b", "a", "b", "a", "c"} {
		if _, err := s.Add(inv, v1, vsOrigin(src)); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("repeated references from one source name it once, sorted among the others", func(t *testing.T) {
		objs := s.Objects()
		if got := objs[0].GetAnnotations()[SourceAnnotation]; got != "VirtualService/shop/a,VirtualService/shop/b,VirtualService/shop/c" {
			t.Errorf("sources = %q", got)
		}
	})
}
