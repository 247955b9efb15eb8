package load

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/meshbridge/meshbridge/inventory"
)

func TestGoStyleDurationsAreReadAsIstioReadsThem(t *testing.T) {
	const vs = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: r, namespace: shop}
spec:
  hosts: [r]
  http:
  - timeout: %s
    retries: {attempts: 2, perTryTimeout: 500ms}
    corsPolicy: {maxAge: 24h}
    fault: {delay: {fixedDelay: 1m30s}}
    route:
    - destination: {host: r}
`
	cases := []struct {
		name, timeout string
		want          time.Duration
	}{
		{"protojson's form is kept", "1.5s", 1500 * time.Millisecond},
		{"milliseconds are read", "250ms", 250 * time.Millisecond},
		{"compound durations are read", "1m30s", 90 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv := &inventory.Inventory{}
			if _, err := Decode(inv, "vs.yaml", []byte(fmt.Sprintf(vs, c.timeout)), Options{}); err != nil {
				t.Fatal(err)
			}
			h := inv.VirtualServices[0].Spec.Http[0]
			if got := h.Timeout.AsDuration(); got != c.want {
				t.Errorf("timeout %v, want %v", got, c.want)
			}
			if h.Retries.PerTryTimeout.AsDuration() != 500*time.Millisecond || h.CorsPolicy.MaxAge.AsDuration() != 24*time.Hour ||
				h.Fault.Delay.GetFixedDelay().AsDuration() != 90*time.Second {
				t.Errorf("nested durations: %v %v %v", h.Retries.PerTryTimeout, h.CorsPolicy.MaxAge, h.Fault.Delay.GetFixedDelay())
			}
		})
	}
	t.Run("a duration that is not one is still an error naming the field", func(t *testing.T) {
		_, err := Decode(&inventory.Inventory{}, "vs.yaml", []byte(fmt.Sprintf(vs, "soon")), Options{})
		if err == nil || !strings.Contains(err.Error(), "spec.http[0].timeout") {
			t.Errorf("error %v", err)
		}
	})
}
