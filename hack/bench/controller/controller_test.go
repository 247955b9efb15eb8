package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
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
`)
	}))
	defer srv.Close()
	m, err := scrape(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if m["meshbridge_translations_total"] != 42 || m["workqueue_depth"] != 3 || m["process_resident_memory_bytes"] != 1.5e8 {
		t.Errorf("scrape = %v", m)
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
