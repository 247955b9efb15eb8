package smi

import (
	"regexp"
	"strings"
	"testing"
)

// Each rendering must accept exactly the paths Istio's match accepts, under OSM's full match
// and under Traefik Mesh's start-anchored PathPrefix(`/{path:...}`).
func TestPathRegexMeansTheSameToEveryConsumer(t *testing.T) {
	paths := []string{"/", "/metrics", "/metrics/", "/metricsx", "/x/metrics", "/api", "/api/", "/api/v1/items",
		"/status", "/a/status", "/astatus", "/v1/abc/items/", "/v1/abc/items/x/y", "/v1//items/x", "/v1/a/b/items/x",
		"/v1/a*b/items/x", "/file.json", "/x/file.json", "/filexjson"}
	cases := []struct {
		name, istio, want string
	}{
		{"an exact path ends in $", "/metrics", `/metrics$`},
		{"a prefix ends in .*", "/api/*", `/api/.*`},
		{"a suffix starting with / also matches the whole path", "*/status", `/(?:.*/status|status)$`},
		{"a suffix without / is escaped", "*.json", `/.*\.json$`},
		{"presence matches every path", "*", `/.*`},
		{"templates use Envoy's segment classes", "/v1/{*}/items/{**}", "/v1/" + segmentClass + "+/items/" + anySegments + "$"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := pathRegex(c.istio)
			if err != nil || got != c.want {
				t.Fatalf("pathRegex(%q) = %q, %v; want %q", c.istio, got, err, c.want)
			}
			full := regexp.MustCompile("^(?:" + got + ")$")
			prefix := regexp.MustCompile("^/(?:" + strings.TrimPrefix(got, "/") + ")")
			for _, p := range paths {
				want := pathMatches(c.istio, p)
				if full.MatchString(p) != want || prefix.MatchString(p) != want {
					t.Errorf("%q on %q: Istio %v, full match %v, prefix match %v", got, p, want, full.MatchString(p), prefix.MatchString(p))
				}
			}
		})
	}
	for _, bad := range []string{"", "api*", "/a/*/b", "/a/{**}/b", "/a{*}", "metrics"} {
		if re, err := pathRegex(bad); err == nil {
			t.Errorf("pathRegex(%q) = %q, want an error", bad, re)
		}
	}
}

func TestHeaderRegexIsAnchored(t *testing.T) {
	re := regexp.MustCompile(headerRegex([]string{"exact", "pre*", "*suf", "a.b"}))
	for v, want := range map[string]bool{"exact": true, "xexact": false, "prefix": true, "xpre": false, "the-suf": true,
		"sufx": false, "a.b": true, "axb": false, "": false} {
		if re.MatchString(v) != want {
			t.Errorf("%s on %q: got %v", re, v, !want)
		}
	}
	if !regexp.MustCompile(headerRegex([]string{"*"})).MatchString("x") || regexp.MustCompile(headerRegex([]string{"*"})).MatchString("") {
		t.Errorf("presence must match any non-empty value only")
	}
}
