package translate_test

import (
	"bytes"
	"testing"

	"github.com/meshbridge/meshbridge/internal/golden"
	"github.com/meshbridge/meshbridge/translate"
	"github.com/meshbridge/meshbridge/verify/cases"
)

// fixturesDir holds the golden cases: fixtures/<case>/input.yaml, one <target>.yaml per writer,
// findings.txt, or error.txt for bad input; case.yaml optionally picks mesh profiles. They run
// through the same runner as `translator test`.
const fixturesDir = "../fixtures"

func fixtureCases(t *testing.T) []cases.Case {
	t.Helper()
	cs, err := cases.List(fixturesDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) < 12 {
		t.Errorf("found %d fixture cases, want at least 12", len(cs))
	}
	return cs
}

// TestFixtures checks every case against its goldens for every writer; -update rewrites them.
func TestFixtures(t *testing.T) {
	for _, c := range fixtureCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			checked, err := c.Check(translate.Targets(), *golden.Update)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range checked.Mismatches {
				t.Errorf("%s", m)
			}
		})
	}
}

// TestFixturesAreDeterministic translates every case several times and wants identical bytes.
func TestFixturesAreDeterministic(t *testing.T) {
	for _, c := range fixtureCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			first := run(t, c)
			for range 3 {
				again := run(t, c)
				if first.LoadError != again.LoadError || !bytes.Equal(first.Findings, again.Findings) {
					t.Fatalf("findings or error differ between runs")
				}
				for target, tr := range first.Translations {
					if got := again.Translations[target].Rendered; !bytes.Equal(tr.Rendered, got) {
						t.Fatalf("%s output differs between runs:\n%s", target, golden.Diff(string(tr.Rendered), string(got)))
					}
				}
			}
		})
	}
}

func run(t *testing.T, c cases.Case) *cases.Result {
	t.Helper()
	r, err := c.Run(translate.Targets())
	if err != nil {
		t.Fatal(err)
	}
	return r
}
