package main

import (
	"flag"
	"fmt"

	"github.com/rspcheck/rspcheck/internal/xmlsec/pki"
	"github.com/rspcheck/rspcheck/peer"
)

// bootstrapFlags are the X.509 bootstrap options (SC-ISS-014) of both roles; certificates and
// keys are PEM files as `rspcheck certs` writes them.
type bootstrapFlags struct {
	cert, key, ca, peerCert, peerName *string
}

func addBootstrapFlags(fs *flag.FlagSet, initiator bool) *bootstrapFlags {
	b := &bootstrapFlags{
		cert:     fs.String("cert", "", "X.509 bootstrap: this peer's certificate (PEM); enables the bootstrap"),
		key:      fs.String("key", "", "X.509 bootstrap: this peer's private key (PEM)"),
		ca:       fs.String("ca", "", "X.509 bootstrap: CA certificates (PEM) trusted for the other party"),
		peerName: fs.String("peer-name", "", "X.509 bootstrap: required Common Name of the other party's certificate"),
	}
	empty := ""
	b.peerCert = &empty
	if initiator {
		b.peerCert = fs.String("peer-cert", "", "X.509 bootstrap: the issuer's certificate (PEM); entropy is encrypted for it")
	}
	return b
}

// load returns the bootstrap configuration, nil when --cert is not given.
func (b *bootstrapFlags) load(role string, initiator bool) (*peer.Bootstrap, error) {
	if *b.cert == "" {
		if *b.key != "" || *b.ca != "" || *b.peerCert != "" || *b.peerName != "" {
			return nil, usagef("%s: the X.509 bootstrap options need --cert", role)
		}
		return nil, nil
	}
	if *b.key == "" || *b.ca == "" || (initiator && *b.peerCert == "") {
		return nil, usagef("%s: --cert needs --key and --ca%s", role, map[bool]string{true: " and --peer-cert", false: ""}[initiator])
	}
	id, err := pki.LoadIdentity(*b.cert, *b.key)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", role, err)
	}
	roots, err := pki.LoadPool(*b.ca)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", role, err)
	}
	out := &peer.Bootstrap{Identity: id, Roots: roots, PeerName: *b.peerName}
	if initiator {
		if out.Peer, err = pki.LoadCert(*b.peerCert); err != nil {
			return nil, fmt.Errorf("%s: %w", role, err)
		}
	}
	return out, nil
}
