package controller

import (
	"cmp"
	"maps"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// objKey names an object independently of the API version it is read at.
type objKey struct {
	schema.GroupKind
	Namespace string
	Name      string
}

func keyOf(obj client.Object) objKey {
	gvk := obj.GetObjectKind().GroupVersionKind()
	return objKey{GroupKind: gvk.GroupKind(), Namespace: obj.GetNamespace(), Name: obj.GetName()}
}

// String renders Kind namespace/name.
func (k objKey) String() string { return k.Kind + " " + k.Namespace + "/" + k.Name }

func compareKeys(a, b objKey) int {
	return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.Kind, b.Kind),
		cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
}

// owns reports whether obj is meshbridge's output for namespace ns. Both labels are needed:
// an object another namespace's reconcile owns is as foreign as a user's.
func owns(ns string, obj metav1.Object) bool {
	l := obj.GetLabels()
	return l[ManagedByLabel] == ManagedByValue && l[OwnerNamespaceLabel] == ns
}

// desiredIn returns copies of the translated objects that live in namespace ns, labelled as
// owned by ns and annotated with the hash of their content (HashAnnotation). The translation of ns's inventory may also produce objects for other
// namespaces (from root-namespace policy, say); their own namespace's reconcile writes those.
// A key produced twice keeps its first object; writers never do that, but it must not decide
// anything by chance.
func desiredIn(ns string, objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	seen := map[objKey]bool{}
	for _, o := range objs {
		if o.GetNamespace() != ns || seen[keyOf(o)] {
			continue
		}
		seen[keyOf(o)] = true
		// A copy of what changes (the metadata); the spec is shared, and nothing changes it.
		c := &unstructured.Unstructured{Object: maps.Clone(o.Object)}
		if md, ok := o.Object["metadata"].(map[string]any); ok {
			c.Object["metadata"] = maps.Clone(md)
		}
		labels := maps.Clone(c.GetLabels())
		if labels == nil {
			labels = map[string]string{}
		}
		labels[ManagedByLabel] = ManagedByValue
		labels[OwnerNamespaceLabel] = ns
		c.SetLabels(labels)
		if h := contentHash(c); h != "" {
			annotations := maps.Clone(c.GetAnnotations())
			if annotations == nil {
				annotations = map[string]string{}
			}
			annotations[HashAnnotation] = h
			c.SetAnnotations(annotations)
		}
		out = append(out, c)
	}
	return out
}

// planned is a desired object with the object of the same key found in the cluster, if any.
type planned struct {
	obj      *unstructured.Unstructured
	existing *metav1.PartialObjectMetadata
}

// plan is what reconciling one namespace does to the cluster.
type plan struct {
	// apply are objects to create (existing nil) or to apply over an owned object.
	apply []planned
	// current are owned objects that already hold what would be applied; they are left as
	// they are.
	current []planned
	// blocked are objects whose name an object meshbridge does not own holds; they are left alone.
	blocked []planned
	// prune are owned objects the translation no longer produces.
	prune []*metav1.PartialObjectMetadata
}

// makePlan decides what to do with the desired objects of namespace ns, given a lookup of
// existing objects by key, the objects that carry ns's ownership labels, and a test of whether
// an owned object already holds a desired one (nil: never). It is the whole of the ownership
// rule: create what is missing, apply over what ns owns unless it is current, never touch what
// it does not own, delete what it owns and no longer wants.
func makePlan(ns string, desired []*unstructured.Unstructured, existing func(objKey) *metav1.PartialObjectMetadata,
	owned []*metav1.PartialObjectMetadata, current func(*unstructured.Unstructured, *metav1.PartialObjectMetadata) bool) plan {
	var p plan
	want := map[objKey]bool{}
	for _, d := range desired {
		want[keyOf(d)] = true
		e := existing(keyOf(d))
		switch {
		case e != nil && owns(ns, e) && current != nil && current(d, e):
			p.current = append(p.current, planned{obj: d, existing: e})
		case e == nil || owns(ns, e):
			p.apply = append(p.apply, planned{obj: d, existing: e})
		default:
			p.blocked = append(p.blocked, planned{obj: d, existing: e})
		}
	}
	for _, o := range owned {
		if owns(ns, o) && o.GetNamespace() == ns && !want[keyOf(o)] && o.GetDeletionTimestamp() == nil {
			p.prune = append(p.prune, o)
		}
	}
	slices.SortFunc(p.prune, func(a, b *metav1.PartialObjectMetadata) int { return compareKeys(keyOf(a), keyOf(b)) })
	return p
}
