package linkerd

import (
	"net/netip"
	"strings"

	"github.com/meshbridge/meshbridge/verify/semantics"
)

const policyGroup = "policy.linkerd.io"

// client is what Linkerd knows of a caller: its mesh identity ("" without mTLS) and address.
type client struct {
	identity string
	ip       netip.Addr
}

// Identity renders an Istio principal <td>/ns/<ns>/sa/<sa> as Linkerd's identity
// <sa>.<ns>.serviceaccount.identity.linkerd.<td>. Other principals are kept as they are.
func Identity(principal string) string {
	parts := strings.Split(principal, "/")
	if len(parts) == 5 && parts[1] == "ns" && parts[3] == "sa" {
		return parts[4] + "." + parts[2] + ".serviceaccount.identity.linkerd." + parts[0]
	}
	return principal
}

// Principal is the inverse of Identity; ok is false for strings of another shape.
func Principal(identity string) (string, bool) {
	sa, rest, ok1 := strings.Cut(identity, ".")
	ns, rest, ok2 := strings.Cut(rest, ".")
	td, ok3 := strings.CutPrefix(rest, "serviceaccount.identity.linkerd.")
	if !ok1 || !ok2 || !ok3 || sa == "" || ns == "" || td == "" {
		return "", false
	}
	return td + "/ns/" + ns + "/sa/" + sa, true
}

// authn is one authentication a client must satisfy.
type authn func(client) bool

// meshTLS reads a MeshTLSAuthentication: any of its identities or identity references.
func meshTLS(m map[string]any, ns, trustDomain string) authn {
	var ids, suffixes []string
	anyID := false
	for _, id := range semantics.Strings(semantics.List(m, "spec", "identities")) {
		switch {
		case id == "*":
			anyID = true
		case strings.HasPrefix(id, "*."):
			suffixes = append(suffixes, id[1:])
		default:
			ids = append(ids, id)
		}
	}
	for _, r := range semantics.Maps(semantics.List(m, "spec", "identityRefs")) {
		name, rns := semantics.Str(r, "name"), semantics.Str(r, "namespace")
		if rns == "" {
			rns = ns
		}
		switch semantics.Str(r, "kind") {
		case "ServiceAccount":
			ids = append(ids, name+"."+rns+".serviceaccount.identity.linkerd."+trustDomain)
		case "Namespace":
			suffixes = append(suffixes, "."+name+".serviceaccount.identity.linkerd."+trustDomain)
		}
	}
	return func(c client) bool {
		if c.identity == "" {
			return false
		}
		if anyID {
			return true
		}
		for _, id := range ids {
			if c.identity == id {
				return true
			}
		}
		for _, s := range suffixes {
			if strings.HasSuffix(c.identity, s) {
				return true
			}
		}
		return false
	}
}

// network is a CIDR less its exceptions.
type network struct {
	cidr   netip.Prefix
	except []netip.Prefix
}

func (n network) contains(ip netip.Addr) bool {
	if !ip.IsValid() || !n.cidr.Contains(ip) {
		return false
	}
	for _, e := range n.except {
		if e.Contains(ip) {
			return false
		}
	}
	return true
}

// parseNet reads an address or a CIDR.
func parseNet(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

func readNetworks(l []any) []network {
	var out []network
	for _, n := range semantics.Maps(l) {
		p, ok := parseNet(semantics.Str(n, "cidr"))
		if !ok {
			continue
		}
		nw := network{cidr: p}
		for _, e := range semantics.Strings(semantics.List(n, "except")) {
			if ep, ok := parseNet(e); ok {
				nw.except = append(nw.except, ep)
			}
		}
		out = append(out, nw)
	}
	return out
}

func inNetworks(nets []network, ip netip.Addr) bool {
	for _, n := range nets {
		if n.contains(ip) {
			return true
		}
	}
	return false
}

// defaultAuthz is what a default policy (or a Server's accessPolicy) admits; nil admits no one.
func defaultAuthz(policy string, clusterNets []network) authn {
	switch policy {
	case "all-unauthenticated", "audit":
		return func(client) bool { return true }
	case "all-authenticated":
		return func(c client) bool { return c.identity != "" }
	case "cluster-unauthenticated":
		return func(c client) bool { return inNetworks(clusterNets, c.ip) }
	case "cluster-authenticated":
		return func(c client) bool { return c.identity != "" && inNetworks(clusterNets, c.ip) }
	}
	return nil
}
