package verify_test

import (
	"os"
	"strings"
	"testing"

	_ "github.com/meshbridge/meshbridge/internal/golden"
	"github.com/meshbridge/meshbridge/translate"
	"github.com/meshbridge/meshbridge/verify"
	"github.com/meshbridge/meshbridge/verify/cases"
)

const fixturesDir = "../fixtures"

// TestFixturesAreNeverWidened verifies every fixture translated by every writer (with the
// case's mesh for each target): no request may be widened, and every narrowed or rerouted
// request must be covered by an error or warning finding.
func TestFixturesAreNeverWidened(t *testing.T) {
	all, err := cases.List(fixturesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range all {
		t.Run(c.Name, func(t *testing.T) {
			res, err := c.Run(translate.Targets())
			if err != nil {
				t.Fatal(err)
			}
			if res.LoadError != "" {
				t.Skip("bad input: nothing to verify")
			}
			for _, target := range translate.Targets() {
				if !contains(verify.Targets, target) {
					t.Errorf("no evaluator for target %s", target)
					continue
				}
				t.Run(target, func(t *testing.T) {
					rep := run(t, c, res, target)
					if rep.Summary.Widened > 0 || rep.Summary.Unreported > 0 {
						var b strings.Builder
						_ = rep.Write(&b, "text")
						t.Errorf("%s (mesh %q): %s\n%s", target, c.Options.Mesh[target], rep.SummaryLine(), b.String())
					}
				})
			}
		})
	}
}

func run(t *testing.T, c cases.Case, res *cases.Result, target string) *verify.Report {
	t.Helper()
	tr := res.Translations[target]
	rep, err := verify.Run(verify.Input{Snapshot: tr.Result.Snapshot, Inventory: res.Inventory, Objects: tr.Result.Objects,
		Findings: append(res.LoadFindings, tr.Result.Findings...)}, verify.Options{Target: target, Mesh: c.Options.Mesh[target]})
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("VERIFY_VERBOSE") != "" {
		_ = rep.Write(os.Stdout, "text")
	}
	return rep
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
