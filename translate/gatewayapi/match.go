package gatewayapi

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/meshbridge/meshbridge/model"
)

// valKind is how a header, query or authority value is matched.
type valKind int

const (
	valExact valKind = iota
	valPrefix
	valRegex
	valPresent
)

// val matches one value, in Istio's terms (prefix is kept as such so the analysis can reason
// about it; it is written as a regular expression).
type val struct {
	kind  valKind
	value string
}

// kv is a named value match.
type kv struct {
	name string
	val  val
}

// pathKind is a Gateway API path match type.
type pathKind int

const (
	pathPrefix pathKind = iota
	pathExact
	pathRegex
)

type pathMatch struct {
	kind  pathKind
	value string
	// rest is set on the regex remainder of Istio prefix rest: paths that start with rest and
	// continue with anything but "/". The analysis reasons on it exactly.
	rest string
	// noBare is set on a PathPrefix written for an Istio prefix ending in "/": Istio's prefix
	// does not match the bare path (value itself), which the written PathPrefix does; the
	// analysis reasons on Istio's meaning and the writer gives the bare path an Exact match.
	noBare bool
}

// match is one Gateway API match (path, method, headers, query: ANDed), with what the writer
// needs to know about where it came from.
type match struct {
	path    pathMatch
	method  string
	headers []kv // lowercased names, sorted
	query   []kv // sorted
	field   string
	// remainder marks the regex half of an Istio prefix that does not end at a segment
	// boundary: it may be dropped (with a warning) when precedence or a rewrite needs it gone.
	remainder bool
	// added marks a match the order analysis added.
	added bool
	// istioPrefix is the Istio prefix the path came from ("/" when the match had no uri), for
	// prefix rewrites; "" when the path did not come from a prefix.
	istioPrefix string
	// early marks an Exact match for the bare path of a prefix in rule beforeIdx, which must
	// win over that prefix where Exact and PathPrefix tie (profile.exactTiesPrefix).
	early     bool
	beforeIdx int
}

// dropped is a part of an Istio match that could not be written. loose is a superset of what
// it matched, used to decide whether later rules would take its requests.
type dropped struct {
	field  string
	reason string
	loose  *match
}

var standardMethods = []string{"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"}

// nonStandardProbes are methods outside Gateway API's enum that a method regex may accept.
var nonStandardProbes = []string{"PURGE", "PROPFIND", "LINK", "X"}

var headerNameRE = regexp.MustCompile(`^[A-Za-z0-9!#$%&'*+\-.^_` + "`" + `|~]+$`)

// validExactPath mirrors the CEL rules on Exact and PathPrefix values.
func validExactPath(v string) bool {
	if !strings.HasPrefix(v, "/") || len(v) > 1024 {
		return false
	}
	for _, bad := range []string{"//", "/./", "/../", "%2f", "%2F", "#"} {
		if strings.Contains(v, bad) {
			return false
		}
	}
	if strings.HasSuffix(v, "/..") || strings.HasSuffix(v, "/.") {
		return false
	}
	return pathCharsRE.MatchString(v)
}

var pathCharsRE = regexp.MustCompile(`^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$`)

