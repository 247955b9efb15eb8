package main

import (
	"github.com/spf13/cobra"
)

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "translator",
		Short: "Translate Istio routing and access policy for another service mesh",
		Long: `translator reads Istio objects (VirtualService, DestinationRule, Gateway, AuthorizationPolicy,
PeerAuthentication) and the Kubernetes workloads they refer to, and writes equivalent objects for
another mesh: Gateway API routes, SMI access and split objects.

Whatever the destination cannot express exactly is narrowed, never widened, and reported as a
finding with a stable code: run "translator explain CODE" for what a code means.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newConvertCommand(), newVersionCommand(), newExplainCommand())
	return root
}
