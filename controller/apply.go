package controller

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/meshbridge/meshbridge/model"
)

// stage is the finding stage of the controller's own findings.
const stage = "controller"

// applier carries out a plan against the API server.
type applier struct {
	client client.Client
	dryRun bool
	// ledger records each output as written (not in dry runs).
	ledger *ledger
	// onApply is Options.onApply.
	onApply func(*unstructured.Unstructured)
	// concurrency bounds the requests of one plan in flight at once.
	concurrency int
	log         logr.Logger
}

// outcome is what carrying out a plan did.
type outcome struct {
	// findings are the controller's findings (MB7002, MB7003), with the objects they are
	// about in refs when those are not inputs.
	findings model.Findings
	refs     map[model.ObjectRef]*corev1.ObjectReference
	// changed are Events about objects created, changed or deleted.
	changed []event
	// planned are the Events of a dry run: what it would have done (recorded once each).
	planned []event
	// err joins the failures worth retrying.
	err error
}

// origins returns the origins an output's findings and Events are about: its sources, or the
// output itself when it names none.
func origins(obj client.Object) []model.ObjectRef {
	if src := sources(obj.GetAnnotations()); len(src) > 0 {
		return src
	}
	k := keyOf(obj)
	return []model.ObjectRef{{APIVersion: obj.GetObjectKind().GroupVersionKind().GroupVersion().String(),
		Kind: k.Kind, Namespace: k.Namespace, Name: k.Name}}
}

func (o *outcome) report(code model.Code, about client.Object, format string, args ...any) {
	for _, origin := range origins(about) {
		o.findings.Add(stage, code, model.Origin{Object: origin}, "", format, args...)
	}
}

// execute applies, then prunes. When any apply fails it prunes nothing: deleting the rest of
// the old output while its replacement is missing could leave the namespace with less routing
// or wider access than either translation. Applies run concurrently (up to a.concurrency),
// and so do deletions: what the cluster holds in between is old and new objects side by side
// either way. Their outcomes are read in the plan's order.
func (a *applier) execute(ctx context.Context, ns string, p plan, find func(model.ObjectRef) (*corev1.ObjectReference, bool)) outcome {
	var o outcome
	o.refs = map[model.ObjectRef]*corev1.ObjectReference{}
	var errs []error
	failed := false
	for _, b := range p.blocked {
		o.report(model.CodeOutputNotOwned, b.obj, "%s exists and is not managed by meshbridge for namespace %s "+
			"(labels %s=%s, %s=%s); it was left untouched and the translated object was not applied",
			keyOf(b.obj), ns, ManagedByLabel, ManagedByValue, OwnerNamespaceLabel, ns)
		o.remember(b.obj, b.existing)
	}
	ops := make([]string, len(p.apply))
	applyErrs := make([]error, len(p.apply))
	parallel(a.concurrency, len(p.apply), func(i int) { ops[i], applyErrs[i] = a.apply(ctx, p.apply[i]) })
	for i, pl := range p.apply {
		op, err := ops[i], applyErrs[i]
		k := keyOf(pl.obj)
		switch {
		case err == nil:
		case namespaceMissing(err):
			// Scoped to a namespace that does not exist (yet): try again later.
			failed = true
			errs = append(errs, fmt.Errorf("applying %s: %w", k, err))
			continue
		case meta.IsNoMatchError(err) || apierrors.IsNotFound(err):
			failed = true
			o.report(model.CodeOutputKindNotFound, pl.obj, "the API server does not serve %s: %v",
				pl.obj.GetAPIVersion()+" "+pl.obj.GetKind(), err)
			continue
		case apierrors.IsInvalid(err) || apierrors.IsBadRequest(err) || apierrors.IsForbidden(err) ||
			apierrors.IsRequestEntityTooLargeError(err):
			failed = true
			o.report(model.CodeOutputRejected, pl.obj, "applying %s: %v", k, err)
			if apierrors.IsForbidden(err) { // RBAC or a terminating namespace: worth another try
				errs = append(errs, fmt.Errorf("applying %s: %w", k, err))
			}
			continue
		default:
			failed = true
			errs = append(errs, fmt.Errorf("applying %s: %w", k, err))
			continue
		}
		if op == "" {
			continue
		}
		appliedTotal.WithLabelValues(k.Kind, op, dryRunLabel(a.dryRun)).Inc()
		a.log.Info("applied", "object", k.String(), "operation", op, "dryRun", a.dryRun)
		o.changes(pl.obj, find, op+"d", a.dryRun)
	}
	if failed {
		if len(p.prune) > 0 {
			a.log.Info("not pruning while an apply failed", "namespace", ns, "kept", len(p.prune))
		}
		o.err = errors.Join(errs...)
		return o
	}
	pruneErrs := make([]error, len(p.prune))
	parallel(a.concurrency, len(p.prune), func(i int) { pruneErrs[i] = a.delete(ctx, p.prune[i]) })
	for i, obj := range p.prune {
		k := keyOf(obj)
		if err := pruneErrs[i]; err != nil {
			errs = append(errs, fmt.Errorf("pruning %s: %w", k, err))
			continue
		}
		if !a.dryRun {
			a.ledger.pruned(k, obj.UID)
		}
		prunedTotal.WithLabelValues(k.Kind, dryRunLabel(a.dryRun)).Inc()
		a.log.Info("pruned", "object", k.String(), "dryRun", a.dryRun)
		o.changes(obj, find, "deleted", a.dryRun)
	}
	o.err = errors.Join(errs...)
	return o
}

