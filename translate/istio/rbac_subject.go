package istio

import (
	"fmt"
	"slices"
	"strings"

	rbacv1alpha1 "github.com/meshbridge/meshbridge/apis/rbac/v1alpha1"
	"github.com/meshbridge/meshbridge/model"
)

// Reserved principal values of v1alpha1 names, user and source.principal.
const (
	allUsers              = "allUsers"
	allAuthenticatedUsers = "allAuthenticatedUsers"
)

// rbacSubject is one binding subject in model terms: the caller it matches, and conditions
// (JWT claims, headers, repeated attributes) that must also hold.
type rbacSubject struct {
	field  string
	source model.Source
	when   []model.Condition
}

// any reports whether the subject places no constraint at all (user "*").
func (s rbacSubject) any() bool {
	return len(s.when) == 0 && s.anyCaller()
}

// anyCaller reports whether the subject's source places no constraint (its conditions may).
func (s rbacSubject) anyCaller() bool {
	return !sourceHasTCP(s.source) && len(s.source.RequestPrincipals)+len(s.source.NotRequestPrincipals) == 0
}

// subjectBuilder ANDs a subject's fields. The model's Source holds one list per attribute; a
// second constraint on the same attribute (user and names, say) becomes a when condition on
// the equivalent key, which ANDs just the same.
type subjectBuilder struct {
	rbacSubject
}

func (b *subjectBuilder) add(field, key string, list, notList *[]string, values []string, neg bool) {
	target := list
	if neg {
		target = notList
	}
	if *target == nil {
		*target = slices.Clone(values)
		return
	}
	c := model.Condition{Field: field, Key: key}
	if neg {
		c.NotValues = slices.Clone(values)
	} else {
		c.Values = slices.Clone(values)
	}
	b.when = append(b.when, c)
}

func (b *subjectBuilder) principals(field string, values []string, neg bool) {
	b.add(field, "source.principal", &b.source.Principals, &b.source.NotPrincipals, values, neg)
}

func (b *subjectBuilder) namespaces(field string, values []string, neg bool) {
	b.add(field, "source.namespace", &b.source.Namespaces, &b.source.NotNamespaces, values, neg)
}

func (b *subjectBuilder) ips(field string, values []string, neg bool) {
	b.add(field, "source.ip", &b.source.IPBlocks, &b.source.NotIPBlocks, values, neg)
}

func (b *subjectBuilder) claim(field, key string, values []string, neg bool) {
	c := model.Condition{Field: field, Key: key}
	if neg {
		c.NotValues = slices.Clone(values)
	} else {
		c.Values = slices.Clone(values)
	}
	b.when = append(b.when, c)
}

// principalValues applies the reserved values: allUsers and "*" match everyone, mTLS or not
// (any is true, no constraint); allAuthenticatedUsers is any mTLS peer ("*" in v1beta1).
func principalValues(values []string) (out []string, any bool) {
	for _, v := range values {
		switch v {
		case allUsers, "*":
			return nil, true
		case allAuthenticatedUsers:
			out = append(out, "*")
		default:
			out = append(out, v)
		}
	}
	return out, false
}

