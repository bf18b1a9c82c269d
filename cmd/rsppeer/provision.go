package main

import (
	"flag"
	"os"
	"strings"

	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/peer"
)

// addSCTFlag adds --sct: SCTs provisioned out of band (IDENTIFIER=BASE64SECRET, or @FILE
// holding that, so that the secret need not appear in the process list), for peers of
// stacks that have no WS-Trust issuer or client (gSOAP).
func addSCTFlag(fs *flag.FlagSet, usage string) *[]token.Token {
	var out []token.Token
	fs.Func("sct", usage, func(v string) error {
		if name, ok := strings.CutPrefix(v, "@"); ok {
			b, err := os.ReadFile(name)
			if err != nil {
				return err
			}
			v = strings.TrimSpace(string(b))
		}
		t, err := peer.ParseProvisioned(v)
		if err != nil {
			return err
		}
		out = append(out, t)
		return nil
	})
	return &out
}
