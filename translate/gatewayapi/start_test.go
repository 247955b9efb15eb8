package gatewayapi

import "testing"

// literalStartOf is the start of values beginning with s, one position per rune: the form
// disjointBegin compares literals in without building it.
func literalStartOf(s string) start {
	var out start
	for _, r := range s {
		out = append(out, []rune{r, r})
	}
	return out
}

func TestDisjointBeginComparesStarts(t *testing.T) {
	values := []struct {
		regex bool
		v     string
	}{
		{false, "/api"}, {false, "/apis/x"}, {false, "/b"}, {false, ""}, {false, "/é"}, {false, "/\xff"}, {false, "/\xfe"},
		{true, "/items/[0-9]+"}, {true, "(?i)/API/.*"}, {true, "/a[^/].*"}, {true, "^(?:/x|/y)$"}, {true, "/é.*"},
		{true, "/(unclosed"}, {true, ".*"},
	}
	start := func(regex bool, v string) start {
		if regex {
			return regexStart(v)
		}
		return literalStartOf(v)
	}
	for _, a := range values {
		for _, b := range values {
			want := disjointStarts(start(a.regex, a.v), start(b.regex, b.v))
			if got := disjointBegin(a.regex, a.v, b.regex, b.v); got != want {
				t.Errorf("disjointBegin(%q, %q) = %v, want %v as their starts say", a.v, b.v, got, want)
			}
		}
	}
	t.Run("paths that differ in their second character never meet", func(t *testing.T) {
		if !disjointPaths(pathMatch{kind: pathRegex, value: "/items/[0-9]+"}, pathMatch{kind: pathPrefix, value: "/reports"}) {
			t.Error("/items/[0-9]+ and /reports were found to meet")
		}
		if disjointPaths(pathMatch{kind: pathRegex, value: "(?i)/API/.*"}, pathMatch{kind: pathPrefix, value: "/api"}) {
			t.Error("(?i)/API/.* and /api were found apart")
		}
	})
	t.Run("a start is kept and given again", func(t *testing.T) {
		a, b := regexStart("/kept/[a-z]+"), regexStart("/kept/[a-z]+")
		if len(a) == 0 || &a[0] != &b[0] {
			t.Errorf("regexStart gave %v and %v", a, b)
		}
	})
}
