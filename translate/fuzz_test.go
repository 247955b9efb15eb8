package translate_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/load"
	"github.com/meshbridge/meshbridge/translate"
	"github.com/meshbridge/meshbridge/verify/cases"
)

// FuzzTranslate feeds arbitrary input through the whole pipeline (load, read, every writer):
// no input may panic, and a translation must be repeatable. Seeded from the fixtures.
//
//	go test ./translate -run '^$' -fuzz FuzzTranslate -fuzztime 60s
func FuzzTranslate(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(fixturesDir, "*", "input.yaml"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		inv := &inventory.Inventory{}
		if _, err := load.Decode(inv, "fuzz.yaml", data, load.Options{}); err != nil {
			return
		}
		inv.Sort()
		for _, target := range translate.Targets() {
			a, err := translate.Translate(inv, translate.Options{To: target})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := translate.Translate(inv, translate.Options{To: target})
			ra, _ := cases.Render(a.Objects)
			rb, _ := cases.Render(b.Objects)
			if !bytes.Equal(ra, rb) {
				t.Fatalf("%s: output differs between two runs", target)
			}
		}
	})
}
