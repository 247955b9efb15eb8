package gatewayapi

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/meshbridge/meshbridge/model"
)

// Linkerd reads retries and timeouts from these route annotations.
const (
	linkerdTimeout      = "timeout.linkerd.io/request"
	linkerdRetryHTTP    = "retry.linkerd.io/http"
	linkerdRetryGRPC    = "retry.linkerd.io/grpc"
	linkerdRetryLimit   = "retry.linkerd.io/limit"
	linkerdRetryTimeout = "retry.linkerd.io/timeout"
)

// formatDuration writes d in GEP-2257 form (^([0-9]{1,5}(h|m|s|ms)){1,4}$): whole seconds as
// hours, minutes and seconds (5m, 1m30s), anything with milliseconds as milliseconds (1.5s ->
// 1500ms). Sub-millisecond parts are rounded up, so a timeout never gets shorter; exact is
// false then. (gateway-api's pkg/utils has such a formatter, but it is a main package.)
func formatDuration(d time.Duration) (s string, exact bool, err error) {
	ms := d / time.Millisecond
	exact = d%time.Millisecond == 0
	if !exact {
		ms++
	}
	if ms%1000 != 0 && ms <= 99999 {
		return strconv.FormatInt(int64(ms), 10) + "ms", exact, nil
	}
	h := ms / 3_600_000
	if h > 99999 {
		return "", false, fmt.Errorf("longer than 99999h")
	}
	rest := ms % 3_600_000
	for _, u := range []struct {
		n    time.Duration
		unit string
	}{{h, "h"}, {rest / 60_000, "m"}, {rest % 60_000 / 1000, "s"}, {rest % 1000, "ms"}} {
		if u.n > 0 {
			s += strconv.FormatInt(int64(u.n), 10) + u.unit
		}
	}
	if s == "" {
		s = "0s"
	}
	return s, exact, nil
}

// millis renders d as whole milliseconds for Linkerd annotations, rounding up.
func millis(d time.Duration) string {
	ms := (d + time.Millisecond - 1) / time.Millisecond
	return strconv.FormatInt(int64(ms), 10) + "ms"
}

// policy is a rule's timeout and retries, in the form the route needs.
type policy struct {
	timeouts *gwv1.HTTPRouteTimeouts
	retry    *gwv1.HTTPRouteRetry
	// linkerd holds the annotations this rule would want on its route (Linkerd profile).
	linkerd map[string]string
}

// buildPolicy converts a rule's timeout and retries for kind, reporting what it leaves out.
func (w *writer) buildPolicy(o model.Origin, r *model.HTTPRule, kind routeKind) policy {
	var pol policy
	duration := func(field string, d time.Duration) *gwv1.Duration {
		s, exact, err := formatDuration(d)
		if err != nil {
			w.report(model.CodeGWTimeoutDropped, o, field, "duration %s cannot be written in Gateway API form: %v", d, err)
			return nil
		}
		if !exact {
			w.report(model.CodeGWTimeoutDropped, o, field, "duration %s rounded up to %s (Gateway API counts whole milliseconds)", d, s)
		}
		gd := gwv1.Duration(s)
		return &gd
	}
	if w.p.linkerdAnnotations {
		pol.linkerd = map[string]string{}
	}

	// An explicit 0s turns Istio's timeout off; Gateway API says so with 0s, and Linkerd has no
	// request timeout unless one is set.
	off := r.TimeoutSet && r.Timeout == 0
	if r.Timeout > 0 || off {
		switch {
		case kind == kindGRPC && w.p.linkerdAnnotations:
		case kind == kindGRPC && off:
			w.report(model.CodeGWTimeoutDropped, o, r.Field+".timeout", "GRPCRoute has no timeouts; Istio's 0s (no timeout) was not written, so the implementation's default timeout applies")
		case kind == kindGRPC:
			w.report(model.CodeGWTimeoutDropped, o, r.Field+".timeout", "GRPCRoute has no timeouts; the %s timeout was not written", r.Timeout)
		}
		if kind == kindHTTP && !(off && w.p.linkerdAnnotations) {
			if d := duration(r.Field+".timeout", r.Timeout); d != nil {
				pol.timeouts = &gwv1.HTTPRouteTimeouts{Request: d}
			}
		}
		if pol.linkerd != nil && !off {
			pol.linkerd[linkerdTimeout] = millis(r.Timeout)
		}
	}

	rt := r.Retry
	if rt != nil && rt.Attempts <= 0 && !w.p.linkerdAnnotations {
		// Linkerd retries nothing unless annotated; others have default retries of their own.
		why := "retry.attempts must be at least 1"
		if kind == kindGRPC {
			why = "GRPCRoute has no retry field"
		}
		w.report(model.CodeGWRetriesOffDropped, o, rt.Field+".attempts",
			"attempts 0 turns retries off in Istio; Gateway API cannot say so (%s), so the implementation's default retries apply", why)
	}
	if rt == nil || rt.Attempts <= 0 {
		return pol
	}
	if rt.PerTryTimeout > 0 && kind == kindHTTP {
		per := rt.PerTryTimeout
		if r.Timeout > 0 && per > r.Timeout {
			per = r.Timeout // Istio's overall timeout cuts every try short anyway
		}
		if d := duration(rt.Field+".perTryTimeout", per); d != nil {
			if pol.timeouts == nil {
				pol.timeouts = &gwv1.HTTPRouteTimeouts{}
			}
			pol.timeouts.BackendRequest = d
		}
	}
	conds := rt.RetryOn
	if len(conds) == 0 {
		conds = []string{"connect-failure", "refused-stream", "unavailable", "cancelled", "503"} // Istio's default
	}
	switch {
	case pol.linkerd != nil:
		w.linkerdRetry(o, rt, conds, kind, pol.linkerd)
	case kind == kindGRPC:
		w.report(model.CodeGWRetryDropped, o, rt.Field, "GRPCRoute has no retry field; retries were not written")
	case !w.p.retryField:
		w.report(model.CodeGWRetryDropped, o, rt.Field, "HTTPRoute retries are in the experimental channel only; retries were not written")
	default:
		codes, lost := retryCodes(conds)
		if len(lost) > 0 {
			w.report(model.CodeGWRetryDropped, o, rt.Field+".retryOn", "retry conditions %s have no Gateway API equivalent and were dropped", strings.Join(lost, ", "))
		}
		attempts := int(rt.Attempts)
		pol.retry = &gwv1.HTTPRouteRetry{Attempts: &attempts, Codes: codes}
		if rt.Backoff > 0 {
			pol.retry.Backoff = duration(rt.Field+".backoff", rt.Backoff)
		}
	}
	return pol
}

