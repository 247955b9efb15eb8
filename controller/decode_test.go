package controller

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/meshbridge/meshbridge/hack/corpusgen"
	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/load"
	"github.com/meshbridge/meshbridge/model"
)

func TestAddInput(t *testing.T) {
	t.Run("any served version becomes the v1 type, keeping the apiVersion as served", func(t *testing.T) {
		inv := &inventory.Inventory{}
		fs, err := addInput(inv, mustUnstructured(t, `
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: {name: vs, namespace: shop, resourceVersion: "7", uid: u-1}
spec: {hosts: [reviews], http: [{route: [{destination: {host: reviews}}], timeout: 2s}]}
status: {validationMessages: [{type: {code: IST0101}}], whatever: true}`))
		if err != nil || len(fs) != 0 {
			t.Fatalf("addInput: %v, findings %v", err, fs)
		}
		if len(inv.VirtualServices) != 1 {
			t.Fatalf("%d VirtualServices, want 1", len(inv.VirtualServices))
		}
		vs := inv.VirtualServices[0]
		if vs.APIVersion != "networking.istio.io/v1alpha3" || vs.Spec.Http[0].Timeout.GetSeconds() != 2 {
			t.Errorf("decoded %s with timeout %v", vs.APIVersion, vs.Spec.Http[0].Timeout)
		}
	})
	t.Run("a value the schema let through but Istio's types cannot hold is an error naming the field", func(t *testing.T) {
		inv := &inventory.Inventory{}
		_, err := addInput(inv, mustUnstructured(t, `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vs, namespace: shop}
spec: {hosts: [reviews], http: [{route: [{destination: {host: reviews}, weight: 3000000000}]}]}`))
		if err == nil || !strings.Contains(err.Error(), "VirtualService shop/vs") || !strings.Contains(err.Error(), "spec.http[0].route[0].weight") {
			t.Errorf("error = %v, want one naming the object and spec.http[0].route[0].weight", err)
		}
		if len(inv.VirtualServices) != 0 {
			t.Error("an unreadable object was added to the inventory")
		}
	})
	t.Run("rbac.istio.io objects are read in either spelling, unknown keys reported", func(t *testing.T) {
		inv := &inventory.Inventory{}
		fs, err := addInput(inv, mustUnstructured(t, `
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: viewer, namespace: shop}
spec:
  rules:
  - services: [ratings.shop.svc.cluster.local]
    not_paths: [/admin]
    verbs: [GET]`))
		if err != nil {
			t.Fatal(err)
		}
		if len(inv.ServiceRoles) != 1 || len(inv.ServiceRoles[0].Spec.Rules[0].NotPaths) != 1 {
			t.Fatalf("ServiceRoles = %+v", inv.ServiceRoles)
		}
		if len(fs) != 1 || fs[0].Code != model.CodeUnknownField || fs[0].Field != "spec.rules[0].verbs" {
			t.Errorf("findings = %v, want MB1003 at spec.rules[0].verbs", fs)
		}
	})
}

func TestDecodeCache(t *testing.T) {
	vs := func(rv, timeout string) *unstructured.Unstructured {
		return mustUnstructured(t, `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vs, namespace: shop, resourceVersion: "`+rv+`", uid: u-1}
spec: {hosts: [reviews], http: [{route: [{destination: {host: reviews}}], timeout: `+timeout+`}]}`)
	}
	c := newDecodeCache()
	first, second := &inventory.Inventory{}, &inventory.Inventory{}
	if _, err := c.add(first, vs("1", "2s")); err != nil {
		t.Fatal(err)
	}
	decoded := c.m[keyOf(vs("1", "2s"))]
	if _, err := c.add(second, vs("1", "2s")); err != nil {
		t.Fatal(err)
	}
	if c.m[keyOf(vs("1", "2s"))] != decoded {
		t.Fatal("the same version of an object was decoded twice")
	}
	if len(first.VirtualServices) != 1 || len(second.VirtualServices) != 1 || first.VirtualServices[0] == second.VirtualServices[0] ||
		!proto.Equal(&first.VirtualServices[0].Spec, &second.VirtualServices[0].Spec) {
		t.Fatal("each translation does not get its own, equal copy")
	}
	t.Run("a new version is decoded again", func(t *testing.T) {
		inv := &inventory.Inventory{}
		if _, err := c.add(inv, vs("2", "3s")); err != nil {
			t.Fatal(err)
		}
		if got := inv.VirtualServices[0].Spec.Http[0].Timeout.GetSeconds(); got != 3 {
			t.Errorf("timeout %ds, want the new version's 3s", got)
		}
	})
	t.Run("an unreadable object stays unreadable, and is not added", func(t *testing.T) {
		bad := mustUnstructured(t, `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: bad, namespace: shop, resourceVersion: "5", uid: u-2}
spec: {hosts: [reviews], http: [{route: [{destination: {host: reviews}, weight: 3000000000}]}]}`)
		for range 2 {
			inv := &inventory.Inventory{}
			if _, err := c.add(inv, bad); err == nil || len(inv.VirtualServices) != 0 {
				t.Fatalf("error %v and %d VirtualServices, want an error and none", err, len(inv.VirtualServices))
			}
		}
	})
	t.Run("a deleted object is forgotten", func(t *testing.T) {
		c.forget(vs("2", "3s"))
		if len(c.m) != 1 {
			t.Errorf("%d objects kept, want only the unreadable one", len(c.m))
		}
	})
}

