package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and the API libraries it was built with",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "translator %s\n", version)
			bi, ok := debug.ReadBuildInfo()
			if !ok {
				return nil
			}
			fmt.Fprintf(out, "go %s\n", bi.GoVersion)
			for _, d := range bi.Deps {
				switch d.Path {
				case "istio.io/client-go", "sigs.k8s.io/gateway-api", "github.com/servicemeshinterface/smi-sdk-go",
					"k8s.io/client-go", "sigs.k8s.io/controller-runtime":
					fmt.Fprintf(out, "%s %s\n", d.Path, d.Version)
				}
			}
			return nil
		},
	}
}
