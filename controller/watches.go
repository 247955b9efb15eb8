package controller

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/go-logr/logr"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	ctrlevent "sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"
)

// watcher owns the controller's watches. Istio and output kinds are added as the server
// starts serving them; every event maps to the namespaces whose output it may change.
type watcher struct {
	ctrl   controller.Controller
	cache  cache.Cache
	mapper meta.RESTMapper
	disco  discovery.DiscoveryInterface
	opts   Options
	log    logr.Logger

	mu      sync.Mutex
	inputs  map[schema.GroupKind]schema.GroupVersionKind
	outputs map[schema.GroupKind]schema.GroupVersionKind
}

func newWatcher(ctrl controller.Controller, c cache.Cache, mapper meta.RESTMapper, dc discovery.DiscoveryInterface, opts Options, log logr.Logger) *watcher {
	return &watcher{ctrl: ctrl, cache: c, mapper: mapper, disco: dc, opts: opts, log: log,
		inputs: map[schema.GroupKind]schema.GroupVersionKind{}, outputs: map[schema.GroupKind]schema.GroupVersionKind{}}
}

// Changes that matter. Workloads and Istio objects change status all the time, which does
// not change their translation; Pods only matter when created, deleted or relabelled;
// a ServiceAccount only by its name.
var (
	specOrLabels = predicate.Or[client.Object](predicate.GenerationChangedPredicate{},
		predicate.LabelChangedPredicate{}, predicate.AnnotationChangedPredicate{})
	labelsOnly   = predicate.LabelChangedPredicate{}
	existingOnly = predicate.Funcs{UpdateFunc: func(ctrlevent.UpdateEvent) bool { return false }}
)

// watchStatic adds the watches of the Kubernetes kinds the reader resolves policy against.
func (w *watcher) watchStatic() error {
	deps := handler.EnqueueRequestsFromMapFunc(w.dependents)
	watches := []source.Source{
		source.Kind[client.Object](w.cache, &corev1.Service{}, deps),
		source.Kind[client.Object](w.cache, &appsv1.Deployment{}, deps, specOrLabels),
		source.Kind[client.Object](w.cache, &appsv1.StatefulSet{}, deps, specOrLabels),
		source.Kind[client.Object](w.cache, &appsv1.DaemonSet{}, deps, specOrLabels),
		source.Kind[client.Object](w.cache, &corev1.Pod{}, deps, labelsOnly),
		source.Kind[client.Object](w.cache, metadataObject(corev1.SchemeGroupVersion.WithKind("ServiceAccount")), deps, existingOnly),
	}
	if !w.opts.scoped() {
		watches = append(watches, source.Kind[client.Object](w.cache,
			metadataObject(corev1.SchemeGroupVersion.WithKind("Namespace")),
			handler.EnqueueRequestsFromMapFunc(w.self), labelsOnly))
	}
	for _, s := range watches {
		if err := w.ctrl.Watch(s); err != nil {
			return err
		}
	}
	return nil
}

