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
	var objs []*unstructured.Unstructured
	findings := Stream(snap, opts, func(obj *unstructured.Unstructured) { objs = append(objs, obj) })
	emit.Sort(objs)
	return objs, findings
}

// Stream writes what Write writes, but hands each object to each as soon as it is complete, in
// the order it is made (Write's before sorting), and keeps none: a caller that renders objects
// as they come need not hold them all. Objects are not changed after each sees them. It returns
// the findings, sorted.
func Stream(snap *model.Snapshot, opts emit.Options, each func(*unstructured.Unstructured)) model.Findings {
	w := &writer{snap: snap, each: each, names: map[string]bool{}}
	prof, ok := lookupProfile(opts.Mesh)
	if !ok {
		w.report(model.CodeSMIUnknownMesh, model.Origin{}, "",
			"unknown destination mesh %q for SMI (want one of %v)", opts.Mesh, Meshes())
		return w.findings
	}
	w.prof = prof
	w.writeAccess()
	w.writeRoutes()
	return w.findings.Sorted()
}

// writer carries one Write call.
type writer struct {
	snap *model.Snapshot
	prof profile
	// each receives every object written.
	each     func(*unstructured.Unstructured)
	findings model.Findings
	// names holds kind/namespace/name of every object written, to keep generated names unique.
	names map[string]bool
	// all caches universe(), index accounts().
	all   []sa
	index *accountIndex
	// selecting holds, by workloadKey, the ALLOW and DENY policies that apply to each workload.
	selecting map[string]*selection
	// peerAuths holds, by namespace, the PeerAuthentications that may apply there
	// (peerAuthentications); meshPeerAuths the mesh-wide ones, for other namespaces.
	peerAuths     map[string]*model.Snapshot
	meshPeerAuths *model.Snapshot
}

// emit hands complete objects over, in the order they are made.
func (w *writer) emit(objs ...*unstructured.Unstructured) {
	for _, obj := range objs {
		w.each(obj)
	}
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
