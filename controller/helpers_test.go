package controller

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/meshbridge/meshbridge/internal/kubetest"
	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/translate"
)

// eventually polls check every 100 ms until it returns nil, and fails the test with the last
// error after timeout. Timeouts are generous: the machine is shared and slow.
func eventually(t *testing.T, timeout time.Duration, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true after %s: %v", what, timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// consistently fails the test if check returns an error within d.
func consistently(t *testing.T, d time.Duration, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if err := check(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

const (
	converge = 30 * time.Second // for the controller to act on a change
	settle   = 2 * time.Second  // to be sure something does not happen
)

func testLogger() logr.Logger {
	if os.Getenv("MESHBRIDGE_TEST_LOG") == "" {
		return logr.Discard()
	}
	return funcr.New(func(prefix, args string) { fmt.Fprintln(os.Stderr, prefix, args) }, funcr.Options{Verbosity: 1})
}

// startController runs a controller until the test ends. Unless opts says otherwise it
// translates for Gateway API, serves neither metrics nor probes, and does not elect a leader.
// The returned function stops it earlier.
func startController(t *testing.T, opts Options) (stop func()) {
	t.Helper()
	return startControllerAs(t, testCfg, opts)
}

// startControllerAs runs a controller with cfg's credentials.
func startControllerAs(t *testing.T, cfg *rest.Config, opts Options) (stop func()) {
	t.Helper()
	if opts.To == "" {
		opts.To = "gatewayapi"
	}
	if opts.MetricsBindAddress == "" {
		opts.MetricsBindAddress = "0"
	}
	if opts.HealthProbeBindAddress == "" {
		opts.HealthProbeBindAddress = "0"
	}
	opts.DiscoveryInterval = 2 * time.Second
	opts.Logger = testLogger()
	mgr, err := New(cfg, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	stop = sync.OnceFunc(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("manager: %v", err)
		}
	})
	t.Cleanup(stop)
	return stop
}

// freeAddr returns a free 127.0.0.1 address to listen on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// objects parses YAML documents into unstructured objects, giving them namespace ns.
func objects(t *testing.T, ns, docs string) []*unstructured.Unstructured {
	t.Helper()
	var out []*unstructured.Unstructured
	for _, doc := range strings.Split(docs, "\n---\n") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
			t.Fatalf("test input: %v", err)
		}
		u.SetNamespace(ns)
		out = append(out, u)
	}
	return out
}

func createNamespace(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if err := testClient.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: n}}); err != nil {
			t.Fatalf("creating namespace %s: %v", n, err)
		}
	}
}

// create creates objects; apply creates or replaces them, as a user would with kubectl apply.
func create(t *testing.T, objs ...*unstructured.Unstructured) {
	t.Helper()
	for _, o := range objs {
		if err := testClient.Create(context.Background(), o.DeepCopy()); err != nil {
			t.Fatalf("creating %s %s/%s: %v", o.GetKind(), o.GetNamespace(), o.GetName(), err)
		}
	}
}

func apply(t *testing.T, objs ...*unstructured.Unstructured) {
	t.Helper()
	for _, o := range objs {
		c := o.DeepCopy()
		c.SetManagedFields(nil)
		c.SetResourceVersion("")
		if err := testClient.Apply(context.Background(), client.ApplyConfigurationFromUnstructured(c), client.FieldOwner("test-user"), client.ForceOwnership); err != nil {
			t.Fatalf("applying %s %s/%s: %v", o.GetKind(), o.GetNamespace(), o.GetName(), err)
		}
	}
}

func remove(t *testing.T, objs ...*unstructured.Unstructured) {
	t.Helper()
	for _, o := range objs {
		if err := testClient.Delete(context.Background(), o.DeepCopy()); err != nil && !apierrors.IsNotFound(err) {
			t.Fatalf("deleting %s %s/%s: %v", o.GetKind(), o.GetNamespace(), o.GetName(), err)
		}
	}
}

// expected runs the pure translation on inputs, as the CLI would on the same objects in a
// file, and returns what the controller should own in ns.
func expected(t *testing.T, ns string, opts translate.Options, inputs ...*unstructured.Unstructured) []*unstructured.Unstructured {
	t.Helper()
	return desiredIn(ns, translation(t, opts, inputs...).Objects)
}