// connectionConditions are retried by every Gateway API implementation with a retry stanza
// (GEP-1731: connection errors), and by Linkerd.
var connectionConditions = map[string]bool{"connect-failure": true, "refused-stream": true, "reset": true}

var grpcConditions = []string{"cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable"}

// retryCodes maps Istio retryOn conditions to HTTP status codes.
func retryCodes(conds []string) (codes []gwv1.HTTPRouteRetryStatusCode, lost []string) {
	add := func(from, to int) {
		for c := from; c <= to; c++ {
			codes = append(codes, gwv1.HTTPRouteRetryStatusCode(c))
		}
	}
	for _, c := range conds {
		switch {
		case c == "5xx":
			add(500, 599)
		case c == "gateway-error":
			add(502, 504)
		case c == "retriable-4xx":
			add(409, 409)
		case connectionConditions[c]:
		default:
			if n, err := strconv.Atoi(c); err == nil && n >= 400 && n <= 599 {
				add(n, n)
			} else {
				lost = append(lost, c)
			}
		}
	}
	slices.Sort(codes)
	return slices.Compact(codes), lost
}

// linkerdRetry fills Linkerd's retry annotations.
func (w *writer) linkerdRetry(o model.Origin, rt *model.Retry, conds []string, kind routeKind, ann map[string]string) {
	var keep, lost []string
	for _, c := range conds {
		switch {
		case kind == kindGRPC && slices.Contains(grpcConditions, c):
			keep = append(keep, c)
		case kind == kindHTTP && (c == "5xx" || c == "gateway-error"):
			keep = append(keep, c)
		case kind == kindHTTP && c == "retriable-4xx":
			keep = append(keep, "409")
		case connectionConditions[c]:
		default:
			if n, err := strconv.Atoi(c); err == nil && kind == kindHTTP && n >= 100 && n <= 599 {
				keep = append(keep, c)
			} else {
				lost = append(lost, c)
			}
		}
	}
	if len(lost) > 0 {
		w.report(model.CodeGWRetryDropped, o, rt.Field+".retryOn", "retry conditions %s have no Linkerd equivalent and were dropped", strings.Join(lost, ", "))
	}
	if len(keep) == 0 {
		w.report(model.CodeGWRetryDropped, o, rt.Field, "no retry condition is expressible for Linkerd; retries were not written")
		return
	}
	slices.Sort(keep)
	key := linkerdRetryHTTP
	if kind == kindGRPC {
		key = linkerdRetryGRPC
	}
	ann[key] = strings.Join(slices.Compact(keep), ",")
	ann[linkerdRetryLimit] = strconv.Itoa(int(rt.Attempts))
	if rt.PerTryTimeout > 0 {
		ann[linkerdRetryTimeout] = millis(rt.PerTryTimeout)
	}
	if rt.Backoff > 0 {
		w.report(model.CodeGWRetryDropped, o, rt.Field+".backoff", "Linkerd has no retry backoff setting; backoff %s was dropped", rt.Backoff)
	}
}

// routeAnnotations merges the Linkerd annotations of a route's rules: an annotation applies to
// the whole route, so it is written only when every rule wants the same value.
func (w *writer) routeAnnotations(o model.Origin, kind routeKind, rules []*outRule) map[string]string {
	if !w.p.linkerdAnnotations {
		return nil
	}
	keys := map[string]bool{}
	for _, r := range rules {
		for k := range r.policy.linkerd {
			keys[k] = true
		}
	}
	out := map[string]string{}
	for k := range keys {
		v0, uniform := rules[0].policy.linkerd[k], true
		for _, r := range rules[1:] {
			uniform = uniform && r.policy.linkerd[k] == v0
		}
		if uniform {
			out[k] = v0
			continue
		}
		code, what := model.CodeGWRetryDropped, "retries"
		if k == linkerdTimeout {
			if kind == kindHTTP {
				continue // each rule's timeouts.request field still holds it
			}
			code, what = model.CodeGWTimeoutDropped, "timeouts"
		}
		w.report(code, o, firstRule(rules).field, "%s differ between the rules of one route and Linkerd reads them from a route annotation (%s); not written", what, k)
	}
	return out
}

// firstRule is the rule of the route that comes first in the VirtualService (a hoisted exact
// match may come first in the route).
func firstRule(rules []*outRule) *outRule {
	first := rules[0]
	for _, r := range rules[1:] {
		if r.idx < first.idx {
			first = r
		}
	}
	return first
}
