package controller

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshbridge/meshbridge/hack/corpusgen"
	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/load"
	"github.com/meshbridge/meshbridge/translate"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// TestAccessPolicyOutputsStayInTheirNamespace holds the invariant behind refsOf's split into
// needs and shapes: what an AuthorizationPolicy or ServiceRoleBinding outside the root
// namespace is translated into lives in its own namespace, for every target. Their source
// namespaces and principals are only read (service accounts to expand), so a policy's change
// need not re-translate the namespaces it names, and their translations need not read it.
// Checked on every fixture and on a generated corpus.
func TestAccessPolicyOutputsStayInTheirNamespace(t *testing.T) {
	inputs := map[string]*inventory.Inventory{}
	dirs, err := filepath.Glob(filepath.Join("..", "fixtures", "*", "input.yaml"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no fixtures found (%v)", err)
	}
	for _, in := range dirs {
		inv, _, err := load.Load([]string{in}, nil, load.Options{})
		if err != nil {
			continue // fixtures of bad input
		}
		inputs[filepath.Base(filepath.Dir(in))] = inv
	}
	files, _, err := corpusgen.Files(corpusgen.Options{Objects: 1500, Seed: corpusgen.DefaultSeed})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var paths []string
	for _, f := range files {
		p := filepath.Join(dir, f.Name)
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	inv, _, err := load.Load(paths, nil, load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	inputs["generated mixed corpus"] = inv

	policyKinds := map[string]bool{"AuthorizationPolicy": true, "ServiceRoleBinding": true}
	checked := 0
	for name, inv := range inputs {
		for _, to := range translate.Targets() {
			res, err := translate.Translate(inv, translate.Options{To: to})
			if err != nil {
				continue
			}
			for _, o := range res.Objects {
				for _, src := range emit.ParseSources(o.GetAnnotations()[emit.SourceAnnotation]) {
					if !policyKinds[src.Kind] {
						continue
					}
					checked++
					if src.Namespace != "istio-system" && src.Namespace != o.GetNamespace() {
						t.Errorf("%s, --to %s: %s %s/%s is written from %s, in another namespace",
							name, to, o.GetKind(), o.GetNamespace(), o.GetName(), src)
					}
				}
			}
		}
	}
	if checked < 1000 {
		t.Errorf("only %d outputs written from access policies were checked", checked)
	}
}
