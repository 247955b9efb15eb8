package model

import (
	"net/netip"
	"regexp"
	"strings"
	"sync"
)

// matchString is Istio's string match: exact "abc", prefix "abc*", suffix "*abc", and "*",
// which matches any non-empty value.
func matchString(pattern, v string) bool {
	switch {
	case pattern == "*":
		return v != ""
	case strings.HasPrefix(pattern, "*"):
		return strings.HasSuffix(v, pattern[1:])
	case strings.HasSuffix(pattern, "*"):
		return strings.HasPrefix(v, pattern[:len(pattern)-1])
	}
	return v == pattern
}

// matchHeader is Envoy's header match as Istio generates it: "*" means present (even empty).
func matchHeader(pattern, v string, present bool) bool {
	if !present {
		return false
	}
	if pattern == "*" {
		return true
	}
	return matchString(pattern, v)
}

// matchHost matches hosts without regard to case.
func matchHost(pattern, host string) bool {
	return matchString(strings.ToLower(pattern), strings.ToLower(host))
}

// matchIP reports whether ip lies in block, an address or a CIDR.
func matchIP(block, ip string) bool {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	if strings.Contains(block, "/") {
		p, err := netip.ParsePrefix(block)
		return err == nil && p.Contains(addr)
	}
	b, err := netip.ParseAddr(block)
	return err == nil && b == addr
}

// matchPath matches a path (query already removed) against an Istio path: exact, prefix,
// suffix, "*", or a URI template with {*} (one segment) and {**} (the rest, possibly empty).
func matchPath(pattern, path string) bool {
	if !IsPathTemplate(pattern) {
		return matchString(pattern, path)
	}
	re := compile(templateRegex(pattern))
	return re != nil && re.MatchString(path)
}

// IsPathTemplate reports whether an Istio path uses the {*} or {**} operators.
func IsPathTemplate(p string) bool {
	return strings.Contains(p, "{*}") || strings.Contains(p, "{**}")
}

// pchar is the character class Envoy's URI templates match within one segment.
const pchar = `a-zA-Z0-9\-._~%!$&'()+,;:@=`

func templateRegex(t string) string {
	var b strings.Builder
	b.WriteString("^")
	for t != "" {
		switch {
		case strings.HasPrefix(t, "{**}"):
			b.WriteString("[" + pchar + "/]*")
			t = t[4:]
		case strings.HasPrefix(t, "{*}"):
			b.WriteString("[" + pchar + "]+")
			t = t[3:]
		default: // a literal run, up to the next "{"
			i := len(t)
			if j := strings.IndexByte(t[1:], '{'); j >= 0 {
				i = j + 1
			}
			b.WriteString(regexp.QuoteMeta(t[:i]))
			t = t[i:]
		}
	}
	b.WriteString("$")
	return b.String()
}

var regexCache sync.Map

// compile compiles and caches an anchored RE2 expression; it returns nil when the expression
// is invalid, which then matches nothing (Envoy would refuse it).
func compile(expr string) *regexp.Regexp {
	if v, ok := regexCache.Load(expr); ok {
		return v.(*regexp.Regexp)
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil
	}
	regexCache.Store(expr, re)
	return re
}

// fullMatch matches Envoy's safe_regex semantics: the whole value must match.
func fullMatch(expr, v string) bool {
	re := compile("^(?:" + expr + ")$")
	return re != nil && re.MatchString(v)
}

// principal matches a peer identity; callers without mTLS have none and match nothing.
func (x *evalRequest) principal(v string) bool {
	return x.san != "" && matchString(v, x.Principal)
}

// namespace matches Istio's regex .*/ns/<value>/.* on the peer certificate (a "*" in the value
// becomes ".*"); it needs mTLS.
func (x *evalRequest) namespace(v string) bool {
	return x.san != "" && fullMatch(".*/ns/"+strings.ReplaceAll(v, "*", ".*")+"/.*", x.san)
}

// serviceAccount matches <ns>/<sa> or <sa> (in the policy's namespace) on the peer certificate.
func (x *evalRequest) serviceAccount(policyNS, v string) bool {
	ns, sa, ok := strings.Cut(v, "/")
	if !ok {
		ns, sa = policyNS, v
	}
	return x.san != "" && fullMatch("spiffe://.+/ns/"+ns+"/(.+/|)sa/"+sa+"(/.+)?", x.san)
}

// trustDomain matches the trust domain of the peer certificate.
func (x *evalRequest) trustDomain(v string) bool {
	return x.san != "" && matchString(v, x.td)
}

