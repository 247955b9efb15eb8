package istio

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	securityv1beta1 "istio.io/api/security/v1beta1"

	"github.com/meshbridge/meshbridge/model"
)

// authzRule reads one rule, validating it as Istio's webhook does.
func (r *reader) authzRule(origin model.Origin, field string, p model.AccessPolicy, rule *securityv1beta1.Rule, c *authzCheck) model.AccessRule {
	out := model.AccessRule{Field: field}
	if rule.From != nil && len(rule.From) == 0 {
		c.fail(field+".from", "from must not be empty")
	}
	if len(rule.From) > 512 {
		c.fail(field+".from", "%d sources; at most 512 are allowed", len(rule.From))
	}
	tcpFrom, hasFrom, tcpTo, hasTo := false, false, false, false
	for i, from := range rule.From {
		f := fmt.Sprintf("%s.from[%d]", field, i)
		if from == nil || from.Source == nil {
			c.fail(f+".source", "source must not be null")
			continue
		}
		hasFrom = true
		s := readSource(f+".source", from.Source, p.Action, c)
		tcpFrom = tcpFrom || sourceHasTCP(s)
		out.From = append(out.From, s)
	}
	if rule.To != nil && len(rule.To) == 0 {
		c.fail(field+".to", "to must not be empty")
	}
	for i, to := range rule.To {
		f := fmt.Sprintf("%s.to[%d]", field, i)
		if to == nil || to.Operation == nil {
			c.fail(f+".operation", "operation must not be null")
			continue
		}
		hasTo = true
		o := readOperation(f+".operation", to.Operation, c)
		tcpTo = tcpTo || len(o.Ports)+len(o.NotPorts) > 0
		out.To = append(out.To, o)
	}
	for i, w := range rule.When {
		f := fmt.Sprintf("%s.when[%d]", field, i)
		if w == nil {
			c.fail(f, "condition must not be null")
			continue
		}
		out.When = append(out.When, readCondition(f, w, p.Action, c))
	}
	// Istio's own warning: HTTP-only DENY rules deny all TCP traffic in scope.
	if p.Action == model.Deny && ((hasFrom && !hasTo && !tcpFrom) || (hasTo && !tcpTo)) {
		r.report(model.CodeAuthzDenyHTTPOnTCP, origin, field,
			"the rule uses only HTTP attributes and no port, so it denies all TCP traffic to the selected workloads")
	}
	return out
}

func sourceHasTCP(s model.Source) bool {
	return len(s.Principals)+len(s.NotPrincipals)+len(s.IPBlocks)+len(s.NotIPBlocks)+len(s.Namespaces)+
		len(s.NotNamespaces)+len(s.RemoteIPBlocks)+len(s.NotRemoteIPBlocks)+len(s.ServiceAccounts)+
		len(s.NotServiceAccounts)+len(s.TrustDomains)+len(s.NotTrustDomains) > 0
}

