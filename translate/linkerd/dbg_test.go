package linkerd

import (
	"fmt"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/meshbridge/meshbridge/model"
)

func TestDbg(t *testing.T) {
	snap := shop(policy("shop", "reviews-readers", model.Allow, reviews,
		model.AccessRule{From: from(model.Source{Namespaces: []string{"shop"}})}), policy("shop", "no-delete", model.Deny, reviews,
		model.AccessRule{To: to(model.Operation{Methods: []string{"DELETE"}})}))
	objs, findings := run(t, snap)
	for _, o := range objs {
		b, _ := yaml.Marshal(o.Object)
		fmt.Printf("---\n%s", b)
	}
	for _, f := range findings {
		fmt.Println(f)
	}
}
