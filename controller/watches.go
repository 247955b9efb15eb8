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
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/util/workqueue"
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
	ledger *ledger
	// decoded is the gatherer's cache of decoded inputs, which forgets deleted objects.
	decoded *decodeCache
	opts    Options
	log     logr.Logger
	// namespaces is the gatherer's list of namespaces, which the Namespace watch keeps.
	namespaces *namespaceList
	// resyncs carries the namespaces of a periodic resync to the work queue.
	resyncs chan ctrlevent.GenericEvent

	mu      sync.Mutex
	inputs  map[schema.GroupKind]schema.GroupVersionKind
	outputs map[schema.GroupKind]schema.GroupVersionKind
}

func newWatcher(ctrl controller.Controller, c cache.Cache, mapper meta.RESTMapper, dc discovery.DiscoveryInterface,
	l *ledger, decoded *decodeCache, opts Options, log logr.Logger) *watcher {
	return &watcher{ctrl: ctrl, cache: c, mapper: mapper, disco: dc, ledger: l, decoded: decoded, opts: opts, log: log,
		resyncs: make(chan ctrlevent.GenericEvent), namespaces: &namespaceList{},
		inputs: map[schema.GroupKind]schema.GroupVersionKind{}, outputs: map[schema.GroupKind]schema.GroupVersionKind{}}
}

// Changes that matter. Workloads and Istio objects change status all the time, which does
// not change their translation; Pods only matter when created, deleted or relabelled;
// a ServiceAccount only by its name; a Service by its labels, selector and ports (the cache
// keeps nothing else of it). The controller's own outputs are not inputs: their events are
// left out here (they matter to the output watches).
var (
	specOrLabels = predicate.Or[client.Object](predicate.GenerationChangedPredicate{},
		predicate.LabelChangedPredicate{}, predicate.AnnotationChangedPredicate{})
	labelsOnly   = predicate.LabelChangedPredicate{}
	existingOnly = predicate.Funcs{UpdateFunc: func(ctrlevent.UpdateEvent) bool { return false }}
	notOutput    = predicate.Funcs{
		CreateFunc:  func(e ctrlevent.CreateEvent) bool { return !isOutput(e.Object) },
		DeleteFunc:  func(e ctrlevent.DeleteEvent) bool { return !isOutput(e.Object) },
		UpdateFunc:  func(e ctrlevent.UpdateEvent) bool { return !isOutput(e.ObjectOld) || !isOutput(e.ObjectNew) },
		GenericFunc: func(e ctrlevent.GenericEvent) bool { return !isOutput(e.Object) },
	}
	serviceChanged = predicate.Funcs{UpdateFunc: func(e ctrlevent.UpdateEvent) bool {
		o, ok1 := e.ObjectOld.(*corev1.Service)
		n, ok2 := e.ObjectNew.(*corev1.Service)
		return !ok1 || !ok2 || !maps.Equal(o.Labels, n.Labels) || !equality.Semantic.DeepEqual(o.Spec, n.Spec)
	}}
)

// isOutput reports whether o carries the label of the controller's outputs.
func isOutput(o client.Object) bool { return o.GetLabels()[ManagedByLabel] == ManagedByValue }

// echoWait is how long an output's watch event waits before it is compared with the ledger:
// the event of the controller's own apply may arrive before the apply's answer is recorded.
const echoWait = 250 * time.Millisecond

