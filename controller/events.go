package controller

import (
	"fmt"
	"strings"
	"sync"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

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

func (e event) key() string {
	var kind, ns, name string
	if e.regarding != nil {
		kind, ns, name = e.regarding.Kind, e.regarding.Namespace, e.regarding.Name
	}
	return strings.Join([]string{kind, ns, name, e.reason, e.note}, "\x00")
}

// reporter records Events. Findings repeat on every reconcile of a namespace, so they are
// recorded when they first appear in that namespace's translation, not each time; an Event
// about a change the controller made is recorded every time it makes it.
type reporter struct {
	sink eventSink
	log  logr.Logger

	mu       sync.Mutex
	reported map[string]map[string]bool // namespace → keys of the standing findings' events
}

func newReporter(sink eventSink, log logr.Logger) *reporter {
	return &reporter{sink: sink, log: log, reported: map[string]map[string]bool{}}
}

// standing records the events of namespace ns's current findings that were not recorded for
// ns's previous translation, and forgets those that went away, so that a finding that comes
// back is recorded again.
func (r *reporter) standing(ns string, events []event) {
	r.mu.Lock()
	prev := r.reported[ns]
	next := make(map[string]bool, len(events))
	var fresh []event
	for _, e := range events {
		k := e.key()
		if !prev[k] && !next[k] {
			fresh = append(fresh, e)
		}
		next[k] = true
	}
	r.reported[ns] = next
	r.mu.Unlock()
	for _, e := range fresh {
		r.record(e)
	}
}

// occurred records events about changes just made.
func (r *reporter) occurred(events []event) {
	for _, e := range events {
		r.record(e)
	}
}

func (r *reporter) record(e event) {
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
	r.sink.Eventf(e.regarding, nil, e.typ, e.reason, e.action, "%s", note)
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
