package controller

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/meshbridge/meshbridge/model"
)

// recordedSink keeps the Events it is given.
type recordedSink struct{ got []string }

func (s *recordedSink) Eventf(regarding, _ runtime.Object, typ, reason, action, note string, args ...any) {
	ref := regarding.(*corev1.ObjectReference)
	s.got = append(s.got, fmt.Sprintf("%s %s/%s %s %s %s: %s", typ, ref.Kind, ref.Name, reason, action, "note", fmt.Sprintf(note, args...)))
}

func TestReporterRecordsStandingFindingsOnce(t *testing.T) {
	sink := &recordedSink{}
	r := newReporter(sink, logr.Discard())
	vs := &corev1.ObjectReference{Kind: "VirtualService", Namespace: "shop", Name: "reviews"}
	e1 := event{regarding: vs, typ: corev1.EventTypeWarning, reason: "MB2003", action: actionTranslate, note: "subset v3 not found"}
	e2 := event{regarding: vs, typ: corev1.EventTypeWarning, reason: "MB2001", action: actionTranslate, note: "timeout dropped"}

	r.standing("shop", []event{e1})
	r.standing("shop", []event{e1, e2})                                                       // e1 still stands: not recorded again
	r.standing("shop", []event{e2})                                                           // e1 went away
	r.standing("shop", []event{e1, e2})                                                       // and came back: recorded again
	r.standing("other", []event{e1})                                                          // namespaces are kept apart
	r.standing("other", []event{e1, {reason: "MB4001", note: "Options gatewayapi: channel"}}) // no object: logged only

	want := []string{
		"Warning VirtualService/reviews MB2003 Translate note: subset v3 not found",
		"Warning VirtualService/reviews MB2001 Translate note: timeout dropped",
		"Warning VirtualService/reviews MB2003 Translate note: subset v3 not found",
		"Warning VirtualService/reviews MB2003 Translate note: subset v3 not found",
	}
	if !slices.Equal(sink.got, want) {
		t.Errorf("events:\n%v\nwant\n%v", sink.got, want)
	}
}

func TestFindingEvents(t *testing.T) {
	vs := &corev1.ObjectReference{Kind: "VirtualService", Namespace: "shop", Name: "reviews"}
	find := func(o model.ObjectRef) (*corev1.ObjectReference, bool) {
		return vs, o.Kind == "VirtualService" && o.Name == "reviews"
	}
	var fs model.Findings
	fs.Add("istio", model.CodeSubsetNotFound, model.Origin{Object: model.ObjectRef{Kind: "VirtualService", Namespace: "shop", Name: "reviews"}},
		"spec.http[0].route[0].destination.subset", "subset %q not found", "v3")
	fs.Add("load", model.CodeIgnoredKind, model.Origin{Object: model.ObjectRef{Kind: "VirtualService", Namespace: "shop", Name: "reviews"}}, "", "skipped")
	fs.Add("istio", model.CodeSubsetNotFound, model.Origin{Object: model.ObjectRef{Kind: "VirtualService", Namespace: "shop", Name: "gone"}}, "", "x")

	got := findingEvents(fs, find)

	if len(got) != 3 {
		t.Fatalf("got %d events, want 3", len(got))
	}
	if got[2].regarding != nil || got[2].note != "VirtualService shop/gone: error: x" {
		t.Errorf("a finding about an object not in the cluster = %+v, want one without regarding object, naming it", got[2])
	}
	if got[0].typ != corev1.EventTypeWarning || got[0].reason != "MB2003" ||
		got[0].note != `error spec.http[0].route[0].destination.subset: subset "v3" not found` {
		t.Errorf("first event = %+v", got[0])
	}
	if got[1].typ != corev1.EventTypeNormal {
		t.Errorf("an info finding is a Normal event, got %s", got[1].typ)
	}
}

func TestSources(t *testing.T) {
	got := sources(map[string]string{"meshbridge.io/source": "VirtualService/shop/reviews, DestinationRule/shop/reviews,junk"})
	want := []model.ObjectRef{
		{Kind: "VirtualService", Namespace: "shop", Name: "reviews"},
		{Kind: "DestinationRule", Namespace: "shop", Name: "reviews"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("sources = %v, want %v", got, want)
	}
}

func TestEventsAboutOneObjectAreMerged(t *testing.T) {
	vs := &corev1.ObjectReference{Kind: "VirtualService", Namespace: "shop", Name: "reviews"}
	dr := &corev1.ObjectReference{Kind: "DestinationRule", Namespace: "shop", Name: "reviews"}
	applied := func(on *corev1.ObjectReference, note string) event {
		return event{regarding: on, typ: corev1.EventTypeNormal, reason: ReasonApplied, action: actionApply, note: note}
	}
	sink := &recordedSink{}
	r := newReporter(sink, logr.Discard())
	r.occurred([]event{
		applied(vs, "created HTTPRoute shop/a"),
		applied(dr, "created Service shop/reviews-v1"),
		applied(vs, "created Service shop/reviews-v1"),
		applied(vs, "created HTTPRoute shop/a"), // a repeat
		{regarding: vs, typ: corev1.EventTypeNormal, reason: ReasonPruned, action: actionPrune, note: "deleted HTTPRoute shop/old"},
	})
	want := []string{
		"Normal VirtualService/reviews Applied Apply note: created HTTPRoute shop/a; created Service shop/reviews-v1",
		"Normal DestinationRule/reviews Applied Apply note: created Service shop/reviews-v1",
		"Normal VirtualService/reviews Pruned Prune note: deleted HTTPRoute shop/old",
	}
	if !slices.Equal(sink.got, want) {
		t.Errorf("events:\n%q\nwant\n%q", sink.got, want)
	}

	t.Run("notes past the length of one are counted, not cut", func(t *testing.T) {
		var many []event
		for i := range 100 {
			many = append(many, applied(vs, fmt.Sprintf("created HTTPRoute shop/route-number-%03d", i)))
		}
		got := merge(many)
		if len(got) != 1 || len(got[0].note) > maxNoteLength || !strings.HasSuffix(got[0].note, " more") {
			t.Errorf("merged %d events into note of %d bytes: %q", len(got), len(got[0].note), got[0].note)
		}
	})
}

// lockedSink is a recordedSink written from another goroutine.
type lockedSink struct {
	mu sync.Mutex
	recordedSink
}

func (s *lockedSink) Eventf(regarding, related runtime.Object, typ, reason, action, note string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recordedSink.Eventf(regarding, related, typ, reason, action, note, args...)
}

func (s *lockedSink) sent() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got)
}

func TestPacedEventsAreSentInOrder(t *testing.T) {
	sink := &lockedSink{}
	r := newReporter(sink, logr.Discard())
	r.paced = newEventQueue()
	vs := &corev1.ObjectReference{Kind: "VirtualService", Namespace: "shop", Name: "reviews"}
	for i := range 5 {
		r.occurred([]event{{regarding: vs, typ: corev1.EventTypeNormal, reason: ReasonApplied, action: actionApply, note: fmt.Sprint(i)}})
	}
	if n := len(sink.sent()); n != 0 {
		t.Fatalf("%d Events sent before pacing started", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.pace(ctx, 1000, 2); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for len(sink.sent()) < 5 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	want := []string{"0", "1", "2", "3", "4"}
	var got []string
	for _, g := range sink.sent() {
		got = append(got, g[strings.LastIndex(g, " ")+1:])
	}
	if !slices.Equal(got, want) {
		t.Errorf("sent %q, want %q in order", got, want)
	}
}
