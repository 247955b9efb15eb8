package emit

import (
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestSortOrdersByKindNamespaceNameAndVersion(t *testing.T) {
	obj := func(apiVersion, kind, ns, name, tag string) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{}}
		u.SetAPIVersion(apiVersion)
		u.SetKind(kind)
		u.SetNamespace(ns)
		u.SetName(name)
		u.SetLabels(map[string]string{"tag": tag})
		return u
	}
	in := []*unstructured.Unstructured{
		obj("v1", "Service", "b", "x", "1"),
		obj("g/v1", "HTTPRoute", "b", "a", "2"),
		obj("v1", "Service", "a", "y", "3"),
		obj("g/v2", "HTTPRoute", "b", "a", "4"),
		obj("g/v1", "HTTPRoute", "b", "a", "5"), // same key as 2: stays after it
		obj("g/v1", "HTTPRoute", "a", "z", "6"),
		obj("v1", "Service", "a", "x", "7"),
	}
	t.Run("objects come out by kind, namespace, name and apiVersion, equal keys in input order", func(t *testing.T) {
		objs := slices.Clone(in)
		Sort(objs)
		var got []string
		for _, o := range objs {
			got = append(got, o.GetLabels()["tag"])
		}
		if want := []string{"6", "2", "5", "4", "7", "3", "1"}; !slices.Equal(got, want) {
			t.Errorf("order %v, want %v", got, want)
		}
	})
}
