package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/meshbridge/meshbridge/translate"
	"github.com/meshbridge/meshbridge/verify"
	"github.com/meshbridge/meshbridge/verify/cases"
)

type testOptions struct {
	update, verify bool
	to             []string
}

func newTestCommand() *cobra.Command {
	o := &testOptions{}
	cmd := &cobra.Command{
		Use:   "test DIR... [--update]",
		Short: "Run golden translation cases: input plus expected output per target",
		Long: `test runs your own golden cases, one folder per case, the layout of meshbridge's fixtures/:

  input.yaml      the Istio objects and the workloads they refer to
  <target>.yaml   the expected output for a target (` + strings.Join(translate.Targets(), ", ") + `)
  findings.txt    the expected findings of every stage, one per line
  error.txt       instead of the three above: the expected error for input that must be refused
  case.yaml       optional: {namespace, mesh: {target: mesh}, channel, rootNamespace}

DIR is a case folder or a folder of cases. A case is checked for the targets it has an expected
file for (every target for a new case), or for those --to names. A mismatch prints a line diff
(- expected, + got). --update rewrites the expected files from the current output instead.
--verify also runs translator verify on each translation and fails on a widened request.

Exit status: 0 every case passed (or was updated); 1 a case failed, or bad input.`,
		Example: `  # Check every case under policies/cases, in CI
  translator test policies/cases

  # Accept the current output after reviewing the diff
  translator test policies/cases --update`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			code, msg := runTest(o, args, cmd.OutOrStdout())
			if code != exitOK {
				return &exitError{code: code, msg: msg}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.update, "update", false, "rewrite the expected files from the current output")
	f.BoolVar(&o.verify, "verify", false, "also verify each translation and fail on a widened request")
	f.StringSliceVar(&o.to, "to", nil, "targets to check (default: those each case has expected output for)")
	return cmd
}

// runTest checks every case and returns the exit status and, for status 1, a one-line summary.
func runTest(o *testOptions, dirs []string, out io.Writer) (int, string) {
	for _, t := range o.to {
		if !slices.Contains(translate.Targets(), t) {
			return exitBadInput, fmt.Sprintf("--to %q is not one of %s", t, strings.Join(translate.Targets(), ", "))
		}
	}
	var all []cases.Case
	for _, d := range dirs {
		cs, err := cases.List(d)
		if err != nil {
			return exitBadInput, err.Error()
		}
		all = append(all, cs...)
	}
	failed := 0
	for _, c := range all {
		checked, err := c.Check(o.to, o.update)
		if err != nil {
			return exitBadInput, fmt.Sprintf("case %s: %v", c.Dir, err)
		}
		problems := checked.Mismatches
		var widened []string
		if o.verify && checked.Result.LoadError == "" {
			widened, err = verifyCase(c, checked)
			if err != nil {
				return exitBadInput, fmt.Sprintf("case %s: %v", c.Dir, err)
			}
		}
		switch {
		case len(problems) > 0 || len(widened) > 0:
			failed++
			fmt.Fprintf(out, "FAIL %s\n", c.Dir)
			for _, m := range problems {
				fmt.Fprintf(out, "  %s\n", indent(m.String()))
			}
			for _, w := range widened {
				fmt.Fprintf(out, "  %s\n", indent(w))
			}
		case o.update && len(checked.Updated) > 0:
			fmt.Fprintf(out, "updated %s: %s\n", c.Dir, strings.Join(checked.Updated, ", "))
		default:
			fmt.Fprintf(out, "ok   %s\n", c.Dir)
		}
	}
	fmt.Fprintf(out, "%d cases, %d failed\n", len(all), failed)
	if failed > 0 {
		return exitBadInput, fmt.Sprintf("%d of %d cases failed", failed, len(all))
	}
	return exitOK, ""
}

// verifyCase runs verify on each translation of a case and returns one message per target
// whose output widens access.
func verifyCase(c cases.Case, checked cases.Checked) ([]string, error) {
	var out []string
	for _, t := range checked.Targets {
		if !slices.Contains(verify.Targets, t) {
			continue
		}
		tr := checked.Result.Translations[t]
		rep, err := verify.Run(verify.Input{Snapshot: tr.Result.Snapshot, Inventory: checked.Result.Inventory,
			Objects: tr.Result.Objects, Findings: append(checked.Result.LoadFindings, tr.Result.Findings...)},
			verify.Options{Target: t, Mesh: c.Options.Mesh[t]})
		if err != nil {
			return nil, err
		}
		if rep.Fails("widened") {
			var b strings.Builder
			_ = rep.Write(&b, "text")
			out = append(out, fmt.Sprintf("verify %s: %s\n%s", t, rep.SummaryLine(), b.String()))
		}
	}
	return out, nil
}

func indent(s string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
}
