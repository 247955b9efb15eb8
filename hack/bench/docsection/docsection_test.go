package docsection

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReplace(t *testing.T) {
	write := func(t *testing.T, s string) string {
		p := filepath.Join(t.TempDir(), "doc.md")
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Run("the text between the markers is replaced and the rest kept", func(t *testing.T) {
		p := write(t, "intro\n<!-- b -->\nold figures\n<!-- e -->\nafter\n")
		if err := Replace(p, "<!-- b -->", "<!-- e -->", "new figures\n"); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(p)
		if want := "intro\n<!-- b -->\nnew figures\n<!-- e -->\nafter\n"; string(got) != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("a file without the section is an error and is left alone", func(t *testing.T) {
		p := write(t, "<!-- e -->\n<!-- b -->\n")
		err := Replace(p, "<!-- b -->", "<!-- e -->", "x")
		if err == nil || !strings.Contains(err.Error(), "no <!-- b -->") {
			t.Errorf("err = %v", err)
		}
		if got, _ := os.ReadFile(p); string(got) != "<!-- e -->\n<!-- b -->\n" {
			t.Errorf("file changed: %q", got)
		}
	})
}
