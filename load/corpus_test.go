package load

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/meshbridge/meshbridge/model"
)

const corpusDir = "../../shared/corpus"

// TestCorpus loads every file of the shared corpus of real Istio YAML. Only Galley's
// *-invalid.yaml samples may fail; they are invalid by Istio's validation, which is not the
// loader's job, so they mostly load too.
func TestCorpus(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("no corpus at %s (the shared folder sits beside the repository): %v", corpusDir, err)
	}
	var files []string
	err := filepath.WalkDir(corpusDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && hasExtension(p) {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no YAML files under %s", corpusDir)
	}
	objects := 0
	byCode := map[model.Code]int{}
	for _, f := range files {
		rel, _ := filepath.Rel(corpusDir, f)
		t.Run(rel, func(t *testing.T) {
			inv, fs, err := Load([]string{f}, nil, Options{})
			mayFail := strings.HasPrefix(rel, "istio-1.4-rbac-v1alpha1/galley-validation/") && strings.HasSuffix(f, "-invalid.yaml")
			if err != nil {
				if !mayFail {
					t.Fatalf("Load: %v", err)
				}
				t.Logf("refused, as it may be: %v", err)
				return
			}
			objects += inv.Len()
			for _, x := range fs {
				byCode[x.Code]++
				if x.Code != model.CodeIgnoredKind {
					t.Logf("%s", x)
				}
			}
		})
	}
	codes := make([]string, 0, len(byCode))
	for c, n := range byCode {
		codes = append(codes, string(c)+"×"+strconv.Itoa(n))
	}
	sort.Strings(codes)
	t.Logf("corpus: %d files, %d objects read, findings %v", len(files), objects, codes)
	if objects == 0 {
		t.Error("the corpus gave no objects")
	}

	// All at once, the folders define some objects more than once (bookinfo at two tags):
	// duplicates are findings, not errors.
	inv, fs, err := Load([]string{filepath.Join(corpusDir, "istio-head-samples"), filepath.Join(corpusDir, "istio-docs-tasks"), filepath.Join(corpusDir, "kserve")}, nil, Options{})
	if err != nil {
		t.Fatalf("Load of the corpus folders: %v", err)
	}
	t.Logf("corpus folders at once: %d objects, %d duplicates", inv.Len(), len(slices.DeleteFunc(fs, func(f model.Finding) bool { return f.Code != model.CodeDuplicateObject })))
}
