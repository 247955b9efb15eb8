package golden

import (
	"strings"
	"testing"
)

func TestDiffShowsOnlyChangedLinesWithContext(t *testing.T) {
	want := "a\nb\nc\nd\ne\nf\ng\n"
	got := "a\nb\nc\nD\ne\nf\ng\n"
	d := Diff(want, got)
	for _, s := range []string{"- d", "+ D", "  c", "  e"} {
		if !strings.Contains(d, s) {
			t.Errorf("diff lacks %q:\n%s", s, d)
		}
	}
	if strings.Contains(d, "  a") {
		t.Errorf("diff shows far context:\n%s", d)
	}
}

func TestDiffOfEqualTextsIsEmpty(t *testing.T) {
	if d := Diff("x\ny\n", "x\ny\n"); d != "" {
		t.Errorf("Diff of equal texts = %q", d)
	}
}
