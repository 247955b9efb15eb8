package emit

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/meshbridge/meshbridge/model"
)

// Options choose the destination profile a writer writes for.
type Options struct {
	// Mesh names the consumer (osm, traefik-mesh, linkerd-smi, smi, linkerd, cilium, kuma, istio);
	// empty picks the writer's generic profile.
	Mesh string
	// Channel is the Gateway API release channel: standard (default) or experimental.
	Channel string
}

// Annotations meshbridge puts on what it writes.
const (
	// SourceAnnotation names the Istio object(s) an output object was translated from.
	SourceAnnotation = "meshbridge.io/source"
	// GeneratedAnnotation marks objects meshbridge invented, such as one Service per subset.
	GeneratedAnnotation = "meshbridge.io/generated"
)

// Object converts a typed object into the unstructured form writers return, with its
// apiVersion and kind set from gvk, without the empty creationTimestamp that typed structs
// always carry, and without status.
func Object(obj runtime.Object, gvk schema.GroupVersionKind) (*unstructured.Unstructured, error) {
	m, err := toUnstructured(obj)
	if err != nil {
		return nil, fmt.Errorf("converting %s: %w", gvk.Kind, err)
	}
	u := &unstructured.Unstructured{Object: m}
	u.SetGroupVersionKind(gvk)
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	// Status belongs to the controllers that act on the object, never to a translation.
	delete(u.Object, "status")
	return u, nil
}

// MustObject is Object for objects built in code, whose conversion cannot fail.
func MustObject(obj runtime.Object, gvk schema.GroupVersionKind) *unstructured.Unstructured {
	u, err := Object(obj, gvk)
	if err != nil {
		panic(err)
	}
	return u
}

// Sort orders objects by kind, namespace, name and apiVersion: the order the CLI prints and
// golden files hold.
func Sort(objs []*unstructured.Unstructured) {
	// The keys are read once per object rather than from the maps at every comparison.
	type keyed struct {
		kind, namespace, name, apiVersion string
		obj                               *unstructured.Unstructured
	}
	ks := make([]keyed, len(objs))
	for i, o := range objs {
		ks[i] = keyed{o.GetKind(), o.GetNamespace(), o.GetName(), o.GetAPIVersion(), o}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		return cmp.Or(
			cmp.Compare(a.kind, b.kind),
			cmp.Compare(a.namespace, b.namespace),
			cmp.Compare(a.name, b.name),
			cmp.Compare(a.apiVersion, b.apiVersion),
		)
	})
	for i := range ks {
		objs[i] = ks[i].obj
	}
}

// Source renders an origin for SourceAnnotation: Kind/namespace/name, or Kind/name for a
// cluster-scoped object such as a ClusterRbacConfig.
func Source(o model.Origin) string {
	if o.Object.Namespace == "" {
		return o.Object.Kind + "/" + o.Object.Name
	}
	return o.Object.Kind + "/" + o.Object.Namespace + "/" + o.Object.Name
}

// ParseSources reads a SourceAnnotation value: one or more Source renderings joined by commas.
// Malformed entries are skipped.
func ParseSources(v string) []model.ObjectRef {
	var out []model.ObjectRef
	for _, s := range strings.Split(v, ",") {
		parts := strings.Split(strings.TrimSpace(s), "/")
		switch {
		case len(parts) == 3 && parts[0] != "" && parts[2] != "":
			out = append(out, model.ObjectRef{Kind: parts[0], Namespace: parts[1], Name: parts[2]})
		case len(parts) == 2 && parts[0] != "" && parts[1] != "":
			out = append(out, model.ObjectRef{Kind: parts[0], Name: parts[1]})
		}
	}
	return out
}

// Name joins parts with "-" into a valid DNS-1123 label. When the result is longer than 63
// characters it is cut and given a hash suffix of the whole, so that names stay stable and
// distinct.
func Name(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('-')
		}
		b.WriteString(p)
	}
	full := sanitize(b.String())
	if len(full) <= 63 {
		return full
	}
	sum := sha256.Sum256([]byte(b.String()))
	return strings.TrimRight(full[:52], "-.") + "-" + hex.EncodeToString(sum[:])[:10]
}

// sanitize lowercases s and replaces what a DNS-1123 label may not hold with "-".
func sanitize(s string) string {
	b := []byte(strings.ToLower(s))
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			b[i] = '-'
		}
	}
	return strings.Trim(string(b), "-")
}
