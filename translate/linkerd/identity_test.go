package linkerd

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/meshbridge/meshbridge/model"
)

func TestPrincipalPatterns(t *testing.T) {
	w := &writer{snap: &model.Snapshot{TrustDomain: "cluster.local"}}
	cases := []struct {
		name, in string
		want     string // idset key; "" with wantErr
		wantErr  bool
	}{
		{"any authenticated peer", "*", "*", false},
		{"a service account of the mesh", "cluster.local/ns/shop/sa/frontend", "/shop/frontend", false},
		{"a service account of another trust domain keeps it", "east.example/ns/shop/sa/frontend", "east.example/shop/frontend", false},
		{"every service account of a namespace", "cluster.local/ns/shop/*", "shop", false},
		{"every service account of a namespace, sa/ form", "cluster.local/ns/shop/sa/*", "shop", false},
		{"every service account of the mesh", "cluster.local/*", "*local", false},
		{"a service account in any trust domain", "*/ns/shop/sa/frontend", "/shop/frontend", false},
		{"a service account name prefix cannot be matched", "cluster.local/ns/shop/sa/front*", "", true},
		{"a namespace of another trust domain cannot be matched", "east.example/ns/shop/*", "", true},
		{"a suffix on the account name cannot be matched", "*frontend", "", true},
		{"a malformed principal matches nothing", "spiffe://cluster.local/ns/shop/sa/frontend", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := w.principal(c.in)
			if (err != nil) != c.wantErr {
				t.Fatalf("principal(%q) error = %v, want error %v", c.in, err, c.wantErr)
			}
			if err == nil && got.key() != c.want {
				t.Errorf("principal(%q) = %q, want %q", c.in, got.key(), c.want)
			}
		})
	}
}

func TestIdentitySets(t *testing.T) {
	shopNS := idset{nss: []string{"shop"}}
	fe := idset{sas: []identity{{ns: "shop", sa: "frontend"}}}
	remote := idset{sas: []identity{{td: "east.example", ns: "shop", sa: "frontend"}}}
	mon := idset{nss: []string{"monitoring"}}
	cases := []struct {
		name              string
		a, b              idset
		intersect         string
		aContainsB, meets bool
	}{
		{"a namespace contains its service accounts", shopNS, fe, "/shop/frontend", true, true},
		{"Istio's namespace condition holds in any trust domain", shopNS, remote, "east.example/shop/frontend", false, true},
		{"different namespaces do not meet", shopNS, mon, "", false, false},
		{"any identity contains the rest", idset{any: true}, mon, "monitoring", true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.a.intersect(c.b).key(); got != c.intersect {
				t.Errorf("intersect = %q, want %q", got, c.intersect)
			}
			if got := c.a.contains(c.b); got != c.aContainsB {
				t.Errorf("contains = %v, want %v", got, c.aContainsB)
			}
			if got := c.a.meets(c.b); got != c.meets {
				t.Errorf("meets = %v, want %v", got, c.meets)
			}
		})
	}
}

func TestNetworks(t *testing.T) {
	cases := []struct {
		name            string
		pos, neg        []string
		want            string
		inside, outside []string
	}{
		{"a single address is a /32", []string{"192.0.2.7"}, nil, "192.0.2.7/32", []string{"192.0.2.7"}, []string{"192.0.2.8"}},
		{"an exception inside a block is kept", []string{"10.0.0.0/8"}, []string{"10.1.0.0/16"}, "10.0.0.0/8-10.1.0.0/16", []string{"10.2.0.1"}, []string{"10.1.0.1"}},
		{"an exception covering a block removes it", []string{"10.1.0.0/16", "192.0.2.0/24"}, []string{"10.0.0.0/8"}, "192.0.2.0/24", []string{"192.0.2.1"}, []string{"10.1.0.1"}},
		{"an exception outside a block is irrelevant", []string{"10.0.0.0/8"}, []string{"192.0.2.0/24"}, "10.0.0.0/8", nil, nil},
		{"exceptions alone apply to both families", nil, []string{"10.0.0.0/8", "fd00::/8"}, "0.0.0.0/0-10.0.0.0/8,::/0-fd00::/8", []string{"192.0.2.1", "2001:db8::1"}, []string{"10.0.0.1", "fd00::1"}},
		{"a host-bit block is masked", []string{"10.1.2.3/8"}, nil, "10.0.0.0/8", nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := networks(c.pos, c.neg)
			if err != nil {
				t.Fatal(err)
			}
			if got.key() != c.want {
				t.Errorf("networks = %q, want %q", got.key(), c.want)
			}
			for _, ip := range c.inside {
				if !netsetHas(got, ip) {
					t.Errorf("%s is not admitted", ip)
				}
			}
			for _, ip := range c.outside {
				if netsetHas(got, ip) {
					t.Errorf("%s is admitted", ip)
				}
			}
		})
	}
	t.Run("an intersection keeps the narrower block and both sets of exceptions", func(t *testing.T) {
		a, _ := networks([]string{"10.0.0.0/8"}, []string{"10.9.0.0/16"})
		b, _ := networks([]string{"10.1.0.0/16", "192.0.2.0/24"}, []string{"10.1.2.0/24"})
		if got := a.intersect(b).key(); got != "10.1.0.0/16-10.1.2.0/24" {
			t.Errorf("intersect = %q", got)
		}
		if !a.contains(a.intersect(b)) || a.intersect(b).contains(a) {
			t.Error("containment is wrong")
		}
	})
	t.Run("an invalid block is an error", func(t *testing.T) {
		if _, err := networks([]string{"10.0.0.0/33"}, nil); err == nil || !strings.Contains(err.Error(), "ipBlock") {
			t.Errorf("error = %v", err)
		}
	})
}

func netsetHas(s netset, ip string) bool {
	a := netip.MustParseAddr(ip)
	for _, n := range s.nets {
		if n.cidr.Contains(a) && !containsAny(n.except, a) {
			return true
		}
	}
	return s.any
}

func containsAny(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
