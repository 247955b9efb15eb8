package linkerd

import (
	"strings"
	"testing"

	_ "github.com/meshbridge/meshbridge/internal/golden"
)

func TestTranslatePath(t *testing.T) {
	cases := []struct {
		name, in          string
		kind              pathKind
		exact             string
		match, dontMatch  []string
		wantErrSubstrings string
	}{
		{name: "presence matches any path", in: "*", kind: pathAny, match: []string{"/", "/a/b"}},
		{name: "a prefix of / matches any path", in: "/*", kind: pathAny},
		{name: "an exact path stays an Exact match", in: "/healthz", kind: pathExact, exact: "/healthz",
			match: []string{"/healthz"}, dontMatch: []string{"/healthz/", "/healthzz"}},
		{name: "a gRPC method path is an exact path", in: "/pkg.Svc/Get", kind: pathExact, exact: "/pkg.Svc/Get"},
		{name: "a string prefix is a string prefix, not a segment prefix", in: "/api*", kind: pathPrefix,
			match:     []string{"/api", "/apis", "/api/v1", "/api/v1/", "/api/x.json", "/api//x"},
			dontMatch: []string{"/ap", "/api/../admin", "/api/%2e%2e/admin", `/api\..\admin`, "/api/./x"}},
		{name: "a prefix ending in a slash admits the bare prefix", in: "/api/*", kind: pathPrefix,
			match: []string{"/api/", "/api/v1", "/api/.well-known"}, dontMatch: []string{"/api", "/api/..", "/api/.", "/api/../x"}},
		{name: "a prefix ending in a dot cannot complete a dot segment", in: "/api/.*", kind: pathPrefix,
			match: []string{"/api/.x", "/api/...", "/api/.x/y"}, dontMatch: []string{"/api/.", "/api/..", "/api/../x"}},
		{name: "a suffix matches the end of any normal path", in: "*.html", kind: pathSuffix,
			match: []string{"/index.html", "/a/b/c.html", "/.html"}, dontMatch: []string{"/a.html/../b", "/../x.html", "/%2e/x.html"}},
		{name: "a suffix starting at a slash", in: "*/metrics", kind: pathSuffix,
			match: []string{"/metrics", "/a/metrics"}, dontMatch: []string{"/ametrics", "/../metrics"}},
		{name: "a path template is refused", in: "/api/{*}/x", wantErrSubstrings: "template"},
		{name: "an exact path with a dot segment is refused", in: "/a/../b", wantErrSubstrings: "segment"},
		{name: "an exact path with a percent sign is refused", in: "/a%20b", wantErrSubstrings: "normalization"},
		{name: "a relative prefix is refused", in: "api*", wantErrSubstrings: "does not start with /"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pm, err := translatePath(c.in)
			if c.wantErrSubstrings != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErrSubstrings) {
					t.Fatalf("translatePath(%q) error = %v, want one containing %q", c.in, err, c.wantErrSubstrings)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if pm.kind != c.kind || pm.exact != c.exact {
				t.Errorf("translatePath(%q) = %+v, want kind %d exact %q", c.in, pm, c.kind, c.exact)
			}
			for _, p := range c.match {
				if !pm.matches(p) {
					t.Errorf("%q (regex %q) does not match %q", c.in, pm.regex, p)
				}
			}
			for _, p := range c.dontMatch {
				if pm.matches(p) {
					t.Errorf("%q (regex %q) matches %q", c.in, pm.regex, p)
				}
			}
		})
	}
}

// TestPathRegexesNeverAdmitWhatIstioRefuses checks every raw path up to 7 characters over an
// alphabet with the characters normalization cares about: whenever the Linkerd form matches a
// raw path, the Istio pattern matches that path's normal form, with or without merged slashes;
// and every path in normal form that the Istio pattern matches is matched (nothing is narrowed
// for well-formed paths).
func TestPathRegexesNeverAdmitWhatIstioRefuses(t *testing.T) {
	patterns := []string{"/a*", "/a/*", "/a.*", "/a/.*", "/a/..*", "/.*", "*a", "*/a", "*.a", "*..a", "*a/a", "/a", "/a/", "/a.a"}
	var paths []string
	var grow func(string)
	grow = func(p string) {
		paths = append(paths, p)
		if len(p) == 7 {
			return
		}
		for _, c := range []string{"/", "a", ".", "%", `\`} {
			grow(p + c)
		}
	}
	grow("/")
	for _, pat := range patterns {
		pm, err := translatePath(pat)
		if err != nil {
			t.Fatalf("%s: %v", pat, err)
		}
		for _, p := range paths {
			norm, ok := normalizePath(p)
			got := pm.matches(p)
			if got && !(ok && pm.istioMatches(norm) && pm.istioMatches(mergeSlashes(norm))) {
				t.Errorf("%s (regex %q) admits raw path %q, whose normal form Istio refuses", pat, pm.regex, p)
			}
			if ok && norm == p && pm.istioMatches(p) && !got && (pm.kind != pathExact || !strings.Contains(p, "//")) {
				t.Errorf("%s (regex %q) refuses path %q, which is in normal form and which Istio admits", pat, pm.regex, p)
			}
		}
	}
}

// normalizePath is Istio's path normalization for these tests: backslashes become slashes,
// and . and .. segments are resolved (RFC 3986). Paths with a percent sign are reported as not
// normalizable here (Istio would decode some escapes).
func normalizePath(p string) (string, bool) {
	if strings.Contains(p, "%") {
		return "", false
	}
	p = strings.ReplaceAll(p, `\`, "/")
	var out []string
	segs := strings.Split(p[1:], "/")
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	return "/" + strings.Join(out, "/"), true
}

func mergeSlashes(p string) string {
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	return p
}

func TestPathRelations(t *testing.T) {
	must := func(v string) pathMatch {
		pm, err := translatePath(v)
		if err != nil {
			t.Fatal(err)
		}
		return pm
	}
	cases := []struct {
		name         string
		a, b         string
		within, meet bool
	}{
		{"an exact path lies within a prefix that starts it", "/api/x", "/api/*", true, true},
		{"a longer prefix lies within a shorter one", "/api/v1*", "/api*", true, true},
		{"a shorter prefix does not lie within a longer one, but they meet", "/api*", "/api/v1*", false, true},
		{"different exact paths neither nest nor meet", "/a", "/b", false, false},
		{"any path lies within nothing narrower", "*", "/a*", false, true},
		{"a prefix and a suffix may meet", "/a*", "*.html", false, true},
		{"an exact path outside a suffix does not meet it", "/a.json", "*.html", false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, b := must(c.a), must(c.b)
			if got := a.within(b); got != c.within {
				t.Errorf("within = %v, want %v", got, c.within)
			}
			if got := a.mayMeet(b); got != c.meet {
				t.Errorf("mayMeet = %v, want %v", got, c.meet)
			}
		})
	}
}
