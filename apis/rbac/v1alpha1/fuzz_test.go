package v1alpha1

import (
	"encoding/json"
	"testing"

	"k8s.io/apimachinery/pkg/api/equality"
)

var fuzzKinds = []string{KindServiceRole, KindServiceRoleBinding, KindClusterRbacConfig, KindRbacConfig}

// FuzzDecode checks that Decode never panics, and that what it accepts survives a round trip:
// encoding the object and decoding it again gives the same object (up to nil versus empty
// lists, which omitempty merges) and no unknown fields.
func FuzzDecode(f *testing.F) {
	f.Add(uint8(0), []byte("spec:\n  rules:\n  - services: ['*']\n    not_paths: [/a]\n    ports: ['80']\n    constraints: [{key: k, values: [v]}]"))
	f.Add(uint8(1), []byte("spec: {role_ref: {kind: ServiceRole, name: r}, mode: 1, subjects: [{user: '*', properties: {a: b}, not_ips: [1.2.3.4]}]}"))
	f.Add(uint8(2), []byte(`{"spec":{"mode":"ON_WITH_INCLUSION","inclusion":{"services":["a"]},"enforcement_mode":"PERMISSIVE"}}`))
	f.Add(uint8(3), []byte("metadata: {name: default, labels: {a: b}, creationTimestamp: '2020-01-01T00:00:00Z'}\nspec: {mode: 'OFF'}"))
	f.Fuzz(func(t *testing.T, k uint8, data []byte) {
		kind := fuzzKinds[int(k)%len(fuzzKinds)]
		obj, _, err := Decode(kind, data)
		if err != nil {
			return
		}
		b, err := json.Marshal(obj)
		if err != nil {
			t.Fatalf("cannot encode what was decoded: %v", err)
		}
		again, unknown, err := Decode(kind, b)
		if err != nil || len(unknown) > 0 {
			t.Fatalf("re-decoding %s: err %v, unknown %v", b, err, unknown)
		}
		if !equality.Semantic.DeepEqual(obj, again) { // nil and empty lists are the same
			t.Fatalf("round trip changed the object:\n%#v\n%#v", obj, again)
		}
	})
}
