package controller

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// reviews is a small mesh: a Service with two versions, subsets for them, and a
// VirtualService splitting traffic between the subsets with weights.
func reviews(t *testing.T, ns string, v1, v2 int) (workloads, dr, vs *unstructured.Unstructured, all []*unstructured.Unstructured) {
	t.Helper()
	objs := objects(t, ns, fmt.Sprintf(`
apiVersion: v1
kind: Service
metadata: {name: reviews}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v1}
spec:
  selector: {matchLabels: {app: reviews, version: v1}}
  template:
    metadata: {labels: {app: reviews, version: v1}}
    spec: {containers: [{name: app, image: reviews:v1, ports: [{containerPort: 9080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v2}
spec:
  selector: {matchLabels: {app: reviews, version: v2}}
  template:
    metadata: {labels: {app: reviews, version: v2}}
    spec: {containers: [{name: app, image: reviews:v2, ports: [{containerPort: 9080}]}]}
---
apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: %d
    - destination: {host: reviews, subset: v2}
      weight: %d
`, v1, v2))
	return objs[0], objs[3], objs[4], objs
}

// weights returns the VirtualService with other weights.
func weights(vs *unstructured.Unstructured, v1, v2 int64) *unstructured.Unstructured {
	c := vs.DeepCopy()
	route, _, _ := unstructured.NestedSlice(c.Object, "spec", "http")
	r := route[0].(map[string]any)["route"].([]any)
	r[0].(map[string]any)["weight"] = v1
	r[1].(map[string]any)["weight"] = v2
	_ = unstructured.SetNestedSlice(c.Object, route, "spec", "http")
	return c
}

func TestOutputsFollowInputs(t *testing.T) {
	needEnv(t)
	ctx := context.Background()
	ns := "follow"
	createNamespace(t, ns)
	startController(t, Options{RootNamespace: "follow-root"}) // every namespace

	_, dr, vs, all := reviews(t, ns, 80, 20)
	create(t, all...)
	want := expected(t, ns, gatewayAPIOptions, all...)
	if len(want) == 0 {
		t.Fatal("the translation of the test input is empty: nothing to test (is the Gateway API writer in?)")
	}
	eventually(t, converge, "outputs of the new VirtualService", func() error { return matches(ctx, ns, want) })
	for _, w := range want {
		if src := w.GetAnnotations()["meshbridge.io/source"]; src == "" {
			t.Errorf("%s has no meshbridge.io/source annotation", keyOf(w))
		}
	}
	eventually(t, converge, "an Applied event on the VirtualService", func() error {
		return hasEvent(ctx, "VirtualService", ns, "reviews", ReasonApplied, "created")
	})

	t.Run("an update is followed", func(t *testing.T) {
		changed := weights(vs, 50, 50)
		apply(t, changed)
		want := expected(t, ns, gatewayAPIOptions, append(all[:4:4], changed)...)
		eventually(t, converge, "outputs of the updated VirtualService", func() error { return matches(ctx, ns, want) })
	})

	t.Run("a deletion prunes", func(t *testing.T) {
		remove(t, vs, dr)
		want := expected(t, ns, gatewayAPIOptions, all[:3]...)
		eventually(t, converge, "outputs after deleting the VirtualService", func() error { return matches(ctx, ns, want) })
	})
}

func TestUserEditsToOwnedOutputAreReverted(t *testing.T) {
	needEnv(t)
	ctx := context.Background()
	ns := "revert"
	createNamespace(t, ns)
	startController(t, Options{Namespaces: []string{ns}, RootNamespace: "revert-root"})
	_, _, _, all := reviews(t, ns, 70, 30)
	create(t, all...)
	want := expected(t, ns, gatewayAPIOptions, all...)
	eventually(t, converge, "outputs", func() error { return matches(ctx, ns, want) })

	target := want[0]
	for _, w := range want {
		if w.GetKind() == "HTTPRoute" {
			target = w
		}
	}
	// A user edits the output with another field manager: replaces the spec's rules and adds
	// a label of their own.
	edit := &unstructured.Unstructured{}
	edit.SetGroupVersionKind(target.GroupVersionKind())
	if err := testClient.Get(ctx, client.ObjectKeyFromObject(target), edit); err != nil {
		t.Fatal(err)
	}
	patch := []byte(`{"metadata":{"labels":{"edited-by":"someone"}},"spec":{"rules":null}}`)
	if target.GetKind() == "Service" {
		patch = []byte(`{"metadata":{"labels":{"edited-by":"someone"}},"spec":{"selector":{"app":"hijacked"}}}`)
	}
	if err := testClient.Patch(ctx, edit, client.RawPatch(types.MergePatchType, patch), client.FieldOwner("kubectl-edit")); err != nil {
		t.Fatalf("editing %s: %v", keyOf(target), err)
	}
	eventually(t, converge, "the edited output back as translated", func() error { return matches(ctx, ns, want) })
}

