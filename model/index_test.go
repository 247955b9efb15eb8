package model

import (
	"fmt"
	"reflect"
	"testing"
)

func wl(ns, name string, labels map[string]string) Workload {
	return Workload{Namespace: ns, Name: name, Kind: "Deployment", Labels: labels, ServiceAccount: name}
}

func svc(ns, name string, sel map[string]string) Service {
	return Service{Namespace: ns, Name: name, Selector: sel}
}

// indexInventory holds three namespaces with workloads and Services, and namespaces before,
// between and after them that hold none.
func indexInventory() *Inventory {
	inv := &Inventory{}
	for _, ns := range []string{"foo", "bar", "baz"} {
		for _, app := range []string{"web", "db", "api"} {
			inv.Workloads = append(inv.Workloads, wl(ns, app, map[string]string{"app": app}))
			inv.Services = append(inv.Services, svc(ns, app, map[string]string{"app": app}))
		}
		inv.ServiceAccounts = append(inv.ServiceAccounts, ServiceAccountRef{ns, "declared"})
	}
	inv.Services = append(inv.Services, svc("bar", "external", nil), svc("foo", "all", map[string]string{}))
	inv.Sort()
	return inv
}

func names[T any](list []T, name func(T) string) []string {
	var out []string
	for _, v := range list {
		out = append(out, name(v))
	}
	return out
}

func wname(w Workload) string { return w.Namespace + "/" + w.Name }
func sname(s Service) string  { return s.Namespace + "/" + s.Name }

func TestWorkloadsIn(t *testing.T) {
	inv := indexInventory()
	cases := []struct {
		name, ns string
		want     []string
	}{
		{"the first namespace returns its own workloads", "bar", []string{"bar/api", "bar/db", "bar/web"}},
		{"a namespace in the middle returns only its own workloads", "baz", []string{"baz/api", "baz/db", "baz/web"}},
		{"the last namespace returns its own workloads", "foo", []string{"foo/api", "foo/db", "foo/web"}},
		{"a namespace sorted before every other returns none", "aaa", nil},
		{"a namespace sorted between two others returns none", "bat", nil},
		{"a namespace sorted after every other returns none", "zzz", nil},
		{"a name that prefixes a namespace is not that namespace", "ba", nil},
		{"the empty namespace is a namespace, not every namespace", "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := names(inv.WorkloadsIn(c.ns), wname); !reflect.DeepEqual(got, c.want) {
				t.Errorf("WorkloadsIn(%q) = %v, want %v", c.ns, got, c.want)
			}
		})
	}
}

func TestServicesIn(t *testing.T) {
	inv := indexInventory()
	cases := []struct {
		name, ns string
		want     []string
	}{
		{"Services without selector belong to their namespace too", "bar", []string{"bar/api", "bar/db", "bar/external", "bar/web"}},
		{"a namespace in the middle returns only its own Services", "baz", []string{"baz/api", "baz/db", "baz/web"}},
		{"the last namespace returns its own Services", "foo", []string{"foo/all", "foo/api", "foo/db", "foo/web"}},
		{"a namespace without Services returns none", "qux", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := names(inv.ServicesIn(c.ns), sname); !reflect.DeepEqual(got, c.want) {
				t.Errorf("ServicesIn(%q) = %v, want %v", c.ns, got, c.want)
			}
		})
	}
}

// TestIndexNeverCrossesNamespaces checks every lookup by namespace against the whole list, on
// an inventory whose namespaces have from zero to many entries.
func TestIndexNeverCrossesNamespaces(t *testing.T) {
	inv := &Inventory{}
	for i := range 40 {
		ns := fmt.Sprintf("ns-%02d", i%13)
		for j := range i % 5 {
			inv.Workloads = append(inv.Workloads, wl(ns, fmt.Sprintf("w%d-%d", i, j), nil))
		}
		if i%3 == 0 {
			inv.Services = append(inv.Services, svc(ns, fmt.Sprintf("s%d", i), nil))
		}
	}
	inv.Sort()
	for i := range 14 {
		ns := fmt.Sprintf("ns-%02d", i)
		t.Run("namespace "+ns+" gets exactly its own entries", func(t *testing.T) {
			got := inv.WorkloadsIn(ns)
			want := 0
			for _, w := range inv.Workloads {
				if w.Namespace == ns {
					want++
				}
			}
			for _, w := range got {
				if w.Namespace != ns {
					t.Errorf("WorkloadsIn(%q) returned %s of another namespace", ns, wname(w))
				}
			}
			if len(got) != want {
				t.Errorf("WorkloadsIn(%q) returned %d workloads, the namespace has %d", ns, len(got), want)
			}
			for _, s := range inv.ServicesIn(ns) {
				if s.Namespace != ns {
					t.Errorf("ServicesIn(%q) returned %s of another namespace", ns, sname(s))
				}
			}
		})
	}
}

