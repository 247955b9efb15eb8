package smi

import (
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// TestDefaultAllowFoldsOthersAsEveryAccount holds defaultAllowGrant, which folds the accounts no
// deny rule reaches once for all of them, to folding every known account one by one.
func TestDefaultAllowFoldsOthersAsEveryAccount(t *testing.T) {
	web := map[string]string{"app": "web"}
	workloads := []model.Workload{
		wl("a", "web", "web", web, 80, 8080), wl("a", "api", "api", nil, 80),
		wl("b", "web", "web", nil, 80), wl("b", "db", "db", nil, 5432),
		wl("c", "api", "api", nil, 80), wl("c-dev", "api", "api", nil, 80),
	}
	deny := func(action model.Action, rules ...model.AccessRule) model.AccessPolicy {
		return model.AccessPolicy{Namespace: "a", Name: "deny", Action: action, Target: model.Target{Selector: web}, Rules: rules}
	}
	paths := []model.Operation{{Paths: []string{"/admin/*"}}}
	cases := []struct {
		name     string
		policies []model.AccessPolicy
		plain    bool // port 8080 of a/web takes plain text
		// kept is how many accounts keep something, so that a case cannot pass by folding nothing.
		kept int
	}{
		{"without deny policies every account keeps everything", nil, false, 6},
		{"a negated namespace with paths leaves only the namespace's accounts",
			[]model.AccessPolicy{deny(model.Deny,
				model.AccessRule{From: []model.Source{{NotNamespaces: []string{"a"}}}, To: paths},
				model.AccessRule{To: []model.Operation{{Methods: []string{"DELETE"}}}})}, false, 2},
		{"a namespace on one port leaves the others everything",
			[]model.AccessPolicy{deny(model.Deny, model.AccessRule{From: []model.Source{{Namespaces: []string{"b"}}},
				To: []model.Operation{{Ports: []string{"8080"}}}})}, false, 6},
		{"a rule without sources or operations leaves nothing",
			[]model.AccessPolicy{deny(model.Deny, model.AccessRule{})}, false, 0},
		{"a namespace glob * reaches every account",
			[]model.AccessPolicy{deny(model.Deny, model.AccessRule{From: []model.Source{{Namespaces: []string{"*"}}}, To: paths})}, false, 0},
		{"principal patterns and a negated condition",
			[]model.AccessPolicy{deny(model.Deny, model.AccessRule{
				From: []model.Source{{NotPrincipals: []string{"cluster.local/ns/c*"}}, {Principals: []string{"*/sa/db"}}},
				When: []model.Condition{{Key: "source.namespace", NotValues: []string{"b"}}},
				To:   []model.Operation{{Methods: []string{"GET"}}}})}, false, 6},
		{"a CUSTOM policy is folded like a DENY",
			[]model.AccessPolicy{deny(model.Custom, model.AccessRule{From: []model.Source{{NotServiceAccounts: []string{"b/db"}}}})}, false, 1},
		{"on a plain-text port a rule with only negations denies every caller",
			[]model.AccessPolicy{deny(model.Deny, model.AccessRule{From: []model.Source{{NotNamespaces: []string{"a"}}},
				To: []model.Operation{{Ports: []string{"8080"}}}})}, true, 6},
		{"on a plain-text port a rule naming namespaces still folds by identity",
			[]model.AccessPolicy{deny(model.Deny, model.AccessRule{From: []model.Source{{Namespaces: []string{"c", "c-dev"}}}})}, true, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := snapshot(workloads, c.policies...)
			if c.plain {
				s.PeerAuthentications = []model.PeerAuthentication{{Namespace: "a", Name: "web", Selector: web,
					Mode: model.MTLSStrict, PortModes: map[int32]model.MTLSMode{8080: model.MTLSDisable}}}
			}
			got, gotFindings := foldDefaultAllow(t, s, true)
			want, wantFindings := foldDefaultAllow(t, s, false)
			if !slices.Equal(sortAccounts(keys(got)), sortAccounts(keys(want))) {
				t.Fatalf("accounts kept: %v, want %v", sortAccounts(keys(got)), sortAccounts(keys(want)))
			}
			for _, a := range keys(want) {
				if clausesKey(got[a]) != clausesKey(want[a]) {
					t.Errorf("%v keeps %s, want %s", a, clausesKey(got[a]), clausesKey(want[a]))
				}
			}
			if !slices.Equal(gotFindings, wantFindings) {
				t.Errorf("findings:\n%v\nwant:\n%v", gotFindings, wantFindings)
			}
			if len(want) != c.kept {
				t.Errorf("%d accounts keep something, want %d", len(want), c.kept)
			}
		})
	}
}

// foldDefaultAllow returns the default allow of service account a/web, folded by
// defaultAllowGrant (optimized) or account by account, with the findings folding made.
func foldDefaultAllow(t *testing.T, s *model.Snapshot, optimized bool) (grant, []string) {
	t.Helper()
	w := &writer{snap: s, names: map[string]bool{}}
	w.prof, _ = lookupProfile("")
	var denies []*scopedPolicy
	for i := range s.Access {
		denies = append(denies, &scopedPolicy{p: &s.Access[i]})
	}
	ds := w.destinations()
	i := slices.IndexFunc(ds, func(d destination) bool { return d.account == sa{Namespace: "a", Name: "web"} })
	if i < 0 {
		t.Fatal("no destination a/web")
	}
	var g grant
	if optimized {
		g = w.defaultAllowGrant(ds[i], denies)
	} else {
		g = grant{}
		for _, a := range w.universe() {
			g.add(a, clause{kind: kindAll})
		}
		g = w.fold(nil, g, denies, ds[i])
	}
	var fs []string
	for _, f := range w.findings {
		fs = append(fs, f.String())
	}
	return g, fs
}

func TestStreamHandsOverWhatWriteReturns(t *testing.T) {
	s := snapshot([]model.Workload{wl("a", "web", "web", map[string]string{"app": "web"}, 80), wl("b", "api", "api", nil, 80)},
		model.AccessPolicy{Namespace: "a", Name: "allow", Target: model.Target{Selector: map[string]string{"app": "web"}},
			Rules: []model.AccessRule{{From: []model.Source{{Namespaces: []string{"b"}}}, To: []model.Operation{{Methods: []string{"GET"}}}}}})
	for _, mesh := range meshes {
		t.Run(mesh, func(t *testing.T) {
			objs, fs := Write(s, emitOptions(mesh))
			var streamed []*unstructured.Unstructured
			sfs := Stream(s, emitOptions(mesh), func(o *unstructured.Unstructured) { streamed = append(streamed, o) })
			if len(objs) == 0 {
				t.Fatal("Write wrote nothing; the test compares nothing")
			}
			emit.Sort(streamed)
			if dump(streamed...) != dump(objs...) || !slices.Equal(fs, sfs) {
				t.Errorf("Stream handed over\n%s\nWrite returned\n%s", dump(streamed...), dump(objs...))
			}
		})
	}
}
