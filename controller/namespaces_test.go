package controller

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// namespaceLister lists the namespaces it holds and counts the lists.
type namespaceLister struct {
	client.Reader
	names []string
	lists int
}

func (r *namespaceLister) List(_ context.Context, l client.ObjectList, _ ...client.ListOption) error {
	r.lists++
	ml := l.(*metav1.PartialObjectMetadataList)
	ml.Items = nil
	for _, n := range r.names {
		ml.Items = append(ml.Items, metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Name: n}})
	}
	return nil
}

func TestNamespaceListIsListedAgainOnlyAfterAChange(t *testing.T) {
	ctx := context.Background()
	r := &namespaceLister{names: []string{"a", "b"}}
	var n namespaceList
	for range 3 {
		list, refs, err := n.get(ctx, r)
		if err != nil || len(list) != 2 || refs["b"] == nil {
			t.Fatalf("get: %v, %d namespaces, refs %v", err, len(list), refs)
		}
	}
	if r.lists != 1 {
		t.Errorf("listed %d times without a change, want once", r.lists)
	}
	r.names = append(r.names, "c")
	n.invalidate()
	list, refs, _ := n.get(ctx, r)
	if len(list) != 3 || refs["c"] == nil || r.lists != 2 {
		t.Errorf("after a change: %d namespaces, %d lists; want 3 and 2", len(list), r.lists)
	}
}
