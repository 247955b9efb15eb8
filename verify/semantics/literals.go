package semantics

import (
	"slices"
	"strings"
)

// Literals are the values emitted objects mention: verify adds requests that carry them, so
// that a caller, path or port that only the destination's objects name (an added source, a
// widened regex) is tried too, not only those Istio's policies name.
type Literals struct {
	// Principals are mTLS identities in Istio's form, <trust domain>/ns/<ns>/sa/<sa>.
	Principals []string
	// Namespaces are caller namespaces (any service account in them).
	Namespaces []string
	// Paths are concrete request paths; Methods HTTP methods; Ports workload ports.
	Paths   []string
	Methods []string
	Ports   []int32
	// IPs are client addresses or CIDRs.
	IPs []string
	// Headers maps lower-case header names to concrete values.
	Headers map[string][]string
	// QueryParams maps parameter names to concrete values (routing only).
	QueryParams map[string][]string
}

// AddHeader records a header value.
func (l *Literals) AddHeader(name, value string) {
	if l.Headers == nil {
		l.Headers = map[string][]string{}
	}
	name = strings.ToLower(name)
	if !slices.Contains(l.Headers[name], value) {
		l.Headers[name] = append(l.Headers[name], value)
	}
}

// AddQuery records a query parameter value.
func (l *Literals) AddQuery(name, value string) {
	if l.QueryParams == nil {
		l.QueryParams = map[string][]string{}
	}
	if !slices.Contains(l.QueryParams[name], value) {
		l.QueryParams[name] = append(l.QueryParams[name], value)
	}
}

// AddPathRegex records samples of a path regex, and each sample with one more segment (to
// try what a trailing wildcard lets through).
func (l *Literals) AddPathRegex(expr string) {
	for _, s := range Samples(expr) {
		if strings.HasPrefix(s, "/") {
			l.Paths = append(l.Paths, s, strings.TrimSuffix(s, "/")+"/sub")
		}
	}
}

// AddPrefix records a path prefix and the paths around it: the prefix, one more character,
// one more segment, and the prefix without its trailing slash.
func (l *Literals) AddPrefix(p string) {
	if !strings.HasPrefix(p, "/") {
		return
	}
	l.Paths = append(l.Paths, p, p+"x", strings.TrimSuffix(p, "/")+"/sub")
	if t := strings.TrimSuffix(p, "/"); t != "" && t != p {
		l.Paths = append(l.Paths, t)
	}
}

// AddExact records an exact path and a path one segment below it.
func (l *Literals) AddExact(p string) {
	if !strings.HasPrefix(p, "/") {
		return
	}
	l.Paths = append(l.Paths, p, strings.TrimSuffix(p, "/")+"/sub")
}

// Merge adds o's values to l.
func (l *Literals) Merge(o Literals) {
	l.Principals = append(l.Principals, o.Principals...)
	l.Namespaces = append(l.Namespaces, o.Namespaces...)
	l.Paths = append(l.Paths, o.Paths...)
	l.Methods = append(l.Methods, o.Methods...)
	l.Ports = append(l.Ports, o.Ports...)
	l.IPs = append(l.IPs, o.IPs...)
	for k, vs := range o.Headers {
		for _, v := range vs {
			l.AddHeader(k, v)
		}
	}
	for k, vs := range o.QueryParams {
		for _, v := range vs {
			l.AddQuery(k, v)
		}
	}
}

// Usable reports whether a literal can stand as an exact Istio value: the model's literal
// generator reads "*" and "{…}" as patterns.
func Usable(s string) bool {
	return !strings.ContainsAny(s, "*{}")
}
