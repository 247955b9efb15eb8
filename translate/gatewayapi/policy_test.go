package gatewayapi

import (
	"testing"
	"time"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

func TestFormatDuration(t *testing.T) {
	cases := []struct {
		in    time.Duration
		want  string
		exact bool
	}{
		{1500 * time.Millisecond, "1500ms", true},
		{2 * time.Second, "2s", true},
		{90 * time.Second, "1m30s", true},
		{5 * time.Minute, "5m", true},
		{250 * time.Microsecond, "1ms", false},
		{100*time.Second + 500*time.Millisecond, "1m40s500ms", true},
		{26 * time.Hour, "26h", true},
	}
	for _, c := range cases {
		got, exact, err := formatDuration(c.in)
		if err != nil || got != c.want || exact != c.exact {
			t.Errorf("formatDuration(%s) = %q %v %v, want %q %v", c.in, got, exact, err, c.want, c.exact)
		}
	}
	if _, _, err := formatDuration(100000 * time.Hour); err == nil {
		t.Error("a duration beyond 99999h was accepted")
	}
}

func policySnap(rules ...vsOpt) *model.Snapshot {
	return snapshot(svc("shop", "web", port("http", 80)), vs("shop", "web", append([]vsOpt{host("shop", "web")}, rules...)...))
}

func TestRetriesAndTimeouts(t *testing.T) {
	rule := http(to("shop", "web", 0, 100), timeout(3*time.Second), retries(3, 500*time.Millisecond, "gateway-error", "connect-failure", "retriable-headers"))

	t.Run("the standard channel has no retries: reported, the per-try timeout kept", func(t *testing.T) {
		r := write(t, policySnap(rule), emit.Options{})
		rt := r.get("HTTPRoute", "shop", "web")
		r.want(model.CodeGWRetryDropped)
		if field(t, rt, "spec.rules.0.retry") != nil || field(t, rt, "spec.rules.0.timeouts.backendRequest") != "500ms" ||
			field(t, rt, "spec.rules.0.timeouts.request") != "3s" {
			t.Errorf("rule = %v", field(t, rt, "spec.rules.0"))
		}
	})
	t.Run("the experimental channel writes retry codes and attempts", func(t *testing.T) {
		r := write(t, policySnap(rule), emit.Options{Channel: "experimental"})
		rt := r.get("HTTPRoute", "shop", "web")
		if field(t, rt, "spec.rules.0.retry.attempts") != int64(3) || length(t, rt, "spec.rules.0.retry.codes") != 3 ||
			field(t, rt, "spec.rules.0.retry.codes.0") != int64(502) {
			t.Errorf("retry = %v", field(t, rt, "spec.rules.0.retry"))
		}
		r.want(model.CodeGWRetryDropped) // retriable-headers
	})
	t.Run("Linkerd gets annotations in whole milliseconds", func(t *testing.T) {
		r := write(t, policySnap(http(to("shop", "web", 0, 100), timeout(1500*time.Millisecond), retries(2, 250*time.Millisecond, "5xx"))), emit.Options{Mesh: MeshLinkerd})
		ann := r.get("HTTPRoute", "shop", "web").GetAnnotations()
		want := map[string]string{linkerdTimeout: "1500ms", linkerdRetryHTTP: "5xx", linkerdRetryLimit: "2", linkerdRetryTimeout: "250ms"}
		for k, v := range want {
			if ann[k] != v {
				t.Errorf("%s = %q, want %q", k, ann[k], v)
			}
		}
	})
	t.Run("Linkerd retry annotations are left out when rules differ", func(t *testing.T) {
		r := write(t, policySnap(
			http(when(prefix("/a/")), to("shop", "web", 0, 100), retries(2, 0, "5xx")),
			http(to("shop", "web", 0, 100)),
		), emit.Options{Mesh: MeshLinkerd})
		r.want(model.CodeGWRetryDropped)
		if _, ok := r.get("HTTPRoute", "shop", "web").GetAnnotations()[linkerdRetryLimit]; ok {
			t.Error("a route-wide retry annotation was written for one rule's retries")
		}
	})
}

// timeoutOff is Istio's explicit "timeout: 0s".
func timeoutOff() ruleOpt { return func(r *model.HTTPRule) { r.Timeout, r.TimeoutSet = 0, true } }

func TestValuesThatTurnThingsOff(t *testing.T) {
	grpcSnap := func(rule vsOpt) *model.Snapshot {
		return snapshot(svc("shop", "web", port("grpc", 9090)), vs("shop", "web", host("shop", "web"), rule))
	}
	t.Run("retries turned off (attempts 0) are reported: the implementation's default retries apply", func(t *testing.T) {
		r := write(t, policySnap(http(to("shop", "web", 0, 100), retries(0, 0))), emit.Options{Channel: "experimental"})
		r.want(model.CodeGWRetriesOffDropped)
		if field(t, r.get("HTTPRoute", "shop", "web"), "spec.rules.0.retry") != nil {
			t.Error("a retry stanza was written for disabled retries")
		}
	})
	t.Run("retries turned off on a GRPCRoute are reported too", func(t *testing.T) {
		r := write(t, grpcSnap(http(to("shop", "web", 0, 100), retries(0, 0))), emit.Options{})
		r.want(model.CodeGWRetriesOffDropped)
	})
	t.Run("Linkerd retries nothing unless told to, so attempts 0 needs no finding", func(t *testing.T) {
		r := write(t, policySnap(http(to("shop", "web", 0, 100), retries(0, 0))), emit.Options{Mesh: MeshLinkerd})
		r.wantNot(model.CodeGWRetriesOffDropped, model.CodeGWRetryDropped)
		if _, ok := r.get("HTTPRoute", "shop", "web").GetAnnotations()[linkerdRetryLimit]; ok {
			t.Error("retry annotations were written for disabled retries")
		}
	})
	t.Run("an explicit 0s timeout is written as 0s, which turns the timeout off", func(t *testing.T) {
		r := write(t, policySnap(http(to("shop", "web", 0, 100), timeoutOff())), emit.Options{})
		if got := field(t, r.get("HTTPRoute", "shop", "web"), "spec.rules.0.timeouts.request"); got != "0s" {
			t.Errorf("timeouts.request = %v, want 0s", got)
		}
	})
	t.Run("an unset timeout writes nothing", func(t *testing.T) {
		r := write(t, policySnap(http(to("shop", "web", 0, 100))), emit.Options{})
		if got := field(t, r.get("HTTPRoute", "shop", "web"), "spec.rules.0.timeouts"); got != nil {
			t.Errorf("timeouts = %v", got)
		}
	})
	t.Run("a 0s timeout with a per-try timeout keeps both", func(t *testing.T) {
		r := write(t, policySnap(http(to("shop", "web", 0, 100), timeoutOff(), retries(2, time.Second))), emit.Options{Channel: "experimental"})
		rt := r.get("HTTPRoute", "shop", "web")
		if field(t, rt, "spec.rules.0.timeouts.request") != "0s" || field(t, rt, "spec.rules.0.timeouts.backendRequest") != "1s" {
			t.Errorf("timeouts = %v", field(t, rt, "spec.rules.0.timeouts"))
		}
	})
	t.Run("Linkerd has no request timeout by default, so an explicit 0s writes nothing", func(t *testing.T) {
		r := write(t, policySnap(http(to("shop", "web", 0, 100), timeoutOff())), emit.Options{Mesh: MeshLinkerd})
		rt := r.get("HTTPRoute", "shop", "web")
		if _, ok := rt.GetAnnotations()[linkerdTimeout]; ok || field(t, rt, "spec.rules.0.timeouts") != nil {
			t.Errorf("a timeout was written: %v %v", rt.GetAnnotations(), field(t, rt, "spec.rules.0.timeouts"))
		}
		r.wantNot(model.CodeGWTimeoutDropped)
	})
	t.Run("a 0s timeout on a GRPCRoute, which has no timeouts, is reported", func(t *testing.T) {
		r := write(t, grpcSnap(http(to("shop", "web", 0, 100), timeoutOff())), emit.Options{})
		r.want(model.CodeGWTimeoutDropped)
	})
}
