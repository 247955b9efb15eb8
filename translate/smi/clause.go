package smi

import (
	"cmp"
	"fmt"
	"slices"
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

func (m httpMatch) key() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%q %q", m.methods, m.path)
	for _, h := range m.headers {
		fmt.Fprintf(&b, " %q=%q", h.name, h.regex)
	}
	return b.String()
}

func (c clause) key() string {
	return fmt.Sprintf("%d %v %s", c.kind, c.ports, c.match.key())
}

// normalize sorts and deduplicates clauses, and drops those left with no port.
func normalize(cs []clause) []clause {
	cs = slices.DeleteFunc(cs, func(c clause) bool { return c.ports != nil && len(c.ports) == 0 })
	slices.SortFunc(cs, func(a, b clause) int { return cmp.Compare(a.key(), b.key()) })
	return slices.CompactFunc(cs, func(a, b clause) bool { return a.key() == b.key() })
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
