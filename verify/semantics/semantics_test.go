package semantics

import (
	"testing"

	_ "github.com/meshbridge/meshbridge/internal/golden"
)

func TestRegexReadings(t *testing.T) {
	cases := []struct {
		name, expr, s         string
		full, start, anywhere bool
	}{
		{"a full match needs the whole value", "/api", "/api/v1", false, true, true},
		{"an exact value matches under every reading", "/api", "/api", true, true, true},
		{"a start-anchored reading refuses a match in the middle", "api", "/api", false, false, true},
		{"alternations are grouped before anchoring", "/a|/b", "/bx", false, true, true},
		{"an invalid expression matches nothing", "(", "(", false, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := FullMatch(c.expr, c.s); got != c.full {
				t.Errorf("FullMatch(%q, %q) = %v", c.expr, c.s, got)
			}
			if got := StartMatch(c.expr, c.s); got != c.start {
				t.Errorf("StartMatch(%q, %q) = %v", c.expr, c.s, got)
			}
			if got := Search(c.expr, c.s); got != c.anywhere {
				t.Errorf("Search(%q, %q) = %v", c.expr, c.s, got)
			}
		})
	}
}

func TestSamplesMatchTheirExpression(t *testing.T) {
	cases := []struct {
		name, expr string
		want       []string // samples that must be among the result
	}{
		{"a literal is its own sample", "/health", []string{"/health"}},
		{"each alternative gives a sample", "/(api|web)", []string{"/api", "/web"}},
		{"an optional part is both left out and taken", "/api/.*", []string{"/api/", "/api/x"}},
		{"a character class gives a readable character", "/v[0-9]+/reviews", []string{"/v0/reviews"}},
		{"a negated class still gives a matching character", `/r/[^/%]+`, []string{"/r/a"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Samples(c.expr)
			for _, s := range got {
				if !FullMatch(c.expr, s) {
					t.Errorf("sample %q does not match %q", s, c.expr)
				}
			}
			for _, w := range c.want {
				found := false
				for _, s := range got {
					found = found || s == w
				}
				if !found {
					t.Errorf("Samples(%q) = %q, lacks %q", c.expr, got, w)
				}
			}
		})
	}
	if Samples("(") != nil {
		t.Errorf("an invalid expression has samples")
	}
}

func TestOutcomesCompareByPodsAndShares(t *testing.T) {
	v1, v2 := PodsKey("shop", map[string]string{"app": "r", "v": "1"}), PodsKey("shop", map[string]string{"app": "r", "v": "2"})
	fwd := func(keys []string, w ...float64) Outcome {
		return Outcome{Kind: Forward, Backends: Weighted(keys, w)}
	}
	cases := []struct {
		name string
		a, b Outcome
		want bool
	}{
		{"weights are relative", fwd([]string{v1, v2}, 75, 25), fwd([]string{v2, v1}, 1, 3), true},
		{"different shares differ", fwd([]string{v1, v2}, 75, 25), fwd([]string{v1, v2}, 50, 50), false},
		{"a zero weight sends nothing", fwd([]string{v1, v2}, 1, 0), fwd([]string{v1}, 1), true},
		{"a 404 is not a forward", Outcome{Kind: NotFound}, fwd([]string{v1}, 1), false},
		{"redirects compare by where they send", Outcome{Kind: Redirect, Detail: "301 path /a"}, Outcome{Kind: Redirect, Detail: "301 path /b"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.a.Equal(c.b); got != c.want {
				t.Errorf("%s vs %s: Equal = %v", c.a, c.b, got)
			}
		})
	}
}

func TestMatchSelector(t *testing.T) {
	labels := map[string]string{"app": "reviews", "version": "v1"}
	cases := []struct {
		name string
		sel  map[string]any
		want bool
	}{
		{"a nil selector selects nothing", nil, false},
		{"an empty selector selects everything", map[string]any{}, true},
		{"matchLabels must all hold", map[string]any{"matchLabels": map[string]any{"app": "reviews", "version": "v2"}}, false},
		{"In holds for a listed value", map[string]any{"matchExpressions": []any{map[string]any{"key": "version", "operator": "In", "values": []any{"v1", "v3"}}}}, true},
		{"DoesNotExist fails on a present key", map[string]any{"matchExpressions": []any{map[string]any{"key": "app", "operator": "DoesNotExist"}}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := MatchSelector(c.sel, labels); got != c.want {
				t.Errorf("got %v", got)
			}
		})
	}
}
