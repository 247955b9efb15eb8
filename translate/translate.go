package translate

import (
	"fmt"
	"slices"
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
	"github.com/meshbridge/meshbridge/translate/gatewayapi"
	"github.com/meshbridge/meshbridge/translate/istio"
	"github.com/meshbridge/meshbridge/translate/istiopolicy"
	"github.com/meshbridge/meshbridge/translate/linkerd"
	"github.com/meshbridge/meshbridge/translate/smi"
)

// WriteFunc writes a snapshot for one kind of target.
type WriteFunc func(*model.Snapshot, emit.Options) ([]*unstructured.Unstructured, model.Findings)

// Writers maps each --to value to its writer.
var Writers = map[string]WriteFunc{
	gatewayapi.Name:  gatewayapi.Write,
	smi.Name:         smi.Write,
	istiopolicy.Name: istiopolicy.Write,
	linkerd.Name:     linkerd.Write,
}

// Targets returns the --to values, sorted.
func Targets() []string {
	var names []string
	for n := range Writers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Options configure one translation.
type Options struct {
	// To names the writer (a key of Writers).
	To string
	// Reader options: root namespace, cluster domain, trust domain.
	Read istio.Options
	// Write options: destination mesh profile and channel.
	Write emit.Options
}

// Result is a translation's output: objects sorted by kind, namespace and name, and findings
// from every stage, sorted.
type Result struct {
	Objects  []*unstructured.Unstructured
	Findings model.Findings
	// Snapshot is the model the writer read; verify and the controller use it.
	Snapshot *model.Snapshot
}

// Translate reads inv and writes it for opts.To. The result depends only on its arguments.
func Translate(inv *inventory.Inventory, opts Options) (Result, error) {
	write, ok := Writers[opts.To]
	if !ok {
		return Result{}, fmt.Errorf("unknown target %q (want one of %v)", opts.To, Targets())
	}
	snap, findings := istio.Read(inv, opts.Read)
	objs, wf := write(snap, opts.Write)
	emit.Sort(objs)
	return Result{
		Objects:  slices.Clip(objs),
		Findings: append(findings, wf...).Sorted(),
		Snapshot: snap,
	}, nil
}
