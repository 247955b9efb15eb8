package controller

import (
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

func mustUnstructured(t *testing.T, doc string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestRefsOf(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string // needed and shaped
		// needs are only needed, shapes only shaped
		needs, shapes []string
	}{
		{
			name: "short hosts stay in the object's namespace and FQDNs name theirs",
			doc: `
kind: VirtualService
metadata: {name: vs, namespace: shop}
spec:
  hosts: [reviews, ratings.prod.svc.cluster.local]
  http:
  - route:
    - destination: {host: reviews.stage}
    - destination: {host: www.example.com}
    mirror: {host: shadow.mirror.svc}`,
			want: []string{"mirror", "prod", "stage"},
		},
		{
			name: "gateways and delegates in other namespaces are referenced, mesh is not",
			doc: `
kind: VirtualService
metadata: {name: vs, namespace: shop}
spec:
  gateways: [mesh, ingress/public, local-gw]
  http:
  - match: [{gateways: [edge/gw]}]
    delegate: {name: child, namespace: team}`,
			want: []string{"edge", "ingress", "team"},
		},
		{
			name: "a wildcard host reaches every namespace",
			doc: `
kind: VirtualService
metadata: {name: vs, namespace: shop}
spec: {hosts: ["*"]}`,
			want: []string{"*"},
		},
		{
			name: "a DestinationRule references its host's namespace",
			doc: `
kind: DestinationRule
metadata: {name: dr, namespace: shop}
spec: {host: "*.payments.svc.cluster.local"}`,
			want: []string{"payments"},
		},
		{
			name: "source namespaces, principals and conditions are needed, not shaped; patterns mean all",
			doc: `
kind: AuthorizationPolicy
metadata: {name: ap, namespace: shop}
spec:
  rules:
  - from:
    - source: {namespaces: [frontend], principals: [cluster.local/ns/batch/sa/cron]}
    when:
    - {key: source.namespace, values: [ops]}
  - from:
    - source: {notNamespaces: ["dev-*"]}`,
			needs: []string{"*", "batch", "frontend", "ops"},
		},
		{
			name: "ServiceRoleBinding users and source properties are needed, not shaped",
			doc: `
kind: ServiceRoleBinding
metadata: {name: b, namespace: shop}
spec:
  subjects:
  - user: cluster.local/ns/frontend/sa/web
  - properties: {source.namespace: ops}`,
			needs: []string{"frontend", "ops"},
		},
		{
			name: "every namespace reads the ClusterRbacConfig, none needs another's objects for it",
			doc: `
kind: ClusterRbacConfig
metadata: {name: default}
spec: {mode: "ON"}`,
			shapes: []string{"*"},
		},
		{
			name: "fields of the wrong shape are ignored, not a panic",
			doc: `
kind: VirtualService
metadata: {name: vs, namespace: shop}
spec: {hosts: 3, http: [{route: "x"}, 7]}`,
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := refsOf(mustUnstructured(t, tt.doc))
			needs := slices.Sorted(slices.Values(append(slices.Clone(tt.want), tt.needs...)))
			shapes := slices.Sorted(slices.Values(append(slices.Clone(tt.want), tt.shapes...)))
			if !slices.Equal(got.needs, needs) || !slices.Equal(got.shapes, shapes) {
				t.Errorf("refsOf: needs %v, shapes %v; want needs %v, shapes %v", got.needs, got.shapes, needs, shapes)
			}
		})
	}
}
