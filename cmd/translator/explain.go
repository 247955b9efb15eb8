package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/meshbridge/meshbridge/model"
)

func newExplainCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "explain CODE",
		Short: "Say what a finding code means and what to do about it",
		Example: `  translator explain MB2003
  translator explain all`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if args[0] == "all" {
				for _, e := range model.Catalog() {
					fmt.Fprintf(out, "%s  %-7s  %s\n", e.Code, e.Severity, e.Title)
				}
				return nil
			}
			e, ok := model.Lookup(model.Code(strings.ToUpper(args[0])))
			if !ok {
				return &exitError{code: 1, msg: fmt.Sprintf("unknown finding code %q (translator explain all lists them)", args[0])}
			}
			fmt.Fprintf(out, "%s (%s): %s\n\n%s\n\nWhat to do: %s\n", e.Code, e.Severity, e.Title, e.Meaning, e.Remedy)
			return nil
		},
	}
}
