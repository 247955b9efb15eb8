package controller

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/util/flowcontrol"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

// Event reasons besides finding codes (which are reasons too, e.g. MB2003).
const (
	ReasonApplied   = "Applied"
	ReasonPruned    = "Pruned"
	ReasonDryRun    = "DryRun"
	actionTranslate = "Translate"
	actionApply     = "Apply"
	actionPrune     = "Prune"
	maxNoteLength   = 1024 // events.k8s.io/v1 limit
)

// eventSink is the part of controller-runtime's EventRecorder the controller uses.
type eventSink interface {
	Eventf(regarding, related runtime.Object, eventtype, reason, action, note string, args ...any)
}

// event is one Event to record.
type event struct {
	regarding *corev1.ObjectReference
	typ       string
	reason    string
	action    string
	note      string
}

// eventKey identifies an Event by what it is about, its reason and note: a 128-bit hash, since
// a namespace's standing findings are kept for as long as they stand and notes are long.
type eventKey [16]byte

func (e event) key() eventKey {
	var kind, ns, name string
	if e.regarding != nil {
		kind, ns, name = e.regarding.Kind, e.regarding.Namespace, e.regarding.Name
	}
	h := fnv.New128a()
	for _, s := range []string{kind, ns, name, e.reason, e.note} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	var k eventKey
	h.Sum(k[:0])
	return k
}

// reporter records Events. Findings repeat on every reconcile of a namespace, so they are
// recorded when they first appear in that namespace's translation, not each time; an Event
// about a change the controller made is recorded every time it makes it.
type reporter struct {
	sink eventSink
	log  logr.Logger
	// onEvent is Options.onEvent.
	onEvent func(reason, note string)

	mu       sync.Mutex
	reported map[string]map[eventKey]bool // namespace → keys of the standing findings' events

	// paced, when set, queues Events for pace to hand to sink at the pace of the API client
	// that writes them; without it (unit tests) record hands them over at once.
	paced *eventQueue
}

func newReporter(sink eventSink, log logr.Logger) *reporter {
	return &reporter{sink: sink, log: log, reported: map[string]map[eventKey]bool{}}
}

// standing records the events of namespace ns's current findings that were not recorded for
// ns's previous translation, and forgets those that went away, so that a finding that comes
// back is recorded again.
func (r *reporter) standing(ns string, events []event) {
	events = merge(events)
	r.mu.Lock()
	prev := r.reported[ns]
	next := make(map[eventKey]bool, len(events))
	var fresh []event
	for _, e := range events {
		k := e.key()
		if !prev[k] && !next[k] {
			fresh = append(fresh, e)
		}
		next[k] = true
	}
	if len(next) == 0 {
		delete(r.reported, ns)
	} else {
		r.reported[ns] = next
	}
	r.mu.Unlock()
	for _, e := range fresh {
		r.record(e)
	}
}

// occurred records events about changes just made.
func (r *reporter) occurred(events []event) {
	for _, e := range merge(events) {
		r.record(e)
	}
}

func (r *reporter) record(e event) {
	if r.paced != nil && e.regarding != nil {
		r.paced.push(e)
		return
	}
	r.send(e)
}

// send hands an Event to the sink (or the log).
func (r *reporter) send(e event) {
	if e.regarding == nil {
		// About no cluster object (the writer's options, say): there is nothing to attach an
		// Event to, so it is logged, once, like the Event would have been recorded.
		r.log.Info("finding", "reason", e.reason, "note", e.note)
		return
	}
	note := e.note
	if len(note) > maxNoteLength {
		note = note[:maxNoteLength-3] + "..."
	}
	if r.onEvent != nil {
		r.onEvent(e.reason, note)
	}
	r.sink.Eventf(e.regarding, nil, e.typ, e.reason, e.action, "%s", note)
}

// eventQueue holds Events on their way to the API server. client-go's recorder starts a
// goroutine per Event, holding two copies of it, which waits for the API client's rate
// limiter: a first sync records one or two Events per Istio object, faster than they can be
// written, and thousands of those goroutines would pile up. Paced here, at the same rate, a
// waiting Event costs a few hundred bytes. The queue is not bounded: a dropped finding would
// never be recorded again (the reporter records standing findings once).
type eventQueue struct {
	mu      sync.Mutex
	pending []event
	ready   chan struct{} // signalled when pending is no longer empty
}