func readSource(field string, src *securityv1beta1.Source, action model.Action, c *authzCheck) model.Source {
	s := model.Source{
		Field:      field,
		Principals: strs(src.Principals), NotPrincipals: strs(src.NotPrincipals),
		RequestPrincipals: strs(src.RequestPrincipals), NotRequestPrincipals: strs(src.NotRequestPrincipals),
		Namespaces: strs(src.Namespaces), NotNamespaces: strs(src.NotNamespaces),
		ServiceAccounts: strs(src.ServiceAccounts), NotServiceAccounts: strs(src.NotServiceAccounts),
		IPBlocks: strs(src.IpBlocks), NotIPBlocks: strs(src.NotIpBlocks),
		RemoteIPBlocks: strs(src.RemoteIpBlocks), NotRemoteIPBlocks: strs(src.NotRemoteIpBlocks),
		TrustDomains: strs(src.TrustDomains), NotTrustDomains: strs(src.NotTrustDomains),
	}
	fields := []struct {
		name   string
		values []string
	}{
		{"principals", s.Principals}, {"notPrincipals", s.NotPrincipals},
		{"requestPrincipals", s.RequestPrincipals}, {"notRequestPrincipals", s.NotRequestPrincipals},
		{"namespaces", s.Namespaces}, {"notNamespaces", s.NotNamespaces},
		{"serviceAccounts", s.ServiceAccounts}, {"notServiceAccounts", s.NotServiceAccounts},
		{"ipBlocks", s.IPBlocks}, {"notIpBlocks", s.NotIPBlocks},
		{"remoteIpBlocks", s.RemoteIPBlocks}, {"notRemoteIpBlocks", s.NotRemoteIPBlocks},
		{"trustDomains", s.TrustDomains}, {"notTrustDomains", s.NotTrustDomains},
	}
	empty := true
	for _, f := range fields {
		if len(f.values) > 0 {
			empty = false
		}
		checkNotEmpty(field+"."+f.name, f.values, c)
	}
	if empty {
		c.fail(field, "source must not be empty")
	}
	if len(s.ServiceAccounts)+len(s.NotServiceAccounts) > 0 && len(s.Principals)+len(s.NotPrincipals)+len(s.Namespaces)+len(s.NotNamespaces) > 0 {
		c.fail(field+".serviceAccounts", "serviceAccounts cannot be set with principals or namespaces")
	}
	for _, f := range []struct {
		name   string
		values []string
	}{{"serviceAccounts", s.ServiceAccounts}, {"notServiceAccounts", s.NotServiceAccounts}} {
		if len(f.values) > 16 {
			c.fail(field+"."+f.name, "%d service accounts; at most 16 are allowed", len(f.values))
		}
		for _, v := range f.values {
			if strings.Contains(v, "*") {
				c.fail(field+"."+f.name, "wildcards are not allowed in service accounts: %q", v)
			}
			if strings.Count(v, "/") > 1 || strings.HasPrefix(v, "/") || strings.HasSuffix(v, "/") {
				c.fail(field+"."+f.name, "%q is not <namespace>/<name> or <name>", v)
			}
		}
	}
	checkIPs(field+".ipBlocks", s.IPBlocks, c)
	checkIPs(field+".notIpBlocks", s.NotIPBlocks, c)
	checkIPs(field+".remoteIpBlocks", s.RemoteIPBlocks, c)
	checkIPs(field+".notRemoteIpBlocks", s.NotRemoteIPBlocks, c)
	if action == model.Custom {
		for _, f := range fields[:8] {
			if len(f.values) > 0 {
				c.fail(field+"."+f.name, "%s is not supported with the CUSTOM action", f.name)
			}
		}
	}
	return s
}

func readOperation(field string, op *securityv1beta1.Operation, c *authzCheck) model.Operation {
	o := model.Operation{
		Field: field,
		Hosts: strs(op.Hosts), NotHosts: strs(op.NotHosts),
		Ports: strs(op.Ports), NotPorts: strs(op.NotPorts),
		Methods: strs(op.Methods), NotMethods: strs(op.NotMethods),
		Paths: strs(op.Paths), NotPaths: strs(op.NotPaths),
	}
	fields := []struct {
		name   string
		values []string
	}{
		{"hosts", o.Hosts}, {"notHosts", o.NotHosts}, {"ports", o.Ports}, {"notPorts", o.NotPorts},
		{"methods", o.Methods}, {"notMethods", o.NotMethods}, {"paths", o.Paths}, {"notPaths", o.NotPaths},
	}
	empty := true
	for _, f := range fields {
		if len(f.values) > 0 {
			empty = false
		}
		checkNotEmpty(field+"."+f.name, f.values, c)
	}
	if empty {
		c.fail(field, "operation must not be empty")
	}
	checkPorts(field+".ports", o.Ports, c)
	checkPorts(field+".notPorts", o.NotPorts, c)
	checkPathTemplates(field+".paths", o.Paths, c)
	checkPathTemplates(field+".notPaths", o.NotPaths, c)
	return o
}

func readCondition(field string, w *securityv1beta1.Condition, action model.Action, c *authzCheck) model.Condition {
	cond := model.Condition{Field: field, Key: w.Key, Values: strs(w.Values), NotValues: strs(w.NotValues)}
	switch {
	case w.Key == "":
		c.fail(field+".key", "key must not be empty")
	case len(cond.Values)+len(cond.NotValues) == 0:
		c.fail(field, "at least one of values or notValues must be set for key %s", w.Key)
	default:
		// An unknown key fails both lists alike; report it once, on the list that is set.
		var valuesErr string
		if len(cond.Values) > 0 {
			if valuesErr = validateAttribute(w.Key, cond.Values); valuesErr != "" {
				c.fail(field+".values", "invalid value for key %s: %s", w.Key, valuesErr)
			}
		}
		if len(cond.NotValues) > 0 {
			if err := validateAttribute(w.Key, cond.NotValues); err != "" && err != valuesErr {
				c.fail(field+".notValues", "invalid notValue for key %s: %s", w.Key, err)
			}
		}
	}
	if action == model.Custom && (w.Key == "source.namespace" || w.Key == "source.serviceAccount" ||
		w.Key == "source.principal" || strings.HasPrefix(w.Key, "request.auth.")) {
		c.fail(field+".key", "%s is not supported with the CUSTOM action", w.Key)
	}
	return cond
}