func TestObjectsItDoesNotOwnAreLeftAlone(t *testing.T) {
	needEnv(t)
	ctx := context.Background()
	ns := "foreign"
	createNamespace(t, ns)
	_, _, _, all := reviews(t, ns, 60, 40)
	want := expected(t, ns, gatewayAPIOptions, all...)
	var taken *unstructured.Unstructured
	for _, w := range want {
		if w.GetKind() == "HTTPRoute" {
			taken = w
		}
	}
	if taken == nil {
		t.Fatal("the translation of the test input has no HTTPRoute")
	}
	// Someone else's HTTPRoute already has the name.
	theirs := objects(t, ns, fmt.Sprintf(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: %s, labels: {team: web}}
spec:
  parentRefs: [{group: "", kind: Service, name: reviews, port: 9080}]
  rules: [{backendRefs: [{name: reviews, port: 9080}]}]
`, taken.GetName()))[0]
	create(t, theirs)
	before := &unstructured.Unstructured{}
	before.SetGroupVersionKind(theirs.GroupVersionKind())
	if err := testClient.Get(ctx, client.ObjectKeyFromObject(theirs), before); err != nil {
		t.Fatal(err)
	}

	startController(t, Options{Namespaces: []string{ns}, RootNamespace: "foreign-root"})
	create(t, all...)

	eventually(t, converge, "a finding Event about the taken name", func() error {
		return hasEvent(ctx, "VirtualService", ns, "reviews", "MB7002", taken.GetName())
	})
	consistently(t, settle, "their HTTPRoute is untouched", func() error {
		now := &unstructured.Unstructured{}
		now.SetGroupVersionKind(theirs.GroupVersionKind())
		if err := testClient.Get(ctx, client.ObjectKeyFromObject(theirs), now); err != nil {
			return err
		}
		if now.GetResourceVersion() != before.GetResourceVersion() {
			return fmt.Errorf("changed: resourceVersion %s -> %s, labels %v", before.GetResourceVersion(), now.GetResourceVersion(), now.GetLabels())
		}
		return nil
	})

	t.Run("once they delete it, the translated object takes its place", func(t *testing.T) {
		remove(t, theirs)
		eventually(t, converge, "outputs", func() error { return matches(ctx, ns, want) })
	})
}

func TestUnreadableInputKeepsLastGoodOutput(t *testing.T) {
	needEnv(t)
	ctx := context.Background()
	bad, good := "held", "unaffected"
	createNamespace(t, bad, good)
	startController(t, Options{Namespaces: []string{bad, good}, RootNamespace: "held-root"})
	_, _, badVS, badAll := reviews(t, bad, 90, 10)
	_, _, goodVS, goodAll := reviews(t, good, 90, 10)
	create(t, append(badAll, goodAll...)...)
	wantBad := expected(t, bad, gatewayAPIOptions, badAll...)
	eventually(t, converge, "outputs in "+bad, func() error { return matches(ctx, bad, wantBad) })

	// The retired rbac.istio.io kinds have CRDs without a schema (as Istio 1.4's had), so the
	// API server stores a ServiceRole whose rules are not a list; meshbridge cannot read it.
	// While it is there, a valid change in the same namespace must not be applied either: a
	// half-read namespace could lose access rules that the unreadable object held.
	brokenRole := objects(t, bad, `apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: broken}
spec: {rules: "everything"}`)
	apply(t, brokenRole...)
	eventually(t, converge, "an MB7001 Event on the unreadable ServiceRole", func() error {
		return hasEvent(ctx, "ServiceRole", bad, "broken", "MB7001", "rules")
	})
	apply(t, weights(badVS, 30, 70))

	changed := weights(goodVS, 20, 80)
	apply(t, changed)
	wantGood := expected(t, good, gatewayAPIOptions, append(goodAll[:4:4], changed)...)
	eventually(t, converge, "the other namespace still follows its inputs", func() error { return matches(ctx, good, wantGood) })
	consistently(t, settle, "the last good output stays", func() error { return matches(ctx, bad, wantBad) })

	t.Run("fixing the input resumes translation", func(t *testing.T) {
		remove(t, brokenRole...)
		fixed := weights(badVS, 25, 75)
		apply(t, fixed)
		want := expected(t, bad, gatewayAPIOptions, append(badAll[:4:4], fixed)...)
		eventually(t, converge, "outputs of the fixed input", func() error { return matches(ctx, bad, want) })
	})
}

func TestDryRunChangesNothing(t *testing.T) {
	needEnv(t)
	ctx := context.Background()
	ns := "dry"
	createNamespace(t, ns)
	_, _, _, all := reviews(t, ns, 80, 20)
	// An owned object the translation does not produce: a real run would prune it.
	stale := objects(t, ns, fmt.Sprintf(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: stale
  labels: {%s: %s, %s: %s}
  annotations: {meshbridge.io/source: VirtualService/%s/reviews}
spec:
  parentRefs: [{group: "", kind: Service, name: reviews, port: 9080}]
`, ManagedByLabel, ManagedByValue, OwnerNamespaceLabel, ns, ns))[0]
	create(t, stale)
	startController(t, Options{Namespaces: []string{ns}, RootNamespace: "dry-root", DryRun: true})
	create(t, all...)

	eventually(t, converge, "dry-run Events", func() error {
		if err := hasEvent(ctx, "VirtualService", ns, "reviews", ReasonDryRun, "would have created"); err != nil {
			return err
		}
		return hasEvent(ctx, "VirtualService", ns, "reviews", ReasonDryRun, "would have deleted HTTPRoute "+ns+"/stale")
	})
	consistently(t, settle, "nothing applied or pruned", func() error {
		got, err := owned(ctx, ns, gatewayAPIKinds)
		if err != nil {
			return err
		}
		if len(got) != 1 || got[0].GetName() != "stale" {
			var names []string
			for _, g := range got {
				names = append(names, keyOf(g).String())
			}
			return fmt.Errorf("owned objects = %v, want only the stale HTTPRoute", names)
		}
		return nil
	})
}

