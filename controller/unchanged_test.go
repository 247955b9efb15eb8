package controller

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// applyCounter counts a controller's apply requests and the Applied Events it records.
type applyCounter struct {
	n      atomic.Int64
	mu     sync.Mutex
	events []string // notes of Applied Events
}

func (c *applyCounter) hook(*unstructured.Unstructured) { c.n.Add(1) }

func (c *applyCounter) event(reason, note string) {
	if reason == ReasonApplied {
		c.mu.Lock()
		c.events = append(c.events, note)
		c.mu.Unlock()
	}
}

// applied returns the notes of the Applied Events recorded so far.
func (c *applyCounter) applied() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.events)
}

// watch makes opts report to c.
func (c *applyCounter) watch(opts Options) Options {
	opts.onApply, opts.onEvent = c.hook, c.event
	return opts
}

// translations returns how many namespace translations converged so far, in every controller
// of the test binary.
func translations(t *testing.T) float64 {
	t.Helper()
	var m dto.Metric
	if err := translationsTotal.WithLabelValues("applied").Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// versions returns the resourceVersions of the owned objects of ns.
func versions(ctx context.Context, ns string) (map[string]string, error) {
	objs, err := owned(ctx, ns, gatewayAPIKinds)
	out := map[string]string{}
	for _, o := range objs {
		out[keyOf(o).String()] = o.GetResourceVersion()
	}
	return out, err
}

// settled waits until the counter stops moving for a second.
func (c *applyCounter) settled(t *testing.T) int64 {
	t.Helper()
	last := c.n.Load()
	eventually(t, converge, "apply requests to stop", func() error {
		time.Sleep(time.Second)
		if now := c.n.Load(); now != last {
			last = now
			return fmt.Errorf("%d apply requests so far", now)
		}
		return nil
	})
	return last
}

// touch relabels the reviews-v1 Deployment of ns: a change the controller sees (it reconciles
// the namespace) that does not change the translation.
func touch(t *testing.T, ns, value string) {
	t.Helper()
	d := &unstructured.Unstructured{}
	d.SetAPIVersion("apps/v1")
	d.SetKind("Deployment")
	d.SetNamespace(ns)
	d.SetName("reviews-v1")
	patch := fmt.Appendf(nil, `{"metadata":{"labels":{"touched":%q}}}`, value)
	if err := testClient.Patch(context.Background(), d, client.RawPatch(types.MergePatchType, patch)); err != nil {
		t.Fatal(err)
	}
}

// editSpec replaces an owned output's spec field as kubectl edit would, without touching its
// labels or annotations (so its hash annotation still matches).
func editSpec(t *testing.T, obj *unstructured.Unstructured, patch string) {
	t.Helper()
	e := &unstructured.Unstructured{}
	e.SetGroupVersionKind(obj.GroupVersionKind())
	e.SetNamespace(obj.GetNamespace())
	e.SetName(obj.GetName())
	if err := testClient.Patch(context.Background(), e, client.RawPatch(types.MergePatchType, []byte(patch)), client.FieldOwner("kubectl-edit")); err != nil {
		t.Fatalf("editing %s: %v", keyOf(obj), err)
	}
}

// ofKind returns the first of objs of kind.
func ofKind(t *testing.T, objs []*unstructured.Unstructured, kind string) *unstructured.Unstructured {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() == kind {
			return o
		}
	}
	t.Fatalf("the translation of the test input has no %s", kind)
	return nil
}

