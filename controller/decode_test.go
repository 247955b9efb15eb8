package controller

import (
	"strings"
	"testing"

	"github.com/meshbridge/meshbridge/inventory"
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