// convertMatch turns one Istio match into Gateway API matches (several when a method pattern
// expands to several methods, or a prefix needs its remainder), and the parts it cannot write.
// Port and gateways are handled by the caller.
func convertMatch(m model.HTTPMatch) ([]*match, []dropped) {
	base := &match{field: m.Field}
	var drops []dropped
	drop := func(field, format string, args ...any) {
		drops = append(drops, dropped{field: field, reason: fmt.Sprintf(format, args...)})
	}

	// Path.
	var paths []pathMatch
	var remainder *pathMatch
	switch p := m.Path; {
	case p == nil:
		paths = []pathMatch{{kind: pathPrefix, value: "/"}}
		base.istioPrefix = "/"
	case m.IgnoreURICase && p.Type != model.MatchRegex:
		re := "(?i)" + regexp.QuoteMeta(p.Value)
		if p.Type == model.MatchPrefix {
			re += ".*"
			base.istioPrefix = p.Value // a prefix rewrite replaces only the prefix: refused
		}
		paths = []pathMatch{{kind: pathRegex, value: re}}
	case p.Type == model.MatchExact:
		if validExactPath(p.Value) {
			paths = []pathMatch{{kind: pathExact, value: p.Value}}
		} else {
			paths = []pathMatch{{kind: pathRegex, value: regexp.QuoteMeta(p.Value)}}
		}
	case p.Type == model.MatchPrefix:
		base.istioPrefix = p.Value
		switch v := p.Value; {
		case v == "/":
			paths = []pathMatch{{kind: pathPrefix, value: "/"}}
		case !validExactPath(strings.TrimSuffix(v, "/")):
			paths = []pathMatch{{kind: pathRegex, value: regexp.QuoteMeta(v) + ".*"}}
		case strings.HasSuffix(v, "/"):
			// The written PathPrefix also matches the bare path; bareExact gives it Istio's rule.
			paths = []pathMatch{{kind: pathPrefix, value: strings.TrimSuffix(v, "/"), noBare: true}}
		default:
			paths = []pathMatch{{kind: pathPrefix, value: v}}
			remainder = &pathMatch{kind: pathRegex, value: regexp.QuoteMeta(v) + "[^/].*", rest: v}
		}
	case p.Type == model.MatchRegex:
		re := p.Value
		if strings.Contains(re, "|") && !(strings.HasPrefix(re, "^") && strings.HasSuffix(re, "$")) {
			// Istio matches the whole path; anchoring keeps that for leftmost-first engines.
			re = "^(?:" + re + ")$"
		}
		paths = []pathMatch{{kind: pathRegex, value: re}}
	}

	// Method.
	methods := []string{""}
	if mm := m.Method; mm != nil {
		methods = nil
		for _, s := range standardMethods {
			if matchVal(toVal(*mm), s) {
				methods = append(methods, s)
			}
		}
		probe := false
		for _, s := range nonStandardProbes {
			probe = probe || matchVal(toVal(*mm), s)
		}
		switch {
		case len(methods) == 0:
			drop(m.Field+".method", "method %s %q matches no method Gateway API can name", strings.ToLower(string(mm.Type)), mm.Value)
		case probe:
			drop(m.Field+".method", "method %s %q also matches non-standard methods, which Gateway API cannot name", strings.ToLower(string(mm.Type)), mm.Value)
		}
	}

	// Headers, with the authority as the Host header.
	hs := map[string]val{}
	addHeader := func(field, name string, v val) {
		name = strings.ToLower(name)
		if !headerNameRE.MatchString(name) {
			drop(field, "header name %q is not a valid Gateway API header name", name)
			return
		}
		if old, ok := hs[name]; ok {
			nv, ok := intersectVal(old, v)
			if !ok {
				drop(field, "two conditions on header %q cannot be combined into one", name)
				return
			}
			v = nv
		}
		hs[name] = v
	}
	for _, h := range m.Headers {
		addHeader(m.Field+".headers."+h.Name, h.Name, keyVal(h))
	}
	if a := m.Authority; a != nil {
		addHeader(m.Field+".authority", "host", toVal(*a))
	}
	base.headers = sortedKV(hs)
	if len(base.headers) > 16 {
		drop(m.Field+".headers", "%d header conditions exceed Gateway API's 16 per match", len(base.headers))
	}
	qs := map[string]val{}
	for _, q := range m.QueryParams {
		if !headerNameRE.MatchString(q.Name) {
			drop(m.Field+".queryParams."+q.Name, "query parameter name %q is not valid in Gateway API", q.Name)
			continue
		}
		qs[q.Name] = keyVal(q)
	}
	base.query = sortedKV(qs)
	if len(base.query) > 16 {
		drop(m.Field+".queryParams", "%d query parameter conditions exceed Gateway API's 16 per match", len(base.query))
	}

	// Conditions Gateway API has no field for.
	if m.Scheme != nil {
		drop(m.Field+".scheme", "scheme matches have no Gateway API equivalent")
	}
	if len(m.WithoutHeaders) > 0 {
		drop(m.Field+".withoutHeaders", "withoutHeaders (negated header matches) has no Gateway API equivalent")
	}
	if len(m.SourceLabels) > 0 {
		drop(m.Field+".sourceLabels", "sourceLabels has no Gateway API equivalent")
	}
	if m.SourceNamespace != "" {
		drop(m.Field+".sourceNamespace", "sourceNamespace has no Gateway API equivalent in a route that serves every client")
	}

	if len(drops) > 0 {
		// The whole Istio match is lost; its loose form (the parts that could be written,
		// without method) says which later rules could take its requests.
		loose := *base
		loose.path = paths[0]
		if remainder != nil {
			loose.path = pathMatch{kind: pathRegex, value: regexp.QuoteMeta(m.Path.Value) + ".*"}
		}
		for i := range drops {
			drops[i].loose = &loose
		}
		return nil, drops
	}
	var out []*match
	for _, meth := range methods {
		for _, p := range paths {
			mm := *base
			mm.path, mm.method = p, meth
			out = append(out, &mm)
		}
		if remainder != nil {
			mm := *base
			mm.path, mm.method, mm.remainder = *remainder, meth, true
			out = append(out, &mm)
		}
	}
	return out, nil
}

