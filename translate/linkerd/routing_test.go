package linkerd

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/meshbridge/meshbridge/model"
)

// TestRoutesComeFromTheGatewayAPIWriter checks that --to linkerd writes the snapshot's routes
// too, as the Gateway API writer's linkerd profile does: mesh routes bound to Services.
func TestRoutesComeFromTheGatewayAPIWriter(t *testing.T) {
	snap := shop(policy("shop", "reviews-access", model.Allow, reviews, model.AccessRule{From: from(model.Source{Namespaces: []string{"shop"}})}))
	snap.Inventory.Services = []model.Service{{
		Origin:    model.Origin{Object: model.ObjectRef{Kind: "Service", Namespace: "shop", Name: "reviews"}},
		Namespace: "shop", Name: "reviews", Selector: reviews,
		Ports: []model.ServicePort{{Name: "http", Port: 9080, Protocol: "TCP", TargetPort: 8080}},
	}}
	snap.Routes = []model.RouteSet{{
		Origin:    model.Origin{Object: model.ObjectRef{APIVersion: "networking.istio.io/v1", Kind: "VirtualService", Namespace: "shop", Name: "reviews"}},
		Namespace: "shop", Name: "reviews", Hosts: []string{"reviews"}, Mesh: true,
		Services: []model.ServiceRef{{Namespace: "shop", Name: "reviews"}},
		HTTP: []model.HTTPRule{{Field: "spec.http[0]", Backends: []model.Backend{{
			Field: "spec.http[0].route[0]", Service: model.ServiceRef{Namespace: "shop", Name: "reviews", Port: 9080}, Host: "reviews", Weight: 100,
		}}}},
	}}
	objs, _ := run(t, snap)
	mesh := 0
	for _, r := range ofKind(objs, "HTTPRoute") {
		parents, _, _ := unstructured.NestedSlice(r.Object, "spec", "parentRefs")
		if parents[0].(map[string]any)["kind"] == "Service" {
			mesh++
		}
	}
	if mesh == 0 {
		t.Errorf("no route bound to a Service among %v", names(ofKind(objs, "HTTPRoute")))
	}
	if len(ofKind(objs, "Server")) == 0 {
		t.Error("no Server: the access policy was not written beside the routes")
	}
}
