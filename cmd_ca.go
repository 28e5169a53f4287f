package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/callsim/callsim/graphapi"
)

func newCACmd() *cobra.Command {
	var reset bool
	cmd := &cobra.Command{
		Use:   "ca",
		Short: "Print the local CA that `serve --tls` certificates come from",
		Long: `Print the PEM of callsim's local certificate authority on stdout, and its path and fingerprint
on stderr. It is created on first use in callsim's config directory (<user config dir>/callsim,
or $` + graphapi.ConfigDirEnv + `; the key 0600) and can sign certificates for localhost and the
loopback addresses only (name constraints). Trust it in a client to reach serve --tls:
  callsim ca > ca.pem && curl --cacert ca.pem https://127.0.0.1:4280/...   (Node: NODE_EXTRA_CA_CERTS=ca.pem)
--reset replaces it with a new one (clients that trusted the old one must trust the new one).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := graphapi.ConfigDir()
			if err != nil {
				return usageError("%v", err)
			}
			var ca *graphapi.CA
			if reset {
				if ca, err = graphapi.ResetCA(dir); err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "callsim: made a new local CA %s\n", ca.CertPath)
			} else if ca, err = loadCA(cmd.ErrOrStderr()); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "callsim: local CA %s (SHA-256 %s)\n", ca.CertPath, ca.Fingerprint())
			_, err = cmd.OutOrStdout().Write(ca.CertPEM)
			return err
		},
	}
	cmd.Flags().BoolVar(&reset, "reset", false, "make a new CA, replacing the old one")
	return cmd
}
