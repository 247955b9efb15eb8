package linkerd

import (
	"testing"

	"github.com/meshbridge/meshbridge/model"
)

func TestSmoke(t *testing.T) {
	snap := snapshot(
		[]model.Workload{
			workload("shop", "reviews", "reviews", map[string]string{"app": "reviews"}, 8080),
			workload("shop", "frontend", "frontend", map[string]string{"app": "frontend"}, 8000),
		},
		[]model.AccessPolicy{policy("shop", "reviews-readers", model.Allow, map[string]string{"app": "reviews"},
			model.AccessRule{From: from(model.Source{Principals: []string{"cluster.local/ns/shop/sa/frontend"}}),
				To: to(model.Operation{Methods: []string{"GET", "HEAD"}, Paths: []string{"/reviews/*", "/health"}})})},
	)
	objs, findings := run(t, snap)
	for _, o := range objs {
		t.Logf("%s %s/%s", o.GetKind(), o.GetNamespace(), o.GetName())
	}
	for _, f := range findings {
		t.Log(f)
	}
	t.Log(compare(t, snap, objs))
}

func TestValidatorLoads(t *testing.T) {
	_, err := officialCRDs()
	t.Log(err)
}
