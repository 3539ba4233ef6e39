package main

import (
	"fmt"

	"github.com/apklens/apklens/rules"
	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func init() {
	rootCmd.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print the apklens version and the rules catalog version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "apklens %s\n", version)
			cat, err := rules.Default()
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "rules %s\n", cat.Version)
			return nil
		},
	})
}
