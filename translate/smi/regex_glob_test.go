package smi

import "testing"

func TestGlobMatch(t *testing.T) {
	cases := []struct {
		name, pattern, s string
		want             bool
	}{
		{"a pattern without * is equality", "shop", "shop", true},
		{"equality fails on another value", "shop", "shops", false},
		{"a lone * matches anything", "*", "", true},
		{"a prefix pattern", "team-*", "team-a", true},
		{"a prefix pattern needs the prefix", "team-*", "teams", false},
		{"a suffix pattern", "*-prod", "pay-prod", true},
		{"the ends may not overlap", "ab*ba", "aba", false},
		{"middle parts follow in order", "a*b*c", "axbyc", true},
		{"middle parts out of order fail", "a*c*b", "axbyc", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := globMatch(c.pattern, c.s); got != c.want {
				t.Errorf("globMatch(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
			}
		})
	}
}
