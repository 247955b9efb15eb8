package istiopolicy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	_ "github.com/meshbridge/meshbridge/internal/golden"
	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/load"
	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
	"github.com/meshbridge/meshbridge/translate/istio"
)

// fixturesDir holds the golden cases that translate/fixtures_test.go runs.
const fixturesDir = "../../fixtures"

// minAccessFixtures is how many fixture cases with access policies the round trip must see:
// the project promises 25 or more authorization cases.
const minAccessFixtures = 25

// fixtureOptions is the part of fixtures/<case>/case.yaml that the reader and the loader use;
// mesh and channel only choose other writers' profiles.
type fixtureOptions struct {
	Namespace     string            `json:"namespace"`
	Mesh          map[string]string `json:"mesh"`
	Channel       string            `json:"channel"`
	RootNamespace string            `json:"rootNamespace"`
}

// TestRoundTripFixtures holds the istio writer to the evaluator on every golden case: the
// input read into the model, written as Istio objects, loaded back (as security.istio.io/v1)
// beside the input's workloads and read again, must decide every request class alike:
// enforced, with dry-run policies enforced, and with PeerAuthentication applied. Cases whose
// input is bad (those with error.txt) are skipped.
func TestRoundTripFixtures(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join(fixturesDir, "*", "input.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) == 0 {
		t.Fatalf("no fixture cases under %s", fixturesDir)
	}
	var mu sync.Mutex
	var withAccess []string
	t.Cleanup(func() {
		if len(withAccess) < minAccessFixtures {
			t.Errorf("only %d fixture cases have access policies (%s), want at least %d",
				len(withAccess), strings.Join(withAccess, ", "), minAccessFixtures)
		}
	})
	for _, in := range inputs {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			before, ok := readFixture(t, dir)
			if !ok {
				t.Skip("bad input: the case expects a load error")
			}
			if len(before.snap.Access)+len(before.snap.PeerAuthentications) > 0 {
				mu.Lock()
				withAccess = append(withAccess, filepath.Base(dir))
				mu.Unlock()
			}
			roundTripSnapshot(t, before)
		})
	}
}

// readSnapshot is a fixture read into the model, with what is needed to read it again.
type readSnapshot struct {
	inv  *inventory.Inventory
	opts istio.Options
	snap *model.Snapshot
}

// readFixture loads a case as translate/fixtures_test.go does. It returns false for a case
// whose input the loader must refuse (it has error.txt); any other load error fails the test.
func readFixture(t *testing.T, dir string) (readSnapshot, bool) {
	t.Helper()
	var opts fixtureOptions
	if b, err := os.ReadFile(filepath.Join(dir, "case.yaml")); err == nil {
		if err := yaml.UnmarshalStrict(b, &opts); err != nil {
			t.Fatalf("case.yaml: %v", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "input.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	inv := &inventory.Inventory{}
	if _, err := load.Decode(inv, "input.yaml", data, load.Options{Namespace: opts.Namespace}); err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, "error.txt")); statErr == nil {
			return readSnapshot{}, false
		}
		t.Fatalf("loading the input: %v", err)
	}
	inv.Sort()
	ro := istio.Options{RootNamespace: opts.RootNamespace}
	snap, _ := istio.Read(inv, ro)
	return readSnapshot{inv: inv, opts: ro, snap: snap}, true
}

// roundTripSnapshot writes r.snap as Istio objects, reads them back with r's workloads and
// compares the decisions of both snapshots on every request class.
func roundTripSnapshot(t *testing.T, r readSnapshot) {
	objs, wfs := Write(r.snap, emit.Options{})
	for _, f := range wfs {
		if f.Severity == model.Error {
			t.Errorf("the istio writer narrowed or refused something: %v", f)
		}
	}
	written := renderObjects(t, objs)
	// The written objects hold only policies; the workloads, Services and service accounts
	// they select and name come from the input.
	again := &inventory.Inventory{
		Services: r.inv.Services, ServiceAccounts: r.inv.ServiceAccounts, Namespaces: r.inv.Namespaces,
		Pods: r.inv.Pods, Deployments: r.inv.Deployments, StatefulSets: r.inv.StatefulSets, DaemonSets: r.inv.DaemonSets,
	}
	if len(objs) > 0 {
		lfs, err := load.Decode(again, "written.yaml", []byte(written), load.Options{})
		if err != nil {
			t.Fatalf("the loader refuses the written objects: %v\n%s", err, written)
		}
		for _, f := range lfs {
			t.Errorf("loading the written objects: %v", f)
		}
	}
	again.Sort()
	after, afs := istio.Read(again, r.opts)
	for _, f := range afs {
		if f.Code == model.CodeAuthzRefused || f.Code == model.CodePeerAuthRefused {
			t.Errorf("Istio's validation would refuse a written object: %v", f)
		}
	}
	if n, m := len(r.snap.Access), len(after.Access); n != m {
		t.Errorf("the input reads as %d access policies, the written objects as %d", n, m)
	}
	if n, m := len(r.snap.PeerAuthentications), len(after.PeerAuthentications); n != m {
		t.Errorf("the input reads as %d PeerAuthentications, the written objects as %d", n, m)
	}
	classes := model.RequestClasses(r.snap, after)
	if len(classes) == 0 {
		t.Fatal("no request classes")
	}
	differ := 0
	for _, eo := range []model.EvalOptions{{}, {DryRunEnforced: true}, {PeerAuthentication: true}} {
		for _, req := range classes {
			a, b := model.EvaluateWith(r.snap, req, eo), model.EvaluateWith(after, req, eo)
			if a.Allow == b.Allow {
				continue
			}
			if differ++; differ <= 5 {
				t.Errorf("%s (%s): the input decides %s, the written objects %s", describe(req), evalMode(eo), a, b)
			}
		}
	}
	if differ > 0 {
		t.Logf("%d decisions differ; the written objects:\n%s", differ, written)
	}
}

// renderObjects marshals objects as one YAML stream.
func renderObjects(t *testing.T, objs []*unstructured.Unstructured) string {
	t.Helper()
	docs := make([]string, 0, len(objs))
	for _, o := range objs {
		b, err := yaml.Marshal(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(b))
	}
	return strings.Join(docs, "---\n")
}

func evalMode(o model.EvalOptions) string {
	switch {
	case o.DryRunEnforced:
		return "dry-run enforced"
	case o.PeerAuthentication:
		return "with PeerAuthentication"
	}
	return "enforced"
}

// describe renders the attributes of a request class that are set.
func describe(r model.Request) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %v port %d", r.Namespace, r.Labels, r.Port)
	if r.TCP {
		b.WriteString(" tcp")
	}
	for _, kv := range [][2]string{
		{"principal", r.Principal}, {"ip", r.SourceIP}, {"remote", r.RemoteIP}, {"jwt", r.RequestPrincipal},
		{"method", r.Method}, {"path", r.Path}, {"host", r.Host}, {"sni", r.SNI},
	} {
		if kv[1] != "" {
			fmt.Fprintf(&b, " %s=%s", kv[0], kv[1])
		}
	}
	if len(r.Headers) > 0 {
		fmt.Fprintf(&b, " headers=%v", r.Headers)
	}
	if len(r.Claims) > 0 {
		fmt.Fprintf(&b, " claims=%v", r.Claims)
	}
	return b.String()
}