// requestPrincipal matches <iss>/<sub> the way Istio splits it: at the value's last "/", with
// "*" matching a non-empty issuer or subject.
func (x *evalRequest) requestPrincipal(v string) bool {
	if !x.jwt {
		return false
	}
	idx := strings.LastIndex(v, "/")
	found := idx >= 0
	iss, sub := v, ""
	if found {
		iss, sub = v[:idx], v[idx+1:]
	}
	nonEmpty := x.iss != "" && x.sub != ""
	switch {
	case v == "*":
		return nonEmpty
	case strings.HasPrefix(v, "*"):
		if !found {
			return x.iss != "" && strings.HasSuffix(x.sub, v[1:])
		}
		issOK := x.iss != "" && (iss == "*" || strings.HasSuffix(x.iss, iss[1:]))
		return issOK && x.sub == sub
	case strings.HasSuffix(v, "*"):
		if !found {
			return strings.HasPrefix(x.iss, v[:len(v)-1]) && x.sub != ""
		}
		subOK := x.sub != "" && (sub == "*" || strings.HasPrefix(x.sub, sub[:len(sub)-1]))
		return x.iss == iss && subOK
	}
	return x.iss == iss && x.sub == sub
}

// claim matches a JWT claim; a list claim matches when any element does.
func (x *evalRequest) claim(name string) func(string) bool {
	return func(v string) bool {
		return x.jwt && anyOf(x.Claims[name], func(c string) bool { return matchString(v, c) })
	}
}

// conditionMatcher returns the matcher for a when key, whether the key is HTTP-only, and false
// for a key Istio does not know.
func (x *evalRequest) conditionMatcher(p *AccessPolicy, key string) (func(string) bool, bool, bool) {
	switch key {
	case "source.ip":
		return func(v string) bool { return matchIP(v, x.SourceIP) }, false, true
	case "remote.ip":
		return func(v string) bool { return matchIP(v, x.RemoteIP) }, false, true
	case "destination.ip":
		return func(v string) bool { return matchIP(v, x.DestinationIP) }, false, true
	case "destination.port":
		return func(v string) bool { return v == x.port }, false, true
	case "connection.sni":
		return func(v string) bool { return matchString(v, x.SNI) }, false, true
	case "source.namespace":
		return x.namespace, false, true
	case "source.principal":
		return x.principal, false, true
	case "source.serviceAccount":
		return func(v string) bool { return x.serviceAccount(p.Namespace, v) }, false, true
	case "source.trustDomain":
		return x.trustDomain, false, true
	case "request.auth.principal":
		return x.requestPrincipal, true, true
	case "request.auth.audiences":
		return x.claim("aud"), true, true
	case "request.auth.presenter":
		return x.claim("azp"), true, true
	}
	if name, ok := bracketed(key, "request.headers"); ok {
		return func(v string) bool {
			h, present := x.headers[strings.ToLower(name)]
			return matchHeader(v, h, present)
		}, true, true
	}
	if names, ok := ClaimPath(key); ok {
		return x.claim(strings.Join(names, ".")), true, true
	}
	if strings.HasPrefix(key, "experimental.envoy.filters.") {
		return func(v string) bool {
			md := x.Metadata[key]
			if strings.HasPrefix(v, "[") && strings.HasSuffix(v, "]") {
				inner := strings.Trim(v, "[]")
				return anyOf(md, func(m string) bool { return matchString(inner, m) })
			}
			return len(md) == 1 && matchString(v, md[0])
		}, false, true
	}
	return nil, false, false
}

// bracketed returns name for key prefix[name].
func bracketed(key, prefix string) (string, bool) {
	rest, ok := strings.CutPrefix(key, prefix+"[")
	if !ok || !strings.HasSuffix(rest, "]") || len(rest) < 2 || strings.ContainsAny(rest[:len(rest)-1], "[]") {
		return "", false
	}
	return rest[:len(rest)-1], true
}

// ClaimPath splits request.auth.claims[a][b] into its claim names.
func ClaimPath(key string) ([]string, bool) {
	rest, ok := strings.CutPrefix(key, "request.auth.claims")
	if !ok || rest == "" {
		return nil, false
	}
	var names []string
	for rest != "" {
		if rest[0] != '[' {
			return nil, false
		}
		end := strings.Index(rest, "]")
		if end <= 1 {
			return nil, false
		}
		names = append(names, rest[1:end])
		rest = rest[end+1:]
	}
	return names, true
}