// translation runs the pure translation on inputs, decoded as the controller decodes them.
func translation(t *testing.T, opts translate.Options, inputs ...*unstructured.Unstructured) translate.Result {
	t.Helper()
	inv := &inventory.Inventory{}
	for _, in := range inputs {
		if _, err := addInput(inv, in); err != nil {
			t.Fatalf("test input: %v", err)
		}
	}
	inv.Locations = nil
	inv.Sort()
	res, err := translate.Translate(inv, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

var gatewayAPIOptions = translate.Options{To: "gatewayapi"}

// owned lists the objects of the output kinds in ns that carry ns's ownership labels.
func owned(ctx context.Context, ns string, kinds []schema.GroupVersionKind) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	for _, gvk := range kinds {
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		if err := testClient.List(ctx, l, client.InNamespace(ns),
			client.MatchingLabels{ManagedByLabel: ManagedByValue, OwnerNamespaceLabel: ns}); err != nil {
			return nil, err
		}
		for i := range l.Items {
			out = append(out, &l.Items[i])
		}
	}
	return out, nil
}

// gatewayAPIKinds are the kinds the Gateway API writer may write, at the versions the test
// control plane serves.
var gatewayAPIKinds = []schema.GroupVersionKind{
	{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "HTTPRoute"},
	{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "GRPCRoute"},
	{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "TCPRoute"},
	{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "TLSRoute"},
	{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "Gateway"},
	{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "ReferenceGrant"},
	{Version: "v1", Kind: "Service"},
}

// smiKinds are the kinds the SMI writer may write, at the versions OSM serves.
var smiKinds = []schema.GroupVersionKind{
	{Group: "split.smi-spec.io", Version: "v1alpha2", Kind: "TrafficSplit"},
	{Group: "specs.smi-spec.io", Version: "v1alpha4", Kind: "HTTPRouteGroup"},
	{Group: "specs.smi-spec.io", Version: "v1alpha4", Kind: "TCPRoute"},
	{Group: "access.smi-spec.io", Version: "v1alpha3", Kind: "TrafficTarget"},
	{Version: "v1", Kind: "Service"},
}

// istioKindsOut are the kinds the istio writer writes.
var istioKindsOut = []schema.GroupVersionKind{
	{Group: "security.istio.io", Version: "v1", Kind: "AuthorizationPolicy"},
	{Group: "security.istio.io", Version: "v1", Kind: "PeerAuthentication"},
}

// matches checks that the cluster holds exactly want among the owned objects of ns: the same
// keys, each with every field want sets (the server may add defaults).
func matches(ctx context.Context, ns string, want []*unstructured.Unstructured) error {
	return matchesKinds(ctx, ns, gatewayAPIKinds, want)
}

func matchesKinds(ctx context.Context, ns string, kinds []schema.GroupVersionKind, want []*unstructured.Unstructured) error {
	got, err := owned(ctx, ns, kinds)
	if err != nil {
		return err
	}
	byKey := map[objKey]*unstructured.Unstructured{}
	for _, g := range got {
		byKey[keyOf(g)] = g
	}
	var problems []string
	for _, w := range want {
		g, ok := byKey[keyOf(w)]
		if !ok {
			problems = append(problems, "missing "+keyOf(w).String())
			continue
		}
		delete(byKey, keyOf(w))
		for _, field := range []string{"spec", "metadata.labels", "metadata.annotations"} {
			path := strings.Split(field, ".")
			wv, _, _ := unstructured.NestedFieldNoCopy(w.Object, path...)
			if field == "metadata.annotations" {
				// The hash is of the whole object, and the controller's inputs carry the API
				// server's defaults, which the test's inputs do not: only its presence counts.
				if a, ok := wv.(map[string]any); ok {
					a = maps.Clone(a)
					delete(a, HashAnnotation)
					wv = a
				}
				ga, _, _ := unstructured.NestedStringMap(g.Object, path...)
				if ga[HashAnnotation] == "" {
					problems = append(problems, keyOf(w).String()+" has no "+HashAnnotation+" annotation")
				}
			}
			gv, _, _ := unstructured.NestedFieldNoCopy(g.Object, path...)
			if !kubetest.Subset(wv, gv) {
				problems = append(problems, fmt.Sprintf("%s %s = %v, want %v", keyOf(w), field, gv, wv))
			}
		}
	}
	for k := range byKey {
		problems = append(problems, "unexpected "+k.String())
	}
	slices.Sort(problems)
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// eventsAbout returns the Events in the cluster about the object kind/ns/name.
func eventsAbout(ctx context.Context, kind, ns, name string) ([]eventsv1.Event, error) {
	var l eventsv1.EventList
	if err := testClient.List(ctx, &l, client.InNamespace(ns)); err != nil {
		return nil, err
	}
	var out []eventsv1.Event
	for _, e := range l.Items {
		if e.Regarding.Kind == kind && e.Regarding.Name == name {
			out = append(out, e)
		}
	}
	return out, nil
}

// hasEvent checks for an Event about kind/ns/name with reason and a note containing text.
func hasEvent(ctx context.Context, kind, ns, name, reason, text string) error {
	evs, err := eventsAbout(ctx, kind, ns, name)
	if err != nil {
		return err
	}
	var seen []string
	for _, e := range evs {
		if e.Reason == reason && strings.Contains(e.Note, text) {
			return nil
		}
		seen = append(seen, e.Reason+": "+e.Note)
	}
	return fmt.Errorf("no %s Event about %s %s/%s containing %q; have %q", reason, kind, ns, name, text, seen)
}

func httpGet(url string) (string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return string(b), fmt.Errorf("GET %s: %s: %s", url, resp.Status, b)
	}
	return string(b), nil
}