func TestIndexIsNeverStale(t *testing.T) {
	t.Run("appending to a result does not overwrite the next namespace", func(t *testing.T) {
		inv := indexInventory()
		bar := inv.WorkloadsIn("bar")
		_ = append(bar, wl("bar", "intruder", nil))
		if got := names(inv.WorkloadsIn("baz"), wname); !reflect.DeepEqual(got, []string{"baz/api", "baz/db", "baz/web"}) {
			t.Errorf("after appending to bar's workloads, baz has %v", got)
		}
	})
	t.Run("workloads added and sorted in are found", func(t *testing.T) {
		inv := indexInventory()
		_ = inv.WorkloadsIn("baz") // a lookup before the change must not be remembered
		inv.Workloads = append(inv.Workloads, wl("baz", "new", nil), wl("aaa", "first", nil))
		inv.Sort()
		if got := names(inv.WorkloadsIn("baz"), wname); !reflect.DeepEqual(got, []string{"baz/api", "baz/db", "baz/new", "baz/web"}) {
			t.Errorf("WorkloadsIn(baz) = %v after adding baz/new", got)
		}
		if got := names(inv.WorkloadsIn("aaa"), wname); !reflect.DeepEqual(got, []string{"aaa/first"}) {
			t.Errorf("WorkloadsIn(aaa) = %v after adding aaa/first", got)
		}
	})
	t.Run("a list replaced by a shorter one is searched as it is now", func(t *testing.T) {
		inv := indexInventory()
		_ = inv.ServicesIn("foo")
		inv.Services = inv.ServicesIn("bar")
		if got := inv.ServicesIn("foo"); len(got) != 0 {
			t.Errorf("ServicesIn(foo) = %v after the list was cut to bar's Services", names(got, sname))
		}
	})
}

// TestLookupsMatchAFullScan holds the namespace-indexed helpers to their definitions: a pass
// over every workload or Service of the input.
func TestLookupsMatchAFullScan(t *testing.T) {
	inv := indexInventory()
	inv.Workloads = append(inv.Workloads,
		wl("foo", "gw", map[string]string{GatewayNameLabel: "edge"}),
		wl("bar", "gw", map[string]string{GatewayNameLabel: "edge"}))
	inv.Sort()
	web := map[string]string{"app": "web"}
	targets := []struct {
		name string
		t    Target
	}{
		{"a selector in one namespace", Target{Namespace: "foo", Selector: web}},
		{"no selector in one namespace", Target{Namespace: "baz"}},
		{"a namespace without workloads", Target{Namespace: "qux", Selector: web}},
		{"a mesh-wide selector", Target{Namespace: "istio-system", MeshWide: true, Selector: web}},
		{"a mesh-wide policy without selector", Target{Namespace: "istio-system", MeshWide: true}},
		{"a Gateway reference", Target{Namespace: "foo", Refs: []ObjectRef{{Kind: "Gateway", Namespace: "foo", Name: "edge"}}}},
		{"a mesh-wide Gateway reference", Target{Namespace: "bar", MeshWide: true, Refs: []ObjectRef{{Kind: "Gateway", Namespace: "bar", Name: "edge"}}}},
	}
	for _, c := range targets {
		t.Run("PolicyWorkloads of "+c.name, func(t *testing.T) {
			var want []string
			for _, w := range inv.Workloads {
				if c.t.Applies(w.Namespace, w.Labels, nil) {
					want = append(want, wname(w))
				}
			}
			if got := names(inv.PolicyWorkloads(c.t), wname); !reflect.DeepEqual(got, want) {
				t.Errorf("PolicyWorkloads = %v, a full scan finds %v", got, want)
			}
		})
	}
	for _, s := range inv.Services {
		t.Run("ServiceWorkloads of "+sname(s), func(t *testing.T) {
			var want []string
			for _, w := range inv.Workloads {
				if len(s.Selector) > 0 && w.Namespace == s.Namespace && Selects(s.Selector, w.Labels) {
					want = append(want, wname(w))
				}
			}
			if got := names(inv.ServiceWorkloads(s), wname); !reflect.DeepEqual(got, want) {
				t.Errorf("ServiceWorkloads = %v, a full scan finds %v", got, want)
			}
		})
	}
	for _, w := range inv.Workloads {
		t.Run("WorkloadServices of "+wname(w), func(t *testing.T) {
			var want []string
			for _, s := range inv.Services {
				if s.Namespace == w.Namespace && len(s.Selector) > 0 && Selects(s.Selector, w.Labels) {
					want = append(want, sname(s))
				}
			}
			if got := names(inv.WorkloadServices(w), sname); !reflect.DeepEqual(got, want) {
				t.Errorf("WorkloadServices = %v, a full scan finds %v", got, want)
			}
		})
	}
	for _, ns := range []string{"", "bar", "foo", "qux"} {
		t.Run(fmt.Sprintf("SelectWorkloads and ServiceAccountsIn in namespace %q", ns), func(t *testing.T) {
			var want []string
			accounts := map[ServiceAccountRef]bool{}
			for _, w := range inv.Workloads {
				if ns == "" || w.Namespace == ns {
					accounts[ServiceAccountRef{w.Namespace, w.ServiceAccount}] = true
					if Selects(web, w.Labels) {
						want = append(want, wname(w))
					}
				}
			}
			for _, sa := range inv.ServiceAccounts {
				if ns == "" || sa.Namespace == ns {
					accounts[sa] = true
				}
			}
			if got := names(inv.SelectWorkloads(ns, web), wname); !reflect.DeepEqual(got, want) {
				t.Errorf("SelectWorkloads = %v, a full scan finds %v", got, want)
			}
			got := inv.ServiceAccountsIn(ns)
			if len(got) != len(accounts) {
				t.Errorf("ServiceAccountsIn = %v, a full scan finds %d accounts", got, len(accounts))
			}
			for _, sa := range got {
				if !accounts[sa] {
					t.Errorf("ServiceAccountsIn returned %s, which a full scan does not find", sa)
				}
			}
		})
	}
}
