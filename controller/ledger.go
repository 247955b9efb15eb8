package controller

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// HashAnnotation holds a hash of an output as the controller applies it (labels and
// annotations included, this one excepted). The controller caches its outputs as metadata
// only: comparing this annotation with the hash of the desired object tells it, without
// reading the object, whether the translation changed since the last apply.
const HashAnnotation = "meshbridge.io/applied-hash"

// contentHash returns the hash of u's content, or "" if it cannot be encoded (an object
// without a hash is always applied). encoding/json writes map keys sorted, so equal objects
// hash alike.
func contentHash(u *unstructured.Unstructured) string {
	h := sha256.New()
	if err := json.NewEncoder(h).Encode(u.Object); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// applied is what the controller last saw of an output it applied or checked: the object's
// identity and versions at that moment.
type applied struct {
	uid             types.UID
	resourceVersion string
	generation      int64
	// deleted marks an object the controller pruned, until its deletion is seen.
	deleted bool
}

func appliedOf(obj metav1.Object) applied {
	return applied{uid: obj.GetUID(), resourceVersion: obj.GetResourceVersion(), generation: obj.GetGeneration()}
}

// ledger remembers, per output, the object as the controller last wrote or checked it. The
// hash annotation says whether the translation changed; the ledger says whether someone else
// changed the object since: an edit of an output's spec leaves the annotation as it was, but
// not its generation (kinds that keep one) or resourceVersion (kinds that do not).
//
// It lives in memory. After a restart (or a change of leader) an output the ledger does not
// know is trusted when its managed fields show no write by another field manager after the
// controller's last apply, and applied again otherwise; --resync-period re-applies everything
// now and then, which also repairs what leaves no trace there (see docs/controller.md).
type ledger struct {
	mu sync.Mutex
	m  map[objKey]applied
}

func newLedger() *ledger { return &ledger{m: map[objKey]applied{}} }

func (l *ledger) get(k objKey) (applied, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.m[k]
	return a, ok
}

func (l *ledger) set(k objKey, a applied) {
	l.mu.Lock()
	l.m[k] = a
	l.mu.Unlock()
}

func (l *ledger) forget(k objKey) {
	l.mu.Lock()
	delete(l.m, k)
	l.mu.Unlock()
}

// pruned records that the controller deleted the object k with uid.
func (l *ledger) pruned(k objKey, uid types.UID) {
	l.set(k, applied{uid: uid, deleted: true})
}

// echo reports whether obj is exactly the object the controller last wrote or checked: the
// watch event of its own apply, which needs no reconcile.
func (l *ledger) echo(obj client.Object) bool {
	a, ok := l.get(keyOf(obj))
	return ok && !a.deleted && a.uid == obj.GetUID() && a.resourceVersion == obj.GetResourceVersion()
}

// gone reports whether obj, just deleted, is an object the controller pruned: the watch event
// of its own deletion. Either way the record of obj goes with it.
func (l *ledger) gone(obj client.Object) bool {
	k := keyOf(obj)
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.m[k]
	if !ok || a.uid != obj.GetUID() {
		return false
	}
	delete(l.m, k)
	return a.deleted
}

// current reports whether the owned object e already holds desired object d, so that applying
// d again would change nothing. It records e in the ledger when it trusts e.
func (l *ledger) current(d *unstructured.Unstructured, e *metav1.PartialObjectMetadata) bool {
	if !metadataHolds(d, e) {
		return false
	}
	k := keyOf(d)
	a, ok := l.get(k)
	if ok && a.deleted && a.uid == e.UID {
		return false // pruned a moment ago: the cache has not seen it go
	}
	if ok && a.uid == e.UID {
		switch {
		case a.resourceVersion == e.ResourceVersion:
			return true
		case e.Generation != 0 && e.Generation == a.generation:
			// Written since, but not its spec (the generation would have moved): its status,
			// or metadata, and the metadata d sets is there.
			l.set(k, appliedOf(e))
			return true
		default:
			// Someone changed the spec, or wrote a kind that keeps no generation: apply
			// again; the server changes nothing if nothing of d's moved.
			return false
		}
	}
	if writtenSince(e.ManagedFields) {
		return false
	}
	l.set(k, appliedOf(e))
	return true
}

// metadataHolds reports whether e carries d's hash, labels and annotations.
func metadataHolds(d *unstructured.Unstructured, e *metav1.PartialObjectMetadata) bool {
	want := d.GetAnnotations()
	if want[HashAnnotation] == "" {
		return false
	}
	return subsetOf(want, e.Annotations) && subsetOf(d.GetLabels(), e.Labels)
}

func subsetOf(want, got map[string]string) bool {
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			return false
		}
	}
	return true
}

// writtenSince reports whether managed fields (headers only: the cache drops the field sets)
// show a write of the object itself, not its status, by another field manager at or after the
// controller's last apply that changed something, or no apply of the controller at all.
func writtenSince(mf []metav1.ManagedFieldsEntry) bool {
	var ours *metav1.ManagedFieldsEntry
	for i := range mf {
		if e := &mf[i]; e.Manager == FieldManager && e.Operation == metav1.ManagedFieldsOperationApply && e.Subresource == "" {
			ours = e
		}
	}
	if ours == nil || ours.Time == nil {
		return true
	}
	for _, e := range mf {
		if e.Subresource != "" || (e.Manager == FieldManager && e.Operation == metav1.ManagedFieldsOperationApply) {
			continue
		}
		// Times are to the second: a write in the same second counts as later.
		if e.Time == nil || !e.Time.Before(ours.Time) {
			return true
		}
	}
	return false
}
