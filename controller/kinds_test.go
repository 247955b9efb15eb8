package controller

import (
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/meshbridge/meshbridge/translate"
)

func TestResolveInputs(t *testing.T) {
	gv := func(g, v string) schema.GroupVersion { return schema.GroupVersion{Group: g, Version: v} }
	tests := []struct {
		name   string
		served served
		want   []string
	}{
		{
			name: "v1 is preferred where it is served",
			served: served{
				gv("networking.istio.io", "v1"):       {"VirtualService", "DestinationRule", "Gateway"},
				gv("networking.istio.io", "v1beta1"):  {"VirtualService", "DestinationRule", "Gateway"},
				gv("networking.istio.io", "v1alpha3"): {"VirtualService", "DestinationRule", "Gateway"},
				gv("security.istio.io", "v1"):         {"AuthorizationPolicy", "PeerAuthentication"},
			},
			want: []string{
				"networking.istio.io/v1, Kind=VirtualService", "networking.istio.io/v1, Kind=DestinationRule",
				"networking.istio.io/v1, Kind=Gateway", "security.istio.io/v1, Kind=AuthorizationPolicy",
				"security.istio.io/v1, Kind=PeerAuthentication",
			},
		},
		{
			name: "an older Istio falls back to v1beta1 and v1alpha3",
			served: served{
				gv("networking.istio.io", "v1alpha3"): {"VirtualService", "Gateway"},
				gv("networking.istio.io", "v1beta1"):  {"DestinationRule"},
				gv("security.istio.io", "v1beta1"):    {"AuthorizationPolicy"},
			},
			want: []string{
				"networking.istio.io/v1alpha3, Kind=VirtualService", "networking.istio.io/v1beta1, Kind=DestinationRule",
				"networking.istio.io/v1alpha3, Kind=Gateway", "security.istio.io/v1beta1, Kind=AuthorizationPolicy",
			},
		},
		{
			name: "rbac.istio.io is watched only where its CRDs are installed",
			served: served{
				gv("rbac.istio.io", "v1alpha1"): {"ServiceRole", "ClusterRbacConfig"},
			},
			want: []string{"rbac.istio.io/v1alpha1, Kind=ServiceRole", "rbac.istio.io/v1alpha1, Kind=ClusterRbacConfig"},
		},
		{
			name:   "a cluster without Istio watches nothing",
			served: served{},
			want:   nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, gvk := range resolveInputs(istioKinds, tt.served) {
				got = append(got, gvk.String())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("resolveInputs =\n%v\nwant\n%v", got, tt.want)
			}
		})
	}
}

func TestEveryTargetHasOutputKinds(t *testing.T) {
	// Without a watch on an output kind from the start, owned objects of that kind left by an
	// earlier run would never be pruned.
	for _, target := range translate.Targets() {
		if len(outputKinds[target]) == 0 {
			t.Errorf("outputKinds has no entry for target %q", target)
		}
	}
	// Writers that route generate per-subset Services.
	for _, target := range []string{"gatewayapi", "smi"} {
		if !slices.Contains(outputKinds[target], schema.GroupKind{Kind: "Service"}) {
			t.Errorf("outputKinds[%q] lacks Service", target)
		}
	}
}
