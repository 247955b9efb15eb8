package istio

import (
	"fmt"
	"strconv"
	"strings"

	rbacv1alpha1 "github.com/meshbridge/meshbridge/apis/rbac/v1alpha1"
	"github.com/meshbridge/meshbridge/model"
)

// rolePerm is one ServiceRole rule in model terms: an operation and conditions checked per
// request, plus the constraints Istio 1.4 checked when it built a workload's configuration
// (which Service, which pods).
type rolePerm struct {
	field    string // "ServiceRole <name> spec.rules[i]"
	services []string
	op       *model.Operation // nil: any operation
	when     []model.Condition
	// Config-time constraints; a nil list does not constrain.
	labels                   map[string][]string
	names, namespaces, users []string
}

// appliesToService is the first half of Istio 1.4's Permission.Match: the Service's FQDN and
// its short name and namespace.
func (p rolePerm) appliesToService(fqdn string, s model.Service) bool {
	return rbacMatch(fqdn, p.services) &&
		(p.names == nil || rbacMatch(s.Name, p.names)) &&
		(p.namespaces == nil || rbacMatch(s.Namespace, p.namespaces))
}

// appliesToWorkload is the second half: the pod's labels and service account.
func (p rolePerm) appliesToWorkload(w model.Workload) bool {
	for k, vals := range p.labels {
		v, ok := w.Labels[k]
		if !ok || !rbacMatch(v, vals) {
			return false
		}
	}
	return p.users == nil || rbacMatch(w.ServiceAccount, p.users)
}

// readRolePerm translates one ServiceRole rule. It returns false when the rule cannot be
// written exactly; the rule then grants nothing (narrower), and a finding says so.
func (r *reader) readRolePerm(origin model.Origin, roleName, field string, rule rbacv1alpha1.AccessRule) (rolePerm, bool) {
	ref := "ServiceRole " + roleName + " " + field
	p := rolePerm{field: ref, services: rule.Services}
	op := model.Operation{
		Field: ref, Methods: strs(rule.Methods), NotMethods: strs(rule.NotMethods),
		Paths: strs(rule.Paths), NotPaths: strs(rule.NotPaths),
		Ports: portStrings(rule.Ports), NotPorts: portStrings(rule.NotPorts),
	}
	refuse := func(f, format string, args ...any) (rolePerm, bool) {
		r.report(model.CodeRbacRuleRefused, origin, f, "%s; the rule grants nothing", fmt.Sprintf(format, args...))
		return rolePerm{}, false
	}
	for _, path := range append(strs(rule.Paths), rule.NotPaths...) {
		if strings.ContainsAny(path, "{}") {
			return refuse(field+".paths", "path %q holds { or }, which v1beta1 reads as a path template", path)
		}
	}
	if len(rule.Hosts)+len(rule.NotHosts) > 0 {
		// v1alpha1 matched :authority case-sensitively; v1beta1 hosts ignore case, the header
		// condition does not.
		p.when = append(p.when, model.Condition{Field: ref + ".hosts", Key: "request.headers[:authority]",
			Values: strs(rule.Hosts), NotValues: strs(rule.NotHosts)})
	}
	// Istio kept constraints in a map: a repeated key replaced the earlier one.
	last := map[string]int{}
	for j, con := range rule.Constraints {
		last[con.Key] = j
	}
	for j, con := range rule.Constraints {
		// cf locates the constraint in the model (whose elements belong to bindings); at locates
		// it in this role, for findings about the role itself.
		cf := fmt.Sprintf("%s.constraints[%d]", ref, j)
		at := fmt.Sprintf("%s.constraints[%d]", field, j)
		if last[con.Key] != j {
			r.report(model.CodeRbacConstraintIgnored, origin, at, "key %q is repeated; Istio used the last one", con.Key)
			continue
		}
		ignore := func(why string) {
			r.report(model.CodeRbacConstraintIgnored, origin, at, "%s; Istio 1.4 ignored the constraint", why)
		}
		key, vals := con.Key, con.Values
		switch {
		case key == "destination.ip":
			if e := ipErrors(vals); e != "" {
				return refuse(at, "%s", e)
			}
			p.when = append(p.when, model.Condition{Field: cf, Key: key, Values: strs(vals)})
		case key == "destination.port":
			if e := portErrors(vals); e != "" {
				return refuse(at, "%s", e)
			}
			op.Ports = append(op.Ports, normalizePorts(vals)...)
		case key == "destination.name":
			p.names = vals
		case key == "destination.namespace":
			p.namespaces = vals
		case key == "destination.user":
			p.users = vals
		case strings.HasPrefix(key, "destination.labels"):
			name, ok := inBrackets(strings.TrimPrefix(key, "destination.labels"))
			if !ok {
				ignore("malformed key " + key)
				continue
			}
			if p.labels == nil {
				p.labels = map[string][]string{}
			}
			p.labels[name] = vals
		case strings.HasPrefix(key, "request.headers"):
			if _, ok := inBrackets(strings.TrimPrefix(key, "request.headers")); !ok {
				ignore("malformed key " + key)
				continue
			}
			p.when = append(p.when, model.Condition{Field: cf, Key: key, Values: strs(vals)})
		case key == "connection.sni":
			p.when = append(p.when, model.Condition{Field: cf, Key: key, Values: strs(vals)})
		case strings.HasPrefix(key, "experimental.envoy.filters."):
			if strings.Count(key, "[") != 1 || strings.Count(key, "]") != 1 || !strings.HasSuffix(key, "]") {
				ignore("malformed key " + key)
				continue
			}
			p.when = append(p.when, model.Condition{Field: cf, Key: key, Values: strs(vals)})
		default:
			ignore("unknown key " + key)
		}
	}
	if len(op.Methods)+len(op.NotMethods)+len(op.Paths)+len(op.NotPaths)+len(op.Ports)+len(op.NotPorts) > 0 {
		p.op = &op
	}
	return p, true
}

// inBrackets returns name for "[name]".
func inBrackets(s string) (string, bool) {
	if len(s) < 3 || s[0] != '[' || s[len(s)-1] != ']' {
		return "", false
	}
	return s[1 : len(s)-1], true
}

func portStrings(ports []int32) []string {
	var out []string
	for _, p := range ports {
		out = append(out, strconv.Itoa(int(p)))
	}
	return out
}

// normalizePorts writes ports as v1beta1 expects them ("080" is port 80).
func normalizePorts(vals []string) []string {
	var out []string
	for _, v := range vals {
		n, _ := strconv.Atoi(v)
		out = append(out, strconv.Itoa(n))
	}
	return out
}
