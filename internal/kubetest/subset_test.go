package kubetest

import "testing"

func TestSubset(t *testing.T) {
	obj := func() map[string]any {
		return map[string]any{
			"metadata": map[string]any{"name": "a", "uid": "u1"},
			"spec":     map[string]any{"port": int64(80), "paths": []any{"/a", "/b"}, "on": true},
		}
	}
	cases := []struct {
		name      string
		want, got any
		ok        bool
	}{
		{"an object holds itself", obj(), obj(), true},
		{"fields the server added are ignored", map[string]any{"metadata": map[string]any{"name": "a"}}, obj(), true},
		{"a number written as int32 matches the int64 read back", map[string]any{"spec": map[string]any{"port": int32(80)}}, obj(), true},
		{"a different number does not match", map[string]any{"spec": map[string]any{"port": int64(81)}}, obj(), false},
		{"a missing field does not match", map[string]any{"spec": map[string]any{"host": "x"}}, obj(), false},
		{"a list in another order does not match", map[string]any{"spec": map[string]any{"paths": []any{"/b", "/a"}}}, obj(), false},
		{"a shorter list does not match", map[string]any{"spec": map[string]any{"paths": []any{"/a"}}}, obj(), false},
		{"a different bool does not match", map[string]any{"spec": map[string]any{"on": false}}, obj(), false},
		{"an empty map matches one the server dropped", map[string]any{"status": map[string]any{}}, obj(), true},
		{"a map does not match a string", map[string]any{"spec": map[string]any{"x": 1}}, map[string]any{"spec": "s"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Subset(c.want, c.got); got != c.ok {
				t.Errorf("Subset = %v, want %v", got, c.ok)
			}
		})
	}
}
