package corpusgen

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/load"
)

func generate(t *testing.T, opts Options) ([]File, Stats) {
	t.Helper()
	files, st, err := Files(opts)
	if err != nil {
		t.Fatal(err)
	}
	return files, st
}

func TestSameOptionsGiveTheSameBytes(t *testing.T) {
	a, _ := generate(t, Options{Objects: 2000, Seed: 7})
	b, _ := generate(t, Options{Objects: 2000, Seed: 7})
	c, _ := generate(t, Options{Objects: 2000, Seed: 8})
	if !slices.EqualFunc(a, b, func(x, y File) bool { return x.Name == y.Name && bytes.Equal(x.Data, y.Data) }) {
		t.Error("two runs with the same options differ")
	}
	if slices.EqualFunc(a, c, func(x, y File) bool { return x.Name == y.Name && bytes.Equal(x.Data, y.Data) }) {
		t.Error("another seed gives the same corpus")
	}
}

func TestEveryMixLoadsCleanlyWithExactlyTheObjectsAsked(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		// want are kinds that must be present.
		want []string
	}{
		{"a small mixed corpus", Options{Objects: 137}, []string{"Namespace", "Service", "Deployment", "VirtualService", "AuthorizationPolicy"}},
		{"a mixed corpus holds every kind the issue names", Options{Objects: 3000}, []string{
			"Namespace", "Service", "Deployment", "DestinationRule", "VirtualService", "Gateway", "AuthorizationPolicy",
			"PeerAuthentication", "ServiceRole", "ServiceRoleBinding", "ClusterRbacConfig"}},
		{"the vs-ap mix holds a quarter of each of its four kinds", Options{Objects: 4000, Mix: MixVSAP}, []string{
			"Service", "Deployment", "VirtualService", "AuthorizationPolicy"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files, st := generate(t, tc.opts)
			if st.Objects != tc.opts.Objects {
				t.Errorf("%d objects, want %d", st.Objects, tc.opts.Objects)
			}
			for _, k := range tc.want {
				if st.Kinds[k] == 0 {
					t.Errorf("no %s in %s", k, st)
				}
			}
			if tc.opts.Mix == MixVSAP {
				for _, k := range tc.want {
					if st.Kinds[k] != tc.opts.Objects/4 {
						t.Errorf("%d %s, want %d", st.Kinds[k], k, tc.opts.Objects/4)
					}
				}
			}
			inv := &inventory.Inventory{}
			for _, f := range files {
				fs, err := load.Decode(inv, f.Name, f.Data, load.Options{})
				if err != nil {
					t.Fatalf("the loader refuses %s: %v", f.Name, err)
				}
				for _, x := range fs {
					t.Errorf("loader finding on a generated corpus: %s", x)
				}
			}
			if inv.Len() != tc.opts.Objects {
				t.Errorf("the loader read %d objects, want %d", inv.Len(), tc.opts.Objects)
			}
		})
	}
}

func TestPoliciesReferToObjectsOfTheCorpus(t *testing.T) {
	files, _ := generate(t, Options{Objects: 3000})
	inv := &inventory.Inventory{}
	for _, f := range files {
		if _, err := load.Decode(inv, f.Name, f.Data, load.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	services := map[string]bool{}
	for _, s := range inv.Services {
		services[s.Namespace+"/"+s.Name] = true
	}
	for _, vs := range inv.VirtualServices {
		for _, h := range vs.Spec.Hosts {
			if strings.HasSuffix(h, ".example.com") {
				continue // served through the ingress Gateway
			}
			name := strings.Split(h, ".")[0]
			if !services[vs.Namespace+"/"+name] {
				t.Errorf("VirtualService %s/%s routes %s, which is not a Service of the corpus", vs.Namespace, vs.Name, h)
			}
		}
	}
	selected := 0
	for _, ap := range inv.AuthorizationPolicies {
		app := ap.Spec.GetSelector().GetMatchLabels()["app"]
		for _, d := range inv.Deployments {
			if d.Namespace == ap.Namespace && d.Spec.Template.Labels["app"] == app {
				selected++
				break
			}
		}
	}
	if selected != len(inv.AuthorizationPolicies) {
		t.Errorf("%d of %d AuthorizationPolicies select a Deployment of the corpus", selected, len(inv.AuthorizationPolicies))
	}
	var deny, when int
	for _, ap := range inv.AuthorizationPolicies {
		if ap.Spec.GetAction().String() == "DENY" {
			deny++
		}
		for _, r := range ap.Spec.GetRules() {
			when += len(r.GetWhen())
		}
	}
	if deny == 0 || when == 0 {
		t.Errorf("%d DENY policies and %d conditions; want some of each", deny, when)
	}
}

func TestBadOptionsAreRefused(t *testing.T) {
	if _, _, err := Files(Options{Objects: 10, Mix: "bogus"}); err == nil || !strings.Contains(err.Error(), `unknown mix "bogus"`) {
		t.Errorf("error %v, want unknown mix", err)
	}
	if _, _, err := Files(Options{Objects: -1}); err == nil {
		t.Error("a negative size is accepted")
	}
}