// discover watches the Istio kinds and the target's output kinds the server serves and that
// are not watched yet.
func (w *watcher) discover(ctx context.Context) error {
	s, err := discoverServed(w.disco, inputGroups())
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	for _, gvk := range resolveInputs(istioKinds, s) {
		if err := w.watchInput(ctx, gvk); err != nil {
			errs = append(errs, err)
		}
	}
	for _, gk := range outputKinds[w.opts.To] {
		if _, _, err := w.output(ctx, gk); err != nil && !meta.IsNoMatchError(err) {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("discovering kinds: %v", errs)
	}
	return nil
}

// watchInput watches an Istio kind at gvk, indexed by the namespaces its objects reference.
// A kind already watched (at whatever version) is left as it is.
func (w *watcher) watchInput(ctx context.Context, gvk schema.GroupVersionKind) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.inputs[gvk.GroupKind()]; ok {
		return nil
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	if err := w.cache.IndexField(ctx, u, refsIndex, func(o client.Object) []string {
		if u, ok := o.(*unstructured.Unstructured); ok {
			return refsOf(u)
		}
		return nil
	}); err != nil {
		return fmt.Errorf("indexing %s: %w", gvk, err)
	}
	if err := w.ctrl.Watch(source.Kind[client.Object](w.cache, u, handler.EnqueueRequestsFromMapFunc(w.istio), specOrLabels)); err != nil {
		return fmt.Errorf("watching %s: %w", gvk, err)
	}
	w.inputs[gvk.GroupKind()] = gvk
	w.log.Info("watching input kind", "kind", gvk.String())
	return nil
}

// output returns the version an output kind is watched at, watching it (metadata only) if it
// is not yet. An error satisfying meta.IsNoMatchError means the server does not serve it.
func (w *watcher) output(ctx context.Context, gk schema.GroupKind) (schema.GroupVersionKind, bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if gvk, ok := w.outputs[gk]; ok {
		return gvk, true, nil
	}
	m, err := w.mapper.RESTMapping(gk)
	if err != nil {
		return schema.GroupVersionKind{}, false, err
	}
	gvk := m.GroupVersionKind
	if err := w.ctrl.Watch(source.Kind[client.Object](w.cache, metadataObject(gvk),
		handler.EnqueueRequestsFromMapFunc(w.self), specOrLabels)); err != nil {
		return schema.GroupVersionKind{}, false, fmt.Errorf("watching %s: %w", gvk, err)
	}
	w.outputs[gk] = gvk
	w.log.Info("watching output kind", "kind", gvk.String())
	return gvk, true, nil
}

// inputKinds returns the watched Istio kinds.
func (w *watcher) inputKinds() []schema.GroupVersionKind {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.SortedFunc(maps.Values(w.inputs), compareGVK)
}

// outputKinds returns the watched output kinds.
func (w *watcher) outputKinds() []schema.GroupVersionKind {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.SortedFunc(maps.Values(w.outputs), compareGVK)
}

func compareGVK(a, b schema.GroupVersionKind) int {
	return compareKeys(objKey{GroupKind: a.GroupKind()}, objKey{GroupKind: b.GroupKind()})
}

// rediscover looks for newly served kinds every interval until ctx ends. It runs on every
// replica, leader or not, so that a new leader starts with every watch in place.
func (w *watcher) rediscover(ctx context.Context) error {
	t := time.NewTicker(w.opts.DiscoveryInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := w.discover(ctx); err != nil {
				w.log.Error(err, "rediscovering kinds")
			}
		}
	}
}

// Map functions: which namespaces an event may change the output of.

// self maps an object to its own namespace (a Namespace to itself).
func (w *watcher) self(_ context.Context, o client.Object) []reconcile.Request {
	ns := o.GetNamespace()
	if ns == "" {
		ns = o.GetName()
	}
	return w.requests(ns)
}

// istio maps an Istio object to its namespace and those it references; root-namespace policy
// and objects that reference every namespace map to all of them.
func (w *watcher) istio(ctx context.Context, o client.Object) []reconcile.Request {
	u, ok := o.(*unstructured.Unstructured)
	if !ok {
		return w.self(ctx, o)
	}
	refs := refsOf(u)
	if o.GetNamespace() == w.opts.RootNamespace || o.GetNamespace() == "" || slices.Contains(refs, allNamespaces) {
		return w.requests(w.allNamespaces(ctx)...)
	}
	return w.requests(append(refs, o.GetNamespace())...)
}

// dependents maps a Service, workload or service account to its namespace and to the
// namespaces of the Istio objects that reference it.
func (w *watcher) dependents(ctx context.Context, o client.Object) []reconcile.Request {
	nss := []string{o.GetNamespace()}
	for _, gvk := range w.inputKinds() {
		for _, key := range []string{o.GetNamespace(), allNamespaces} {
			u := &unstructured.UnstructuredList{}
			u.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
			if err := w.cache.List(ctx, u, client.MatchingFields{refsIndex: key}, client.UnsafeDisableDeepCopy); err != nil {
				w.log.Error(err, "looking up objects that reference a namespace", "kind", gvk.Kind, "namespace", key)
				continue
			}
			for _, item := range u.Items {
				nss = append(nss, item.GetNamespace())
			}
		}
	}
	return w.requests(nss...)
}

// allNamespaces returns every namespace the controller writes.
func (w *watcher) allNamespaces(ctx context.Context) []string {
	if w.opts.scoped() {
		return w.opts.Namespaces
	}
	l := metadataList("v1", "NamespaceList")
	if err := w.cache.List(ctx, l); err != nil {
		w.log.Error(err, "listing namespaces")
		return nil
	}
	var out []string
	for _, n := range l.Items {
		out = append(out, n.Name)
	}
	return out
}

// requests turns namespaces into reconcile requests, leaving out those the controller does
// not write.
func (w *watcher) requests(nss ...string) []reconcile.Request {
	slices.Sort(nss)
	var out []reconcile.Request
	for _, ns := range slices.Compact(nss) {
		if ns != "" && ns != allNamespaces && w.opts.writes(ns) {
			out = append(out, reconcile.Request{NamespacedName: types.NamespacedName{Name: ns}})
		}
	}
	return out
}

func metadataObject(gvk schema.GroupVersionKind) *metav1.PartialObjectMetadata {
	m := &metav1.PartialObjectMetadata{}
	m.SetGroupVersionKind(gvk)
	return m
}
