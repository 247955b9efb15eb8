package crdvalidate

import (
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"
)

// obj parses a YAML object the way a test writes it.
func obj(t *testing.T, s string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(s), &u.Object); err != nil {
		t.Fatal(err)
	}
	return u
}

// wantErrs checks that errs is empty when want is empty, and otherwise that some error mentions
// each wanted substring.
func wantErrs(t *testing.T, errs field.ErrorList, want ...string) {
	t.Helper()
	if len(want) == 0 {
		if len(errs) > 0 {
			t.Fatalf("want no errors, got:\n%v", errs.ToAggregate())
		}
		return
	}
	all := errs.ToAggregate()
	if all == nil {
		t.Fatalf("want errors mentioning %q, got none", want)
	}
	t.Log(all)
	for _, w := range want {
		if !strings.Contains(all.Error(), w) {
			t.Errorf("want an error mentioning %q, got:\n%v", w, all)
		}
	}
}

func TestValidateAgainstASmallCRD(t *testing.T) {
	v, err := Load("testdata")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		yaml string
		want []string
	}{
		{"a valid object passes, with its default applied before CEL", `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: default}
spec: {size: 3, ports: [{name: a, port: 1}, {name: b, port: 2}], tags: [red, blue]}`, nil},
		{"a CEL rule sees the defaulted value", `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: default}
spec: {size: 11}`, []string{"size must not exceed limit"}},
		{"an unserved version is refused", `
apiVersion: example.com/v2
kind: Widget
metadata: {name: w, namespace: default}
spec: {}`, []string{"apiVersion", "example.com/v1"}},
		{"an unknown kind is refused", `
apiVersion: example.com/v1
kind: Sprocket
metadata: {name: w, namespace: default}`, []string{"no CRD loaded"}},
		{"an unknown field is reported", `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: default}
spec: {size: 1, colour: red}`, []string{"spec.colour", "unknown field"}},
		{"an unknown metadata field is reported", `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: default, colour: red}
spec: {size: 1}`, []string{"metadata.colour"}},
		{"a missing required field is reported", `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: default}
spec: {}`, []string{"spec.size", "Required"}},
		{"an enum violation is reported", `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: default}
spec: {size: 1, mode: medium}`, []string{"spec.mode", "Unsupported value"}},
		{"a duplicate list-map key is reported", `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: default}
spec: {size: 1, ports: [{name: a, port: 1}, {name: a, port: 2}]}`, []string{"spec.ports[1]", "Duplicate"}},
		{"a duplicate list-set item is reported", `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: default}
spec: {size: 1, tags: [x, x]}`, []string{"spec.tags[1]", "Duplicate"}},
		{"a namespaced kind without namespace is reported", `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec: {size: 1}`, []string{"metadata.namespace"}},
		{"an invalid name is reported", `
apiVersion: example.com/v1
kind: Widget
metadata: {name: Not_A_Name, namespace: default}
spec: {size: 1}`, []string{"metadata.name"}},
		{"a converted v1beta1 CRD validates its served version", `
apiVersion: example.com/v1alpha2
kind: Gadget
metadata: {name: g, namespace: default}
spec: {weight: -1}`, []string{"spec.weight"}},
		{"a converted v1beta1 CRD keeps its unserved versions unserved", `
apiVersion: example.com/v1alpha1
kind: Gadget
metadata: {name: g, namespace: default}
spec: {weight: 1}`, []string{"apiVersion"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantErrs(t, v.Validate(obj(t, c.yaml)), c.want...)
		})
	}
}

func TestValidateLeavesTheObjectAlone(t *testing.T) {
	v, err := Load("testdata/widgets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	u := obj(t, "{apiVersion: example.com/v1, kind: Widget, metadata: {name: w, namespace: d}, spec: {size: 1, x: 1}}")
	before := u.DeepCopy()
	v.Validate(u)
	if !equalJSON(t, u, before) {
		t.Errorf("Validate changed its argument: %v", u.Object)
	}
}

func TestValidateAcceptsGoIntegers(t *testing.T) {
	v, err := Load("testdata/widgets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Writers may build unstructured content with int32 (or float64 from sigs.k8s.io/yaml);
	// CEL needs int64, which the validator's JSON round-trip provides.
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "example.com/v1", "kind": "Widget",
		"metadata": map[string]any{"name": "w", "namespace": "d"},
		"spec":     map[string]any{"size": int32(2), "limit": float64(4)},
	}}
	wantErrs(t, v.Validate(u))
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, file, content, want string
	}{
		{"a non-structural schema names the CRD and version", "bad.yaml", `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: things.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Thing, plural: things}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        properties:
          spec: {properties: {a: {type: string}}}
`, "CRD things.example.com version v1"},
		{"an unknown CRD apiVersion names the file and document", "odd.yaml", "---\n{}\n---\napiVersion: apiextensions.k8s.io/v2\nkind: CustomResourceDefinition\n", "odd.yaml: document 2"},
		{"a folder without CRDs is an error", "empty.yaml", "apiVersion: v1\nkind: ConfigMap\n", "no CustomResourceDefinition"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sub := filepath.Join(dir, c.name)
			if err := mkfile(sub, c.file, c.content); err != nil {
				t.Fatal(err)
			}
			_, err := Load(sub)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Load: got %v, want an error mentioning %q", err, c.want)
			}
		})
	}
}