// readSubject translates one binding subject as Pilot 1.4's principal.go generated it. It
// returns false when the subject matched nobody in Istio (and so grants nothing) or cannot be
// written exactly (then it is left out, which is narrower); findings say which.
func (r *reader) readSubject(origin model.Origin, field string, s rbacv1alpha1.Subject) (rbacSubject, bool) {
	b := &subjectBuilder{rbacSubject{field: field, source: model.Source{Field: field}}}
	refuse := func(f, format string, args ...any) (rbacSubject, bool) {
		r.report(model.CodeRbacRuleRefused, origin, f, "%s; the subject grants nothing", fmt.Sprintf(format, args...))
		return rbacSubject{}, false
	}
	never := func(f, why string) (rbacSubject, bool) {
		r.report(model.CodeRbacPropertyNeverMatches, origin, f, "%s, so Istio 1.4 never matched this subject", why)
		return rbacSubject{}, false
	}
	if s.User != "" {
		if vals, any := principalValues([]string{s.User}); any {
			b.source.AnyIncludingUnauthenticated = true
		} else {
			b.principals(field+".user", vals, false)
		}
	}
	if len(s.Names) > 0 {
		if vals, any := principalValues(s.Names); any {
			b.source.AnyIncludingUnauthenticated = true
		} else {
			b.principals(field+".names", vals, false)
		}
	}
	if len(s.NotNames) > 0 {
		vals, any := principalValues(s.NotNames)
		if any {
			return never(field+".notNames", "not_names holds allUsers, which excludes everyone")
		}
		b.principals(field+".notNames", vals, true)
	}
	if s.Group != "" {
		b.claim(field+".group", "request.auth.claims[groups]", []string{s.Group}, false)
	}
	if len(s.Groups) > 0 {
		b.claim(field+".groups", "request.auth.claims[groups]", s.Groups, false)
	}
	if len(s.NotGroups) > 0 {
		b.claim(field+".notGroups", "request.auth.claims[groups]", s.NotGroups, true)
	}
	if len(s.Namespaces) > 0 {
		b.namespaces(field+".namespaces", s.Namespaces, false)
	}
	if len(s.NotNamespaces) > 0 {
		b.namespaces(field+".notNamespaces", s.NotNamespaces, true)
	}
	for _, ips := range []struct {
		name   string
		values []string
		neg    bool
	}{{"ips", s.Ips, false}, {"notIps", s.NotIps, true}} {
		if len(ips.values) == 0 {
			continue
		}
		if e := ipErrors(ips.values); e != "" {
			return refuse(field+"."+ips.name, "%s", e)
		}
		b.ips(field+"."+ips.name, ips.values, ips.neg)
	}
	for _, k := range sortedKeys(s.Properties) {
		v, pf := s.Properties[k], field+".properties["+k+"]"
		switch {
		case k == "source.ip":
			if e := ipErrors([]string{v}); e != "" {
				return refuse(pf, "%s", e)
			}
			b.ips(pf, []string{v}, false)
		case k == "source.namespace":
			b.namespaces(pf, []string{v}, false)
		case k == "source.principal":
			if vals, any := principalValues([]string{v}); any {
				b.source.AnyIncludingUnauthenticated = true
			} else {
				b.principals(pf, vals, false)
			}
		case k == "request.auth.principal":
			if v != "*" && strings.ContainsRune(v, '*') {
				return refuse(pf, "v1beta1 splits request principals into issuer and subject, so the pattern %q cannot be kept exactly", v)
			}
			b.add(pf, "request.auth.principal", &b.source.RequestPrincipals, &b.source.NotRequestPrincipals, []string{v}, false)
		case k == "request.auth.audiences":
			return refuse(pf, "Istio 1.4 matched only the token's first audience; v1beta1 matches any")
		case k == "request.auth.presenter":
			b.claim(pf, k, []string{v}, false)
		case strings.HasPrefix(k, "request.auth.claims"):
			name, ok := inBrackets(strings.TrimPrefix(k, "request.auth.claims"))
			switch {
			case !ok:
				r.report(model.CodeRbacConstraintIgnored, origin, pf, "malformed key %s; Istio 1.4 ignored the property", k)
			case strings.ContainsAny(name, "[]"):
				return never(pf, "Istio 1.4 read the nested claim "+k+" as one claim named "+name)
			default:
				b.claim(pf, k, []string{v}, false)
			}
		case strings.HasPrefix(k, "request.headers"):
			if _, ok := inBrackets(strings.TrimPrefix(k, "request.headers")); !ok {
				r.report(model.CodeRbacConstraintIgnored, origin, pf, "malformed key %s; Istio 1.4 ignored the property", k)
				continue
			}
			b.claim(pf, k, []string{v}, false)
		case k == "source.user":
			return refuse(pf, "source.user (the Mixer-era identity) has no v1beta1 equivalent")
		default:
			return never(pf, "unknown property key "+k)
		}
	}
	return b.rbacSubject, true
}
