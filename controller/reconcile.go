package controller

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/model"
)

// reconciler translates one namespace per request; the request's Name is the namespace.
type reconciler struct {
	opts     Options
	cache    client.Reader
	gatherer *gatherer
	watcher  *watcher
	applier  *applier
	reporter *reporter
	ledger   *ledger
	resync   resync
	log      logr.Logger
}

var _ reconcile.Reconciler = (*reconciler)(nil)

// Reconcile implements reconcile.Reconciler.
func (r *reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	ns := req.Name
	if !r.opts.writes(ns) {
		return reconcile.Result{}, nil
	}
	start := time.Now()
	defer func() { reconcileDuration.Observe(time.Since(start).Seconds()) }()
	log := r.log.WithValues("namespace", ns)

	if gone, err := r.namespaceGone(ctx, ns); err != nil || gone {
		if gone {
			r.forget(ns)
		}
		return reconcile.Result{}, err
	}
	g, err := r.gatherer.gather(ctx, ns)
	if err != nil {
		return reconcile.Result{}, err
	}
	if len(g.unreadable) > 0 {
		fs := slices.Clone(g.findings)
		for _, u := range g.unreadable {
			fs.Add(stage, model.CodeInputUnreadable, model.Origin{Object: origin(u.ref)}, "",
				"%s %s/%s cannot be read as %s: %v; nothing was applied or pruned in namespace %s, whose last good output stays",
				u.ref.Kind, u.ref.Namespace, u.ref.Name, u.ref.APIVersion, u.err, ns)
		}
		log.Info("holding namespace: an input is unreadable", "unreadable", len(g.unreadable))
		r.report(ns, fs.Sorted(), g.lookup, nil)
		translationsTotal.WithLabelValues("held").Inc()
		return reconcile.Result{}, nil
	}

	gathered := time.Now()
	res, err := r.opts.translate(g.inv, r.opts.translateOptions())
	if err != nil {
		return reconcile.Result{}, reconcile.TerminalError(fmt.Errorf("translating namespace %s: %w", ns, err))
	}
	for _, o := range res.Objects {
		if o.GetNamespace() == "" {
			// No writer produces cluster-scoped objects; were one to, no namespace would own it.
			log.Error(nil, "cluster-scoped output not applied", "object", keyOf(o).String())
		}
	}
	desired := desiredIn(ns, res.Objects)
	desired, unserved := r.served(ctx, desired)
	epoch, full := r.resync.due(ns)
	current := r.ledger.current
	if full || r.opts.DryRun {
		// A resync applies everything; a dry run keeps no ledger and reports every difference.
		current = nil
	}
	p, err := r.plan(ctx, ns, desired, current)
	if err != nil {
		return reconcile.Result{}, err
	}
	planned := time.Now()
	out := r.applier.execute(ctx, ns, p, g.lookup)
	written := time.Now()
	find := func(o model.ObjectRef) (*corev1.ObjectReference, bool) {
		if ref, ok := g.lookup(o); ok {
			return ref, true
		}
		ref, ok := out.refs[inventory.Key(o)]
		return ref, ok
	}
	findings := slices.Concat(g.findings, res.Findings, unserved, out.findings).Sorted()
	r.report(ns, findings, find, out.planned)
	r.reporter.occurred(out.changed)
	if out.err != nil {
		translationsTotal.WithLabelValues("failed").Inc()
		return reconcile.Result{}, out.err
	}
	r.resync.finished(ns, epoch)
	translationsTotal.WithLabelValues("applied").Inc()
	log.V(1).Info("reconciled", "objects", len(desired), "applied", len(p.apply), "current", len(p.current),
		"pruned", len(p.prune), "findings", len(findings), "took", time.Since(start),
		"gather", gathered.Sub(start), "translate", planned.Sub(gathered), "write", written.Sub(planned))
	return reconcile.Result{}, nil
}

// report publishes a namespace's standing findings as metrics and Events.
func (r *reconciler) report(ns string, fs model.Findings, find func(model.ObjectRef) (*corev1.ObjectReference, bool), planned []event) {
	setFindings(ns, fs)
	r.reporter.standing(ns, append(findingEvents(fs, find), planned...))
}

// forget drops what is kept about a namespace that is gone.
func (r *reconciler) forget(ns string) {
	setFindings(ns, nil)
	r.reporter.standing(ns, nil)
	r.resync.forget(ns)
}

