package smi

import (
	"fmt"
	"regexp"
	"strings"
)

// Consumers read HTTPRouteGroup regexes differently (targets.md §1.2): OSM matches pathRegex and
// header values with Envoy safe_regex, a full match; Traefik Mesh strips one leading "/" from
// pathRegex and uses it as PathPrefix(`/{path:<rest>}`), a match anchored at the start only, and
// matches headers with an unanchored search. The renderings below mean the same under every
// reading: paths start with "/", end with "$" or ".*", and keep alternations inside a group
// (Traefik would otherwise only strip the first branch's "/"); header regexes carry both anchors.
// They use no capturing groups (gorilla/mux, under Traefik, rejects them) and no braces.

// Envoy's URI template classes for Istio's {*} and {**}: RFC 3986 pchar without "*" and "=".
const (
	segmentClass = `[a-zA-Z0-9\-._~%!$&'()+,;:@]`
	anySegments  = `[a-zA-Z0-9\-._~%!$&'()+,;:@/]*`
)

// pathRegex renders one Istio path value (exact, "prefix*", "*suffix", "*" or a template with
// {*} and {**}) as a pathRegex, or an error saying why it cannot.
func pathRegex(v string) (string, error) {
	switch {
	case v == "":
		return "", fmt.Errorf("empty path")
	case v == "*":
		return "/.*", nil
	case strings.ContainsAny(v, "{}"):
		return templateRegex(v)
	case strings.HasSuffix(v, "*") && !strings.Contains(v[:len(v)-1], "*"):
		p := v[:len(v)-1]
		if !strings.HasPrefix(p, "/") {
			return "", fmt.Errorf("prefix %q does not start with /", p)
		}
		return regexp.QuoteMeta(p) + ".*", nil
	case strings.HasPrefix(v, "*") && !strings.Contains(v[1:], "*"):
		return suffixRegex(v[1:]), nil
	case strings.Contains(v, "*"):
		return "", fmt.Errorf("%q has a * in the middle", v)
	case !strings.HasPrefix(v, "/"):
		return "", fmt.Errorf("%q does not start with /", v)
	}
	return regexp.QuoteMeta(v) + "$", nil
}

// suffixRegex matches every path ending in s. A path is "/" + rest: either rest ends in s, or
// (when s starts with "/") the whole path is s.
func suffixRegex(s string) string {
	if rest, ok := strings.CutPrefix(s, "/"); ok {
		return "/(?:.*" + regexp.QuoteMeta(s) + "|" + regexp.QuoteMeta(rest) + ")$"
	}
	return "/.*" + regexp.QuoteMeta(s) + "$"
}

// templateRegex renders a path template: segments are literals, {*} (one segment) or {**} (zero
// or more segments, last), as Envoy's uri_template matcher reads them.
func templateRegex(v string) (string, error) {
	if !strings.HasPrefix(v, "/") {
		return "", fmt.Errorf("template %q does not start with /", v)
	}
	segs := strings.Split(v[1:], "/")
	var b strings.Builder
	for i, s := range segs {
		b.WriteString("/")
		switch {
		case s == "{*}":
			b.WriteString(segmentClass + "+")
		case s == "{**}":
			if i != len(segs)-1 {
				return "", fmt.Errorf("template %q has {**} before its last segment", v)
			}
			b.WriteString(anySegments)
		case strings.ContainsAny(s, "{}*"):
			return "", fmt.Errorf("template %q has an operator inside segment %q", v, s)
		default:
			b.WriteString(regexp.QuoteMeta(s))
		}
	}
	return b.String() + "$", nil
}

// headerRegex renders Istio header values (ORed; exact, "prefix*", "*suffix", "*" for a
// non-empty value) as one anchored regex.
func headerRegex(values []string) string {
	alts := make([]string, 0, len(values))
	for _, v := range values {
		switch {
		case v == "*":
			alts = append(alts, ".+")
		case strings.HasSuffix(v, "*"):
			alts = append(alts, regexp.QuoteMeta(v[:len(v)-1])+".*")
		case strings.HasPrefix(v, "*"):
			alts = append(alts, ".*"+regexp.QuoteMeta(v[1:]))
		default:
			alts = append(alts, regexp.QuoteMeta(v))
		}
	}
	return "^(?:" + strings.Join(alts, "|") + ")$"
}

// istioMatch is Istio's string match: exact, "prefix*", "*suffix", or "*" for any non-empty value.
func istioMatch(pattern, s string) bool {
	switch {
	case pattern == "*":
		return s != ""
	case strings.HasSuffix(pattern, "*"):
		return strings.HasPrefix(s, pattern[:len(pattern)-1])
	case strings.HasPrefix(pattern, "*"):
		return strings.HasSuffix(s, pattern[1:])
	}
	return s == pattern
}

// globMatch matches s against a pattern where each * stands for any text, as Istio matches
// source namespaces (a regex on the peer identity).
// It runs for every pattern and service account pair, so it matches without building a regex
// and without allocating: the first and last parts anchor the ends, and the parts between must
// follow in order.
func globMatch(pattern, s string) bool {
	first, rest, found := strings.Cut(pattern, "*")
	if !found {
		return pattern == s
	}
	mids, last := "", rest
	if i := strings.LastIndexByte(rest, '*'); i >= 0 {
		mids, last = rest[:i], rest[i+1:]
	}
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	body := s[len(first) : len(s)-len(last)]
	for mids != "" {
		var mid string
		mid, mids, _ = strings.Cut(mids, "*")
		i := strings.Index(body, mid)
		if i < 0 {
			return false
		}
		body = body[i+len(mid):]
	}
	return true
}
