package controller

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/translate"
	"github.com/meshbridge/meshbridge/translate/emit"
)

func TestSMITargetForOSM(t *testing.T) {
	needEnv(t)
	if _, err := os.Stat(filepath.Join("..", "..", "shared", "crds", "smi", "osm-v1.2.4")); err != nil {
		t.Skip("../shared/crds/smi/osm-v1.2.4 is not present, so the SMI CRDs are not installed")
	}
	ctx := context.Background()
	ns := "smi"
	createNamespace(t, ns)
	startController(t, Options{To: "smi", Mesh: "osm", Namespaces: []string{ns}, RootNamespace: "smi-root"})
	_, _, vs, all := reviews(t, ns, 80, 20)
	create(t, all...)
	opts := translate.Options{To: "smi", Write: emit.Options{Mesh: "osm"}}
	want := expected(t, ns, opts, all...)
	if len(want) == 0 {
		t.Fatal("the SMI translation of the test input is empty")
	}
	eventually(t, converge, "SMI outputs", func() error { return matchesKinds(ctx, ns, smiKinds, want) })

	changed := weights(vs, 30, 70)
	apply(t, changed)
	want = expected(t, ns, opts, append(all[:4:4], changed)...)
	eventually(t, converge, "SMI outputs follow the update", func() error { return matchesKinds(ctx, ns, smiKinds, want) })
}

func TestRBACInputsMigrateToAuthorizationPolicies(t *testing.T) {
	needEnv(t)
	ctx := context.Background()
	ns := "rbac-migrate"
	createNamespace(t, ns)
	inputs := objects(t, ns, `
apiVersion: v1
kind: Service
metadata: {name: ratings}
spec:
  selector: {app: ratings}
  ports: [{name: http, port: 9080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ratings-v1}
spec:
  selector: {matchLabels: {app: ratings}}
  template:
    metadata: {labels: {app: ratings}}
    spec:
      serviceAccountName: ratings
      containers: [{name: app, image: ratings:v1, ports: [{containerPort: 9080}]}]
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: ratings-viewer}
spec:
  rules:
  - services: [ratings.rbac-migrate.svc.cluster.local]
    methods: [GET]
    not_paths: [/admin]
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: bind-ratings}
spec:
  subjects:
  - user: cluster.local/ns/rbac-migrate/sa/reviews
  roleRef: {kind: ServiceRole, name: ratings-viewer}
`)
	mode := objects(t, "", `
apiVersion: rbac.istio.io/v1alpha1
kind: ClusterRbacConfig
metadata: {name: default}
spec:
  mode: ON_WITH_INCLUSION
  inclusion: {namespaces: [rbac-migrate]}
`)[0]
	mode.SetNamespace("")
	create(t, mode)
	t.Cleanup(func() { remove(t, mode) }) // mesh-wide: other tests must not see it
	create(t, inputs...)
	startController(t, Options{To: "istio", Namespaces: []string{ns}, RootNamespace: "rbac-root"})

	opts := translate.Options{To: "istio"}
	want := expected(t, ns, opts, append(inputs, mode)...)
	if len(want) == 0 {
		t.Fatal("the istio translation of the rbac.istio.io input is empty")
	}
	// The outputs are AuthorizationPolicies, an input kind: were they read back, the
	// translation would change and this would not hold still.
	eventually(t, converge, "AuthorizationPolicies from ServiceRoles", func() error {
		return matchesKinds(ctx, ns, istioKindsOut, want)
	})
	consistently(t, settle, "outputs are not read back as inputs", func() error {
		return matchesKinds(ctx, ns, istioKindsOut, want)
	})
}

func TestFindingsBecomeEventsAndMetrics(t *testing.T) {
	needEnv(t)
	ctx := context.Background()
	ns := "findings"
	createNamespace(t, ns)
	startController(t, Options{Namespaces: []string{ns}, RootNamespace: "findings-root"})
	_, _, vs, all := reviews(t, ns, 80, 20)
	// Route to a subset no DestinationRule defines.
	http, _, _ := unstructured.NestedSlice(vs.Object, "spec", "http")
	http[0].(map[string]any)["route"].([]any)[1].(map[string]any)["destination"].(map[string]any)["subset"] = "v3"
	_ = unstructured.SetNestedSlice(vs.Object, http, "spec", "http")
	create(t, all...)

	res := translation(t, gatewayAPIOptions, all...)
	if len(res.Findings) == 0 {
		t.Fatal("the translation of the test input has no findings")
	}
	counts := map[[2]string]int{}
	for _, f := range res.Findings {
		counts[[2]string{string(f.Code), f.Severity.String()}]++
		eventually(t, converge, "an Event for "+f.String(), func() error {
			return hasEvent(ctx, f.Origin.Object.Kind, f.Origin.Object.Namespace, f.Origin.Object.Name, string(f.Code), f.Message)
		})
	}
	for k, n := range counts {
		if got := gaugeValue(findingsGauge.WithLabelValues(ns, k[0], k[1])); got != float64(n) {
			t.Errorf("meshbridge_findings{namespace=%q,code=%q,severity=%q} = %v, want %d", ns, k[0], k[1], got, n)
		}
	}

	t.Run("a fixed input clears them", func(t *testing.T) {
		_, _, fixed, _ := reviews(t, ns, 80, 20)
		apply(t, fixed)
		eventually(t, converge, "no findings left", func() error {
			for k := range counts {
				if got := gaugeValue(findingsGauge.WithLabelValues(ns, k[0], k[1])); got != 0 {
					return fmt.Errorf("meshbridge_findings{code=%q} = %v", k[0], got)
				}
			}
			return nil
		})
	})
}

// gaugeValue reads a gauge's current value.
func gaugeValue(g prometheus.Gauge) float64 {
	m := &dto.Metric{}
	if err := g.Write(m); err != nil {
		return -1
	}
	return m.GetGauge().GetValue()
}
