package verify_test

import (
	"os"
	"strconv"
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
						t.Errorf("%s (mesh %q): %s%s", target, c.Options.Mesh[target], rep.SummaryLine(), problems(rep))
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

// TestReportsAreDeterministic verifies a few fixtures twice and wants identical JSON.
func TestReportsAreDeterministic(t *testing.T) {
	for _, name := range []string{"authz-negations", "mesh-uri-header-method-matches"} {
		c, err := cases.Open(fixturesDir + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		for _, target := range verify.Targets {
			var first string
			for range 3 {
				res, err := c.Run([]string{target})
				if err != nil {
					t.Fatal(err)
				}
				var b strings.Builder
				if err := run(t, c, res, target).Write(&b, "json"); err != nil {
					t.Fatal(err)
				}
				if first == "" {
					first = b.String()
				} else if b.String() != first {
					t.Errorf("%s %s: the report differs between runs", name, target)
				}
			}
		}
	}
}

// problems lists, one line each, the first widened groups and the first differences no finding
// reported (set VERIFY_VERBOSE for the whole report).
func problems(rep *verify.Report) string {
	var b strings.Builder
	n := 0
	line := func(kind, what, istio, target string) {
		if n++; n <= 8 {
			b.WriteString("\n  " + kind + " " + what + "\n      istio: " + istio + "\n      " + rep.Target + ": " + target)
		}
	}
	for _, w := range rep.Access {
		for _, d := range w.Widened {
			line("WIDENED", w.Workload+": "+verify.DescribeRequest(d.Example), d.Istio.String(), d.Target.String())
		}
	}
	for _, w := range rep.Access {
		for _, d := range w.Narrowed {
			if len(d.ReportedBy) == 0 {
				line("unreported narrowing", w.Workload+": "+verify.DescribeRequest(d.Example), d.Istio.String(), d.Target.String())
			}
		}
	}
	for _, s := range rep.Routes {
		for _, d := range s.Rerouted {
			if len(d.ReportedBy) == 0 {
				line("unreported reroute", d.Example.String(), d.Istio.String(), d.Target.String())
			}
		}
	}
	if n > 8 {
		b.WriteString("\n  … and " + strconv.Itoa(n-8) + " more groups")
	}
	return b.String()
}