// watchStatic adds the watches of the Kubernetes kinds the reader resolves policy against.
func (w *watcher) watchStatic() error {
	deps := handler.EnqueueRequestsFromMapFunc(w.dependents)
	watches := []source.Source{
		source.Kind[client.Object](w.cache, &corev1.Service{}, deps, notOutput, serviceChanged),
		source.Kind[client.Object](w.cache, &appsv1.Deployment{}, deps, specOrLabels),
		source.Kind[client.Object](w.cache, &appsv1.StatefulSet{}, deps, specOrLabels),
		source.Kind[client.Object](w.cache, &appsv1.DaemonSet{}, deps, specOrLabels),
		source.Kind[client.Object](w.cache, &corev1.Pod{}, deps, labelsOnly),
		source.Kind[client.Object](w.cache, metadataObject(corev1.SchemeGroupVersion.WithKind("ServiceAccount")), deps, existingOnly),
	}
	watches = append(watches, source.Channel(w.resyncs, handler.EnqueueRequestsFromMapFunc(w.self)))
	if !w.opts.scoped() {
		watches = append(watches, source.Kind[client.Object](w.cache,
			metadataObject(corev1.SchemeGroupVersion.WithKind("Namespace")),
			invalidating{EventHandler: handler.EnqueueRequestsFromMapFunc(w.self), changed: w.namespaces.invalidate}, labelsOnly))
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

// watchInput watches an Istio kind at gvk, indexed by the namespaces its objects shape and
// need.
// A kind already watched (at whatever version) is left as it is.
func (w *watcher) watchInput(ctx context.Context, gvk schema.GroupVersionKind) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.inputs[gvk.GroupKind()]; ok {
		return nil
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	for name, of := range map[string]func(refs) []string{
		shapesIndex: func(r refs) []string { return r.shapes },
		needsIndex:  func(r refs) []string { return r.needs },
	} {
		if err := w.cache.IndexField(ctx, u, name, func(o client.Object) []string {
			if u, ok := o.(*unstructured.Unstructured); ok {
				return of(cachedRefs(u))
			}
			return nil
		}); err != nil {
			return fmt.Errorf("indexing %s: %w", gvk, err)
		}
	}
	h := forgetOnDelete{EventHandler: handler.EnqueueRequestsFromMapFunc(w.istio), forget: w.decoded.forget}
	if err := w.ctrl.Watch(source.Kind[client.Object](w.cache, u, h, specOrLabels, notOutput)); err != nil {
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
	if err := w.ctrl.Watch(source.Kind[client.Object](w.cache, metadataObject(gvk), w.outputEvents())); err != nil {
		return schema.GroupVersionKind{}, false, fmt.Errorf("watching %s: %w", gvk, err)
	}
	w.outputs[gk] = gvk
	w.log.Info("watching output kind", "kind", gvk.String())
	return gvk, true, nil
}

// forgetOnDelete is an event handler that also calls forget on the objects deleted.
type forgetOnDelete struct {
	handler.EventHandler
	forget func(client.Object)
}

func (h forgetOnDelete) Delete(ctx context.Context, e ctrlevent.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	h.forget(e.Object)
	h.EventHandler.Delete(ctx, e, q)
}

// outputEvents maps an output's events to its namespace. A change the controller did not make
// is drift to repair, or a blocking object that went away; its own writes and deletions come
// back as watch events too, which are recognised in the ledger and dropped. Kinds that keep a generation
// matter when it, labels or annotations change (not for status); kinds that do not (Services),
// on every change.
func (w *watcher) outputEvents() handler.EventHandler {
	enqueue := func(o client.Object, q workqueue.TypedRateLimitingInterface[reconcile.Request], own func(client.Object) bool) {
		reqs := w.requests(o.GetNamespace())
		if own == nil {
			for _, r := range reqs {
				q.Add(r)
			}
			return
		}
		time.AfterFunc(echoWait, func() {
			if !own(o) {
				for _, r := range reqs {
					q.Add(r)
				}
			}
		})
	}
	return handler.Funcs{
		CreateFunc: func(_ context.Context, e ctrlevent.CreateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			enqueue(e.Object, q, w.ledger.echo)
		},
		UpdateFunc: func(_ context.Context, e ctrlevent.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			o, n := e.ObjectOld, e.ObjectNew
			if o.GetGeneration() != 0 || n.GetGeneration() != 0 {
				if !specOrLabels.Update(e) {
					return
				}
			} else if o.GetResourceVersion() == n.GetResourceVersion() {
				return
			}
			enqueue(n, q, w.ledger.echo)
		},
		DeleteFunc: func(_ context.Context, e ctrlevent.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			enqueue(e.Object, q, w.ledger.gone)
		},
		GenericFunc: func(_ context.Context, e ctrlevent.GenericEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			enqueue(e.Object, q, nil)
		},
	}
}

// resyncEvery starts a resync every period until ctx ends: a new epoch, and every namespace
// the controller writes queued.
func (w *watcher) resyncEvery(ctx context.Context, period time.Duration, s *resync) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.next()
		nss := w.allNamespaces(ctx)
		w.log.Info("resync: applying every output again", "namespaces", len(nss))
		for _, ns := range nss {
			m := metadataObject(corev1.SchemeGroupVersion.WithKind("Namespace"))
			m.Name = ns
			select {
			case w.resyncs <- ctrlevent.GenericEvent{Object: m}:
			case <-ctx.Done():
				return
			}
		}
	}
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

// istio maps an Istio object to the namespaces whose translation reads it: its own and those
// it shapes; root-namespace policy and objects that shape every namespace map to all of them.
func (w *watcher) istio(ctx context.Context, o client.Object) []reconcile.Request {
	u, ok := o.(*unstructured.Unstructured)
	if !ok {
		return w.self(ctx, o)
	}
	shapes := cachedRefs(u).shapes
	if o.GetNamespace() == w.opts.RootNamespace || o.GetNamespace() == "" || slices.Contains(shapes, allNamespaces) {
		return w.requests(w.allNamespaces(ctx)...)
	}
	return w.requests(append(shapes, o.GetNamespace())...)
}

// dependents maps a Service, workload or service account to its namespace and to the
// namespaces of the Istio objects that need its namespace's.
func (w *watcher) dependents(ctx context.Context, o client.Object) []reconcile.Request {
	nss := []string{o.GetNamespace()}
	for _, gvk := range w.inputKinds() {
		for _, key := range []string{o.GetNamespace(), allNamespaces} {
			u := &unstructured.UnstructuredList{}
			u.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
			if err := w.cache.List(ctx, u, client.MatchingFields{needsIndex: key}, client.UnsafeDisableDeepCopy); err != nil {
				w.log.Error(err, "looking up objects that need a namespace", "kind", gvk.Kind, "namespace", key)
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