func (q *eventQueue) push(e event) {
	q.mu.Lock()
	q.pending = append(q.pending, e)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// pop takes the oldest Event, waiting for one until ctx ends.
func (q *eventQueue) pop(ctx context.Context) (event, bool) {
	for {
		q.mu.Lock()
		if len(q.pending) > 0 {
			e := q.pending[0]
			q.pending[0] = event{}
			q.pending = q.pending[1:]
			if len(q.pending) == 0 {
				q.pending = nil // let the backing array go
			}
			q.mu.Unlock()
			return e, true
		}
		q.mu.Unlock()
		select {
		case <-q.ready:
		case <-ctx.Done():
			return event{}, false
		}
	}
}

func newEventQueue() *eventQueue { return &eventQueue{ready: make(chan struct{}, 1)} }

// pace hands the Events queued in r.paced to the sink, at most qps a second (bursts of burst),
// until ctx ends; qps <= 0 means no limit.
func (r *reporter) pace(ctx context.Context, qps float32, burst int) {
	q := r.paced
	var limiter flowcontrol.RateLimiter
	if qps > 0 {
		limiter = flowcontrol.NewTokenBucketRateLimiter(qps, max(burst, 1))
	}
	for {
		e, ok := q.pop(ctx)
		if !ok {
			return
		}
		if limiter != nil && limiter.Wait(ctx) != nil {
			return
		}
		r.send(e)
	}
}

// merge joins the events about one object with the same type, reason and action into one
// Event whose note lists theirs in order ("; "), without repeats: one Event per source object
// for the changes of one translation, and per finding code for its findings. The API server
// would fold them into one series anyway, keeping only the first note; joined, every note
// shows, and the cluster takes one write instead of two.
func merge(events []event) []event {
	type group struct {
		kind, ns, name, typ, reason, action string
	}
	index := map[group]int{}
	var out []event
	var notes [][]string
	for _, e := range events {
		if e.regarding == nil {
			out, notes = append(out, e), append(notes, nil) // logged one by one
			continue
		}
		g := group{e.regarding.Kind, e.regarding.Namespace, e.regarding.Name, e.typ, e.reason, e.action}
		i, ok := index[g]
		if !ok {
			index[g] = len(out)
			out, notes = append(out, e), append(notes, []string{e.note})
			continue
		}
		if !slices.Contains(notes[i], e.note) {
			notes[i] = append(notes[i], e.note)
		}
	}
	for i := range out {
		if len(notes[i]) > 1 {
			out[i].note = joinNotes(notes[i])
		}
	}
	return out
}

// joinNotes joins notes with "; " within the length of a note, saying how many did not fit.
func joinNotes(notes []string) string {
	var b strings.Builder
	for i, n := range notes {
		more := fmt.Sprintf("; and %d more", len(notes)-i)
		if i > 0 && b.Len()+2+len(n)+len(more) > maxNoteLength {
			b.WriteString(more)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(n)
	}
	return b.String()
}

// findingEvents turns findings into Events on their origins. A finding whose origin is no
// object in the cluster (a writer's remark about its options) gets an event without regarding
// object, which the reporter logs instead; metrics count it all the same.
func findingEvents(fs model.Findings, find func(model.ObjectRef) (*corev1.ObjectReference, bool)) []event {
	var out []event
	for _, f := range fs {
		ref, ok := find(f.Origin.Object)
		if !ok {
			ref = nil
		}
		typ := corev1.EventTypeWarning
		if f.Severity == model.Info {
			typ = corev1.EventTypeNormal
		}
		note := f.Severity.String() + ": " + f.Message
		if f.Field != "" {
			note = f.Severity.String() + " " + f.Field + ": " + f.Message
		}
		if ref == nil {
			note = f.Origin.Object.String() + ": " + note
		}
		out = append(out, event{regarding: ref, typ: typ, reason: string(f.Code), action: actionTranslate, note: note})
	}
	return out
}

// sources parses an output's meshbridge.io/source annotation into origins.
func sources(annotations map[string]string) []model.ObjectRef {
	return emit.ParseSources(annotations[emit.SourceAnnotation])
}

// changeNote renders what happened to an output for an Event on its sources.
func changeNote(verb string, k objKey) string {
	return fmt.Sprintf("%s %s", verb, k)
}
