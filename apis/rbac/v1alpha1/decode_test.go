package v1alpha1

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

func TestDecode(t *testing.T) {
	t.Run("proto and JSON spellings decode to the same object", func(t *testing.T) {
		proto := `
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: r, namespace: ns}
spec:
  rules:
  - services: ["a.ns.svc.cluster.local"]
    not_paths: ["/admin*"]
    not_methods: [DELETE]
    not_ports: [8080]
    not_hosts: [evil.com]`
		jsonName := strings.NewReplacer("not_paths", "notPaths", "not_methods", "notMethods",
			"not_ports", "notPorts", "not_hosts", "notHosts").Replace(proto)
		a := mustDecode(t, KindServiceRole, proto).(*ServiceRole)
		b := mustDecode(t, KindServiceRole, jsonName).(*ServiceRole)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("spellings differ:\n%+v\n%+v", a, b)
		}
		r := a.Spec.Rules[0]
		if !slices.Equal(r.NotPaths, []string{"/admin*"}) || !slices.Equal(r.NotPorts, []int32{8080}) ||
			!slices.Equal(r.NotMethods, []string{"DELETE"}) || !slices.Equal(r.NotHosts, []string{"evil.com"}) {
			t.Errorf("rule = %+v", r)
		}
	})
	t.Run("every hidden binding and subject field is read", func(t *testing.T) {
		o := mustDecode(t, KindServiceRoleBinding, `
kind: ServiceRoleBinding
metadata: {name: b, namespace: ns}
spec:
  mode: PERMISSIVE
  role_ref: {kind: ServiceRole, name: r}
  role: /root-role
  actions: [{services: ["*"]}]
  subjects:
  - user: u
    group: g
    properties: {source.ip: 10.0.0.1}
    names: [n1]
    not_names: [nn]
    groups: [g1]
    not_groups: [g2]
    namespaces: [ns1]
    not_namespaces: [ns2]
    ips: [10.0.0.0/8]
    not_ips: [10.1.0.0/16]`).(*ServiceRoleBinding)
		want := ServiceRoleBindingSpec{
			Mode: Permissive, RoleRef: &RoleRef{Kind: "ServiceRole", Name: "r"}, Role: "/root-role",
			Actions: []AccessRule{{Services: []string{"*"}}},
			Subjects: []Subject{{
				User: "u", Group: "g", Properties: map[string]string{"source.ip": "10.0.0.1"},
				Names: []string{"n1"}, NotNames: []string{"nn"}, Groups: []string{"g1"}, NotGroups: []string{"g2"},
				Namespaces: []string{"ns1"}, NotNamespaces: []string{"ns2"}, Ips: []string{"10.0.0.0/8"},
				NotIps: []string{"10.1.0.0/16"},
			}},
		}
		if !reflect.DeepEqual(o.Spec, want) {
			t.Errorf("spec = %+v\nwant %+v", o.Spec, want)
		}
	})
	t.Run("unknown keys are dropped and reported with their path", func(t *testing.T) {
		_, unknown, err := Decode(KindServiceRole, []byte(`
kind: ServiceRole
metadata: {name: r, nmespace: ns}
spec:
  rules:
  - services: ["*"]
    verbs: [get]
  typo: 1`))
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"metadata.nmespace", "spec.rules[0].verbs", "spec.typo"}
		if !slices.Equal(unknown, want) {
			t.Errorf("unknown = %q, want %q", unknown, want)
		}
	})
	t.Run("enforcement_mode PERMISSIVE and a quoted mode are read", func(t *testing.T) {
		o := mustDecode(t, KindClusterRbacConfig, `
kind: ClusterRbacConfig
metadata: {name: default}
spec:
  mode: 'ON_WITH_INCLUSION'
  inclusion: {namespaces: ["default"]}
  enforcement_mode: PERMISSIVE`).(*ClusterRbacConfig)
		if o.Spec.Mode != ModeOnWithInclusion || o.Spec.EnforcementMode != Permissive ||
			!slices.Equal(o.Spec.Inclusion.Namespaces, []string{"default"}) {
			t.Errorf("spec = %+v", o.Spec)
		}
	})
	t.Run("enum numbers and quoted integers are read as jsonpb read them", func(t *testing.T) {
		o := mustDecode(t, KindRbacConfig, `{"kind":"RbacConfig","metadata":{"name":"default"},"spec":{"mode":3,"exclusion":{}}}`).(*RbacConfig)
		if o.Spec.Mode != ModeOnWithExclusion || o.Spec.Exclusion == nil {
			t.Errorf("spec = %+v", o.Spec)
		}
		r := mustDecode(t, KindServiceRole, `{"spec":{"rules":[{"services":["*"],"ports":["8080", 9090]}]}}`).(*ServiceRole)
		if !slices.Equal(r.Spec.Rules[0].Ports, []int32{8080, 9090}) {
			t.Errorf("ports = %v", r.Spec.Rules[0].Ports)
		}
	})
	t.Run("the empty mode is OFF and the empty enforcement mode ENFORCED", func(t *testing.T) {
		var s RbacConfigSpec
		if s.Mode.OrDefault() != ModeOff || s.EnforcementMode.OrDefault() != Enforced {
			t.Errorf("defaults = %s, %s", s.Mode.OrDefault(), s.EnforcementMode.OrDefault())
		}
	})
	bad := []struct {
		name, kind, doc, want string
	}{
		{"an unquoted ON is a YAML boolean and is refused", KindClusterRbacConfig,
			"kind: ClusterRbacConfig\nspec:\n  mode: ON\n", "spec.mode: mode is the boolean true"},
		{"an unknown mode is refused", KindClusterRbacConfig, "spec: {mode: SOMETIMES}", "spec.mode: unknown mode"},
		{"an unknown enforcement mode names its field", KindRbacConfig,
			"spec: {mode: 'ON', enforcement_mode: STRICT}", "spec.enforcementMode: unknown enforcement mode"},
		{"a field in both spellings is refused", KindServiceRole,
			"spec: {rules: [{services: ['*'], not_paths: [/a], notPaths: [/b]}]}", "both"},
		{"a document of another kind is refused", KindServiceRole, "kind: ServiceRoleBinding", "kind is"},
		{"another apiVersion is refused", KindServiceRole, "apiVersion: rbac.istio.io/v1beta1", "apiVersion"},
		{"a wrongly typed value is refused", KindServiceRole, "spec: {rules: [{services: 3}]}", "cannot unmarshal"},
		{"an unknown kind is refused", "AuthorizationPolicy", "{}", "no kind"},
		{"a list is not an object", KindServiceRole, "[1]", "not an object"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := Decode(c.kind, []byte(c.doc))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to mention %q", err, c.want)
			}
		})
	}
}

