package istio

import (
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"istio.io/api/networking/v1alpha3"
	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	_ "github.com/meshbridge/meshbridge/internal/golden"
	"github.com/meshbridge/meshbridge/inventory"
	"github.com/meshbridge/meshbridge/model"
)

func service(ns, name string, port int32) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: corev1.ServiceSpec{
			Selector: map[string]string{"app": name},
			Ports:    []corev1.ServicePort{{Name: "http", Port: port}},
		},
	}
}

func virtualService(ns, name string, spec *v1alpha3.VirtualService) *networkingv1.VirtualService {
	vs := &networkingv1.VirtualService{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	vs.APIVersion = "networking.istio.io/v1"
	proto.Merge(&vs.Spec, spec)
	return vs
}

func destinationRule(ns, host string, subsets ...string) *networkingv1.DestinationRule {
	dr := &networkingv1.DestinationRule{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: host}}
	dr.Spec.Host = host
	for _, s := range subsets {
		dr.Spec.Subsets = append(dr.Spec.Subsets, &v1alpha3.Subset{Name: s, Labels: map[string]string{"version": s}})
	}
	return dr
}

func dest(host, subset string, weight int32) *v1alpha3.HTTPRouteDestination {
	return &v1alpha3.HTTPRouteDestination{Destination: &v1alpha3.Destination{Host: host, Subset: subset}, Weight: weight}
}

func codes(fs model.Findings) map[model.Code]int {
	m := map[model.Code]int{}
	for _, f := range fs {
		m[f.Code]++
	}
	return m
}

func TestReadVirtualService(t *testing.T) {
	inv := &inventory.Inventory{
		Services:         []*corev1.Service{service("shop", "reviews", 9080)},
		DestinationRules: []*networkingv1.DestinationRule{destinationRule("shop", "reviews", "v1", "v2")},
	}
	t.Run("a weighted split resolves both subsets to their labels", func(t *testing.T) {
		inv := *inv
		inv.VirtualServices = []*networkingv1.VirtualService{virtualService("shop", "canary", &v1alpha3.VirtualService{
			Hosts: []string{"reviews"},
			Http:  []*v1alpha3.HTTPRoute{{Route: []*v1alpha3.HTTPRouteDestination{dest("reviews", "v1", 75), dest("reviews.shop.svc.cluster.local", "v2", 25)}}},
		})}
		snap, fs := Read(&inv, Options{})
		if len(fs) != 0 {
			t.Fatalf("unexpected findings %v", fs)
		}
		rs := snap.Routes[0]
		if !rs.Mesh || len(rs.Services) != 1 || rs.Services[0].Name != "reviews" {
			t.Fatalf("route set %+v", rs)
		}
		b := rs.HTTP[0].Backends
		if b[0].Weight != 75 || b[1].Weight != 25 || b[1].SubsetLabels["version"] != "v2" || b[1].Service.Namespace != "shop" {
			t.Errorf("backends %+v", b)
		}
	})
	t.Run("a single unweighted destination gets all traffic", func(t *testing.T) {
		inv := *inv
		inv.VirtualServices = []*networkingv1.VirtualService{virtualService("shop", "all", &v1alpha3.VirtualService{
			Hosts: []string{"reviews"}, Gateways: []string{"mesh"},
			Http: []*v1alpha3.HTTPRoute{{Route: []*v1alpha3.HTTPRouteDestination{dest("reviews", "", 0)}}},
		})}
		snap, _ := Read(&inv, Options{})
		if w := snap.Routes[0].HTTP[0].Backends[0].Weight; w != 100 {
			t.Errorf("weight %d, want 100", w)
		}
	})
	t.Run("an unknown subset and an external host are findings", func(t *testing.T) {
		inv := *inv
		inv.VirtualServices = []*networkingv1.VirtualService{virtualService("shop", "broken", &v1alpha3.VirtualService{
			Hosts: []string{"reviews"},
			Http:  []*v1alpha3.HTTPRoute{{Route: []*v1alpha3.HTTPRouteDestination{dest("reviews", "v3", 50), dest("api.example.com", "", 50)}}},
		})}
		_, fs := Read(&inv, Options{})
		c := codes(fs)
		if c[model.CodeSubsetNotFound] != 1 || c[model.CodeHostNotResolved] != 1 {
			t.Errorf("findings %v", fs)
		}
	})
	t.Run("fields outside the model are reported with their path", func(t *testing.T) {
		inv := *inv
		inv.VirtualServices = []*networkingv1.VirtualService{virtualService("shop", "extras", &v1alpha3.VirtualService{
			Hosts: []string{"reviews"},
			Http: []*v1alpha3.HTTPRoute{{
				Route:   []*v1alpha3.HTTPRouteDestination{dest("reviews", "", 0)},
				Retries: &v1alpha3.HTTPRetry{Attempts: 2, RetryRemoteLocalities: nil, Backoff: durationpb.New(time.Second)},
				Match:   []*v1alpha3.HTTPMatchRequest{{StatPrefix: "x", Uri: &v1alpha3.StringMatch{MatchType: &v1alpha3.StringMatch_Prefix{Prefix: "/a"}}}},
				Timeout: durationpb.New(1500 * time.Millisecond),
			}},
		})}
		snap, fs := Read(&inv, Options{})
		rule := snap.Routes[0].HTTP[0]
		if rule.Timeout != 1500*time.Millisecond || rule.Retry.Attempts != 2 || rule.Matches[0].Path.Type != model.MatchPrefix {
			t.Errorf("rule %+v", rule)
		}
		if len(fs) != 0 {
			t.Errorf("statPrefix and backoff are handled, got %v", fs)
		}
	})
	t.Run("gateway names resolve in the VirtualService's namespace", func(t *testing.T) {
		inv := *inv
		inv.VirtualServices = []*networkingv1.VirtualService{virtualService("shop", "ingress", &v1alpha3.VirtualService{
			Hosts: []string{"shop.example.com"}, Gateways: []string{"shop-gw", "istio-system/public"},
			Http: []*v1alpha3.HTTPRoute{{Route: []*v1alpha3.HTTPRouteDestination{dest("reviews", "", 0)}}},
		})}
		snap, fs := Read(&inv, Options{})
		rs := snap.Routes[0]
		if rs.Mesh || len(rs.Gateways) != 2 || rs.Gateways[0].Namespace != "shop" || rs.Gateways[1].Namespace != "istio-system" {
			t.Errorf("gateways %+v", rs.Gateways)
		}
		if len(fs) != 0 {
			t.Errorf("an ingress-only host needs no Service: %v", fs)
		}
	})
}

func TestSplitHost(t *testing.T) {
	r := &reader{opts: Options{}.withDefaults()}
	cases := []struct {
		name, host, wantName, wantNS string
		ok                           bool
	}{
		{"a short name takes the object's namespace", "reviews", "reviews", "here", true},
		{"name.namespace names another namespace", "reviews.shop", "reviews", "shop", true},
		{"a cluster FQDN resolves", "reviews.shop.svc.cluster.local", "reviews", "shop", true},
		{"another cluster domain does not", "reviews.shop.svc.other.local", "", "", false},
		{"wildcards do not", "*.shop.svc.cluster.local", "", "", false},
		{"external hosts do not", "api.example.com", "", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, ns, ok := r.splitHost(c.host, "here")
			if n != c.wantName || ns != c.wantNS || ok != c.ok {
				t.Errorf("splitHost(%q) = %q, %q, %v", c.host, n, ns, ok)
			}
		})
	}
}
