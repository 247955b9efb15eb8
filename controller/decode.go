package controller

import (
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	rbacv1alpha1 "github.com/meshbridge/meshbridge/apis/rbac/v1alpha1"
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
	if u.GroupVersionKind().Group == rbacv1alpha1.GroupVersion.Group {
		return addRBAC(inv, u, data)
	}
	fs, err := load.Decode(inv, "", data, load.Options{Namespace: u.GetNamespace()})
	for i := range fs {
		fs[i].Origin.At = model.Location{}
	}
	return fs, err
}

// addRBAC decodes a retired rbac.istio.io/v1alpha1 object with the package that defines the
// kinds (the loader does not read them yet), reporting unknown keys as the loader would.
// TODO: use load.Decode once the loader reads these kinds, so that both paths stay one.
func addRBAC(inv *inventory.Inventory, u *unstructured.Unstructured, data []byte) (model.Findings, error) {
	obj, unknown, err := rbacv1alpha1.Decode(u.GetKind(), data)
	if err != nil {
		return nil, fmt.Errorf("%s %s/%s: %w", u.GetKind(), u.GetNamespace(), u.GetName(), err)
	}
	switch o := obj.(type) {
	case *rbacv1alpha1.ServiceRole:
		inv.ServiceRoles = append(inv.ServiceRoles, o)
	case *rbacv1alpha1.ServiceRoleBinding:
		inv.ServiceRoleBindings = append(inv.ServiceRoleBindings, o)
	case *rbacv1alpha1.ClusterRbacConfig:
		inv.ClusterRbacConfigs = append(inv.ClusterRbacConfigs, o)
	case *rbacv1alpha1.RbacConfig:
		inv.RbacConfigs = append(inv.RbacConfigs, o)
	}
	var fs model.Findings
	origin := model.Origin{Object: model.ObjectRef{APIVersion: u.GetAPIVersion(), Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName()}}
	for _, path := range unknown {
		fs.Add(load.Stage, model.CodeUnknownField, origin, path, "not a field of %s %s; ignored", u.GetAPIVersion(), u.GetKind())
	}
	return fs, nil
}