func TestDirectUnmarshalAcceptsBothSpellings(t *testing.T) {
	var b ServiceRoleBinding
	err := yaml.Unmarshal([]byte(`{spec: {role_ref: {name: r}, subjects: [{not_names: [x]}]}}`), &b)
	if err != nil {
		t.Fatal(err)
	}
	if b.Spec.RoleRef == nil || b.Spec.RoleRef.Name != "r" || !slices.Equal(b.Spec.Subjects[0].NotNames, []string{"x"}) {
		t.Errorf("spec = %+v", b.Spec)
	}
}

func TestSchemeAndDeepCopy(t *testing.T) {
	s := runtime.NewScheme()
	if err := AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{KindServiceRole, KindServiceRoleBinding, KindClusterRbacConfig, KindRbacConfig} {
		if !s.Recognizes(GroupVersion.WithKind(k)) || !s.Recognizes(GroupVersion.WithKind(k+"List")) {
			t.Errorf("scheme does not recognize %s", k)
		}
	}
	o := mustDecode(t, KindServiceRoleBinding, `{spec: {roleRef: {name: r}, subjects: [{user: a, properties: {k: v}}]}}`).(*ServiceRoleBinding)
	c := o.DeepCopyObject().(*ServiceRoleBinding)
	c.Spec.RoleRef.Name = "changed"
	c.Spec.Subjects[0].Properties["k"] = "changed"
	if o.Spec.RoleRef.Name != "r" || o.Spec.Subjects[0].Properties["k"] != "v" {
		t.Error("DeepCopy shares memory with the original")
	}
	if !reflect.DeepEqual(o, o.DeepCopy()) {
		t.Error("DeepCopy is not equal to the original")
	}
}

// TestDecodeCorpus reads every rbac.istio.io document of the shared corpus.
func TestDecodeCorpus(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "..", "shared", "corpus", "istio-1.4-rbac-v1alpha1")
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.yaml"))
	if len(files) == 0 {
		t.Skipf("corpus not found at %s", dir)
	}
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range strings.Split(string(data), "\n---") {
			var meta struct{ APIVersion, Kind string }
			if err := yaml.Unmarshal([]byte(doc), &meta); err != nil || meta.APIVersion != GroupVersion.String() {
				continue
			}
			_, unknown, err := Decode(meta.Kind, []byte(doc))
			if err != nil || len(unknown) > 0 {
				t.Errorf("%s document %d: err %v, unknown %v", f, i+1, err, unknown)
			}
			n++
		}
	}
	if n < 15 {
		t.Errorf("decoded only %d rbac documents", n)
	}
}

func mustDecode(t *testing.T, kind, doc string) runtime.Object {
	t.Helper()
	o, unknown, err := Decode(kind, []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(unknown) > 0 {
		t.Fatalf("unknown fields %v", unknown)
	}
	return o
}
