package linkerd

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshbridge/meshbridge/model"
)

// standardMethods are the methods a Gateway API route match can name, in the CRD's order.
var standardMethods = []string{"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}

// block is one route match: a path, a method ("" for any) and headers that must be present.
type block struct {
	path    pathMatch
	method  string
	headers []string
}

func (b block) key() string {
	return b.path.key() + " " + b.method + " " + strings.Join(b.headers, ",")
}

// within reports whether every request b matches is matched by o (false when unsure).
func (b block) within(o block) bool {
	if o.method != "" && o.method != b.method {
		return false
	}
	for _, h := range o.headers {
		if !slices.Contains(b.headers, h) {
			return false
		}
	}
	return b.path.within(o.path)
}

// mayMeet reports whether a request could match both b and o (true when unsure).
func (b block) mayMeet(o block) bool {
	if b.method != "" && o.method != "" && b.method != o.method {
		return false
	}
	return b.path.mayMeet(o.path)
}

// requests is a set of HTTP requests: all of them, or the union of blocks.
type requests struct {
	all    bool
	blocks []block
}

var allRequests = requests{all: true}

// empty reports whether r matches no request.
func (r requests) empty() bool { return !r.all && len(r.blocks) == 0 }

func (r requests) key() string {
	if r.all {
		return "all"
	}
	keys := make([]string, len(r.blocks))
	for i, b := range r.blocks {
		keys[i] = b.key()
	}
	return strings.Join(keys, "|")
}

// union returns the requests r or o match.
func (r requests) union(o requests) requests {
	if r.all || o.all {
		return allRequests
	}
	return normalize(append(slices.Clone(r.blocks), o.blocks...))
}

// normalize sorts blocks and removes duplicates and blocks another block contains.
func normalize(bs []block) requests {
	slices.SortFunc(bs, func(a, b block) int { return strings.Compare(a.key(), b.key()) })
	bs = slices.CompactFunc(bs, func(a, b block) bool { return a.key() == b.key() })
	var out []block
	for i, b := range bs {
		covered := false
		for j, o := range bs {
			if i != j && b.within(o) && !o.within(b) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, b)
		}
	}
	if len(out) == 1 && out[0].path.kind == pathAny && out[0].method == "" && len(out[0].headers) == 0 {
		return allRequests
	}
	return requests{blocks: out}
}

// within reports whether every request r matches is matched by o (false when unsure).
func (r requests) within(o requests) bool {
	if o.all {
		return true
	}
	if r.all {
		return false
	}
	for _, b := range r.blocks {
		if !slices.ContainsFunc(o.blocks, b.within) {
			return false
		}
	}
	return true
}

// mayMeet reports whether a request could match both r and o (true when unsure).
func (r requests) mayMeet(o requests) bool {
	if r.empty() || o.empty() {
		return false
	}
	if r.all || o.all {
		return true
	}
	for _, b := range r.blocks {
		if slices.ContainsFunc(o.blocks, b.mayMeet) {
			return true
		}
	}
	return false
}

// withHeaders requires the named headers to be present in every request r matches.
func (r requests) withHeaders(names []string) requests {
	if len(names) == 0 {
		return r
	}
	bs := r.blocks
	if r.all {
		bs = []block{{path: pathMatch{kind: pathAny}}}
	}
	out := make([]block, len(bs))
	for i, b := range bs {
		b.headers = sortedUnion(b.headers, names)
		out[i] = b
	}
	return normalize(out)
}

// methodsOnly returns the methods r is limited to when r constrains nothing but the method.
func (r requests) methodsOnly() ([]string, bool) {
	if r.all || len(r.blocks) == 0 {
		return nil, false
	}
	var ms []string
	for _, b := range r.blocks {
		if b.path.kind != pathAny || len(b.headers) > 0 || b.method == "" {
			return nil, false
		}
		ms = append(ms, b.method)
	}
	return ms, true
}

