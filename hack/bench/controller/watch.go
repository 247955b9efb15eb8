package main

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
)

// ownedSelector selects the objects the controller wrote.
const ownedSelector = "app.kubernetes.io/managed-by=meshbridge"

// outputWatch watches the controller's outputs and tells waiters when an output holding a
// marker string appears or changes.
type outputWatch struct {
	mu      sync.Mutex
	waiters map[string]chan time.Time             // by marker
	seenKey map[string]*unstructured.Unstructured // outputs seen, by objectKey
}

// objectKey names an object by kind, namespace and name.
func objectKey(kind, namespace, name string) string { return kind + "/" + namespace + "/" + name }

func watchOutputs(ctx context.Context, cfg *rest.Config, gvrs []schema.GroupVersionResource) (*outputWatch, error) {
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	w := &outputWatch{waiters: map[string]chan time.Time{}, seenKey: map[string]*unstructured.Unstructured{}}
	f := dynamicinformer.NewFilteredDynamicSharedInformerFactory(dc, 0, metav1.NamespaceAll,
		func(o *metav1.ListOptions) { o.LabelSelector = ownedSelector })
	for _, gvr := range gvrs {
		_, err := f.ForResource(gvr).Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { w.seen(obj) },
			UpdateFunc: func(_, obj any) { w.seen(obj) },
		})
		if err != nil {
			return nil, err
		}
	}
	f.Start(ctx.Done())
	f.WaitForCacheSync(ctx.Done())
	return w, nil
}

func (w *outputWatch) seen(obj any) {
	now := time.Now()
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seenKey[objectKey(u.GetKind(), u.GetNamespace(), u.GetName())] = u
	if len(w.waiters) == 0 {
		return
	}
	data, err := json.Marshal(u.Object)
	if err != nil {
		return
	}
	for marker, ch := range w.waiters {
		if strings.Contains(string(data), marker) {
			ch <- now
			delete(w.waiters, marker)
		}
	}
}

// expect registers a waiter for marker; call it before making the change.
func (w *outputWatch) expect(marker string) <-chan time.Time {
	ch := make(chan time.Time, 1)
	w.mu.Lock()
	w.waiters[marker] = ch
	w.mu.Unlock()
	return ch
}

func (w *outputWatch) forget(marker string) {
	w.mu.Lock()
	delete(w.waiters, marker)
	w.mu.Unlock()
}

// objects returns how many outputs were seen, and how many of want were not.
func (w *outputWatch) objects(want map[string]*unstructured.Unstructured) (seen, missing int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for k := range want {
		if w.seenKey[k] == nil {
			missing++
		}
	}
	return len(w.seenKey), missing
}
