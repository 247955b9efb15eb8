package controller

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/load"
	"github.com/meshbridge/meshbridge/model"
)

// addInput decodes an Istio object read from the cache, at whatever version it is served, into
// inv with the loader the CLI uses (load.Decode), so that a cluster object is read exactly as
// the same object in a file would be: the v1 Go type, apiVersion kept as served, unknown fields
// and ignored kinds reported as findings, a value that does not fit the schema an error naming
// the field. Status is left out: only istiod writes it and the reader never looks at it.
//
// Cluster objects have no file location, so the loader's locations are left out of the
// findings; the caller drops inv.Locations once every object is in.
func addInput(inv *inventory.Inventory, u *unstructured.Unstructured) (model.Findings, error) {
	content := make(map[string]any, len(u.Object))
	for k, v := range u.Object {
		if k != "status" {
			content[k] = v
		}
	}
	data, err := encodeInput(content)
	if err != nil {
		return nil, err
	}
	fs, err := load.Decode(inv, "", data, load.Options{Namespace: u.GetNamespace()})
	for i := range fs {
		fs[i].Origin.At = model.Location{}
	}
	return fs, err
}

// encodeInput writes an object as the loader reads it: JSON, which is YAML, one field a line.
// Indented, because the loader parses YAML, and a YAML parser keeps every token of a line in
// flow style until the line ends: all of an object written on one line costs it over twice
// the memory.
func encodeInput(content map[string]any) ([]byte, error) {
	return json.MarshalIndent(content, "", " ")
}

// decodeCache keeps each Istio object decoded at its current resourceVersion. Objects are
// decoded once, as the informer receives them (ingest, the cache transform), not by each of
// the many namespace translations that read them (root-namespace policy, a neighbour's
// routes); and the informer cache then keeps only their metadata and references, not the
// spec a second time as generic maps, which would be most of the controller's memory.
// Decoded objects are shared between translations, which only read them.
type decodeCache struct {
	mu sync.Mutex
	m  map[objKey]*decodedInput
}

// decodedInput is one object decoded: packed, or an inventory holding only it, or the reason
// it could not be read.
type decodedInput struct {
	uid      types.UID
	version  string
	packed   *packed
	inv      *inventory.Inventory
	findings model.Findings
	err      error
}

func newDecodeCache() *decodeCache { return &decodeCache{m: map[objKey]*decodedInput{}} }

// refsKey is where ingest keeps an object's references (refsOf) in the cached object, whose
// spec it drops. The cached object is never sent anywhere.
const refsKey = "meshbridge.io/refs"

// errNotDecoded says that an object in the informer cache has no decoded form: the cache and
// the decodeCache disagree for an instant (a deletion and a creation of the same name).
var errNotDecoded = errors.New("not decoded yet")

// ingest decodes an Istio object as the informer receives it and keeps the result, then
// reduces the object to what the informer cache needs: apiVersion, kind, metadata (without
// managed fields and kubectl's copy of the object) and the namespaces it references. The
// controller's own outputs (the istio target writes Istio kinds) are not read: they are only
// trimmed.
//
// Informers may transform an object they hold again (a resync), so ingest leaves an object it
// reduced already as it is.
func (c *decodeCache) ingest(u *unstructured.Unstructured) {
	if _, done := u.Object[refsKey]; done {
		return
	}
	delete(u.Object, "status")
	trimMeta(u)
	if isOutput(u) {
		return
	}
	r := refsOf(u)
	c.decode(u)
	for k := range u.Object {
		if k != "apiVersion" && k != "kind" && k != "metadata" {
			delete(u.Object, k)
		}
	}
	u.Object[refsKey] = map[string]any{"needs": anyList(r.needs), "shapes": anyList(r.shapes)}
}

// decode decodes u and keeps the result.
func (c *decodeCache) decode(u *unstructured.Unstructured) *decodedInput {
	d := &decodedInput{uid: u.GetUID(), version: u.GetResourceVersion(), inv: &inventory.Inventory{}}
	d.findings, d.err = addInput(d.inv, u)
	d.inv.Locations = nil
	if p := pack(d.inv); p != nil {
		d.packed, d.inv = p, nil
	}
	c.mu.Lock()
	c.m[keyOf(u)] = d
	c.mu.Unlock()
	return d
}

// add adds u to inv as addInput does, from its decoded form. An object that still holds its
// spec (not from the cache) is decoded when it was not already.
func (c *decodeCache) add(inv *inventory.Inventory, u *unstructured.Unstructured) (model.Findings, error) {
	c.mu.Lock()
	d := c.m[keyOf(u)]
	c.mu.Unlock()
	if d == nil || d.uid != u.GetUID() || d.version != u.GetResourceVersion() || u.GetResourceVersion() == "" {
		if _, stripped := u.Object[refsKey]; stripped {
			return nil, fmt.Errorf("%s %s/%s: %w", u.GetKind(), u.GetNamespace(), u.GetName(), errNotDecoded)
		}
		d = c.decode(u)
	}
	if d.packed != nil {
		if err := d.packed.unpack(inv); err != nil {
			return d.findings, err
		}
		return d.findings, d.err
	}
	appendInputs(inv, d.inv)
	return d.findings, d.err
}

// forget drops what is kept of an object that was deleted (not of a successor of the same
// name, which the informer may have received already).
func (c *decodeCache) forget(obj client.Object) {
	c.mu.Lock()
	if d := c.m[keyOf(obj)]; d != nil && d.uid == obj.GetUID() {
		delete(c.m, keyOf(obj))
	}
	c.mu.Unlock()
}

// cachedRefs returns what a cached Istio object references: as ingest kept it, or read from
// its spec.
func cachedRefs(u *unstructured.Unstructured) refs {
	kept, ok := u.Object[refsKey].(map[string]any)
	if !ok {
		return refsOf(u)
	}
	return refs{needs: strings1(kept, "needs"), shapes: strings1(kept, "shapes")}
}

func anyList(l []string) []any {
	out := make([]any, len(l))
	for i, s := range l {
		out[i] = s
	}
	return out
}

// appendInputs appends the Istio objects of src to dst.
func appendInputs(dst, src *inventory.Inventory) {
	dst.VirtualServices = append(dst.VirtualServices, src.VirtualServices...)
	dst.DestinationRules = append(dst.DestinationRules, src.DestinationRules...)
	dst.Gateways = append(dst.Gateways, src.Gateways...)
	dst.AuthorizationPolicies = append(dst.AuthorizationPolicies, src.AuthorizationPolicies...)
	dst.PeerAuthentications = append(dst.PeerAuthentications, src.PeerAuthentications...)
	dst.ServiceRoles = append(dst.ServiceRoles, src.ServiceRoles...)
	dst.ServiceRoleBindings = append(dst.ServiceRoleBindings, src.ServiceRoleBindings...)
	dst.ClusterRbacConfigs = append(dst.ClusterRbacConfigs, src.ClusterRbacConfigs...)
	dst.RbacConfigs = append(dst.RbacConfigs, src.RbacConfigs...)
}
