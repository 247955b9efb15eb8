package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/meshbridge/meshbridge/model"
)

// printObjects writes objects as YAML documents or as one JSON v1 List, as kubectl does.
func printObjects(w io.Writer, objs []*unstructured.Unstructured, format string) error {
	if format == "json" {
		items := make([]any, 0, len(objs))
		for _, o := range objs {
			items = append(items, o.Object)
		}
		b, err := json.MarshalIndent(map[string]any{"apiVersion": "v1", "kind": "List", "items": items}, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	for i, o := range objs {
		b, err := yaml.Marshal(o.Object)
		if err != nil {
			return fmt.Errorf("rendering %s %s/%s: %w", o.GetKind(), o.GetNamespace(), o.GetName(), err)
		}
		if i > 0 {
			if _, err := io.WriteString(w, "---\n"); err != nil {
				return err
			}
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// printFindings writes findings for people (text), tools (json) or pull requests (markdown).
func printFindings(w io.Writer, fs model.Findings, format string) error {
	switch format {
	case "json":
		if fs == nil {
			fs = model.Findings{}
		}
		b, err := json.MarshalIndent(map[string]any{"findings": fs, "summary": summary(fs)}, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	case "markdown":
		if len(fs) == 0 {
			_, err := io.WriteString(w, "No findings.\n")
			return err
		}
		var b strings.Builder
		b.WriteString("| severity | code | object | field | message |\n|---|---|---|---|---|\n")
		for _, f := range fs {
			fmt.Fprintf(&b, "| %s | %s | %s | `%s` | %s |\n", f.Severity, f.Code, mdEscape(f.Origin.String()),
				f.Field, mdEscape(f.Message))
		}
		fmt.Fprintf(&b, "\n%s\n", summaryLine(fs))
		_, err := io.WriteString(w, b.String())
		return err
	}
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.String())
		b.WriteByte('\n')
	}
	if len(fs) > 0 {
		b.WriteString(summaryLine(fs) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func summary(fs model.Findings) map[string]int {
	return map[string]int{"error": fs.Count(model.Error), "warning": fs.Count(model.Warning), "info": fs.Count(model.Info)}
}

func summaryLine(fs model.Findings) string {
	return fmt.Sprintf("%d findings: %d errors, %d warnings, %d info", len(fs), fs.Count(model.Error),
		fs.Count(model.Warning), fs.Count(model.Info))
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
