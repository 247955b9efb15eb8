package model

import (
	"fmt"
	"strings"
)

// CatalogMarkdown renders the catalog as the reference page docs/findings.md.
func CatalogMarkdown() string {
	var b strings.Builder
	b.WriteString("# Findings reference\n\n")
	b.WriteString("<!-- Generated from model/catalog_*.go by `make docs`; do not edit. -->\n\n")
	b.WriteString("Every finding meshbridge reports has a stable code. A code is never reused for another meaning.\n")
	b.WriteString("Severities: **error** — access was narrowed or an object was refused; **warning** — behaviour was\n")
	b.WriteString("approximated; **info** — nothing was lost. `translator explain CODE` prints one entry.\n\n")
	b.WriteString("| code | severity | title |\n|---|---|---|\n")
	for _, e := range Catalog() {
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s |\n", e.Code, strings.ToLower(string(e.Code)), e.Severity, e.Title)
	}
	for _, e := range Catalog() {
		fmt.Fprintf(&b, "\n## %s\n\n**%s** (%s)", e.Code, e.Title, e.Severity)
		if e.Retired {
			b.WriteString(" — retired, no longer emitted")
		}
		fmt.Fprintf(&b, "\n\n%s\n\nWhat to do: %s\n", e.Meaning, e.Remedy)
	}
	return b.String()
}
