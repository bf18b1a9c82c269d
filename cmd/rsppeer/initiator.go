package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os/signal"
	"syscall"
	"time"

	"github.com/rspcheck/rspcheck/peer"
)

func initiator(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("initiator", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	to := fs.String("to", "", "the responder's endpoint URL")
	messages := fs.Int("messages", -1, "number of application messages")
	sequences := fs.Int("sequences", 1, "number of sequences the messages are spread over")
	size := fs.Int("size", 256, "payload size in bytes")
	profile := fs.String("profile", "p11", "p11 or p05")
	soapV := fs.String("soap", "1.2", "SOAP version: 1.2 or 1.1")
	misbehave := fs.String("misbehave", "", "comma-separated misbehaviour knobs")
	traceDir := fs.String("trace", "", "directory for the message trace")
	keylog := fs.String("keylog", "", "file for the SCT key log")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return usagef("initiator: %v", err)
	}
	switch {
	case fs.NArg() > 0:
		return usagef("initiator: unexpected argument %q", fs.Arg(0))
	case *to == "":
		return usagef("initiator: --to is required")
	case *messages < 0:
		return usagef("initiator: --messages N is required (N >= 0)")
	case *sequences < 1:
		return usagef("initiator: --sequences must be at least 1")
	case *size < 0:
		return usagef("initiator: --size must not be negative")
	case *timeout <= 0:
		return usagef("initiator: --timeout must be positive")
	}
	if u, err := url.Parse(*to); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("initiator: --to %q is not an http(s) URL", *to)
	}
	p, err := peer.ParseProfile(*profile)
	if err != nil {
		return usagef("initiator: %v", err)
	}
	sv, err := peer.ParseSOAP(*soapV)
	if err != nil {
		return usagef("initiator: %v", err)
	}
	ev, err := openEvidence(*traceDir, *keylog)
	if err != nil {
		return err
	}
	defer ev.close()
	in, err := peer.NewInitiator(peer.InitiatorConfig{To: *to, Profile: p, SOAP: sv, Misbehave: knobs(*misbehave),
		Trace: ev.trace, KeyLog: ev.keylog})
	if err != nil {
		return usagef("%v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	sum, err := in.Run(ctx, peer.Plan{Messages: *messages, Sequences: *sequences, Size: *size})
	fmt.Fprintln(stdout, sum)
	return err
}
