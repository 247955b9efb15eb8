package smi

import (
	"fmt"
	"strings"

	"github.com/meshbridge/meshbridge/verify/semantics"
)

// Reading is how one consumer reads SMI objects.
type Reading struct {
	Mesh string
	// Access is false for consumers that enforce no SMI access (everything is allowed).
	Access bool
	// SameNamespace: a TrafficTarget counts only in its destination's namespace (OSM).
	SameNamespace bool
	path, header  func(expr, s string) bool
}

// Path reports whether pathRegex expr matches the request path under this reading.
func (r Reading) Path(expr, path string) bool { return r.path(expr, path) }

// Header reports whether a header regex matches the value under this reading.
func (r Reading) Header(expr, value string) bool { return r.header(expr, value) }

// traefikPath reads pathRegex as Traefik Mesh does: one leading "/" is stripped and the rest
// becomes PathPrefix(`/{path:<rest>}`), a match anchored at the start only.
func traefikPath(expr, path string) bool {
	rest, _ := strings.CutPrefix(expr, "/")
	return semantics.StartMatch("/(?:"+rest+")", path)
}

// ReadingFor returns the reading of a --mesh value ("" is the generic smi profile).
func ReadingFor(mesh string) (Reading, error) {
	switch strings.ToLower(mesh) {
	case "osm":
		return Reading{Mesh: "osm", Access: true, SameNamespace: true, path: semantics.FullMatch, header: semantics.FullMatch}, nil
	case "traefik-mesh":
		return Reading{Mesh: "traefik-mesh", Access: true, path: traefikPath, header: semantics.Search}, nil
	case "linkerd-smi":
		return Reading{Mesh: "linkerd-smi", path: semantics.FullMatch, header: semantics.FullMatch}, nil
	case "", "smi":
		return Reading{Mesh: "smi", Access: true, path: semantics.StartMatch, header: semantics.Search}, nil
	}
	return Reading{}, fmt.Errorf("unknown SMI mesh %q (want osm, traefik-mesh, linkerd-smi or smi)", mesh)
}

// httpMatch is one HTTPRouteGroup match.
type httpMatch struct {
	name      string
	methods   []string
	pathRegex string
	headers   map[string]string // lower-case name -> regex
}

// routeGroups indexes HTTPRouteGroups by namespace/name.
type routeGroups map[string][]httpMatch

func readRouteGroups(objs semantics.Objects) routeGroups {
	out := routeGroups{}
	for _, o := range objs.Of("specs.smi-spec.io", "HTTPRouteGroup") {
		var ms []httpMatch
		for _, m := range semantics.Maps(semantics.List(o.Object, "spec", "matches")) {
			hm := httpMatch{name: semantics.Str(m, "name"), methods: semantics.Strings(semantics.List(m, "methods")),
				pathRegex: semantics.Str(m, "pathRegex"), headers: map[string]string{}}
			switch h := m["headers"].(type) {
			case []any: // v1alpha4: a list of single-key maps
				for _, e := range semantics.Maps(h) {
					for k, v := range e {
						hm.headers[strings.ToLower(k)] = fmt.Sprint(v)
					}
				}
			case map[string]any: // earlier versions: a map
				for k, v := range h {
					hm.headers[strings.ToLower(k)] = fmt.Sprint(v)
				}
			}
			ms = append(ms, hm)
		}
		out[o.GetNamespace()+"/"+o.GetName()] = ms
	}
	return out
}

// matches reports whether an HTTP request matches m: a method m lists ("*" for any), the
// path regex, and every header regex.
func (r Reading) matches(m httpMatch, method, path string, header func(string) (string, bool)) bool {
	if len(m.methods) > 0 {
		ok := false
		for _, x := range m.methods {
			ok = ok || x == "*" || strings.EqualFold(x, method)
		}
		if !ok {
			return false
		}
	}
	if m.pathRegex != "" && !r.Path(m.pathRegex, path) {
		return false
	}
	for name, expr := range m.headers {
		v, ok := header(name)
		if !ok || !r.Header(expr, v) {
			return false
		}
	}
	return true
}

// selected returns the matches of a group a rule names (all of them when names is empty).
func selected(all []httpMatch, names []string) []httpMatch {
	if len(names) == 0 {
		return all
	}
	var out []httpMatch
	for _, m := range all {
		for _, n := range names {
			if m.name == n {
				out = append(out, m)
				break
			}
		}
	}
	return out
}
