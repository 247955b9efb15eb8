package controller

import (
	"context"
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlevent "sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// namespaceList is every namespace as translations read it (each translation reads them all),
// listed from the cache again only after the Namespace watch saw one created, deleted or
// relabelled, instead of once per translation.
type namespaceList struct {
	mu       sync.Mutex
	version  uint64 // bumped by invalidate
	builtFor uint64 // the version list was built at
	built    bool
	list     []*corev1.Namespace
	refs     map[string]*corev1.ObjectReference // by name
}

// invalidate says that the namespaces changed.
func (n *namespaceList) invalidate() {
	n.mu.Lock()
	n.version++
	n.mu.Unlock()
}

// get returns the namespaces and their references for Events. The list is shared: callers
// copy it before changing it (the objects are only read).
func (n *namespaceList) get(ctx context.Context, reader client.Reader) ([]*corev1.Namespace, map[string]*corev1.ObjectReference, error) {
	n.mu.Lock()
	v := n.version
	if n.built && n.builtFor == v {
		defer n.mu.Unlock()
		return n.list, n.refs, nil
	}
	n.mu.Unlock()
	l := metadataList("v1", "NamespaceList")
	if err := reader.List(ctx, l, client.UnsafeDisableDeepCopy); err != nil {
		return nil, nil, fmt.Errorf("listing Namespaces: %w", err)
	}
	list := make([]*corev1.Namespace, 0, len(l.Items))
	refs := make(map[string]*corev1.ObjectReference, len(l.Items))
	for i := range l.Items {
		m := &l.Items[i]
		list = append(list, &corev1.Namespace{ObjectMeta: m.ObjectMeta})
		refs[m.Name] = &corev1.ObjectReference{APIVersion: "v1", Kind: "Namespace", Name: m.Name, UID: m.UID, ResourceVersion: m.ResourceVersion}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.version == v { // not changed while listing
		n.list, n.refs, n.builtFor, n.built = list, refs, v, true
	}
	return list, refs, nil
}

// invalidating is an event handler that also says the namespaces changed.
type invalidating struct {
	handler.EventHandler
	changed func()
}

func (h invalidating) Create(ctx context.Context, e ctrlevent.CreateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	h.changed()
	h.EventHandler.Create(ctx, e, q)
}

func (h invalidating) Update(ctx context.Context, e ctrlevent.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	h.changed()
	h.EventHandler.Update(ctx, e, q)
}

func (h invalidating) Delete(ctx context.Context, e ctrlevent.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	h.changed()
	h.EventHandler.Delete(ctx, e, q)
}
