package linkerd

import (
	"fmt"
	"regexp"
	"strings"
)

// pathKind is how an Istio path value matches: any path, exactly, by string prefix or suffix.
type pathKind int

const (
	pathAny pathKind = iota
	pathExact
	pathPrefix
	pathSuffix
)

// pathMatch is one Istio path value and its Linkerd form: no path match (any), an Exact match,
// or a RegularExpression that Linkerd applies to the whole raw path.
type pathMatch struct {
	kind pathKind
	// literal is the value without its "*".
	literal string
	// exact is the Gateway API Exact value; regex the RegularExpression value. At most one is
	// set; neither for pathAny.
	exact, regex string
}

// Regular-expression pieces for the wildcard part of a prefix or suffix. Istio matches the
// normalized path (percent-decoded, backslashes turned into slashes, . and .. segments
// resolved, and with some mesh settings slashes merged); Linkerd matches the raw one. A raw path
// that holds none of %, \, a . or .. segment normalizes to itself, give or take merged slashes,
// which keep a prefix a prefix and a suffix a suffix; so a wildcard restricted to such text can
// never admit a raw path whose normal form Istio would refuse.
const (
	segChar = `[^/%\\]`
	// seg is a whole segment that is neither "." nor ".." (it may be empty).
	seg = `(?:[^/%\\.][^/%\\]*|\.[^/%\\.][^/%\\]*|\.\.[^/%\\]+)?`
	// rest is any number of further segments.
	rest = `(?:/` + seg + `)*`
	// notDotTail completes a segment that so far reads "." into one that is neither "." nor "..".
	notDotTail = `(?:[^/%\\.][^/%\\]*|\.[^/%\\]+)`
)

// translatePath turns an Istio path value into a Linkerd path match. It fails on values it
// cannot write without admitting more than Istio (templates, or literals that are not in normal
// form: Istio compares those with normalized paths, where they never occur, so they match
// nothing, while Linkerd would match them against raw paths).
func translatePath(v string) (pathMatch, error) {
	switch {
	case v == "*":
		return pathMatch{kind: pathAny}, nil
	case strings.ContainsAny(v, "{}"):
		return pathMatch{}, fmt.Errorf("path template %q has no Linkerd equivalent", v)
	case strings.HasSuffix(v, "*"):
		lit := strings.TrimSuffix(v, "*")
		if lit == "/" {
			return pathMatch{kind: pathAny}, nil
		}
		return prefixRegex(lit)
	case strings.HasPrefix(v, "*"):
		return suffixRegex(strings.TrimPrefix(v, "*"))
	}
	if err := normalLiteral(v, true); err != nil {
		return pathMatch{}, fmt.Errorf("path %q %v", v, err)
	}
	if !strings.HasPrefix(v, "/") {
		return pathMatch{}, fmt.Errorf("path %q does not start with / and matches no request", v)
	}
	pm := pathMatch{kind: pathExact, literal: v}
	if exactPathChars.MatchString(v) {
		pm.exact = v
	} else { // characters the Gateway API forbids in Exact values: an anchored literal regex
		pm.regex = "^" + regexp.QuoteMeta(v) + "$"
	}
	return pm, nil
}

// exactPathChars is what the Gateway API CRD accepts in an Exact path value.
var exactPathChars = regexp.MustCompile(`^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@])+$`)

func prefixRegex(lit string) (pathMatch, error) {
	if !strings.HasPrefix(lit, "/") {
		return pathMatch{}, fmt.Errorf("path prefix %q does not start with / and matches no request", lit+"*")
	}
	i := strings.LastIndex(lit, "/")
	// Segments before the last slash are complete; the text after it continues in the path.
	if err := normalLiteral(lit[:i+1], true); err != nil {
		return pathMatch{}, fmt.Errorf("path prefix %q %v", lit+"*", err)
	}
	partial := lit[i+1:]
	if err := normalLiteral(partial, false); err != nil {
		return pathMatch{}, fmt.Errorf("path prefix %q %v", lit+"*", err)
	}
	var tail string
	switch partial {
	case "": // the wildcard starts a segment
		tail = seg + rest
	case ".":
		tail = notDotTail + rest
	case "..":
		tail = segChar + `+` + rest
	default:
		tail = segChar + `*` + rest
	}
	return pathMatch{kind: pathPrefix, literal: lit, regex: "^" + regexp.QuoteMeta(lit) + tail + "$"}, nil
}