// validateAttribute mirrors Istio's ValidateAttribute: every documented when key, and the
// explicit refusals of the v1alpha1-only keys.
func validateAttribute(key string, values []string) string {
	if slices.Contains(values, "") {
		return "empty value not allowed"
	}
	switch {
	case strings.HasPrefix(key, "request.headers"), strings.HasPrefix(key, "request.auth.claims"),
		strings.HasPrefix(key, "experimental.envoy.filters."):
		return validateMapKey(key)
	case key == "source.ip", key == "remote.ip", key == "destination.ip":
		return ipErrors(values)
	case key == "destination.port":
		return portErrors(values)
	case key == "source.namespace", key == "source.principal", key == "source.serviceAccount",
		key == "source.trustDomain", key == "request.auth.principal", key == "request.auth.audiences",
		key == "request.auth.presenter", key == "connection.sni":
		return ""
	case key == "destination.namespace":
		return "attribute destination.namespace is replaced by the metadata.namespace"
	case strings.HasPrefix(key, "destination.labels"):
		return "attribute " + key + " is replaced by the workload selector"
	case key == "destination.name", key == "destination.user":
		return "deprecated attribute " + key + ": only supported in v1alpha1"
	}
	return "unknown attribute " + key
}

func validateMapKey(key string) string {
	open := strings.Index(key, "[")
	if strings.HasSuffix(key, "]") && open > 0 && open < len(key)-2 {
		return ""
	}
	return "bad key " + key + ": should have format a[b]"
}

func checkNotEmpty(field string, values []string, c *authzCheck) {
	if slices.Contains(values, "") {
		c.fail(field, "empty value not allowed")
	}
}

func checkIPs(field string, values []string, c *authzCheck) {
	if e := ipErrors(values); e != "" {
		c.fail(field, "%s", e)
	}
}

func ipErrors(values []string) string {
	var bad []string
	for _, v := range values {
		if !validIP(v) {
			bad = append(bad, v)
		}
	}
	if len(bad) > 0 {
		return fmt.Sprintf("bad IP address or CIDR range %q", bad)
	}
	return ""
}

func validIP(v string) bool {
	if strings.Contains(v, "/") {
		_, err := netip.ParsePrefix(v)
		return err == nil
	}
	_, err := netip.ParseAddr(v)
	return err == nil
}

func checkPorts(field string, values []string, c *authzCheck) {
	if e := portErrors(values); e != "" {
		c.fail(field, "%s", e)
	}
}

func portErrors(values []string) string {
	var bad []string
	for _, v := range values {
		if p, err := strconv.ParseUint(v, 10, 32); err != nil || p > 65535 {
			bad = append(bad, v)
		}
	}
	if len(bad) > 0 {
		return fmt.Sprintf("bad port %q", bad)
	}
	return ""
}

// unsupportedTemplate is Istio's check for path templates: no named variables, no {}, no bare
// * or ** segments.
var unsupportedTemplate = regexp.MustCompile(`\/{\w+\=\*[*]?\}|{\w*\}|\/\*[*]?|\*[*]?\/`)

// checkPathTemplates refuses path templates Istio's validation or Envoy would reject: a
// segment holding an operator must hold nothing else, {**} must be the last operator, and no
// "*", "{" or "}" may appear outside an operator.
func checkPathTemplates(field string, paths []string, c *authzCheck) {
	for _, p := range paths {
		if !model.IsPathTemplate(p) {
			continue
		}
		if unsupportedTemplate.MatchString(p) {
			c.fail(field, "invalid or unsupported path template %q", p)
			continue
		}
		seenAny := false
		for _, seg := range strings.Split(p, "/") {
			switch seg {
			case "{*}":
				if seenAny {
					c.fail(field, "path template %q: {**} must be the last operator", p)
				}
			case "{**}":
				if seenAny {
					c.fail(field, "path template %q: {**} must be the last operator", p)
				}
				seenAny = true
			default:
				if strings.ContainsAny(seg, "*{}") {
					c.fail(field, "path template %q: segment %q mixes an operator with other characters", p, seg)
				}
			}
		}
	}
}

// strs copies a list, so that the model never aliases the input objects.
func strs(v []string) []string {
	if len(v) == 0 {
		return nil
	}
	return slices.Clone(v)
}
