package controller

import (
	"context"
	"errors"
	"fmt"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/model"
)

// gathered is what the translation of one namespace reads.
type gathered struct {
	inv *inventory.Inventory
	// unreadable are input objects that did not decode; they are not in inv.
	unreadable []unreadable
	// findings are the loader's findings about the inputs (unknown fields, ignored kinds).
	findings model.Findings
	// objects finds the cluster object behind a finding's origin (keyed by inventory.Key),
	// for Events.
	objects map[model.ObjectRef]*corev1.ObjectReference
	// namespaces finds the Namespaces, by name.
	namespaces map[string]*corev1.ObjectReference
}

// unreadable is an input object that does not fit its kind's schema.
type unreadable struct {
	ref *corev1.ObjectReference
	err error
}

// gatherer builds inventories from the informer cache.
type gatherer struct {
	reader client.Reader
	opts   Options
	// decoded keeps the Istio objects decoded.
	decoded *decodeCache
	// inputs returns the Istio kinds being watched; only those may be listed.
	inputs func() []schema.GroupVersionKind
	// namespaces is true when Namespace objects are watched (the controller is not scoped);
	// nsList keeps them listed.
	namespaces bool
	nsList     *namespaceList
}

// gather collects the inventory namespace ns's output depends on (see the package comment).
// Objects are read from the cache without copies: the translation only reads its inventory.
func (g *gatherer) gather(ctx context.Context, ns string) (*gathered, error) {
	out := &gathered{inv: &inventory.Inventory{}, objects: map[model.ObjectRef]*corev1.ObjectReference{}}
	deps := []string{ns}
	for _, gvk := range g.inputs() {
		objs, err := g.istio(ctx, gvk, ns)
		if err != nil {
			return nil, err
		}
		for _, u := range objs {
			ref := out.remember(gvk.GroupVersion().String(), gvk.Kind, u)
			fs, err := g.decoded.add(out.inv, u)
			if errors.Is(err, errNotDecoded) {
				return nil, err // try again: the informer is about to catch up
			}
			if err != nil {
				out.unreadable = append(out.unreadable, unreadable{ref: ref, err: err})
			}
			out.findings = append(out.findings, fs...)
			deps = append(deps, cachedRefs(u).needs...)
		}
	}
	deps = slices.Compact(slices.Sorted(slices.Values(deps)))
	switch {
	case slices.Contains(deps, allNamespaces):
		deps = []string{""} // every namespace the cache holds
	case g.opts.scoped():
		// The cache holds only the namespaces read; others cannot be listed (and are not read).
		deps = slices.DeleteFunc(deps, func(d string) bool { return !slices.Contains(g.opts.readNamespaces(), d) })
	}
	for _, dep := range deps {
		if err := g.dependencies(ctx, dep, out); err != nil {
			return nil, err
		}
	}
	if err := g.listNamespaces(ctx, out); err != nil {
		return nil, err
	}
	out.inv.Locations = nil // the loader's, for objects that have no file
	out.inv.Sort()
	return out, nil
}

// istio lists the objects of one Istio kind that namespace ns's translation reads: those in ns
// and in the root namespace, and those elsewhere that shape ns or every namespace.
func (g *gatherer) istio(ctx context.Context, gvk schema.GroupVersionKind, ns string) ([]*unstructured.Unstructured, error) {
	lists := [][]client.ListOption{
		{client.InNamespace(ns)},
		{client.InNamespace(g.opts.RootNamespace)},
		{client.MatchingFields{shapesIndex: ns}},
		{client.MatchingFields{shapesIndex: allNamespaces}},
	}
	if clusterScoped(gvk.GroupKind()) {
		lists = [][]client.ListOption{nil} // mesh-wide: every namespace reads all of them
	}
	var out []*unstructured.Unstructured
	seen := map[client.ObjectKey]bool{}
	for _, opts := range lists {
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		if err := g.reader.List(ctx, l, append(opts, client.UnsafeDisableDeepCopy)...); err != nil {
			return nil, fmt.Errorf("listing %s: %w", gvk.Kind, err)
		}
		for i := range l.Items {
			u := &l.Items[i]
			if u.GetLabels()[ManagedByLabel] == ManagedByValue {
				continue // meshbridge's own output (the istio target writes Istio kinds)
			}
			if key := client.ObjectKeyFromObject(u); !seen[key] {
				seen[key] = true
				out = append(out, u)
			}
		}
	}
	return out, nil
}