// namespaceGone reports whether ns no longer exists or is being deleted; then there is
// nothing to write (and writes would fail). Scoped controllers do not watch Namespaces and
// leave the check to the API server.
func (r *reconciler) namespaceGone(ctx context.Context, ns string) (bool, error) {
	if !r.gatherer.namespaces {
		return false, nil
	}
	m := metadataObject(corev1.SchemeGroupVersion.WithKind("Namespace"))
	if err := r.cache.Get(ctx, client.ObjectKey{Name: ns}, m); err != nil {
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return false, err
	}
	return m.DeletionTimestamp != nil, nil
}

// served keeps the objects whose kind the server serves, watching each kind from its first
// appearance, and reports the others (MB7004).
func (r *reconciler) served(ctx context.Context, objs []*unstructured.Unstructured) ([]*unstructured.Unstructured, model.Findings) {
	var keep []*unstructured.Unstructured
	var fs model.Findings
	looked := map[schema.GroupVersionKind]error{} // a translation writes a few kinds, many objects
	for _, o := range objs {
		gvk := o.GroupVersionKind()
		err, ok := looked[gvk]
		if !ok {
			_, _, err = r.watcher.output(ctx, gvk.GroupKind())
			if err == nil {
				_, err = r.watcher.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
			}
			looked[gvk] = err
		}
		if err != nil {
			for _, src := range origins(o) {
				fs.Add(stage, model.CodeOutputKindNotFound, model.Origin{Object: src}, "",
					"%s %s was not applied: the API server does not serve %s (%v)", gvk.Kind, o.GetName(), gvk.GroupVersion(), err)
			}
			continue
		}
		keep = append(keep, o)
	}
	return keep, fs
}

// plan looks up the existing objects for the desired ones and the owned objects of ns in the
// cache, and decides what to do; current tells owned objects that need no apply (nil: none).
// Each output kind of ns is listed once, without copies (nothing here changes the cached
// objects; the list items are copies of their structs, whose GVK is set).
func (r *reconciler) plan(ctx context.Context, ns string, desired []*unstructured.Unstructured,
	current func(*unstructured.Unstructured, *metav1.PartialObjectMetadata) bool) (plan, error) {
	kinds := r.watcher.outputKinds()
	for _, d := range desired {
		gvk, _, err := r.watcher.output(ctx, d.GroupVersionKind().GroupKind())
		if err != nil {
			return plan{}, err
		}
		if !slices.Contains(kinds, gvk) {
			kinds = append(kinds, gvk)
		}
	}
	existing := map[objKey]*metav1.PartialObjectMetadata{}
	var owned []*metav1.PartialObjectMetadata
	for _, gvk := range kinds {
		l := metadataList(gvk.GroupVersion().String(), gvk.Kind+"List")
		err := r.cache.List(ctx, l, client.InNamespace(ns), client.UnsafeDisableDeepCopy)
		if meta.IsNoMatchError(err) {
			continue // the CRD went away
		}
		if err != nil {
			return plan{}, fmt.Errorf("listing %s: %w", gvk.Kind, err)
		}
		for i := range l.Items {
			m := &l.Items[i]
			m.SetGroupVersionKind(gvk)
			existing[keyOf(m)] = m
			if owns(ns, m) {
				owned = append(owned, m)
			}
		}
	}
	return makePlan(ns, desired, func(k objKey) *metav1.PartialObjectMetadata { return existing[k] }, owned, current), nil
}

// origin turns an object reference into a finding origin.
func origin(ref *corev1.ObjectReference) model.ObjectRef {
	return model.ObjectRef{APIVersion: ref.APIVersion, Kind: ref.Kind, Namespace: ref.Namespace, Name: ref.Name}
}

// resync counts the periodic full resyncs (--resync-period): each bumps the epoch, and a
// namespace whose last complete reconcile is of an older epoch applies every output, current
// or not, which repairs whatever drift left no trace the ledger sees.
type resync struct {
	mu    sync.Mutex
	epoch int
	done  map[string]int
}

// next starts a new epoch.
func (s *resync) next() {
	s.mu.Lock()
	s.epoch++
	s.mu.Unlock()
}

// due returns the epoch and whether namespace ns has yet to be fully applied in it.
func (s *resync) due(ns string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.epoch, s.done[ns] < s.epoch
}

// forget drops what is kept about a namespace that is gone.
func (s *resync) forget(ns string) {
	s.mu.Lock()
	delete(s.done, ns)
	s.mu.Unlock()
}

// finished records that namespace ns was fully reconciled in epoch.
func (s *resync) finished(ns string, epoch int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done == nil {
		s.done = map[string]int{}
	}
	s.done[ns] = max(s.done[ns], epoch)
}
