package gatewayapi

import (
	"strings"
	"testing"

	"github.com/meshbridge/meshbridge/model"
)

func describeAll(ms []*match) string {
	var s []string
	for _, m := range ms {
		d := m.describe()
		if m.remainder {
			d += " (remainder)"
		}
		if m.path.noBare {
			d += " (not the bare path)"
		}
		s = append(s, d)
	}
	return strings.Join(s, " | ")
}

func TestConvertMatch(t *testing.T) {
	cases := []struct {
		name string
		opts []matchOpt
		want string
		drop string
	}{
		{"no uri is a PathPrefix /", nil, "PathPrefix /", ""},
		{"an exact uri stays exact", []matchOpt{exact("/login")}, "Exact /login", ""},
		{"an exact uri Gateway API refuses becomes an escaped regex", []matchOpt{exact("/a//b")}, "RegularExpression /a//b", ""},
		{"prefix / is PathPrefix /", []matchOpt{prefix("/")}, "PathPrefix /", ""},
		{"a prefix ending in / is a PathPrefix that keeps Istio's meaning (not the bare path) for the analysis",
			[]matchOpt{prefix("/api/")}, "PathPrefix /api (not the bare path)", ""},
		{"a prefix inside a segment gets a PathPrefix and a regex for the rest of the segment",
			[]matchOpt{prefix("/api")}, `PathPrefix /api | RegularExpression /api[^/].* (remainder)`, ""},
		{"a regex with alternation is anchored for leftmost-first engines",
			[]matchOpt{regex("/a|/b")}, "RegularExpression ^(?:/a|/b)$", ""},
		{"ignoreUriCase turns a prefix into a case-insensitive regex",
			[]matchOpt{prefix("/Api"), ignoreCase()}, "RegularExpression (?i)/Api.*", ""},
		{"an exact method is kept", []matchOpt{method(model.MatchExact, "GET")}, "PathPrefix /, method GET", ""},
		{"a method regex expands to one match per method",
			[]matchOpt{method(model.MatchRegex, "GET|POST")}, "PathPrefix /, method GET | PathPrefix /, method POST", ""},
		{"a non-standard method cannot be written", []matchOpt{method(model.MatchExact, "PURGE")}, "", "matches no method"},
		{"a method regex that also takes non-standard methods cannot be written",
			[]matchOpt{method(model.MatchRegex, ".*")}, "", "non-standard"},
		{"headers and the authority become header matches",
			[]matchOpt{header("X-User", model.MatchExact, "jason"), authority(model.MatchPrefix, "shop.")},
			"PathPrefix /, header host, header x-user", ""},
		{"query parameters are kept", []matchOpt{query("v", model.MatchRegex, "[0-9]+")}, "PathPrefix /, query v", ""},
		{"withoutHeaders cannot be written", []matchOpt{withoutHeader("x")}, "", "withoutHeaders"},
		{"sourceLabels cannot be written", []matchOpt{sourceLabels(map[string]string{"app": "a"})}, "", "sourceLabels"},
		{"a pseudo-header cannot be written", []matchOpt{header(":path", model.MatchExact, "/")}, "", "not a valid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var m model.HTTPMatch
			for _, o := range c.opts {
				o(&m)
			}
			ms, drops := convertMatch(m)
			if got := describeAll(ms); got != c.want {
				t.Errorf("matches = %q, want %q", got, c.want)
			}
			var reasons []string
			for _, d := range drops {
				reasons = append(reasons, d.reason)
				if d.loose == nil {
					t.Errorf("drop %q has no loose form", d.reason)
				}
			}
			if got := strings.Join(reasons, "; "); (c.drop == "") != (got == "") || !strings.Contains(got, c.drop) {
				t.Errorf("drops = %q, want one containing %q", got, c.drop)
			}
		})
	}
}

func TestValueMatchWritesPrefixesAsRegex(t *testing.T) {
	for _, c := range []struct {
		in        val
		exact     bool
		valueWant string
	}{
		{val{valExact, "a"}, true, "a"},
		{val{valExact, ""}, false, "^$"},
		{val{valPrefix, "a.b"}, false, `a\.b.*`},
		{val{valRegex, "a+"}, false, "a+"},
		{val{kind: valPresent}, false, ".*"},
	} {
		if e, v := valueMatch(c.in); e != c.exact || v != c.valueWant {
			t.Errorf("valueMatch(%v) = %v %q, want %v %q", c.in, e, v, c.exact, c.valueWant)
		}
	}
}
