package smi

import (
	"crypto/sha256"
	"encoding/hex"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// Name is the writer's --to value and finding stage.
const Name = "smi"

// Write turns the snapshot's access policies and weighted routes into SMI objects at the API
// versions opts.Mesh serves. Objects are sorted; findings say what could not be written exactly.
func Write(snap *model.Snapshot, opts emit.Options) ([]*unstructured.Unstructured, model.Findings) {
	w := &writer{snap: snap, names: map[string]bool{}}
	prof, ok := lookupProfile(opts.Mesh)
	if !ok {
		w.report(model.CodeSMIUnknownMesh, model.Origin{}, "",
			"unknown destination mesh %q for SMI (want one of %v)", opts.Mesh, Meshes())
		return nil, w.findings
	}
	w.prof = prof
	w.writeAccess()
	w.writeRoutes()
	emit.Sort(w.objs)
	return w.objs, w.findings.Sorted()
}

// writer carries one Write call.
type writer struct {
	snap     *model.Snapshot
	prof     profile
	objs     []*unstructured.Unstructured
	findings model.Findings
	// names holds kind/namespace/name of every object written, to keep generated names unique.
	names map[string]bool
	// all caches universe().
	all []sa
}

func (w *writer) report(code model.Code, origin model.Origin, field, format string, args ...any) {
	w.findings.Add(Name, code, origin, field, format, args...)
}

// uniqueName returns emit.Name(parts...) unless an object of that kind already has the name in
// namespace; then a hash of the parts keeps it apart. Calls come in a deterministic order, so
// names are stable.
func (w *writer) uniqueName(kind, namespace string, parts ...string) string {
	name := emit.Name(parts...)
	key := func(n string) string { return kind + "/" + namespace + "/" + n }
	if w.names[key(name)] {
		sum := sha256.New()
		for _, p := range parts {
			sum.Write([]byte(p + "\x00"))
		}
		for i := 0; w.names[key(name)]; i++ {
			sum.Write([]byte{byte(i)})
			name = emit.Name(append(parts[:len(parts):len(parts)], hex.EncodeToString(sum.Sum(nil))[:8])...)
		}
	}
	w.names[key(name)] = true
	return name
}
