package gatewayapi

import (
	"regexp"

	"github.com/meshbridge/meshbridge/verify/semantics"
)

func compiledFind(expr, s string) []int {
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil
	}
	return re.FindStringIndex(s)
}

// Literals returns the paths, methods, headers and query parameters the HTTPRoutes among objs
// match on (inbound routes of Linkerd Servers included).
func Literals(objs semantics.Objects) semantics.Literals {
	var l semantics.Literals
	for _, o := range objs.Of(group, "HTTPRoute") {
		for _, ru := range semantics.Maps(semantics.List(o.Object, "spec", "rules")) {
			for _, m := range semantics.Maps(semantics.List(ru, "matches")) {
				if p := semantics.Map(m, "path"); p != nil {
					v := semantics.Str(p, "value")
					switch semantics.Str(p, "type") {
					case "Exact":
						l.AddExact(v)
					case "RegularExpression":
						l.AddPathRegex(v)
					default:
						l.AddPrefix(v)
					}
				}
				if mt := semantics.Str(m, "method"); mt != "" {
					l.Methods = append(l.Methods, mt)
				}
				for _, h := range semantics.Maps(semantics.List(m, "headers")) {
					for _, v := range values(h) {
						l.AddHeader(semantics.Str(h, "name"), v)
					}
				}
				for _, q := range semantics.Maps(semantics.List(m, "queryParams")) {
					for _, v := range values(q) {
						l.AddQuery(semantics.Str(q, "name"), v)
					}
				}
			}
		}
	}
	return l
}

func values(m map[string]any) []string {
	v := semantics.Str(m, "value")
	if semantics.Str(m, "type") == "RegularExpression" {
		return semantics.Samples(v)
	}
	return []string{v}
}
