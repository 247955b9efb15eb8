package controller

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// desiredRoute is a desired HTTPRoute shop/a as desiredIn makes it: labelled and hashed.
func desiredRoute(t *testing.T, path string) *unstructured.Unstructured {
	t.Helper()
	r := route("shop", "a")
	r.Object["spec"] = map[string]any{"rules": []any{map[string]any{"matches": []any{map[string]any{"path": map[string]any{"value": path}}}}}}
	return desiredIn("shop", []*unstructured.Unstructured{r})[0]
}

// inCluster is the cached metadata of d as the server would hold it after the controller
// applied d at time at, with generation and resourceVersion.
func inCluster(d *unstructured.Unstructured, gen int64, rv string, at time.Time) *metav1.PartialObjectMetadata {
	m := existingRoute("shop", d.GetName(), d.GetLabels())
	m.Annotations = d.GetAnnotations()
	m.Generation, m.ResourceVersion = gen, rv
	m.ManagedFields = []metav1.ManagedFieldsEntry{
		{Manager: FieldManager, Operation: metav1.ManagedFieldsOperationApply, Time: &metav1.Time{Time: at}},
	}
	return m
}

func write(m *metav1.PartialObjectMetadata, manager, subresource string, at time.Time) {
	m.ManagedFields = append(m.ManagedFields, metav1.ManagedFieldsEntry{
		Manager: manager, Operation: metav1.ManagedFieldsOperationUpdate, Subresource: subresource, Time: &metav1.Time{Time: at}})
}

func TestLedgerCurrent(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	later := t0.Add(time.Minute)
	d := desiredRoute(t, "/api")

	tests := []struct {
		name string
		// seen is what the ledger recorded of the object (the controller's last apply), if anything.
		seen *metav1.PartialObjectMetadata
		now  func() *metav1.PartialObjectMetadata
		want bool
	}{
		{
			name: "an object the controller applied and nobody touched since is current",
			seen: inCluster(d, 1, "10", t0),
			now:  func() *metav1.PartialObjectMetadata { return inCluster(d, 1, "10", t0) },
			want: true,
		},
		{
			name: "a changed translation is not current",
			seen: inCluster(d, 1, "10", t0),
			now: func() *metav1.PartialObjectMetadata {
				return inCluster(desiredRoute(t, "/old"), 1, "10", t0)
			},
			want: false,
		},
		{
			name: "an object missing a label the controller sets is not current",
			seen: inCluster(d, 1, "10", t0),
			now: func() *metav1.PartialObjectMetadata {
				m := inCluster(d, 1, "10", t0)
				m.Labels = map[string]string{OwnerNamespaceLabel: "shop", "extra": "x"}
				return m
			},
			want: false,
		},
		{
			name: "an object missing the hash annotation is not current",
			seen: inCluster(d, 1, "10", t0),
			now: func() *metav1.PartialObjectMetadata {
				m := inCluster(d, 1, "10", t0)
				m.Annotations = map[string]string{"other": "x"}
				return m
			},
			want: false,
		},
		{
			name: "a status write since the apply leaves it current",
			seen: inCluster(d, 1, "10", t0),
			now: func() *metav1.PartialObjectMetadata {
				m := inCluster(d, 1, "12", t0)
				write(m, "linkerd-destination", "status", later)
				return m
			},
			want: true,
		},
		{
			name: "a spec edit since the apply (the generation moved) is drift",
			seen: inCluster(d, 1, "10", t0),
			now:  func() *metav1.PartialObjectMetadata { return inCluster(d, 2, "13", t0) },
			want: false,
		},
		{
			name: "a kind without generation written since the apply is applied again",
			seen: inCluster(d, 0, "10", t0),
			now:  func() *metav1.PartialObjectMetadata { return inCluster(d, 0, "11", t0) },
			want: false,
		},
		{
			name: "after a restart, an object nobody else wrote after the controller is trusted",
			now: func() *metav1.PartialObjectMetadata {
				m := inCluster(d, 3, "20", later)
				write(m, "kubectl-edit", "", t0)
				write(m, "linkerd-destination", "status", later.Add(time.Hour))
				return m
			},
			want: true,
		},
		{
			name: "after a restart, a write by someone else after the controller's apply is drift",
			now: func() *metav1.PartialObjectMetadata {
				m := inCluster(d, 3, "20", t0)
				write(m, "kubectl-edit", "", later)
				return m
			},
			want: false,
		},
		{
			name: "after a restart, an object the controller never applied is applied",
			now: func() *metav1.PartialObjectMetadata {
				m := inCluster(d, 1, "20", t0)
				m.ManagedFields = nil
				write(m, "kubectl-create", "", t0)
				return m
			},
			want: false,
		},
		{
			name: "an object deleted and created again is not the one in the ledger",
			seen: inCluster(d, 1, "10", t0),
			now: func() *metav1.PartialObjectMetadata {
				m := inCluster(d, 1, "30", t0)
				m.UID = "another"
				write(m, "helm", "", later)
				return m
			},
			want: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLedger()
			if tt.seen != nil {
				l.set(keyOf(d), appliedOf(tt.seen))
			}
			now := tt.now()
			if got := l.current(d, now); got != tt.want {
				t.Fatalf("current = %v, want %v", got, tt.want)
			}
			if tt.want && !l.echo(now) {
				t.Error("a current object is not recorded in the ledger")
			}
		})
	}
}

func TestADesiredObjectWithoutHashIsNeverCurrent(t *testing.T) {
	d := desiredRoute(t, "/api")
	m := inCluster(d, 1, "10", time.Now())
	l := newLedger()
	l.set(keyOf(d), appliedOf(m))
	delete(d.Object["metadata"].(map[string]any)["annotations"].(map[string]any), HashAnnotation)
	if l.current(d, m) {
		t.Error("an object without hash was found current")
	}
}

func TestLedgerEcho(t *testing.T) {
	d := desiredRoute(t, "/api")
	l := newLedger()
	m := inCluster(d, 1, "10", time.Now())
	if l.echo(m) {
		t.Error("an unknown object is an echo")
	}
	l.set(keyOf(d), appliedOf(m))
	if !l.echo(m) {
		t.Error("the object as last applied is not an echo")
	}
	m2 := inCluster(d, 2, "11", time.Now())
	if l.echo(m2) {
		t.Error("a later version of the object is an echo")
	}
	l.forget(keyOf(d))
	if l.echo(m) {
		t.Error("a forgotten object is an echo")
	}
}

func TestLedgerGone(t *testing.T) {
	d := desiredRoute(t, "/api")
	m := inCluster(d, 1, "10", time.Now())
	l := newLedger()
	l.set(keyOf(d), appliedOf(m))
	if l.gone(m) {
		t.Error("the deletion of an object the controller applied and did not prune is its own")
	}
	if _, ok := l.get(keyOf(d)); ok {
		t.Error("a deleted object is still in the ledger")
	}
	l.pruned(keyOf(d), m.UID)
	if l.echo(m) || l.current(d, m) {
		t.Error("a pruned object is still known as applied")
	}
	if !l.gone(m) {
		t.Error("the deletion of a pruned object is not recognised")
	}
	if l.gone(m) {
		t.Error("a deletion is recognised twice")
	}
}
