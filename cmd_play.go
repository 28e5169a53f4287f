package main

import "github.com/spf13/cobra"

func newPlayCmd() *cobra.Command {
	return &cobra.Command{Use: "play NAME|FILE", Short: "Play a scenario", RunE: func(*cobra.Command, []string) error { return usageError("not built yet") }}
}

func newValidateCmd() *cobra.Command {
	return &cobra.Command{Use: "validate FILE...", Short: "Check scenario files", RunE: func(*cobra.Command, []string) error { return usageError("not built yet") }}
}

func newScenariosCmd() *cobra.Command {
	return &cobra.Command{Use: "scenarios", Short: "List the built-in scenarios", RunE: func(*cobra.Command, []string) error { return usageError("not built yet") }}
}

func newSchemaCmd() *cobra.Command {
	return &cobra.Command{Use: "schema", Short: "Print the JSON Schema of the scenario format", RunE: func(*cobra.Command, []string) error { return usageError("not built yet") }}
}