func toVal(s model.StringMatch) val {
	switch s.Type {
	case model.MatchPrefix:
		if s.Value == "" {
			return val{kind: valPresent}
		}
		return val{valPrefix, s.Value}
	case model.MatchRegex:
		return val{valRegex, s.Value}
	}
	return val{valExact, s.Value}
}

func keyVal(k model.KeyMatch) val {
	if k.Present {
		return val{kind: valPresent}
	}
	return toVal(k.Match)
}

func sortedKV(m map[string]val) []kv {
	var out []kv
	for k, v := range m {
		out = append(out, kv{k, v})
	}
	slices.SortFunc(out, func(a, b kv) int { return strings.Compare(a.name, b.name) })
	return out
}

// compiled caches full-match regular expressions; a pattern Go cannot compile is nil.
var compiled sync.Map

func fullRE(pattern string) *regexp.Regexp {
	if re, ok := compiled.Load(pattern); ok {
		return re.(*regexp.Regexp)
	}
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		re = nil
	}
	compiled.Store(pattern, re)
	return re
}

// matchVal reports whether v surely matches s (false when unknown).
func matchVal(v val, s string) bool {
	switch v.kind {
	case valExact:
		return v.value == s
	case valPrefix:
		return strings.HasPrefix(s, v.value)
	case valRegex:
		re := fullRE(v.value)
		return re != nil && re.MatchString(s)
	}
	return true
}

// literalPrefix returns a string every value matched by v starts with.
func (v val) literalPrefix() string {
	switch v.kind {
	case valExact, valPrefix:
		return v.value
	case valRegex:
		if re := fullRE(v.value); re != nil {
			p, _ := re.LiteralPrefix()
			return p
		}
	}
	return ""
}

// overlapVal reports whether some value may match both (true when unknown).
func overlapVal(a, b val) bool {
	switch {
	case a.kind == valPresent || b.kind == valPresent:
		return true
	case a.kind == valExact:
		return matchVal(b, a.value) || (b.kind == valRegex && fullRE(b.value) == nil)
	case b.kind == valExact:
		return overlapVal(b, a)
	case disjointVals(a, b):
		return false
	}
	pa, pb := a.literalPrefix(), b.literalPrefix()
	return strings.HasPrefix(pa, pb) || strings.HasPrefix(pb, pa)
}

// containsVal reports whether every value b matches is surely matched by a.
func containsVal(a, b val) bool {
	switch {
	case a.kind == valPresent:
		return true
	case b.kind == valPresent:
		return false
	case a == b:
		return true
	case b.kind == valExact:
		return matchVal(a, b.value)
	case a.kind == valPrefix && b.kind == valPrefix:
		return strings.HasPrefix(b.value, a.value)
	case a.kind == valPrefix && b.kind == valRegex:
		return strings.HasPrefix(b.literalPrefix(), a.value)
	}
	return false
}

// intersectVal returns a single condition equal to both, when one contains the other.
func intersectVal(a, b val) (val, bool) {
	switch {
	case containsVal(a, b):
		return b, true
	case containsVal(b, a):
		return a, true
	}
	return val{}, false
}
