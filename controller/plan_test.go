package controller

import (
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

var httpRouteGVK = schema.GroupVersionKind{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "HTTPRoute"}

func route(ns, name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(httpRouteGVK)
	u.SetNamespace(ns)
	u.SetName(name)
	return u
}

// existingRoute is an HTTPRoute in the cluster with labels.
func existingRoute(ns, name string, labels map[string]string) *metav1.PartialObjectMetadata {
	m := metadataObject(httpRouteGVK)
	m.Namespace, m.Name, m.Labels, m.UID = ns, name, labels, types.UID("uid-"+name)
	return m
}

func ownedBy(ns string) map[string]string {
	return map[string]string{ManagedByLabel: ManagedByValue, OwnerNamespaceLabel: ns}
}

func names[T interface{ GetName() string }](objs []T) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.GetName())
	}
	return out
}

func TestMakePlan(t *testing.T) {
	tests := []struct {
		name     string
		desired  []string
		existing []*metav1.PartialObjectMetadata // the cluster, in namespace shop
		current  []string                        // owned objects that already hold the desired ones
		apply    []string
		blocked  []string
		prune    []string
		same     []string // what current reports
	}{
		{
			name:    "missing objects are created",
			desired: []string{"a", "b"},
			apply:   []string{"a", "b"},
		},
		{
			name:     "owned objects are applied over",
			desired:  []string{"a"},
			existing: []*metav1.PartialObjectMetadata{existingRoute("shop", "a", ownedBy("shop"))},
			apply:    []string{"a"},
		},
		{
			name:     "an object without the labels is never touched",
			desired:  []string{"a"},
			existing: []*metav1.PartialObjectMetadata{existingRoute("shop", "a", map[string]string{"team": "web"})},
			blocked:  []string{"a"},
		},
		{
			name:    "an object another namespace's reconcile owns is foreign too",
			desired: []string{"a"},
			existing: []*metav1.PartialObjectMetadata{
				existingRoute("shop", "a", ownedBy("other")),
			},
			blocked: []string{"a"},
		},
		{
			name:    "owned objects no longer produced are pruned, others are not",
			desired: []string{"keep"},
			existing: []*metav1.PartialObjectMetadata{
				existingRoute("shop", "keep", ownedBy("shop")),
				existingRoute("shop", "stale", ownedBy("shop")),
				existingRoute("shop", "users", map[string]string{ManagedByLabel: "helm"}),
				existingRoute("shop", "half", map[string]string{ManagedByLabel: ManagedByValue}),
			},
			apply: []string{"keep"},
			prune: []string{"stale"},
		},
		{
			name:    "owned objects that already hold the translation are left as they are",
			desired: []string{"a", "b"},
			existing: []*metav1.PartialObjectMetadata{
				existingRoute("shop", "a", ownedBy("shop")),
				existingRoute("shop", "b", ownedBy("shop")),
			},
			same:    []string{"a"},
			current: []string{"a"},
			apply:   []string{"b"},
		},
		{
			name:     "an object that is not owned is blocked even when it looks current",
			desired:  []string{"a"},
			existing: []*metav1.PartialObjectMetadata{existingRoute("shop", "a", ownedBy("other"))},
			same:     []string{"a"},
			blocked:  []string{"a"},
		},
		{
			name:     "an empty translation prunes everything owned",
			existing: []*metav1.PartialObjectMetadata{existingRoute("shop", "b", ownedBy("shop")), existingRoute("shop", "a", ownedBy("shop"))},
			prune:    []string{"a", "b"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var desired []*unstructured.Unstructured
			for _, n := range tt.desired {
				desired = append(desired, route("shop", n))
			}
			byKey := map[objKey]*metav1.PartialObjectMetadata{}
			for _, e := range tt.existing {
				byKey[keyOf(e)] = e
			}
			var current func(*unstructured.Unstructured, *metav1.PartialObjectMetadata) bool
			if tt.same != nil {
				current = func(d *unstructured.Unstructured, _ *metav1.PartialObjectMetadata) bool {
					return slices.Contains(tt.same, d.GetName())
				}
			}
			p := makePlan("shop", desired, func(k objKey) *metav1.PartialObjectMetadata { return byKey[k] }, tt.existing, current)
			if got := names2(p.current); !slices.Equal(got, tt.current) {
				t.Errorf("current = %v, want %v", got, tt.current)
			}
			var apply, blocked []string
			for _, a := range p.apply {
				apply = append(apply, a.obj.GetName())
			}
			for _, b := range p.blocked {
				blocked = append(blocked, b.obj.GetName())
			}
			if !slices.Equal(apply, tt.apply) || !slices.Equal(blocked, tt.blocked) || !slices.Equal(names(p.prune), tt.prune) {
				t.Errorf("plan: apply %v blocked %v prune %v; want apply %v blocked %v prune %v",
					apply, blocked, names(p.prune), tt.apply, tt.blocked, tt.prune)
			}
		})
	}
}

func names2(ps []planned) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.obj.GetName())
	}
	return out
}

func TestDesiredIn(t *testing.T) {
	a := route("shop", "a")
	a.SetLabels(map[string]string{"app": "web", OwnerNamespaceLabel: "forged"})
	objs := []*unstructured.Unstructured{a, route("other", "b"), route("shop", "a"), route("shop", "c")}

	got := desiredIn("shop", objs)

	if !slices.Equal(names(got), []string{"a", "c"}) {
		t.Fatalf("desiredIn kept %v, want [a c]: other namespaces and repeated keys are left out", names(got))
	}
	want := map[string]string{"app": "web", ManagedByLabel: ManagedByValue, OwnerNamespaceLabel: "shop"}
	if l := got[0].GetLabels(); !equalMaps(l, want) {
		t.Errorf("labels = %v, want %v", l, want)
	}
	h := got[0].GetAnnotations()[HashAnnotation]
	if len(h) != 32 {
		t.Errorf("hash annotation = %q, want 32 hex digits", h)
	}
	if h == got[1].GetAnnotations()[HashAnnotation] {
		t.Error("two different objects have the same hash")
	}
	again := desiredIn("shop", objs)
	if again[0].GetAnnotations()[HashAnnotation] != h {
		t.Error("the hash of the same object differs between two translations")
	}
	if a.GetLabels()[OwnerNamespaceLabel] != "forged" {
		t.Error("desiredIn changed the translation's object instead of a copy")
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			return false
		}
	}
	return true
}
