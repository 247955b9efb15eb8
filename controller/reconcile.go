package controller

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
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
	p, err := r.plan(ctx, ns, desired)
	if err != nil {
		return reconcile.Result{}, err
	}
	out := r.applier.execute(ctx, ns, p, g.lookup)
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
	translationsTotal.WithLabelValues("applied").Inc()
	log.V(1).Info("reconciled", "objects", len(desired), "findings", len(findings), "took", time.Since(start))
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
	for _, o := range objs {
		gvk := o.GroupVersionKind()
		_, _, err := r.watcher.output(ctx, gvk.GroupKind())
		if err == nil {
			_, err = r.watcher.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
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
// cache, and decides what to do.
func (r *reconciler) plan(ctx context.Context, ns string, desired []*unstructured.Unstructured) (plan, error) {
	existing := map[objKey]*metav1.PartialObjectMetadata{}
	for _, d := range desired {
		gvk, _, err := r.watcher.output(ctx, d.GroupVersionKind().GroupKind())
		if err != nil {
			return plan{}, err
		}
		m := metadataObject(gvk)
		switch err := r.cache.Get(ctx, client.ObjectKeyFromObject(d), m); {
		case apierrors.IsNotFound(err):
		case err != nil:
			return plan{}, fmt.Errorf("looking up %s: %w", keyOf(d), err)
		default:
			m.SetGroupVersionKind(gvk)
			existing[keyOf(d)] = m
		}
	}
	var owned []*metav1.PartialObjectMetadata
	for _, gvk := range r.watcher.outputKinds() {
		l := metadataList(gvk.GroupVersion().String(), gvk.Kind+"List")
		err := r.cache.List(ctx, l, client.InNamespace(ns),
			client.MatchingLabels{ManagedByLabel: ManagedByValue, OwnerNamespaceLabel: ns})
		if meta.IsNoMatchError(err) {
			continue // the CRD went away
		}
		if err != nil {
			return plan{}, fmt.Errorf("listing owned %s: %w", gvk.Kind, err)
		}
		for i := range l.Items {
			l.Items[i].SetGroupVersionKind(gvk)
			owned = append(owned, &l.Items[i])
		}
	}
	return makePlan(ns, desired, func(k objKey) *metav1.PartialObjectMetadata { return existing[k] }, owned), nil
}

// origin turns an object reference into a finding origin.
func origin(ref *corev1.ObjectReference) model.ObjectRef {
	return model.ObjectRef{APIVersion: ref.APIVersion, Kind: ref.Kind, Namespace: ref.Namespace, Name: ref.Name}
}
