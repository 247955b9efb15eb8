package translate_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/meshbridge/meshbridge/internal/golden"
	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/load"
	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// caseOptions is fixtures/<case>/case.yaml: how the case is translated, when not the default.
type caseOptions struct {
	// Namespace is the default namespace for objects without one.
	Namespace string `json:"namespace"`
	// Mesh picks the destination profile per target, e.g. {smi: osm}.
	Mesh map[string]string `json:"mesh"`
	// Channel is the Gateway API channel.
	Channel string `json:"channel"`
	// RootNamespace overrides istio-system.
	RootNamespace string `json:"rootNamespace"`
}

const fixturesDir = "../fixtures"

// TestFixtures runs every golden case: fixtures/<case>/input.yaml translated by every writer
// into <target>.yaml, all findings into findings.txt; or, for bad input, error.txt.
func TestFixtures(t *testing.T) {
	cases, err := os.ReadDir(fixturesDir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		n++
		dir := filepath.Join(fixturesDir, c.Name())
		t.Run(c.Name(), func(t *testing.T) {
			t.Parallel()
			outputs, findings, loadErr := runCase(t, dir)
			if loadErr != "" {
				golden.Check(t, filepath.Join(dir, "error.txt"), []byte(loadErr+"\n"))
				return
			}
			for _, target := range translate.Targets() {
				golden.Check(t, filepath.Join(dir, target+".yaml"), outputs[target])
			}
			golden.Check(t, filepath.Join(dir, "findings.txt"), findings)
		})
	}
	if n < 12 {
		t.Errorf("found %d fixture cases, want at least 12", n)
	}
}

// TestFixturesAreDeterministic translates every case twice and wants identical bytes.
func TestFixturesAreDeterministic(t *testing.T) {
	cases, _ := filepath.Glob(filepath.Join(fixturesDir, "*", "input.yaml"))
	for _, in := range cases {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			o1, f1, e1 := runCase(t, dir)
			for range 3 {
				o2, f2, e2 := runCase(t, dir)
				if e1 != e2 || !bytes.Equal(f1, f2) {
					t.Fatalf("findings or error differ between runs")
				}
				for k := range o1 {
					if !bytes.Equal(o1[k], o2[k]) {
						t.Fatalf("%s output differs between runs:\n%s", k, golden.Diff(string(o1[k]), string(o2[k])))
					}
				}
			}
		})
	}
}

// runCase loads and translates one case for every target. It returns rendered objects per
// target, rendered findings, or the load error.
func runCase(t *testing.T, dir string) (map[string][]byte, []byte, string) {
	t.Helper()
	objs, findings, loadErr := translateCase(t, dir)
	if loadErr != "" {
		return nil, nil, loadErr
	}
	outputs := map[string][]byte{}
	for target, o := range objs {
		outputs[target] = render(t, o)
	}
	return outputs, renderFindings(findings), ""
}

// translateCase loads and translates one case for every target: objects per target and all
// findings, sorted; or the load error.
func translateCase(t *testing.T, dir string) (map[string][]*unstructured.Unstructured, model.Findings, string) {
	t.Helper()
	var opts caseOptions
	if b, err := os.ReadFile(filepath.Join(dir, "case.yaml")); err == nil {
		if err := yaml.UnmarshalStrict(b, &opts); err != nil {
			t.Fatalf("case.yaml: %v", err)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "input.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	inv := &inventory.Inventory{}
	loadFindings, err := load.Decode(inv, "input.yaml", data, load.Options{Namespace: opts.Namespace})
	if err != nil {
		return nil, nil, err.Error()
	}
	inv.Sort()
	outputs := map[string][]*unstructured.Unstructured{}
	all := loadFindings
	for _, target := range translate.Targets() {
		o := translate.Options{To: target, Write: emit.Options{Mesh: opts.Mesh[target], Channel: opts.Channel}}
		o.Read.RootNamespace = opts.RootNamespace
		res, err := translate.Translate(inv, o)
		if err != nil {
			t.Fatal(err)
		}
		outputs[target] = res.Objects
		all = append(all, res.Findings...)
	}
	return outputs, all.Sorted(), ""
}

// caseMesh returns the mesh profile a case picks for target.
func caseMesh(t *testing.T, dir, target string) (mesh, channel string) {
	var opts caseOptions
	if b, err := os.ReadFile(filepath.Join(dir, "case.yaml")); err == nil {
		if err := yaml.UnmarshalStrict(b, &opts); err != nil {
			t.Fatalf("case.yaml: %v", err)
		}
	}
	return opts.Mesh[target], opts.Channel
}

func render(t *testing.T, objs []*unstructured.Unstructured) []byte {
	var b bytes.Buffer
	for i, o := range objs {
		y, err := yaml.Marshal(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			b.WriteString("---\n")
		}
		b.Write(y)
	}
	return b.Bytes()
}

func renderFindings(fs model.Findings) []byte {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.String() + "\n")
	}
	return []byte(b.String())
}
