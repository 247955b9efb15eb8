package main

import (
	"slices"
	"testing"
)

func TestSplitCutsAtSeparatorLines(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"one document", "a: 1\n", []string{"a: 1\n"}},
		{"documents between separators", "---\na: 1\n---\nb: 2\n", []string{"", "a: 1\n", "b: 2\n"}},
		{"a separator with a comment", "a: 1\n--- # next\nb: 2", []string{"a: 1\n", "b: 2"}},
		{"dashes inside a line are content", "a: x---y\n", []string{"a: x---y\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, d := range split([]byte(tc.in)) {
				got = append(got, string(d))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("split = %q, want %q", got, tc.want)
			}
		})
	}
}
