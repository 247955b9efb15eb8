package gatewayapi

import (
	"slices"
	"testing"
)

func TestPodNamespaces(t *testing.T) {
	snap := snapshot(
		workload("istio-system", "ingress", map[string]string{"istio": "ingressgateway", "app": "gw"}),
		workload("edge", "ingress", map[string]string{"istio": "ingressgateway", "app": "edge"}),
		workload("edge", "ingress-2", map[string]string{"istio": "ingressgateway", "app": "edge"}),
		workload("shop", "web", map[string]string{"app": "web"}),
	)
	w := &writer{snap: snap, inv: &snap.Inventory}
	cases := []struct {
		name     string
		selector map[string]string
		want     []string
	}{
		{"a label on pods of two namespaces gives both, once each", map[string]string{"istio": "ingressgateway"}, []string{"edge", "istio-system"}},
		{"every label of the selector must match", map[string]string{"istio": "ingressgateway", "app": "gw"}, []string{"istio-system"}},
		{"a label no pod carries selects nothing", map[string]string{"istio": "egressgateway"}, nil},
		{"a pair of labels no one pod carries selects nothing", map[string]string{"app": "web", "istio": "ingressgateway"}, nil},
		{"asking again gives the same answer", map[string]string{"istio": "ingressgateway"}, []string{"edge", "istio-system"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := w.podNamespaces(c.selector); !slices.Equal(got, c.want) {
				t.Errorf("podNamespaces(%v) = %v, want %v", c.selector, got, c.want)
			}
		})
	}
}
