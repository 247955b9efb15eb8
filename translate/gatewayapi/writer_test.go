package gatewayapi

import (
	"testing"
	"time"

	"github.com/meshbridge/meshbridge/model"
	"github.com/meshbridge/meshbridge/translate/emit"
)

func TestCanaryAcrossTwoSubsets(t *testing.T) {
	snap := snapshot(
		svc("shop", "reviews", port("http", 9080)),
		vs("shop", "reviews", host("shop", "reviews"),
			http(to("shop", "reviews", 0, 75, "v1"), to("shop", "reviews", 0, 25, "v2"), timeout(1500*time.Millisecond))),
	)
	r := write(t, snap, emit.Options{})
	rt := r.get("HTTPRoute", "shop", "reviews")

	t.Run("the route attaches to the Service as a producer route", func(t *testing.T) {
		if got := field(t, rt, "spec.parentRefs.0.kind"); got != "Service" {
			t.Errorf("parent kind = %v", got)
		}
		if got := field(t, rt, "spec.parentRefs.0.group"); got != "" {
			t.Errorf("parent group = %v", got)
		}
		if got := field(t, rt, "spec.parentRefs.0.namespace"); got != nil {
			t.Errorf("parent namespace = %v, want it left out", got)
		}
	})
	t.Run("two backends carry weights 75 and 25 to the subset Services", func(t *testing.T) {
		for i, want := range []struct {
			name   string
			weight int64
		}{{"reviews-v1", 75}, {"reviews-v2", 25}} {
			p := "spec.rules.0.backendRefs." + string(rune('0'+i))
			if field(t, rt, p+".name") != want.name || field(t, rt, p+".weight") != want.weight || field(t, rt, p+".port") != int64(9080) {
				t.Errorf("backend %d = %v", i, field(t, rt, p))
			}
		}
	})
	t.Run("one generated Service per subset, selecting the subset's pods", func(t *testing.T) {
		for _, v := range []string{"v1", "v2"} {
			s := r.get("Service", "shop", "reviews-"+v)
			if field(t, s, "spec.selector.version") != v || field(t, s, "spec.selector.app") != "reviews" {
				t.Errorf("selector = %v", field(t, s, "spec.selector"))
			}
			if s.GetAnnotations()[emit.GeneratedAnnotation] != "true" || s.GetAnnotations()[emit.SourceAnnotation] != "VirtualService/shop/reviews" {
				t.Errorf("annotations = %v", s.GetAnnotations())
			}
		}
	})
	t.Run("a 1.5s timeout becomes 1500ms", func(t *testing.T) {
		if got := field(t, rt, "spec.rules.0.timeouts.request"); got != "1500ms" {
			t.Errorf("timeout = %v", got)
		}
	})
	t.Run("every object names its source", func(t *testing.T) {
		if rt.GetAnnotations()[emit.SourceAnnotation] != "VirtualService/shop/reviews" {
			t.Errorf("annotations = %v", rt.GetAnnotations())
		}
	})
	if len(r.findings) != 0 {
		t.Errorf("findings = %v", r.findings)
	}
}

func TestOutputIsDeterministicAndSorted(t *testing.T) {
	snap := snapshot(
		svc("b", "z", port("http", 80)), svc("a", "y", port("http", 80)),
		vs("b", "z", host("b", "z"), http(to("a", "y", 0, 100))),
		vs("a", "y", host("a", "y"), http(to("a", "y", 0, 100, "v1"))),
	)
	r := write(t, snap, emit.Options{})
	want := "[HTTPRoute a/y, HTTPRoute b/z, ReferenceGrant a/meshbridge-from-b, Service a/y-v1]"
	if got := r.names(); got != want {
		t.Errorf("objects = %s, want %s", got, want)
	}
}

func TestUnknownProfileFallsBackToGeneric(t *testing.T) {
	snap := snapshot(svc("shop", "a", port("http", 80)), vs("shop", "a", host("shop", "a"), http(to("shop", "a", 0, 100))))
	r := write(t, snap, emit.Options{Mesh: "osm", Channel: "beta"})
	r.want(model.CodeGWUnknownProfile)
	if r.count("HTTPRoute") != 1 {
		t.Errorf("objects = %s", r.names())
	}
}
