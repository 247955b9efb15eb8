package main

import (
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/internal/kubetest"
)

// compare checks the outputs seen in the cluster against convert's: each of convert's
// objects must be there with its spec, labels and annotations (the API server adds defaults,
// the controller its ownership labels and hash annotation). It returns how many differ, and
// the first few of them described.
func (w *outputWatch) compare(want map[string]*unstructured.Unstructured) (int, []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var bad []string
	for k, o := range want {
		got := w.seenKey[k]
		if got == nil {
			bad = append(bad, k+": missing")
			continue
		}
		for _, field := range [][]string{{"spec"}, {"metadata", "labels"}, {"metadata", "annotations"}} {
			wv, _, _ := unstructured.NestedFieldNoCopy(o.Object, field...)
			gv, _, _ := unstructured.NestedFieldNoCopy(got.Object, field...)
			if !kubetest.Subset(wv, gv) {
				bad = append(bad, fmt.Sprintf("%s: %v = %v, convert wrote %v", k, field, gv, wv))
				break
			}
		}
	}
	slices.Sort(bad)
	return len(bad), bad[:min(len(bad), 5)]
}