// delete deletes an owned object that is no longer wanted (gone already is fine).
func (a *applier) delete(ctx context.Context, obj *metav1.PartialObjectMetadata) error {
	opts := []client.DeleteOption{client.Preconditions{UID: &obj.UID}, client.PropagationPolicy(metav1.DeletePropagationBackground)}
	if a.dryRun {
		opts = append(opts, client.DryRunAll)
	}
	if err := a.client.Delete(ctx, obj.DeepCopy(), opts...); err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	return nil
}

// parallel calls f(0), …, f(n-1) with at most limit calls at a time, and returns when all
// have returned.
func parallel(limit, n int, f func(int)) {
	if limit <= 1 || n <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			f(i)
		})
	}
	wg.Wait()
}

// namespaceMissing reports whether err says the object's namespace does not exist.
func namespaceMissing(err error) bool {
	var se *apierrors.StatusError
	return apierrors.IsNotFound(err) && errors.As(err, &se) && se.ErrStatus.Details != nil &&
		se.ErrStatus.Details.Kind == "namespaces"
}

// apply applies one object and says what changed: create, update or "" (nothing).
// An object not there yet is applied without force, so that one created by someone else in
// the meantime makes the apply conflict on the fields both set instead of being taken over.
// (An object created in that instant with none of those fields would be merged into: there is
// no create-only apply.)
//
// What changed is read from the resourceVersion the server answers with: the same as the
// cached object's, or as the ledger's when the cache has not caught up with the controller's
// own last write, means the apply changed nothing.
func (a *applier) apply(ctx context.Context, p planned) (string, error) {
	obj := p.obj.DeepCopy()
	opts := []client.ApplyOption{client.FieldOwner(FieldManager)}
	if p.existing != nil {
		opts = append(opts, client.ForceOwnership)
	}
	if a.dryRun {
		opts = append(opts, client.DryRunAll)
	}
	if a.onApply != nil {
		a.onApply(p.obj)
	}
	if err := a.client.Apply(ctx, client.ApplyConfigurationFromUnstructured(obj), opts...); err != nil {
		return "", err
	}
	if a.dryRun {
		return a.dryRunChange(ctx, p, obj)
	}
	k := keyOf(obj)
	last, known := a.ledger.get(k)
	a.ledger.set(k, appliedOf(obj))
	rv := obj.GetResourceVersion()
	known = known && !last.deleted && last.uid == obj.GetUID()
	switch {
	case known && last.resourceVersion == rv:
		return "", nil
	case p.existing != nil && p.existing.UID == obj.GetUID() && p.existing.ResourceVersion == rv:
		return "", nil
	case p.existing == nil && !known:
		return "create", nil
	}
	return "update", nil
}

// dryRunChange says what a dry-run apply would have changed.
func (a *applier) dryRunChange(ctx context.Context, p planned, obj *unstructured.Unstructured) (string, error) {
	if p.existing == nil {
		return "create", nil
	}
	// A dry run leaves resourceVersion alone; compare with the live object instead.
	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(obj.GroupVersionKind())
	if err := a.client.Get(ctx, client.ObjectKeyFromObject(obj), live); err != nil {
		return "", err
	}
	if !equality.Semantic.DeepEqual(stripVolatile(live), stripVolatile(obj)) {
		return "update", nil
	}
	return "", nil
}

// stripVolatile strips what changes on every write from an object.
func stripVolatile(u *unstructured.Unstructured) map[string]any {
	c := u.DeepCopy().Object
	delete(c, "status")
	for _, f := range []string{"resourceVersion", "managedFields", "generation", "uid", "creationTimestamp"} {
		unstructured.RemoveNestedField(c, "metadata", f)
	}
	return c
}

// changes adds an Event about a change to obj on each of its sources found in the cluster.
func (o *outcome) changes(obj client.Object, find func(model.ObjectRef) (*corev1.ObjectReference, bool), verb string, dry bool) {
	reason, action := ReasonApplied, actionApply
	if verb == "deleted" {
		reason, action = ReasonPruned, actionPrune
	}
	note := changeNote(verb, keyOf(obj))
	if dry {
		reason, note = ReasonDryRun, "dry run: would have "+note
	}
	for _, origin := range origins(obj) {
		ref, ok := find(origin)
		if !ok {
			continue // a pruned object's source is usually gone
		}
		e := event{regarding: ref, typ: corev1.EventTypeNormal, reason: reason, action: action, note: note}
		if dry {
			o.planned = append(o.planned, e)
		} else {
			o.changed = append(o.changed, e)
		}
	}
}

// remember keeps the reference of an output object a finding may fall back on.
func (o *outcome) remember(obj client.Object, existing *metav1.PartialObjectMetadata) {
	k := keyOf(obj)
	ref := &corev1.ObjectReference{APIVersion: obj.GetObjectKind().GroupVersionKind().GroupVersion().String(),
		Kind: k.Kind, Namespace: k.Namespace, Name: k.Name}
	if existing != nil {
		ref.UID, ref.ResourceVersion = existing.UID, existing.ResourceVersion
	}
	o.refs[model.ObjectRef{Kind: k.Kind, Namespace: k.Namespace, Name: k.Name}] = ref
}