// withoutMethods removes the methods denied from r. Where r allowed any method, the result
// lists the standard methods left, and enumerated is true: other methods are no longer allowed.
func (r requests) withoutMethods(denied []string) (out requests, enumerated bool) {
	bs := r.blocks
	if r.all {
		bs = []block{{path: pathMatch{kind: pathAny}}}
	}
	var kept []block
	for _, b := range bs {
		if b.method != "" {
			if !slices.Contains(denied, b.method) {
				kept = append(kept, b)
			}
			continue
		}
		enumerated = true
		for _, m := range standardMethods {
			if !slices.Contains(denied, m) {
				b.method = m
				kept = append(kept, b)
			}
		}
	}
	return normalize(kept), enumerated
}

// problem is a condition that cannot be written in Linkerd terms.
type problem struct {
	code  model.Code
	field string
	msg   string
}

// methodSet is the methods an operation allows: any, or a finite list of standard methods.
type methodSet struct {
	any     bool
	methods []string
}

// translateMethods reads an operation's methods and notMethods. Values that cannot be written
// are returned as problems; for an ALLOW rule they are left out (narrower), and warns lists
// approximations that are narrower too.
func translateMethods(op model.Operation) (ms methodSet, problems, warns []problem) {
	if len(op.Methods) == 0 {
		ms.any = true
	}
	for i, m := range op.Methods {
		field := fmt.Sprintf("%s.methods[%d]", op.Field, i)
		switch {
		case m == "*":
			ms = methodSet{any: true}
		case strings.Contains(m, "*"):
			matched := matchStandard(m)
			warns = append(warns, problem{model.CodeLinkerdMethodsEnumerated, field,
				fmt.Sprintf("method pattern %q was written as the standard methods it matches %v", m, matched)})
			ms.methods = append(ms.methods, matched...)
		case slices.Contains(standardMethods, m):
			ms.methods = append(ms.methods, m)
		default:
			problems = append(problems, problem{model.CodeLinkerdConditionDropped, field,
				fmt.Sprintf("method %q is not one a Linkerd route can match; it was left out", m)})
		}
		if ms.any {
			ms.methods = nil
			break
		}
	}
	if len(op.NotMethods) > 0 {
		if ms.any {
			ms = methodSet{methods: slices.Clone(standardMethods)}
			warns = append(warns, problem{model.CodeLinkerdMethodsEnumerated, op.Field + ".notMethods",
				fmt.Sprintf("notMethods %v was written as the standard methods it leaves", op.NotMethods)})
		}
		ms.methods = slices.DeleteFunc(ms.methods, func(m string) bool {
			return slices.ContainsFunc(op.NotMethods, func(p string) bool { return istioMatch(p, m) })
		})
	}
	slices.Sort(ms.methods)
	ms.methods = slices.Compact(ms.methods)
	return ms, problems, warns
}

func matchStandard(pattern string) []string {
	var out []string
	for _, m := range standardMethods {
		if istioMatch(pattern, m) {
			out = append(out, m)
		}
	}
	return out
}

// istioMatch applies an Istio string pattern: exact, "prefix*", "*suffix" or "*".
func istioMatch(pattern, v string) bool {
	switch {
	case pattern == "*":
		return v != ""
	case strings.HasSuffix(pattern, "*"):
		return strings.HasPrefix(v, strings.TrimSuffix(pattern, "*"))
	case strings.HasPrefix(pattern, "*"):
		return strings.HasSuffix(v, strings.TrimPrefix(pattern, "*"))
	}
	return pattern == v
}

