package main

import "github.com/spf13/cobra"

func newServeCmd() *cobra.Command {
	return &cobra.Command{Use: "serve", Short: "Serve a Graph-compatible HTTP surface", RunE: func(*cobra.Command, []string) error { return usageError("not built yet") }}
}

func newTokenCmd() *cobra.Command {
	return &cobra.Command{Use: "token", Short: "Mint a token for `serve --auth jwt`", RunE: func(*cobra.Command, []string) error { return usageError("not built yet") }}
}
