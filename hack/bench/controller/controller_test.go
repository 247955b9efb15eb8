package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

func TestPercentileIsTheNearestRank(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0, time.Millisecond}} {
		if got := percentile(d, tc.p); got != tc.want {
			t.Errorf("p%v = %v, want %v", tc.p, got, tc.want)
		}
	}
	if got := percentile(nil, 99); got != 0 {
		t.Errorf("p99 of nothing = %v", got)
	}
}

func TestScrapeSumsEachMetricOverItsLabels(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `# HELP meshbridge_translations_total translations
# TYPE meshbridge_translations_total counter
meshbridge_translations_total{result="applied"} 40
meshbridge_translations_total{result="held"} 2
workqueue_depth{controller="meshbridge",name="meshbridge",priority="-100"} 3
process_resident_memory_bytes 1.5e+08
# TYPE meshbridge_reconcile_seconds histogram
meshbridge_reconcile_seconds_bucket{le="0.1"} 3
meshbridge_reconcile_seconds_bucket{le="+Inf"} 4
meshbridge_reconcile_seconds_sum 0.5
meshbridge_reconcile_seconds_count 4
# TYPE rest_client_requests_total counter
rest_client_requests_total{code="200",host="h",method="PATCH"} 5
rest_client_requests_total{code="201",host="h",method="PATCH"} 2
rest_client_requests_total{code="201",host="h",method="POST"} 1
`)
	}))
	defer srv.Close()
	m, err := scrape(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if m["meshbridge_translations_total"] != 42 || m["workqueue_depth"] != 3 || m["process_resident_memory_bytes"] != 1.5e8 ||
		m["meshbridge_reconcile_seconds_sum"] != 0.5 || m["meshbridge_reconcile_seconds_count"] != 4 {
		t.Errorf("scrape = %v", m)
	}
	r, err := requestsByMethod(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if len(r) != 2 || r["PATCH"] != 7 || r["POST"] != 1 {
		t.Errorf("requests by method = %v", r)
	}
}

func policy(t *testing.T, y string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(y), &u.Object); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestChangesGoToAllowPoliciesWithPathsAndNoConditions(t *testing.T) {
	withPaths := "spec: {action: ALLOW, rules: [{to: [{operation: {paths: [/api/*]}}]}]}"
	policies := []*unstructured.Unstructured{
		policy(t, withPaths),
		policy(t, "spec: {action: DENY, rules: [{to: [{operation: {paths: [/admin/*]}}]}]}"),
		policy(t, "spec: {action: ALLOW, rules: [{to: [{operation: {ports: ['5432']}}]}]}"),
		policy(t, "spec: {action: ALLOW, rules: [{to: [{operation: {paths: [/a]}}], when: [{key: k, values: [v]}]}]}"),
		policy(t, withPaths),
		policy(t, withPaths),
	}
	got := changeTargets(policies, 2)
	if len(got) != 2 || got[0] != policies[0] || got[1] != policies[4] {
		t.Errorf("changeTargets picked %v", got)
	}
	if all := changeTargets(policies, 10); len(all) != 3 {
		t.Errorf("%d candidates, want 3", len(all))
	}
}

func TestCompareFindsOutputsThatDifferFromConvert(t *testing.T) {
	want := map[string]*unstructured.Unstructured{
		"Server/a/same":    policy(t, "metadata: {annotations: {meshbridge.io/source: AuthorizationPolicy/a/p}}\nspec: {port: 8080}"),
		"Server/a/changed": policy(t, "spec: {port: 8080}"),
		"Server/a/missing": policy(t, "spec: {port: 8080}"),
	}
	w := &outputWatch{seenKey: map[string]*unstructured.Unstructured{
		// the cluster adds the controller's labels, its hash and the server's defaults
		"Server/a/same": policy(t, `metadata:
  labels: {app.kubernetes.io/managed-by: meshbridge}
  annotations: {meshbridge.io/source: AuthorizationPolicy/a/p, meshbridge.io/applied-hash: x}
spec: {port: 8080, proxyProtocol: unknown}`),
		"Server/a/changed": policy(t, "spec: {port: 9090}"),
	}}
	n, bad := w.compare(want)
	if n != 2 || len(bad) != 2 || !strings.HasPrefix(bad[0], "Server/a/changed: [spec]") || bad[1] != "Server/a/missing: missing" {
		t.Errorf("compare = %d, %q", n, bad)
	}
}
