package controller

import (
	"encoding/json"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

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
	data, err := json.Marshal(content)
	if err != nil {
		return nil, err
	}
	fs, err := load.Decode(inv, "", data, load.Options{Namespace: u.GetNamespace()})
	for i := range fs {
		fs[i].Origin.At = model.Location{}
	}
	return fs, err
}
