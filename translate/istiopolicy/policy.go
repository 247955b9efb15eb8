package istiopolicy

import (
	"github.com/meshbridge/meshbridge/model"
)

// accessPolicy writes one AuthorizationPolicy.
func (w *writer) accessPolicy(p *model.AccessPolicy) {
	ns := p.Namespace
	t := p.Target
	rules := p.Rules
	switch {
	case t.MeshWide && ns != w.snap.RootNamespace:
		// Only a policy in the root namespace applies mesh-wide.
		ns = w.snap.RootNamespace
	case !t.MeshWide && ns == w.snap.RootNamespace && len(t.Refs) == 0:
		// A policy written in the root namespace applies mesh-wide; the model meant only the
		// root namespace. Narrow it: an ALLOW allows nothing (it may now cover more workloads),
		// other actions are kept (they only deny or audit more).
		if p.Action == model.Allow || p.Action == "" {
			rules = nil
		}
		w.report(model.CodeIstioRootNamespaceScope, p.Origin, t.Field,
			"a policy in the root namespace %s applies to the whole mesh, which the model did not mean; written mesh-wide and narrowed", ns)
	}
	action := p.Action
	if action == "" {
		action = model.Allow
	}
	if len(rules) == 0 && action != model.Allow {
		// Istio rejects DENY, AUDIT and CUSTOM without rules; without rules they match nothing.
		w.report(model.CodeIstioPolicyMatchesNothing, p.Origin, "spec.rules", "the %s policy has no rules, matches nothing and was not written", action)
		return
	}
	spec := map[string]any{"action": string(action)}
	if len(t.Refs) > 0 {
		var refs []any
		for _, r := range t.Refs {
			// group is always written, "" for core Services: CRDs of older Istio releases check
			// it with a CEL rule that fails when the key is absent.
			ref := map[string]any{"group": r.APIVersion, "kind": r.Kind, "name": r.Name}
			refs = append(refs, ref)
		}
		spec["targetRefs"] = refs
	} else if len(t.Selector) > 0 {
		spec["selector"] = map[string]any{"matchLabels": stringMap(t.Selector)}
	}
	if action == model.Custom {
		spec["provider"] = map[string]any{"name": p.Provider}
	}
	if len(rules) > 0 {
		var out []any
		for _, r := range rules {
			out = append(out, w.rule(p, r))
		}
		spec["rules"] = out
	}
	w.object(authorizationPolicyGVK, ns, w.name("AuthorizationPolicy", ns, p.Name, p.Origin), p.Origin, p.DryRun, spec)
}

func (w *writer) rule(p *model.AccessPolicy, r model.AccessRule) map[string]any {
	out := map[string]any{}
	var from []any
	for _, s := range r.From {
		src := source(s)
		if len(src) == 0 {
			// A source without constraints (v1alpha1's user "*") matches every caller, so
			// the rule needs no from at all.
			from = nil
			break
		}
		from = append(from, map[string]any{"source": src})
	}
	if len(from) > 0 {
		out["from"] = from
	}
	var to []any
	for _, o := range r.To {
		op := operation(o)
		if len(op) == 0 {
			to = nil
			break
		}
		to = append(to, map[string]any{"operation": op})
	}
	if len(to) > 0 {
		out["to"] = to
	}
	var when []any
	for _, c := range r.When {
		cond := map[string]any{"key": c.Key}
		if len(c.Values) > 0 {
			cond["values"] = stringList(c.Values)
		}
		if len(c.NotValues) > 0 {
			cond["notValues"] = stringList(c.NotValues)
		}
		when = append(when, cond)
	}
	if len(when) > 0 {
		out["when"] = when
	}
	for _, s := range r.From {
		if len(s.TrustDomains)+len(s.NotTrustDomains) > 0 {
			w.report(model.CodeIstioTrustDomains, p.Origin, s.Field,
				"trustDomains needs Istio 1.30 or later with the extended CRDs; an older API server drops or refuses it")
		}
	}
	return out
}

func source(s model.Source) map[string]any {
	m := map[string]any{}
	put(m, "principals", s.Principals)
	put(m, "notPrincipals", s.NotPrincipals)
	put(m, "requestPrincipals", s.RequestPrincipals)
	put(m, "notRequestPrincipals", s.NotRequestPrincipals)
	put(m, "namespaces", s.Namespaces)
	put(m, "notNamespaces", s.NotNamespaces)
	put(m, "serviceAccounts", s.ServiceAccounts)
	put(m, "notServiceAccounts", s.NotServiceAccounts)
	put(m, "ipBlocks", s.IPBlocks)
	put(m, "notIpBlocks", s.NotIPBlocks)
	put(m, "remoteIpBlocks", s.RemoteIPBlocks)
	put(m, "notRemoteIpBlocks", s.NotRemoteIPBlocks)
	put(m, "trustDomains", s.TrustDomains)
	put(m, "notTrustDomains", s.NotTrustDomains)
	return m
}

func operation(o model.Operation) map[string]any {
	m := map[string]any{}
	put(m, "hosts", o.Hosts)
	put(m, "notHosts", o.NotHosts)
	put(m, "ports", o.Ports)
	put(m, "notPorts", o.NotPorts)
	put(m, "methods", o.Methods)
	put(m, "notMethods", o.NotMethods)
	put(m, "paths", o.Paths)
	put(m, "notPaths", o.NotPaths)
	return m
}

func put(m map[string]any, key string, values []string) {
	if len(values) > 0 {
		m[key] = stringList(values)
	}
}
