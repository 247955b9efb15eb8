package crdvalidate

import (
	"path/filepath"
	"strings"
	"testing"
)

// gatewayAPI loads the standard-channel CRDs that the pinned gateway-api module ships.
func gatewayAPI(t *testing.T) *Validator {
	t.Helper()
	dir, err := ModuleDir("sigs.k8s.io/gateway-api")
	if err != nil {
		t.Skipf("gateway-api module not available: %v", err)
	}
	v, err := Load(filepath.Join(dir, "config", "crd", "standard"))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestGatewayAPIHTTPRoute(t *testing.T) {
	v := gatewayAPI(t)
	const head = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: reviews, namespace: bookinfo}
spec:
  parentRefs: [{group: "", kind: Service, name: reviews, port: 9080}]
  rules:
`
	cases := []struct {
		name  string
		rules string
		want  []string
	}{
		{"a GAMMA route with weighted backends passes", `
  - matches: [{path: {type: PathPrefix, value: /api}}]
    backendRefs:
    - {name: reviews-v1, port: 9080, weight: 90}
    - {name: reviews-v2, port: 9080, weight: 10}
    timeouts: {request: 1500ms}`, nil},
		{"a Service backendRef without port is rejected by CEL", `
  - backendRefs: [{name: reviews-v1}]`, []string{"Must have port for Service reference"}},
		{"a fractional-second timeout is rejected", `
  - backendRefs: [{name: reviews-v1, port: 9080}]
    timeouts: {request: 1.5s}`, []string{"timeouts.request"}},
		{"an unknown field is rejected", `
  - backendRefs: [{name: reviews-v1, port: 9080, colour: red}]`, []string{"spec.rules[0].backendRefs[0].colour"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantErrs(t, v.Validate(obj(t, head+c.rules)), c.want...)
		})
	}
	t.Run("a version the CRDs do not serve is rejected", func(t *testing.T) {
		u := obj(t, head+"  - backendRefs: [{name: reviews-v1, port: 9080}]")
		u.SetAPIVersion("gateway.networking.k8s.io/v1alpha2")
		wantErrs(t, v.Validate(u), "apiVersion", "gateway.networking.k8s.io/v1")
	})
}

func TestSMICRDs(t *testing.T) {
	const split = `
metadata: {name: reviews, namespace: bookinfo}
spec:
  service: reviews
  backends: [{service: reviews-v1, weight: 90}, {service: reviews-v2, weight: 10}]`
	cases := []struct {
		name, dir, yaml string
		want            []string
	}{
		{"OSM serves TrafficSplit v1alpha2", "osm-v1.2.4",
			"apiVersion: split.smi-spec.io/v1alpha2\nkind: TrafficSplit" + split, nil},
		{"OSM does not serve TrafficSplit v1alpha4", "osm-v1.2.4",
			"apiVersion: split.smi-spec.io/v1alpha4\nkind: TrafficSplit" + split, []string{"apiVersion"}},
		{"linkerd-smi serves TrafficSplit v1alpha2", "linkerd-smi-v0.2.7",
			"apiVersion: split.smi-spec.io/v1alpha2\nkind: TrafficSplit" + split, nil},
		{"the smi-sdk-go v1 CRDs serve TrafficSplit v1alpha4", "smi-sdk-go-main-apiextensions-v1",
			"apiVersion: split.smi-spec.io/v1alpha4\nkind: TrafficSplit" + split, nil},
		{"TCPRoute matches.name is pruned by the v1 CRDs", "smi-sdk-go-main-apiextensions-v1", `
apiVersion: specs.smi-spec.io/v1alpha4
kind: TCPRoute
metadata: {name: db, namespace: default}
spec: {matches: {name: db, ports: [5432]}}`, []string{"spec.matches.name"}},
		{"HTTPRouteGroup headers as a map are rejected", "osm-v1.2.4", `
apiVersion: specs.smi-spec.io/v1alpha4
kind: HTTPRouteGroup
metadata: {name: api, namespace: default}
spec: {matches: [{name: m, headers: {user-agent: x}}]}`, []string{"spec.matches[0].headers"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, err := SharedCRDs(filepath.Join("smi", c.dir))
			if err != nil {
				t.Skip(err)
			}
			v, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			wantErrs(t, v.Validate(obj(t, c.yaml)), c.want...)
		})
	}
}

func TestNonStructuralV1beta1CRDsAreRefusedClearly(t *testing.T) {
	dir, err := SharedCRDs("smi/smi-sdk-go-v0.5.0")
	if err != nil {
		t.Skip(err)
	}
	// smi-sdk-go v0.5.0 ships v1beta1 CRDs whose schemas leave out `type: object`.
	_, err = Load(dir)
	if err == nil || !strings.Contains(err.Error(), "v1beta1") || !strings.Contains(err.Error(), "structural") {
		t.Errorf("Load(%s): got %v, want an error about a non-structural v1beta1 CRD", dir, err)
	}
}
