package main

import (
	"github.com/spf13/cobra"
)

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "translator",
		Short: "Translate Istio routing and access policy for another service mesh",
		Long: `translator reads Istio objects (VirtualService, DestinationRule, Gateway, AuthorizationPolicy,
PeerAuthentication, and the retired rbac.istio.io/v1alpha1 ServiceRole, ServiceRoleBinding,
ClusterRbacConfig and RbacConfig) with the Kubernetes workloads they refer to, and writes
equivalent objects for another mesh: Gateway API routes, SMI access and split objects, Linkerd
policy, or Istio's own current AuthorizationPolicy (to upgrade from v1alpha1 RBAC).

It runs over files (convert, verify, test) or continuously in a cluster (run).

Whatever the destination cannot express exactly is narrowed, never widened, and reported as a
finding with a stable code: run "translator explain CODE" for what a code means.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newConvertCommand(), NewRunCommand(), newVerifyCommand(), newTestCommand(), newExplainCommand(), newVersionCommand())
	return root
}
