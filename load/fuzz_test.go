package load

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshbridge/meshbridge/inventory"
)

// FuzzDecode feeds arbitrary bytes to Decode: it must never panic, and every error must be a
// *Error that renders as one non-empty line. Seeds: the test inputs, every fixture input of
// the repository and, when present, the shared corpus.
func FuzzDecode(f *testing.F) {
	for _, tc := range goodInputs {
		f.Add([]byte(tc.input))
	}
	for _, tc := range badInputs {
		f.Add([]byte(tc.input))
	}
	seeds, _ := filepath.Glob("../fixtures/*/input.yaml")
	corpus, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*", "*.yaml"))
	for _, p := range append(seeds, corpus...) {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		inv := &inventory.Inventory{}
		fs, err := Decode(inv, "fuzz.yaml", data, Options{})
		for _, x := range fs {
			if x.Stage != Stage || x.Code == "" {
				t.Errorf("bad finding %#v", x)
			}
		}
		if err == nil {
			for ref := range inv.Locations {
				if ref.Name == "" || ref.Kind == "" {
					t.Errorf("location for an unnamed object %v", ref)
				}
			}
			return
		}
		var le *Error
		if !errors.As(err, &le) {
			t.Fatalf("error %T is not a *load.Error: %v", err, err)
		}
		msg := err.Error()
		if strings.TrimSpace(msg) == "" || le.Msg == "" || strings.ContainsAny(msg, "\n\r") {
			t.Fatalf("error is not a non-empty one-liner: %q", msg)
		}
		if !strings.HasPrefix(msg, "fuzz.yaml") {
			t.Fatalf("error does not start with the file: %q", msg)
		}
	})
}
