package istio

import (
	"fmt"
	"testing"

	rbacv1alpha1 "github.com/meshbridge/meshbridge/apis/rbac/v1alpha1"
	"github.com/meshbridge/meshbridge/model"
)

// TestRbacServicesAgreeWithAFullScan holds the Service index of readRBAC to what it replaces:
// every services entry matched against the FQDN of every Service of the input.
func TestRbacServicesAgreeWithAFullScan(t *testing.T) {
	var svcs []model.Service
	for _, ns := range []string{"alpha", "beta", "default", "gamma"} {
		for _, name := range []string{"reviews", "ratings", "details", "productpage"} {
			svcs = append(svcs, model.Service{Namespace: ns, Name: name})
		}
	}
	svcs = append(svcs, model.Service{Namespace: "solo", Name: "only"})
	inv := model.Inventory{Services: svcs}
	inv.Sort()
	idx := newRbacServices(inv.Services, "cluster.local", nil)
	cases := []struct{ name, entry string }{
		{"an exact FQDN", "ratings.beta.svc.cluster.local"},
		{"an exact FQDN of the last Service", "only.solo.svc.cluster.local"},
		{"a short name, which is no FQDN", "reviews"},
		{"an empty entry", ""},
		{"the wildcard", "*"},
		{"a prefix of names", "re*"},
		{"a prefix reaching into the namespace", "details.gam*"},
		{"a prefix nothing has", "zz*"},
		{"a suffix of one namespace", "*.gamma.svc.cluster.local"},
		{"a suffix of every namespace", "*.svc.cluster.local"},
		{"a suffix of another domain", "*.example.com"},
		{"a prefix and suffix at once", "*ratings*"},
		{"a star inside, which is exact", "re*s.alpha.svc.cluster.local"},
	}
	for _, c := range cases {
		for _, ns := range []string{"alpha", "default", "gamma", "solo", "none"} {
			t.Run(fmt.Sprintf("%s in namespace %s", c.name, ns), func(t *testing.T) {
				here, first := false, -1
				for i, s := range inv.Services {
					if rbacMatch(s.FQDN("cluster.local"), []string{c.entry}) {
						here = here || s.Namespace == ns
						if first < 0 {
							first = i
						}
					}
				}
				if got := idx.matchesIn(c.entry, ns); got != here {
					t.Errorf("matchesIn = %v, a full scan says %v", got, here)
				}
				got, ok := idx.firstMatch(c.entry)
				switch {
				case first < 0 && ok:
					t.Errorf("firstMatch = %s/%s, a full scan finds none", got.Namespace, got.Name)
				case first >= 0 && (!ok || got.Namespace != inv.Services[first].Namespace || got.Name != inv.Services[first].Name):
					t.Errorf("firstMatch = %s/%s (%v), a full scan finds %s/%s first", got.Namespace, got.Name, ok,
						inv.Services[first].Namespace, inv.Services[first].Name)
				}
			})
		}
	}
	t.Run("a role's namespace holds only its own Services", func(t *testing.T) {
		for _, ns := range []string{"alpha", "beta", "default", "gamma", "solo"} {
			got := idx.in(ns)
			if len(got) == 0 {
				t.Errorf("no Services in %s", ns)
			}
			for _, s := range got {
				if s.Namespace != ns || s.fqdn != s.FQDN("cluster.local") {
					t.Errorf("in(%s) holds %s (FQDN %s)", ns, s.Namespace+"/"+s.Name, s.fqdn)
				}
			}
		}
	})
}

func TestRbacConfigEnabled(t *testing.T) {
	target := &rbacv1alpha1.RbacConfigTarget{Services: []string{"a.x.svc.cluster.local"}, Namespaces: []string{"y"}}
	cases := []struct {
		name     string
		spec     rbacv1alpha1.RbacConfigSpec
		fqdn, ns string
		enabled  bool
	}{
		{"ON covers every Service", rbacv1alpha1.RbacConfigSpec{Mode: rbacv1alpha1.ModeOn}, "b.z.svc.cluster.local", "z", true},
		{"OFF covers none", rbacv1alpha1.RbacConfigSpec{Mode: rbacv1alpha1.ModeOff, Inclusion: target}, "a.x.svc.cluster.local", "x", false},
		{"inclusion covers a listed Service", rbacv1alpha1.RbacConfigSpec{Mode: rbacv1alpha1.ModeOnWithInclusion, Inclusion: target}, "a.x.svc.cluster.local", "x", true},
		{"inclusion covers a listed namespace", rbacv1alpha1.RbacConfigSpec{Mode: rbacv1alpha1.ModeOnWithInclusion, Inclusion: target}, "b.y.svc.cluster.local", "y", true},
		{"inclusion leaves out the rest", rbacv1alpha1.RbacConfigSpec{Mode: rbacv1alpha1.ModeOnWithInclusion, Inclusion: target}, "b.x.svc.cluster.local", "x", false},
		{"inclusion ignores the exclusion list", rbacv1alpha1.RbacConfigSpec{Mode: rbacv1alpha1.ModeOnWithInclusion, Exclusion: target}, "a.x.svc.cluster.local", "x", false},
		{"exclusion leaves out a listed Service", rbacv1alpha1.RbacConfigSpec{Mode: rbacv1alpha1.ModeOnWithExclusion, Exclusion: target}, "a.x.svc.cluster.local", "x", false},
		{"exclusion leaves out a listed namespace", rbacv1alpha1.RbacConfigSpec{Mode: rbacv1alpha1.ModeOnWithExclusion, Exclusion: target}, "b.y.svc.cluster.local", "y", false},
		{"exclusion covers the rest", rbacv1alpha1.RbacConfigSpec{Mode: rbacv1alpha1.ModeOnWithExclusion, Exclusion: target}, "b.x.svc.cluster.local", "x", true},
		{"exclusion ignores the inclusion list", rbacv1alpha1.RbacConfigSpec{Mode: rbacv1alpha1.ModeOnWithExclusion, Inclusion: target, Exclusion: &rbacv1alpha1.RbacConfigTarget{}}, "a.x.svc.cluster.local", "x", true},
	}
	r := &reader{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, _ := r.checkRbacConfig(model.Origin{}, "default", c.spec)
			if got := cfg.enabled(c.fqdn, c.ns); got != c.enabled {
				t.Errorf("enabled(%s, %s) = %v, want %v", c.fqdn, c.ns, got, c.enabled)
			}
		})
	}
}