func TestNamespaceScope(t *testing.T) {
	needEnv(t)
	ctx := context.Background()
	in, out := "scope-in", "scope-out"
	createNamespace(t, in, out)
	startController(t, Options{Namespaces: []string{in}, RootNamespace: "scope-root"})
	_, _, _, inAll := reviews(t, in, 80, 20)
	_, _, _, outAll := reviews(t, out, 80, 20)
	create(t, append(outAll, inAll...)...)
	want := expected(t, in, gatewayAPIOptions, inAll...)
	eventually(t, converge, "outputs in the scoped namespace", func() error { return matches(ctx, in, want) })
	consistently(t, settle, "nothing written outside the scope", func() error {
		got, err := owned(ctx, out, gatewayAPIKinds)
		if err == nil && len(got) > 0 {
			err = fmt.Errorf("%d owned objects in %s", len(got), out)
		}
		return err
	})
}

func TestRecoversFromAPIServerRestart(t *testing.T) {
	needEnv(t)
	if testAPIServer == nil {
		t.Fatal("the test control plane's kube-apiserver process was not found")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ns := "restart"
	createNamespace(t, ns)
	startController(t, Options{Namespaces: []string{ns}, RootNamespace: "restart-root"})
	_, _, vs, all := reviews(t, ns, 80, 20)
	create(t, all...)
	want := expected(t, ns, gatewayAPIOptions, all...)
	eventually(t, converge, "outputs before the restart", func() error { return matches(ctx, ns, want) })

	start := time.Now()
	if err := testAPIServer.restart(ctx, 2*time.Second); err != nil {
		t.Fatalf("restarting kube-apiserver: %v", err)
	}
	t.Logf("kube-apiserver stopped, down 2s and ready again in %s", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	changed := weights(vs, 10, 90)
	apply(t, changed)
	want = expected(t, ns, gatewayAPIOptions, append(all[:4:4], changed)...)
	eventually(t, time.Minute, "outputs follow a change made after the restart", func() error { return matches(ctx, ns, want) })
	t.Logf("converged %s after the restart", time.Since(start).Round(time.Millisecond))
}

func TestProbesMetricsAndLeaderElection(t *testing.T) {
	needEnv(t)
	ctx := context.Background()
	ns := "probes"
	createNamespace(t, ns)
	metricsAddr, probeAddr := freeAddr(t), freeAddr(t)
	startController(t, Options{
		Namespaces: []string{ns}, RootNamespace: "probes-root",
		MetricsBindAddress: metricsAddr, HealthProbeBindAddress: probeAddr,
		LeaderElection: true, LeaderElectionNamespace: ns, LeaderElectionID: "meshbridge-test",
	})
	_, _, _, all := reviews(t, ns, 80, 20)
	create(t, all...)
	want := expected(t, ns, gatewayAPIOptions, all...)
	eventually(t, converge, "outputs once elected", func() error { return matches(ctx, ns, want) })

	for _, path := range []string{"/healthz", "/readyz"} {
		eventually(t, converge, path, func() error {
			body, err := httpGet("http://" + probeAddr + path)
			if err == nil && body != "ok" {
				err = fmt.Errorf("body %q", body)
			}
			return err
		})
	}
	eventually(t, converge, "metrics", func() error {
		body, err := httpGet("http://" + metricsAddr + "/metrics")
		if err != nil {
			return err
		}
		for _, m := range []string{
			`meshbridge_translations_total{result="applied"}`,
			`meshbridge_objects_applied_total{dry_run="false",kind="HTTPRoute",operation="create"}`,
			`meshbridge_reconcile_duration_seconds_count`,
		} {
			if !strings.Contains(body, m) {
				return fmt.Errorf("no %s in /metrics", m)
			}
		}
		return nil
	})
	lease := &unstructured.Unstructured{}
	lease.SetAPIVersion("coordination.k8s.io/v1")
	lease.SetKind("Lease")
	if err := testClient.Get(ctx, client.ObjectKey{Namespace: ns, Name: "meshbridge-test"}, lease); err != nil {
		t.Errorf("leader election Lease: %v", err)
	}
}
