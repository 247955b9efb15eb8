package smi

import (
	"slices"
	"strconv"
	"strings"

	"github.com/meshbridge/meshbridge/model"
)

// A grant is what SMI can say a source may do at a destination: a set of clauses, ORed. Each
// clause is one traffic kind on a set of destination (container) ports. The writer computes
// grants from ALLOW rules, removes what DENY rules deny (deny.go), then writes them out
// (objects.go). Every step may only shrink a grant.

// kind is the traffic a clause allows.
type kind int

const (
	// kindAll is any traffic: TCP connections and HTTP requests. Written as a TCPRoute rule plus
	// an HTTPRouteGroup match for every request.
	kindAll kind = iota
	// kindTCP is traffic on ports the consumer treats as TCP. Written as a TCPRoute rule only.
	kindTCP
	// kindHTTP is HTTP requests matching match. Written as an HTTPRouteGroup match.
	kindHTTP
)

// methods SMI's HTTPRouteGroup accepts (besides "*"), sorted.
var smiMethods = []string{"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"}

// clause is one thing a source may do.
type clause struct {
	kind kind
	// ports are destination container ports, sorted; nil means any port.
	ports []int32
	match httpMatch // kindHTTP only
	// field is the Istio field the clause came from, for findings; not part of its identity.
	field string
}

// httpMatch is one HTTPRouteGroup match: its fields are ANDed.
type httpMatch struct {
	methods []string // sorted SMI methods; nil means any
	path    string   // pathRegex; "" means any
	headers []header // sorted by name, names unique
}

type header struct{ name, regex string }

// key identifies a match: its methods, path and headers, quoted. It is built by hand, as fmt's
// "%q %q" and " %q=%q" per header would, since every sort and comparison of clauses builds it.
func (m httpMatch) key() string { return string(m.appendKey(nil)) }

func (m httpMatch) appendKey(b []byte) []byte {
	b = append(b, '[')
	for i, x := range m.methods {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendQuote(b, x)
	}
	b = append(b, "] "...)
	b = strconv.AppendQuote(b, m.path)
	for _, h := range m.headers {
		b = append(b, ' ')
		b = strconv.AppendQuote(b, h.name)
		b = append(b, '=')
		b = strconv.AppendQuote(b, h.regex)
	}
	return b
}

// key identifies a clause (its field aside), as fmt's "%d %v %s" of its kind, ports and match
// key would.
func (c clause) key() string { return string(c.appendKey(nil)) }

func (c clause) appendKey(b []byte) []byte {
	b = strconv.AppendInt(b, int64(c.kind), 10)
	b = append(b, " ["...)
	for i, p := range c.ports {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendInt(b, int64(p), 10)
	}
	b = append(b, "] "...)
	return c.match.appendKey(b)
}

// normalize sorts and deduplicates clauses, and drops those left with no port. Of clauses with
// one key (they may differ in field), the first after sorting is kept. Keys are built once per
// clause rather than once per comparison.
func normalize(cs []clause) []clause {
	cs = slices.DeleteFunc(cs, func(c clause) bool { return c.ports != nil && len(c.ports) == 0 })
	if len(cs) < 2 {
		return cs
	}
	keyed := make([]keyedClause, len(cs))
	for i, c := range cs {
		keyed[i] = keyedClause{key: c.key(), c: c}
	}
	slices.SortFunc(keyed, func(a, b keyedClause) int { return strings.Compare(a.key, b.key) })
	out := cs[:0]
	for i, k := range keyed {
		if i == 0 || k.key != keyed[i-1].key {
			out = append(out, k.c)
		}
	}
	return out
}

type keyedClause struct {
	key string
	c   clause
}

// grant maps each source service account to its clauses.
type grant map[model.ServiceAccountRef][]clause

func (g grant) add(s model.ServiceAccountRef, cs ...clause) {
	g[s] = normalize(append(g[s], cs...))
}

// Port sets: nil is any port. The helpers below never claim a port they do not know of: the
// complement of a set is taken over the ports the destination's workloads declare.

func intersectPorts(a, b []int32) []int32 {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	out := []int32{}
	for _, p := range a {
		if slices.Contains(b, p) {
			out = append(out, p)
		}
	}
	return out
}

// minusPorts is a \ b, with a nil (any) taken as the declared ports; b nil (any) leaves nothing.
func minusPorts(a, b, declared []int32) []int32 {
	out := []int32{}
	if b == nil {
		return out
	}
	if a == nil {
		a = declared
	}
	for _, p := range a {
		if !slices.Contains(b, p) {
			out = append(out, p)
		}
	}
	return out
}

func disjointPorts(a, b []int32) bool {
	return a != nil && b != nil && len(intersectPorts(a, b)) == 0
}

// coversPorts reports whether ports include every declared port, so that a port restriction
// can be dropped without widening. Unknown ports (none declared) are never covered.
func coversPorts(ports, declared []int32) bool {
	if ports == nil {
		return true
	}
	if len(declared) == 0 {
		return false
	}
	for _, p := range declared {
		if !slices.Contains(ports, p) {
			return false
		}
	}
	return true
}

// Method sets: nil is any method; otherwise a sorted subset of smiMethods.

func minusMethods(a, b []string) []string {
	if a == nil {
		a = smiMethods
	}
	out := []string{}
	for _, m := range a {
		if !slices.Contains(b, m) {
			out = append(out, m)
		}
	}
	return out
}

func disjointMethods(a, b []string) bool {
	if a == nil || b == nil {
		return false
	}
	for _, m := range a {
		if slices.Contains(b, m) {
			return false
		}
	}
	return true
}

// resolveMethods maps Istio method values (exact, "prefix*", "*suffix", "*") to SMI methods.
// It returns nil for any method, and the values that may name methods outside SMI's list (exact
// values SMI lacks, and patterns), which are then not allowed.
func resolveMethods(values []string) (methods []string, outside []string) {
	methods = []string{}
	for _, v := range values {
		if v == "*" {
			return nil, nil
		}
		n := 0
		for _, m := range smiMethods {
			if istioMatch(v, m) {
				methods = append(methods, m)
				n++
			}
		}
		if n == 0 || strings.Contains(v, "*") {
			outside = append(outside, v)
		}
	}
	slices.Sort(methods)
	return slices.Compact(methods), outside
}