func TestUnchangedOutputsAreNotAppliedAgain(t *testing.T) {
	needEnv(t)
	ctx := context.Background()
	ns := "unchanged"
	createNamespace(t, ns)
	var applies applyCounter
	opts := applies.watch(Options{Namespaces: []string{ns}, RootNamespace: "unchanged-root"})
	stop := startController(t, opts)
	_, _, _, all := reviews(t, ns, 80, 20)
	create(t, all...)
	want := expected(t, ns, gatewayAPIOptions, all...)
	eventually(t, converge, "outputs", func() error { return matches(ctx, ns, want) })
	eventually(t, converge, "Applied Events", func() error { return hasEvent(ctx, "VirtualService", ns, "reviews", ReasonApplied, "created") })

	// unchanged checks that reconciling ns again applies nothing and records no Event.
	unchanged := func(t *testing.T, touchValue string) {
		t.Helper()
		before := applies.settled(t)
		events := applies.applied()
		rvs, err := versions(ctx, ns)
		if err != nil {
			t.Fatal(err)
		}
		done := translations(t)
		touch(t, ns, touchValue)
		eventually(t, converge, "a reconcile of the namespace", func() error {
			if translations(t) <= done {
				return fmt.Errorf("no translation since the Deployment changed")
			}
			return nil
		})
		consistently(t, settle, "no apply, no Event, no write", func() error {
			if n := applies.n.Load(); n != before {
				return fmt.Errorf("%d apply requests, want none", n-before)
			}
			if now := applies.applied(); len(now) != len(events) {
				return fmt.Errorf("Applied Events %q, want none", now[len(events):])
			}
			now, err := versions(ctx, ns)
			if err != nil {
				return err
			}
			if fmt.Sprint(now) != fmt.Sprint(rvs) {
				return fmt.Errorf("outputs changed: %v, were %v", now, rvs)
			}
			return nil
		})
	}

	t.Run("a reconcile that translates the same outputs applies nothing", func(t *testing.T) {
		unchanged(t, "once")
	})

	t.Run("a restarted controller applies nothing that did not change", func(t *testing.T) {
		stop()
		stop = startController(t, opts)
		unchanged(t, "twice")
	})

	t.Run("an edit made while the controller was down is repaired when it starts", func(t *testing.T) {
		stop()
		route := ofKind(t, want, "HTTPRoute")
		editSpec(t, route, `{"spec":{"rules":null}}`)
		if err := matches(ctx, ns, want); err == nil {
			t.Fatal("the edit did not change the output")
		}
		stop = startController(t, opts)
		eventually(t, converge, "the edited output back as translated", func() error { return matches(ctx, ns, want) })
	})
	_ = stop
}

func TestSpecEditsOfOutputsAreReverted(t *testing.T) {
	needEnv(t)
	ctx := context.Background()
	ns := "drift"
	createNamespace(t, ns)
	var applies applyCounter
	startController(t, applies.watch(Options{Namespaces: []string{ns}, RootNamespace: "drift-root"}))
	_, _, _, all := reviews(t, ns, 70, 30)
	create(t, all...)
	want := expected(t, ns, gatewayAPIOptions, all...)
	eventually(t, converge, "outputs", func() error { return matches(ctx, ns, want) })

	for _, tc := range []struct{ name, kind, patch string }{
		{"an HTTPRoute's rules (the generation moves)", "HTTPRoute", `{"spec":{"rules":null}}`},
		{"a generated Service's selector (Services keep no generation)", "Service", `{"spec":{"selector":{"app":"hijacked"}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obj := ofKind(t, want, tc.kind)
			applies.settled(t) // so that no reconcile is on its way
			editSpec(t, obj, tc.patch)
			eventually(t, converge, "the edited output back as translated", func() error { return matches(ctx, ns, want) })
			eventually(t, converge, "an Event about the repair", func() error {
				n := "updated " + keyOf(obj).String()
				if !slices.ContainsFunc(applies.applied(), func(note string) bool { return strings.Contains(note, n) }) {
					return fmt.Errorf("no Applied Event saying %q in %q", n, applies.applied())
				}
				return nil
			})
		})
	}
}

func TestResyncAppliesEverythingAgain(t *testing.T) {
	needEnv(t)
	ctx := context.Background()
	ns := "resync"
	createNamespace(t, ns)
	var applies applyCounter
	startController(t, applies.watch(Options{Namespaces: []string{ns}, RootNamespace: "resync-root", ResyncPeriod: 3 * time.Second}))
	_, _, _, all := reviews(t, ns, 70, 30)
	create(t, all...)
	want := expected(t, ns, gatewayAPIOptions, all...)
	eventually(t, converge, "outputs", func() error { return matches(ctx, ns, want) })
	first := applies.n.Load()
	events := applies.applied()
	eventually(t, converge, "every output applied again", func() error {
		if n := applies.n.Load() - first; n < int64(len(want)) {
			return fmt.Errorf("%d apply requests since the first sync, want %d or more", n, len(want))
		}
		return nil
	})
	if now := applies.applied(); len(now) != len(events) {
		t.Errorf("Applied Events %q for applies that changed nothing", now[len(events):])
	}
}
