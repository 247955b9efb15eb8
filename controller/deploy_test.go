package controller

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/client-go/rest"
)

// TestDeployedRBACSuffices runs the controller with the service account and RBAC that
// config/ deploys (rbac/ and targets/gatewayapi), impersonated, so that a rule missing from
// the least-privilege ClusterRoles fails here rather than in a cluster.
func TestDeployedRBACSuffices(t *testing.T) {
	needEnv(t)
	ctx := context.Background()
	createNamespace(t, "meshbridge-system")
	for _, f := range []string{"rbac/service_account.yaml", "rbac/reader.yaml", "rbac/leader_election.yaml", "targets/gatewayapi/writer.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "config", f))
		if err != nil {
			t.Fatal(err)
		}
		create(t, objects(t, "meshbridge-system", string(data))...)
	}
	cfg := rest.CopyConfig(testCfg)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:meshbridge-system:meshbridge-controller"}

	ns := "least-privilege"
	createNamespace(t, ns)
	startControllerAs(t, cfg, Options{Namespaces: []string{ns}, RootNamespace: "istio-system",
		LeaderElection: true, LeaderElectionNamespace: "meshbridge-system"})
	_, dr, vs, all := reviews(t, ns, 80, 20)
	create(t, all...)
	want := expected(t, ns, gatewayAPIOptions, all...)
	eventually(t, converge, "outputs written with the deployed RBAC", func() error { return matches(ctx, ns, want) })
	eventually(t, converge, "an Event recorded with the deployed RBAC", func() error {
		return hasEvent(ctx, "VirtualService", ns, "reviews", ReasonApplied, "created")
	})
	remove(t, vs, dr)
	want = expected(t, ns, gatewayAPIOptions, all[:3]...)
	eventually(t, converge, "outputs pruned with the deployed RBAC", func() error { return matches(ctx, ns, want) })
}
