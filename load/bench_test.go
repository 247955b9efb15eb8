package load

import (
	"fmt"
	"strings"
	"testing"

	"github.com/meshbridge/meshbridge/inventory"
)

// manyObjects builds n VirtualServices and n Services in one multi-document file.
func manyObjects(n int) []byte {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: vs-%d, namespace: ns-%d}\n"+
			"spec:\n  hosts: [svc-%d]\n  http:\n  - match: [{uri: {prefix: /a}}]\n    route:\n    - destination: {host: svc-%d, subset: v1}\n      weight: 90\n"+
			"    - destination: {host: svc-%d, subset: v2}\n      weight: 10\n", i, i%50, i, i, i)
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Service\nmetadata: {name: svc-%d, namespace: ns-%d}\nspec:\n  selector: {app: a%d}\n  ports: [{port: 80, name: http}]\n", i, i%50, i)
	}
	return []byte(b.String())
}

func BenchmarkDecode10k(b *testing.B) {
	data := manyObjects(5000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		inv := &inventory.Inventory{}
		if _, err := Decode(inv, "big.yaml", data, Options{}); err != nil {
			b.Fatal(err)
		}
		inv.Sort()
	}
}
