package linkerd

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// cidrNet is one NetworkAuthentication network: a CIDR less the CIDRs in except, each of which
// lies strictly inside it (Linkerd's admission refuses anything else).
type cidrNet struct {
	cidr   netip.Prefix
	except []netip.Prefix
}

// netset is the client addresses a source allows: any, or the union of nets.
type netset struct {
	any  bool
	nets []cidrNet
}

var anyNetwork = netset{any: true}

var (
	allIPv4 = netip.MustParsePrefix("0.0.0.0/0")
	allIPv6 = netip.MustParsePrefix("::/0")
)

func (s netset) empty() bool { return !s.any && len(s.nets) == 0 }

func (s netset) key() string {
	if s.any {
		return "*"
	}
	var parts []string
	for _, n := range s.nets {
		p := n.cidr.String()
		for _, e := range n.except {
			p += "-" + e.String()
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ",")
}

// parseCIDR reads an Istio IP or CIDR value into a masked prefix.
func parseCIDR(v string) (netip.Prefix, error) {
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return netip.Prefix{}, err
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// networks builds the set of addresses in any of ipBlocks and in none of notIPBlocks. No
// ipBlocks means every address. Unparsable values are errors (Istio's validation refuses them).
func networks(ipBlocks, notIPBlocks []string) (netset, error) {
	if len(ipBlocks) == 0 && len(notIPBlocks) == 0 {
		return anyNetwork, nil
	}
	var pos, neg []netip.Prefix
	for _, v := range ipBlocks {
		p, err := parseCIDR(v)
		if err != nil {
			return netset{}, fmt.Errorf("ipBlock %q: %w", v, err)
		}
		pos = append(pos, p)
	}
	for _, v := range notIPBlocks {
		p, err := parseCIDR(v)
		if err != nil {
			return netset{}, fmt.Errorf("notIpBlock %q: %w", v, err)
		}
		neg = append(neg, p)
	}
	if len(pos) == 0 {
		pos = []netip.Prefix{allIPv4, allIPv6}
	}
	var s netset
	for _, p := range pos {
		s.nets = append(s.nets, cidrNet{cidr: p})
	}
	return s.minus(neg), nil
}

// minus removes the addresses in neg from s.
func (s netset) minus(neg []netip.Prefix) netset {
	if len(neg) == 0 {
		return s
	}
	if s.any {
		s = netset{nets: []cidrNet{{cidr: allIPv4}, {cidr: allIPv6}}}
	}
	var out netset
	for _, n := range s.nets {
		keep := true
		for _, e := range neg {
			switch {
			case e.Bits() <= n.cidr.Bits() && e.Contains(n.cidr.Addr()):
				keep = false // the exception covers the whole network
			case n.cidr.Bits() < e.Bits() && n.cidr.Contains(e.Addr()):
				n.except = append(n.except, e)
			}
		}
		if keep {
			out.nets = append(out.nets, n)
		}
	}
	return out.normalized()
}

// intersect returns the addresses in both sets.
func (s netset) intersect(o netset) netset {
	if s.any {
		return o
	}
	if o.any {
		return s
	}
	var out netset
	for _, a := range s.nets {
		for _, b := range o.nets {
			var n cidrNet
			switch {
			case a.cidr.Bits() >= b.cidr.Bits() && b.cidr.Contains(a.cidr.Addr()):
				n.cidr = a.cidr
			case b.cidr.Bits() > a.cidr.Bits() && a.cidr.Contains(b.cidr.Addr()):
				n.cidr = b.cidr
			default:
				continue
			}
			one := netset{nets: []cidrNet{n}}.minus(append(slices.Clone(a.except), b.except...))
			out.nets = append(out.nets, one.nets...)
		}
	}
	return out.normalized()
}

// contains reports whether every address of o is in s (false when unsure).
func (s netset) contains(o netset) bool {
	if s.any {
		return true
	}
	if o.any {
		return false
	}
	for _, b := range o.nets {
		inside := slices.ContainsFunc(s.nets, func(a cidrNet) bool {
			if !(a.cidr.Bits() <= b.cidr.Bits() && a.cidr.Contains(b.cidr.Addr())) {
				return false
			}
			// Every exception of a must be cut out of b too.
			return !slices.ContainsFunc(a.except, func(e netip.Prefix) bool { return e.Overlaps(b.cidr) && !slices.Contains(b.except, e) })
		})
		if !inside {
			return false
		}
	}
	return true
}

// meets reports whether an address could be in both sets (true when unsure).
func (s netset) meets(o netset) bool {
	if s.any || o.any {
		return !s.empty() && !o.empty()
	}
	for _, a := range s.nets {
		for _, b := range o.nets {
			if a.cidr.Overlaps(b.cidr) {
				return true
			}
		}
	}
	return false
}

func (s netset) normalized() netset {
	if s.any {
		return s
	}
	for i := range s.nets {
		ex := s.nets[i].except
		slices.SortFunc(ex, comparePrefix)
		ex = slices.Compact(ex)
		// Drop exceptions inside other exceptions.
		ex = slices.DeleteFunc(ex, func(e netip.Prefix) bool {
			return slices.ContainsFunc(ex, func(o netip.Prefix) bool { return o != e && o.Bits() < e.Bits() && o.Contains(e.Addr()) })
		})
		s.nets[i].except = ex
	}
	slices.SortFunc(s.nets, func(a, b cidrNet) int { return comparePrefix(a.cidr, b.cidr) })
	s.nets = slices.CompactFunc(s.nets, func(a, b cidrNet) bool {
		return a.cidr == b.cidr && slices.Equal(a.except, b.except)
	})
	return s
}

func comparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return a.Bits() - b.Bits()
}
