package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
)

// printObjects writes objects as YAML documents or as one JSON v1 List, as kubectl does, in the
// order emit.Sort gives (the order translate.Translate returns them in).
func printObjects(w io.Writer, objs []*unstructured.Unstructured, format string) error {
	d := newDocuments(format)
	for _, o := range objs {
		d.add(o)
	}
	if err := d.err(); err != nil {
		return err
	}
	return d.writeTo(w)
}

// documents renders objects one at a time, as they are made, and writes the renderings sorted
// as emit.Sort sorts objects. Convert renders every object before it writes anything, so that
// bad input leaves no partial output; rendering each object as soon as it exists lets the
// caller drop it at once, so that only the text is held: an object's maps take about seven
// times the bytes of its YAML.
type documents struct {
	format string
	docs   []document
	// chunk is where renderings are copied (the renderer reuses its buffer), so that they sit
	// in a few large blocks rather than in one allocation each.
	chunk  []byte
	yaml   yamlRenderer
	sorted bool
}

// document is one rendered object and what it is sorted by.
type document struct {
	kind, namespace, name, apiVersion string
	seq                               int // order of arrival: emit.Sort is stable
	text                              []byte
	err                               error
}

// chunkSize is the size of the blocks renderings are copied into.
const chunkSize = 1 << 20

func newDocuments(format string) *documents { return &documents{format: format} }

// add renders obj and keeps its rendering (or the error rendering it), never obj itself.
func (d *documents) add(obj *unstructured.Unstructured) {
	doc := document{kind: obj.GetKind(), namespace: obj.GetNamespace(), name: obj.GetName(),
		apiVersion: obj.GetAPIVersion(), seq: len(d.docs)}
	var b []byte
	if d.format == "json" {
		// Indented as an item of the List that writeTo puts around it.
		b, doc.err = json.MarshalIndent(obj.Object, "    ", "  ")
	} else {
		b, doc.err = d.yaml.render(obj.Object)
		if doc.err != nil {
			doc.err = fmt.Errorf("rendering %s %s/%s: %w", doc.kind, doc.namespace, doc.name, doc.err)
		}
	}
	if doc.err == nil {
		doc.text = d.store(b)
	}
	d.docs = append(d.docs, doc)
	d.sorted = false
}

// store copies b into the current chunk and returns the copy.
func (d *documents) store(b []byte) []byte {
	if len(d.chunk)+len(b) > cap(d.chunk) {
		d.chunk = make([]byte, 0, max(chunkSize, len(b)))
	}
	start := len(d.chunk)
	d.chunk = append(d.chunk, b...)
	return d.chunk[start:len(d.chunk):len(d.chunk)]
}

// sort puts the documents in output order: by kind, namespace, name and apiVersion, then
// order of arrival, as emit.Sort's stable sort orders the objects.
func (d *documents) sort() {
	if d.sorted {
		return
	}
	slices.SortFunc(d.docs, func(a, b document) int {
		return cmp.Or(
			cmp.Compare(a.kind, b.kind),
			cmp.Compare(a.namespace, b.namespace),
			cmp.Compare(a.name, b.name),
			cmp.Compare(a.apiVersion, b.apiVersion),
			cmp.Compare(a.seq, b.seq),
		)
	})
	d.sorted = true
}

// err returns the error of the first document, in output order, that could not be rendered:
// the one printing every object at once would have met first.
func (d *documents) err() error {
	d.sort()
	for _, doc := range d.docs {
		if doc.err != nil {
			return doc.err
		}
	}
	return nil
}

// writeTo writes the documents in output order to w: YAML documents separated by "---"
// lines, or one JSON v1 List. Check err first: writeTo leaves out what could not be rendered.
func (d *documents) writeTo(w io.Writer) error {
	d.sort()
	bw := bufio.NewWriterSize(w, 64<<10)
	if d.format == "json" {
		bw.WriteString("{\n  \"apiVersion\": \"v1\",\n  \"items\": [")
		for i, doc := range d.docs {
			if i > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString("\n    ")
			bw.Write(doc.text)
		}
		if len(d.docs) > 0 {
			bw.WriteString("\n  ")
		}
		bw.WriteString("],\n  \"kind\": \"List\"\n}\n")
		return bw.Flush()
	}
	for i, doc := range d.docs {
		if i > 0 {
			bw.WriteString("---\n")
		}
		bw.Write(doc.text)
	}
	return bw.Flush()
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