// translatePaths reads an operation's paths and notPaths. For ALLOW, a path that cannot be
// written is left out; notPaths can only be folded into a list of exact paths.
func translatePaths(op model.Operation) (paths []pathMatch, anyPath bool, problems, warns []problem, fatal *problem) {
	if len(op.Paths) == 0 {
		anyPath = true
	}
	for i, p := range op.Paths {
		field := fmt.Sprintf("%s.paths[%d]", op.Field, i)
		pm, err := translatePath(p)
		if err != nil {
			problems = append(problems, problem{model.CodeLinkerdConditionDropped, field, err.Error() + "; it was left out"})
			continue
		}
		if pm.kind == pathAny {
			anyPath, paths = true, nil
			break
		}
		if pm.kind == pathPrefix || pm.kind == pathSuffix {
			warns = append(warns, problem{model.CodeLinkerdRawPathMatch, field,
				fmt.Sprintf("path %q was written as the regular expression %q", p, pm.regex)})
		}
		paths = append(paths, pm)
	}
	if len(op.NotPaths) > 0 {
		exactOnly := !anyPath && !slices.ContainsFunc(paths, func(pm pathMatch) bool { return pm.kind != pathExact })
		if !exactOnly {
			return nil, false, problems, warns, &problem{model.CodeLinkerdConditionDropped, op.Field + ".notPaths",
				fmt.Sprintf("notPaths %v cannot be excluded from paths other than exact ones", op.NotPaths)}
		}
		paths = slices.DeleteFunc(paths, func(pm pathMatch) bool {
			return slices.ContainsFunc(op.NotPaths, func(np string) bool { return istioMatch(np, pm.literal) })
		})
	}
	return paths, anyPath, problems, warns, nil
}

// opRequests returns the requests an ALLOW operation matches. Conditions Linkerd cannot hold
// narrow the result (reported in problems); fatal is set when nothing of the operation is left.
func opRequests(op model.Operation) (r requests, problems, warns []problem, fatal *problem) {
	if len(op.Hosts) > 0 || len(op.NotHosts) > 0 {
		return requests{}, nil, nil, &problem{model.CodeLinkerdConditionDropped, op.Field + ".hosts",
			"hosts and notHosts cannot be matched exactly by Linkerd (its inbound routes ignore the port in the Host header)"}
	}
	paths, anyPath, pp, pw, pf := translatePaths(op)
	problems, warns = append(problems, pp...), append(warns, pw...)
	if pf != nil {
		return requests{}, problems, warns, pf
	}
	ms, mp, mw := translateMethods(op)
	problems, warns = append(problems, mp...), append(warns, mw...)
	return cross(paths, anyPath, ms), problems, warns, nil
}

// lenientOpRequests returns a superset of the requests a DENY operation matches: conditions
// Linkerd cannot hold are ignored, which only makes the deny wider. exact is false when any was.
func lenientOpRequests(op model.Operation) (r requests, exact bool) {
	exact = len(op.Hosts) == 0 && len(op.NotHosts) == 0 && len(op.NotPaths) == 0 && len(op.NotMethods) == 0
	var paths []pathMatch
	anyPath := len(op.Paths) == 0
	for _, p := range op.Paths {
		pm, err := translatePath(p)
		if err != nil || pm.kind == pathAny {
			anyPath, paths, exact = true, nil, exact && err == nil
			break
		}
		paths = append(paths, pm)
	}
	ms := methodSet{any: len(op.Methods) == 0}
	for _, m := range op.Methods {
		if !slices.Contains(standardMethods, m) { // a pattern or another method: any method
			ms, exact = methodSet{any: true}, false
			break
		}
		ms.methods = append(ms.methods, m)
	}
	return cross(paths, anyPath, ms), exact
}

func cross(paths []pathMatch, anyPath bool, ms methodSet) requests {
	if anyPath {
		paths = []pathMatch{{kind: pathAny}}
	}
	methods := ms.methods
	if ms.any {
		methods = []string{""}
	}
	var bs []block
	for _, p := range paths {
		for _, m := range methods {
			bs = append(bs, block{path: p, method: m})
		}
	}
	return normalize(bs)
}

func sortedUnion(a, b []string) []string {
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}
