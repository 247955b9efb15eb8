package main

import (
	"fmt"
	"reflect"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
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
			if !contains(wv, gv) {
				bad = append(bad, fmt.Sprintf("%s: %v = %v, convert wrote %v", k, field, gv, wv))
				break
			}
		}
	}
	slices.Sort(bad)
	return len(bad), bad[:min(len(bad), 5)]
}

// contains reports whether got holds every value of want.
func contains(want, got any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return len(w) == 0 && got == nil
		}
		for k, v := range w {
			if !contains(v, g[k]) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !contains(w[i], g[i]) {
				return false
			}
		}
		return true
	case nil:
		return true
	case int64, int32, int, float64:
		return fmt.Sprint(w) == fmt.Sprint(got)
	default:
		return reflect.DeepEqual(want, got)
	}
}