func suffixRegex(lit string) (pathMatch, error) {
	i := strings.Index(lit, "/")
	if i < 0 { // the suffix lies within the last segment
		i = len(lit)
	}
	first, after := lit[:i], lit[i:]
	if err := normalLiteral(first, false); err != nil {
		return pathMatch{}, fmt.Errorf("path suffix %q %v", "*"+lit, err)
	}
	if err := normalLiteral(after, true); err != nil {
		return pathMatch{}, fmt.Errorf("path suffix %q %v", "*"+lit, err)
	}
	var head string
	switch first {
	case "": // the suffix starts at a segment boundary
		head = `^(?:/` + seg + `)*`
	case ".":
		head = `^(?:/` + seg + `)*/` + notDotTail
	case "..":
		head = `^(?:/` + seg + `)*/` + segChar + `+`
	default:
		head = `^(?:/` + seg + `)*/` + segChar + `*`
	}
	return pathMatch{kind: pathSuffix, literal: lit, regex: head + regexp.QuoteMeta(lit) + "$"}, nil
}

// normalLiteral reports why s (a run of path text) would not survive Istio's normalization
// unchanged: a percent sign, a backslash, a '?' or '#', or, when its segments are complete, an
// empty, "." or ".." segment between slashes.
func normalLiteral(s string, complete bool) error {
	if strings.ContainsAny(s, `%\?#`) {
		return fmt.Errorf("holds %%, \\, ? or #, which Istio's path normalization rewrites")
	}
	if !complete {
		return nil
	}
	parts := strings.Split(s, "/")
	for i, p := range parts {
		inner := i > 0 && i < len(parts)-1
		last := i == len(parts)-1 && i > 0
		if (inner && p == "") || ((inner || last) && (p == "." || p == "..")) {
			return fmt.Errorf("holds an empty, . or .. segment, which Istio's path normalization removes")
		}
	}
	return nil
}

// matches reports whether the Linkerd form of pm matches the raw path p, as Linkerd's proxy
// does (regexes must cover the whole path).
func (pm pathMatch) matches(p string) bool {
	switch {
	case pm.kind == pathAny:
		return true
	case pm.exact != "":
		return p == pm.exact
	}
	return regexp.MustCompile(pm.regex).MatchString(p)
}

// key renders pm for sorting and deduplication.
func (pm pathMatch) key() string {
	switch pm.kind {
	case pathExact:
		return "=" + pm.literal
	case pathPrefix:
		return "^" + pm.literal
	case pathSuffix:
		return "$" + pm.literal
	}
	return "*"
}

// within reports whether every path pm matches is matched by o, judged on the Istio patterns.
// False means "not known to be", never "known not to be".
func (pm pathMatch) within(o pathMatch) bool {
	switch {
	case o.kind == pathAny:
		return true
	case pm.kind == pathAny:
		return false
	case pm.kind == pathExact:
		return o.istioMatches(pm.literal)
	case pm.kind == o.kind && pm.kind == pathPrefix:
		return strings.HasPrefix(pm.literal, o.literal)
	case pm.kind == o.kind && pm.kind == pathSuffix:
		return strings.HasSuffix(pm.literal, o.literal)
	}
	return false
}

// mayMeet reports whether some path could match both pm and o (true when unsure).
func (pm pathMatch) mayMeet(o pathMatch) bool {
	switch {
	case pm.kind == pathAny || o.kind == pathAny:
		return true
	case pm.kind == pathExact:
		return o.istioMatches(pm.literal)
	case o.kind == pathExact:
		return pm.istioMatches(o.literal)
	case pm.kind == o.kind && pm.kind == pathPrefix:
		return strings.HasPrefix(pm.literal, o.literal) || strings.HasPrefix(o.literal, pm.literal)
	case pm.kind == o.kind && pm.kind == pathSuffix:
		return strings.HasSuffix(pm.literal, o.literal) || strings.HasSuffix(o.literal, pm.literal)
	}
	return true
}

// mayMatchRoot reports whether pm can match the path "/", where a full-path match ties in
// length with Linkerd's catch-all PathPrefix "/".
func (pm pathMatch) mayMatchRoot() bool {
	return pm.kind == pathAny || pm.matches("/")
}

// istioMatches applies the Istio pattern to a (normalized) path.
func (pm pathMatch) istioMatches(p string) bool {
	switch pm.kind {
	case pathExact:
		return p == pm.literal
	case pathPrefix:
		return strings.HasPrefix(p, pm.literal)
	case pathSuffix:
		return strings.HasSuffix(p, pm.literal)
	}
	return true
}