// dependencies adds the Services, service accounts and workloads of namespace ns ("" for all),
// leaving out the Services meshbridge itself generated.
func (g *gatherer) dependencies(ctx context.Context, ns string, out *gathered) error {
	inv := out.inv
	in := []client.ListOption{client.InNamespace(ns), client.UnsafeDisableDeepCopy}

	var svcs corev1.ServiceList
	if err := g.reader.List(ctx, &svcs, in...); err != nil {
		return fmt.Errorf("listing Services: %w", err)
	}
	for i := range svcs.Items {
		if s := &svcs.Items[i]; s.Labels[ManagedByLabel] != ManagedByValue {
			out.remember("v1", "Service", s)
			inv.Services = append(inv.Services, s)
		}
	}

	sas := metadataList("v1", "ServiceAccountList")
	if err := g.reader.List(ctx, sas, in...); err != nil {
		return fmt.Errorf("listing ServiceAccounts: %w", err)
	}
	for i := range sas.Items {
		m := &sas.Items[i]
		out.remember("v1", "ServiceAccount", m)
		inv.ServiceAccounts = append(inv.ServiceAccounts, &corev1.ServiceAccount{ObjectMeta: m.ObjectMeta})
	}

	var deps appsv1.DeploymentList
	if err := g.reader.List(ctx, &deps, in...); err != nil {
		return fmt.Errorf("listing Deployments: %w", err)
	}
	for i := range deps.Items {
		out.remember("apps/v1", "Deployment", &deps.Items[i])
		inv.Deployments = append(inv.Deployments, &deps.Items[i])
	}
	var sts appsv1.StatefulSetList
	if err := g.reader.List(ctx, &sts, in...); err != nil {
		return fmt.Errorf("listing StatefulSets: %w", err)
	}
	for i := range sts.Items {
		out.remember("apps/v1", "StatefulSet", &sts.Items[i])
		inv.StatefulSets = append(inv.StatefulSets, &sts.Items[i])
	}
	var dss appsv1.DaemonSetList
	if err := g.reader.List(ctx, &dss, in...); err != nil {
		return fmt.Errorf("listing DaemonSets: %w", err)
	}
	for i := range dss.Items {
		out.remember("apps/v1", "DaemonSet", &dss.Items[i])
		inv.DaemonSets = append(inv.DaemonSets, &dss.Items[i])
	}
	var pods corev1.PodList
	if err := g.reader.List(ctx, &pods, in...); err != nil {
		return fmt.Errorf("listing Pods: %w", err)
	}
	for i := range pods.Items {
		out.remember("v1", "Pod", &pods.Items[i])
		inv.Pods = append(inv.Pods, &pods.Items[i])
	}
	return nil
}

// listNamespaces adds every namespace: from the cache when Namespaces are watched, otherwise
// (scoped) the namespaces the controller reads.
func (g *gatherer) listNamespaces(ctx context.Context, out *gathered) error {
	if !g.namespaces {
		for _, ns := range g.opts.readNamespaces() {
			out.inv.Namespaces = append(out.inv.Namespaces, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
		}
		return nil
	}
	list, refs, err := g.nsList.get(ctx, g.reader)
	if err != nil {
		return err
	}
	out.inv.Namespaces = append(out.inv.Namespaces, list...)
	out.namespaces = refs
	return nil
}

// remember records obj's reference for Events and returns it.
func (out *gathered) remember(apiVersion, kind string, obj metav1.Object) *corev1.ObjectReference {
	ref := &corev1.ObjectReference{
		APIVersion: apiVersion, Kind: kind, Namespace: obj.GetNamespace(), Name: obj.GetName(),
		UID: obj.GetUID(), ResourceVersion: obj.GetResourceVersion(),
	}
	out.objects[inventory.Key(model.ObjectRef{Kind: kind, Namespace: ref.Namespace, Name: ref.Name})] = ref
	return ref
}

// lookup returns the reference of the gathered object o names.
func (out *gathered) lookup(o model.ObjectRef) (*corev1.ObjectReference, bool) {
	if o.Kind == "Namespace" && o.Namespace == "" {
		ref, ok := out.namespaces[o.Name]
		return ref, ok
	}
	ref, ok := out.objects[inventory.Key(o)]
	return ref, ok
}

func metadataList(apiVersion, kind string) *metav1.PartialObjectMetadataList {
	l := &metav1.PartialObjectMetadataList{}
	l.APIVersion, l.Kind = apiVersion, kind
	return l
}