func TestIngestKeepsTheDecodedObjectAndOnlyTheMetadataInTheCache(t *testing.T) {
	c := newDecodeCache()
	u := mustUnstructured(t, `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: ap
  namespace: shop
  uid: u-1
  resourceVersion: "3"
  annotations: {kubectl.kubernetes.io/last-applied-configuration: "{}", istio.io/dry-run: "true"}
spec:
  action: ALLOW
  rules: [{from: [{source: {namespaces: [frontend]}}]}]
status: {validationMessages: []}`)
	c.ingest(u)
	if len(u.Object) != 4 || u.Object["spec"] != nil || u.GetAnnotations()[lastApplied] != "" || u.GetAnnotations()["istio.io/dry-run"] != "true" {
		t.Errorf("cached object = %v, want apiVersion, kind, metadata without kubectl's copy, and refs", u.Object)
	}
	c.ingest(u) // informers may transform an object twice
	if r := cachedRefs(u); len(r.needs) != 1 || r.needs[0] != "frontend" || len(r.shapes) != 0 {
		t.Errorf("cachedRefs = %+v, want needs [frontend]", r)
	}
	inv := &inventory.Inventory{}
	if _, err := c.add(inv, u); err != nil || len(inv.AuthorizationPolicies) != 1 {
		t.Fatalf("add: %v, %d policies", err, len(inv.AuthorizationPolicies))
	}
	if got := inv.AuthorizationPolicies[0].Spec.GetRules()[0].GetFrom()[0].GetSource().GetNamespaces(); len(got) != 1 || got[0] != "frontend" {
		t.Errorf("decoded source namespaces %v", got)
	}

	t.Run("a successor's deletion event does not forget the new object", func(t *testing.T) {
		old := u.DeepCopy()
		old.SetUID("u-0")
		c.forget(old)
		if _, err := c.add(&inventory.Inventory{}, u); err != nil {
			t.Errorf("after forgetting another object: %v", err)
		}
	})
	t.Run("a cached object never decoded is retried, not read as empty", func(t *testing.T) {
		c.forget(u)
		if _, err := c.add(&inventory.Inventory{}, u); !errors.Is(err, errNotDecoded) {
			t.Errorf("add of a forgotten object: %v, want errNotDecoded", err)
		}
	})
	t.Run("the controller's own outputs are trimmed, not read", func(t *testing.T) {
		out := mustUnstructured(t, `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: out, namespace: shop, labels: {app.kubernetes.io/managed-by: meshbridge}}
spec: {action: DENY}
status: {}`)
		c.ingest(out)
		if out.Object["spec"] == nil || out.Object["status"] != nil || c.m[keyOf(out)] != nil {
			t.Errorf("output after ingest: %v (decoded: %v)", out.Object, c.m[keyOf(out)] != nil)
		}
	})
}

// TestIndentedInputReadsAsCompact holds encodeInput's indentation to changing nothing the
// loader reads: every object of a generated corpus decodes to the same object and findings
// from indented JSON as from JSON on one line.
func TestIndentedInputReadsAsCompact(t *testing.T) {
	files, _, err := corpusgen.Files(corpusgen.Options{Objects: 1500, Seed: corpusgen.DefaultSeed})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		for _, doc := range strings.Split(string(f.Data), "\n---\n") {
			var content map[string]any
			if err := yaml.Unmarshal([]byte(doc), &content); err != nil || len(content) == 0 {
				continue
			}
			compact, _ := json.Marshal(content)
			indented, err := encodeInput(content)
			if err != nil {
				t.Fatal(err)
			}
			var a, b inventory.Inventory
			fa, errA := load.Decode(&a, "", compact, load.Options{})
			fb, errB := load.Decode(&b, "", indented, load.Options{})
			a.Locations, b.Locations = nil, nil
			ja, _ := json.Marshal([]any{&a, fa, fmt.Sprint(errA)})
			jb, _ := json.Marshal([]any{&b, fb, fmt.Sprint(errB)})
			if string(ja) != string(jb) {
				t.Errorf("%s: decodes differently when indented:\n%s\n%s", f.Name, ja, jb)
			}
			n++
		}
	}
	if n < 1000 {
		t.Errorf("only %d objects compared", n)
	}
}
