package kubetest

import (
	"fmt"
	"reflect"
)

// Subset reports whether got, an object as the API server returns it, holds every value of
// want, the object as written: the server adds fields (metadata, defaults) but must keep every
// written one. Lists must match in length and order. Numbers compare by value, since a written
// int32 comes back as int64 and JSON numbers as float64. An empty written map matches a missing
// one, since the server drops empty objects it was sent.
func Subset(want, got any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return len(w) == 0 && got == nil
		}
		for k, v := range w {
			if !Subset(v, g[k]) {
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
			if !Subset(w[i], g[i]) {
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
