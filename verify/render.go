package verify

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/meshbridge/meshbridge/model"
)

// Formats are the values of --report.
var Formats = []string{"text", "json", "markdown"}

// Write renders the report as text (for people), json (for tools) or markdown (for a pull
// request comment).
func (r *Report) Write(w io.Writer, format string) error {
	switch format {
	case "json":
		b, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	case "markdown":
		_, err := io.WriteString(w, r.markdown())
		return err
	}
	_, err := io.WriteString(w, r.text())
	return err
}

func (r *Report) title() string {
	t := r.Target
	if r.Mesh != "" && r.Mesh != r.Target {
		t += " (" + r.Mesh + ")"
	}
	if len(r.Assumptions) > 0 {
		t += " (assumes " + strings.Join(r.Assumptions, "; ") + ")"
	}
	return t
}

// SummaryLine is the report in one line.
func (r *Report) SummaryLine() string {
	s := r.Summary
	return fmt.Sprintf("%d widened, %d narrowed, %d rerouted (%d not reported by a finding); checked %d requests to %d workloads and %d routed requests to %d Services",
		s.Widened, s.Narrowed, s.Rerouted, s.Unreported, s.Requests, s.Workloads, s.RouteRequests, s.Services)
}

func reported(codes []model.Code) string {
	if len(codes) == 0 {
		return "not reported by any finding"
	}
	var s []string
	for _, c := range codes {
		s = append(s, string(c))
	}
	return "reported: " + strings.Join(s, ", ")
}

func (r *Report) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "verify %s\n", r.title())
	access := func(kind string, w WorkloadReport, diffs []*AccessDifference) {
		for i, d := range diffs {
			if i == maxExamples {
				fmt.Fprintf(&b, "  … and %d more groups\n", len(diffs)-i)
				break
			}
			fmt.Fprintf(&b, "%s %s (service account %s): %s\n", kind, w.Workload, w.ServiceAccount, DescribeRequest(d.Example))
			fmt.Fprintf(&b, "    istio: %s\n    %s: %s\n", d.Istio, r.Target, d.Target)
			more := ""
			if d.Requests > 1 {
				more = fmt.Sprintf("; %d requests like it", d.Requests)
			}
			fmt.Fprintf(&b, "    (%s%s)\n", reported(d.ReportedBy), more)
		}
	}
	for _, w := range r.Access {
		access("WIDENED", w, w.Widened)
	}
	for _, w := range r.Access {
		access("narrowed", w, w.Narrowed)
	}
	for _, s := range r.Routes {
		for i, d := range s.Rerouted {
			if i == maxExamples {
				fmt.Fprintf(&b, "  … and %d more groups\n", len(s.Rerouted)-i)
				break
			}
			fmt.Fprintf(&b, "rerouted Service %s: %s\n", s.Service, d.Example)
			fmt.Fprintf(&b, "    istio: %s\n    %s: %s\n", d.Istio, r.Target, d.Target)
			more := ""
			if d.Requests > 1 {
				more = fmt.Sprintf("; %d requests like it", d.Requests)
			}
			if d.Reading != "" {
				more += "; with " + d.Reading
			}
			fmt.Fprintf(&b, "    (%s%s)\n", reported(d.ReportedBy), more)
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	b.WriteString(r.SummaryLine() + "\n")
	return b.String()
}

func (r *Report) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "### translator verify: %s\n\n", r.title())
	verdict := "No request is widened."
	if r.Summary.Widened > 0 {
		verdict = fmt.Sprintf("**%d groups of requests are widened**: the translation allows what Istio denies.", r.Summary.Widened)
	}
	fmt.Fprintf(&b, "%s %s.\n\n", verdict, r.SummaryLine())
	var rows []string
	for _, w := range r.Access {
		for _, kind := range []struct {
			name  string
			diffs []*AccessDifference
		}{{"**widened**", w.Widened}, {"narrowed", w.Narrowed}} {
			for i, d := range kind.diffs {
				if i == maxExamples {
					break
				}
				rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s | %s | %s |", kind.name, md(w.Workload),
					md(DescribeRequest(d.Example)), md(d.Istio.String()), md(d.Target.String()), md(reported(d.ReportedBy))))
			}
		}
	}
	if len(rows) > 0 {
		b.WriteString("| access | workload | request | Istio | " + md(r.Target) + " | findings |\n|---|---|---|---|---|---|\n")
		b.WriteString(strings.Join(rows, "\n") + "\n\n")
	}
	rows = nil
	for _, s := range r.Routes {
		for i, d := range s.Rerouted {
			if i == maxExamples {
				break
			}
			rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s | %s |", md(s.Service), md(d.Example.String()),
				md(d.Istio.String()), md(d.Target.String()), md(reported(d.ReportedBy))))
		}
	}
	if len(rows) > 0 {
		b.WriteString("| rerouted | request | Istio | " + md(r.Target) + " | findings |\n|---|---|---|---|---|\n")
		b.WriteString(strings.Join(rows, "\n") + "\n\n")
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "- %s\n", md(n))
	}
	return b.String()
}

func md(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
