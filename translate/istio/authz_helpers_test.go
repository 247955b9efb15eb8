package istio

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	rbacv1alpha1 "github.com/meshbridge/meshbridge/apis/rbac/v1alpha1"
	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/load"
	"github.com/meshbridge/meshbridge/model"
)

// inventoryOf reads YAML documents (separated by ---) into a sorted inventory: rbac.istio.io
// kinds with rbacv1alpha1.Decode, everything else with the loader.
func inventoryOf(t *testing.T, docs ...string) *inventory.Inventory {
	t.Helper()
	inv := &inventory.Inventory{}
	for _, all := range docs {
		for i, doc := range strings.Split(all, "\n---") {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			var meta struct {
				APIVersion string
				Kind       string
				Metadata   struct{ Namespace string }
			}
			if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
				t.Fatalf("document %d: %v", i+1, err)
			}
			if meta.APIVersion == "" {
				continue
			}
			if meta.APIVersion != rbacv1alpha1.GroupVersion.String() {
				if _, err := load.Decode(inv, "test.yaml", []byte(doc), load.Options{}); err != nil {
					t.Fatalf("document %d: %v", i+1, err)
				}
				continue
			}
			obj, unknown, err := rbacv1alpha1.Decode(meta.Kind, []byte(doc))
			if err != nil || len(unknown) > 0 {
				t.Fatalf("document %d: %v %v", i+1, err, unknown)
			}
			addRBAC(inv, obj)
		}
	}
	inv.Sort()
	return inv
}

func addRBAC(inv *inventory.Inventory, obj any) {
	switch o := obj.(type) {
	case *rbacv1alpha1.ServiceRole:
		if o.Namespace == "" {
			o.Namespace = "default"
		}
		inv.ServiceRoles = append(inv.ServiceRoles, o)
	case *rbacv1alpha1.ServiceRoleBinding:
		if o.Namespace == "" {
			o.Namespace = "default"
		}
		inv.ServiceRoleBindings = append(inv.ServiceRoleBindings, o)
	case *rbacv1alpha1.ClusterRbacConfig:
		inv.ClusterRbacConfigs = append(inv.ClusterRbacConfigs, o)
	case *rbacv1alpha1.RbacConfig:
		if o.Namespace == "" {
			o.Namespace = "default"
		}
		inv.RbacConfigs = append(inv.RbacConfigs, o)
	}
}

// readYAML reads documents and returns the snapshot and findings.
func readYAML(t *testing.T, docs ...string) (*model.Snapshot, model.Findings) {
	t.Helper()
	return Read(inventoryOf(t, docs...), Options{})
}

// corpusFile returns a file of the shared corpus, or skips the test when it is absent.
func corpusFile(t *testing.T, rel string) string {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "corpus", rel)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("corpus file %s not found (the shared corpus is optional): %v", path, err)
	}
	return string(data)
}

// codesOf lists the finding codes, in order.
func codesOf(fs model.Findings) []string {
	var out []string
	for _, f := range fs.Sorted() {
		out = append(out, string(f.Code))
	}
	return out
}

// hasFinding reports whether a finding with code has a field containing field.
func hasFinding(fs model.Findings, code model.Code, field string) bool {
	for _, f := range fs {
		if f.Code == code && strings.Contains(f.Field, field) {
			return true
		}
	}
	return false
}

// request builds an HTTP request to a workload.
func request(ns string, labels map[string]string, port int32, principal, method, path string) model.Request {
	return model.Request{Namespace: ns, Labels: labels, Port: port, Principal: principal, Method: method, Path: path,
		Host: "example", SourceIP: "10.0.0.1"}
}

func labels(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}
