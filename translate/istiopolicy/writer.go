package istiopolicy

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"strconv"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// Name is the writer's --to value and finding stage.
const Name = "istio"

// DryRunAnnotation makes Istio log a policy's decisions without enforcing them.
const DryRunAnnotation = "istio.io/dry-run"

var (
	authorizationPolicyGVK = schema.GroupVersionKind{Group: "security.istio.io", Version: "v1", Kind: "AuthorizationPolicy"}
	peerAuthenticationGVK  = schema.GroupVersionKind{Group: "security.istio.io", Version: "v1", Kind: "PeerAuthentication"}
)

// Write turns the snapshot's access policies into AuthorizationPolicies and its peer
// authentication into PeerAuthentications. Routing is not this writer's concern; it says so
// once per routing object.
func Write(snap *model.Snapshot, _ emit.Options) ([]*unstructured.Unstructured, model.Findings) {
	w := &writer{snap: snap, names: map[string]bool{}}
	for i := range snap.Access {
		w.accessPolicy(&snap.Access[i])
	}
	for i := range snap.PeerAuthentications {
		w.peerAuthentication(&snap.PeerAuthentications[i])
	}
	for _, r := range snap.Routes {
		w.report(model.CodeIstioRoutingNotWritten, r.Origin, "", "the istio writer writes authorization only; routing objects are not rewritten")
	}
	for _, g := range snap.Gateways {
		w.report(model.CodeIstioRoutingNotWritten, g.Origin, "", "the istio writer writes authorization only; gateways are not rewritten")
	}
	emit.Sort(w.objs)
	return w.objs, w.findings
}

type writer struct {
	snap     *model.Snapshot
	objs     []*unstructured.Unstructured
	findings model.Findings
	names    map[string]bool // kind/namespace/name taken
}

func (w *writer) report(code model.Code, origin model.Origin, field, format string, args ...any) {
	w.findings.Add(Name, code, origin, field, format, args...)
}

// name returns a free, valid name for an object: want itself when it is a valid object name
// (Istio objects may have dots in their names), else a DNS label made from it; a clash gets a
// suffix hashed from the source, so that names stay stable across runs.
func (w *writer) name(kind, ns, want string, origin model.Origin) string {
	name := want
	if len(validation.IsDNS1123Subdomain(name)) > 0 {
		name = emit.Name(want)
	}
	if name == "" {
		name = "policy"
	}
	for i := 0; w.names[kind+"/"+ns+"/"+name]; i++ {
		sum := sha256.Sum256([]byte(origin.Object.String() + "/" + want + "/" + strconv.Itoa(i)))
		renamed := emit.Name(want, hex.EncodeToString(sum[:])[:8])
		w.report(model.CodeIstioNameClash, origin, "metadata.name", "%s %s/%s is already written; this one is named %s", kind, ns, name, renamed)
		name = renamed
	}
	w.names[kind+"/"+ns+"/"+name] = true
	return name
}

func (w *writer) object(gvk schema.GroupVersionKind, ns, name string, origin model.Origin, dryRun bool, spec map[string]any) {
	u := &unstructured.Unstructured{Object: map[string]any{"spec": spec}}
	u.SetGroupVersionKind(gvk)
	u.SetNamespace(ns)
	u.SetName(name)
	ann := map[string]string{emit.SourceAnnotation: emit.Source(origin)}
	if dryRun {
		ann[DryRunAnnotation] = "true"
	}
	u.SetAnnotations(ann)
	w.objs = append(w.objs, u)
}

func (w *writer) peerAuthentication(pa *model.PeerAuthentication) {
	spec := map[string]any{}
	if len(pa.Selector) > 0 {
		spec["selector"] = map[string]any{"matchLabels": stringMap(pa.Selector)}
	}
	if pa.Mode != "" && pa.Mode != model.MTLSUnset {
		spec["mtls"] = map[string]any{"mode": string(pa.Mode)}
	}
	if len(pa.PortModes) > 0 {
		ports := map[string]any{}
		for _, p := range slices.Sorted(maps.Keys(pa.PortModes)) {
			m := map[string]any{}
			if mode := pa.PortModes[p]; mode != model.MTLSUnset && mode != "" {
				m["mode"] = string(mode)
			}
			ports[strconv.Itoa(int(p))] = m
		}
		spec["portLevelMtls"] = ports
	}
	ns := pa.Namespace
	if pa.MeshWide {
		ns = w.snap.RootNamespace
	}
	w.object(peerAuthenticationGVK, ns, w.name("PeerAuthentication", ns, pa.Name, pa.Origin), pa.Origin, false, spec)
}

func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func stringList(l []string) []any {
	out := make([]any, len(l))
	for i, v := range l {
		out[i] = v
	}
	return out
}
