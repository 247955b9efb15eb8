package verify_test

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	_ "github.com/meshbridge/meshbridge/internal/golden"
	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate"
	"github.com/meshbridge/meshbridge/verify"
	"github.com/meshbridge/meshbridge/verify/cases"
)

const fixturesDir = "../fixtures"

// enforcementImpossible lists the error codes by which a writer says it cannot enforce Istio's
// access on a workload at all, so that the workload's access stays wider than Istio's. A
// fixture may show a widened request only on a workload that such a finding names (its origin
// is the workload); verify keeps showing the widening, and any other widening fails.
var enforcementImpossible = []model.Code{
	// Linkerd: the workload declares no container ports, so no Server can select its ports
	// and they keep the cluster's default inbound policy.
	model.CodeLinkerdNoDeclaredPorts,
	// Not listed: MB5007 (Linkerd, a targetRefs policy whose pods the input does not show)
	// names no workload, and verify cannot check pods the input does not show either.
}

// TestFixturesAreNeverWidened verifies every fixture translated by every writer (with the
// case's mesh for each target): no request may be widened, but on workloads an
// enforcementImpossible finding names, and every narrowed or rerouted request must be covered
// by an error or warning finding.
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
					impossible := unenforceable(append(res.LoadFindings, res.Translations[target].Result.Findings...))
					if widened(rep, impossible) > 0 || rep.Summary.Unreported > 0 {
						t.Errorf("%s (mesh %q): %s%s", target, c.Options.Mesh[target], rep.SummaryLine(), problems(rep, impossible))
					}
				})
			}
		})
	}
}

// TestUnenforceableAccessStaysVisible wants verify to keep showing, as widened and reported,
// the access a writer says it cannot enforce: sandbox/experiment declares no ports, so Linkerd
// leaves them to the default inbound policy, wider than the mesh-wide DENY.
func TestUnenforceableAccessStaysVisible(t *testing.T) {
	c, err := cases.Open(fixturesDir + "/authz-root-namespace-deny")
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Run([]string{"linkerd"})
	if err != nil {
		t.Fatal(err)
	}
	rep := run(t, c, res, "linkerd")
	if !rep.Fails("widened") {
		t.Fatalf("no widened request: %s", rep.SummaryLine())
	}
	for _, w := range rep.Access {
		if len(w.Widened) > 0 && w.Workload != "Deployment sandbox/experiment" {
			t.Errorf("%s is widened: %s", w.Workload, problems(rep, nil))
		}
		for _, d := range w.Widened {
			if !slices.Contains(d.ReportedBy, model.CodeLinkerdNoDeclaredPorts) {
				t.Errorf("widened %s is not reported by MB5016: %v", verify.DescribeRequest(d.Example), d.ReportedBy)
			}
		}
	}
	if got := unenforceable(res.Translations["linkerd"].Result.Findings); !got["Deployment sandbox/experiment"] || len(got) != 1 {
		t.Errorf("enforcement-impossible findings name %v, want Deployment sandbox/experiment", got)
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

// unenforceable returns the workloads ("Kind namespace/name", as the report names them) that an
// error finding with an enforcementImpossible code names.
func unenforceable(findings model.Findings) map[string]bool {
	out := map[string]bool{}
	for _, f := range findings {
		if f.Severity == model.Error && slices.Contains(enforcementImpossible, f.Code) {
			o := f.Origin.Object
			out[o.Kind+" "+o.Namespace+"/"+o.Name] = true
		}
	}
	return out
}

// widened counts the widened groups on workloads not in impossible.
func widened(rep *verify.Report, impossible map[string]bool) int {
	n := 0
	for _, w := range rep.Access {
		if !impossible[w.Workload] {
			n += len(w.Widened)
		}
	}
	return n
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

// problems lists, one line each, the first widened groups (but on the workloads in impossible)
// and the first differences no finding reported (set VERIFY_VERBOSE for the whole report).
func problems(rep *verify.Report, impossible map[string]bool) string {
	var b strings.Builder
	n := 0
	line := func(kind, what, istio, target string) {
		if n++; n <= 8 {
			b.WriteString("\n  " + kind + " " + what + "\n      istio: " + istio + "\n      " + rep.Target + ": " + target)
		}
	}
	for _, w := range rep.Access {
		if impossible[w.Workload] {
			continue
		}
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
