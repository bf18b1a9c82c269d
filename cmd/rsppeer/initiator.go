package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/transport"
	"github.com/rspcheck/rspcheck/peer"
)

func initiator(args []string, stdout, stderr io.Writer) error {
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
	listen := fs.String("listen", "", "address of this initiator's own endpoint (addressable AcksTo; Offer endpoint)")
	offer := fs.Bool("offer", false, "offer a reverse sequence with every CreateSequence (duplex; needs --listen)")
	interval := fs.Duration("interval", 0, "pause between the messages of a sequence")
	window := fs.Int("window", 1, "messages of one sequence on the wire at once (pipelining; the responder delivers in order)")
	renewBefore := fs.Duration("renew-before", 0, "renew the SCT this long before it expires (default: a tenth of its lifetime; negative: only on wsc:RenewNeeded)")
	boot := addBootstrapFlags(fs, true)
	sf := addStateFlags(fs)
	retransmit := fs.Duration("retransmit", 0, "first retransmission interval (doubling up to ten times it; default 200ms up to 2s)")
	provisioned := addSCTFlag(fs, "use this SCT, provisioned out of band (IDENTIFIER=BASE64SECRET or @FILE), instead of WS-Trust issuance; it is not cancelled at the end")
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
	case *offer && *listen == "":
		return usagef("initiator: --offer needs --listen (the reverse sequence is sent to this initiator's endpoint)")
	case *window < 1:
		return usagef("initiator: --window must be at least 1")
	case *interval < 0:
		return usagef("initiator: --interval must not be negative")
	case *retransmit < 0:
		return usagef("initiator: --retransmit must not be negative")
	case len(*provisioned) > 1:
		return usagef("initiator: one --sct at most (the session has one SCT)")
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
	b, err := boot.load("initiator", true)
	if err != nil {
		return err
	}
	cfg := peer.InitiatorConfig{To: *to, Profile: p, SOAP: sv, Misbehave: knobs(*misbehave),
		Trace: ev.trace, KeyLog: ev.keylog, Offer: *offer, RenewBefore: *renewBefore, Bootstrap: b}
	if len(*provisioned) == 1 {
		cfg.Provisioned = &(*provisioned)[0]
	}
	if *retransmit > 0 {
		cfg.Retransmit = rm.Backoff{Base: *retransmit, Factor: 2, Max: 10 * *retransmit}
		if *sf.data == "" {
			cfg.Retransmit.Limit = 10
		}
	}
	st, err := sf.open("initiator", stderr)
	if err != nil {
		return err
	}
	defer st.close()
	if st != nil {
		cfg.Store, cfg.StoreKey = st.store, st.key
	}
	var ready atomic.Pointer[http.Handler]
	if *listen != "" {
		own, err := transport.NewServer(*listen, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if h := ready.Load(); h != nil {
				(*h).ServeHTTP(w, r)
				return
			}
			http.Error(w, "initiator starting", http.StatusServiceUnavailable)
		}))
		if err != nil {
			return err
		}
		defer own.Close()
		cfg.AcksTo = own.URL() + "/client"
	}
	in, err := peer.NewInitiator(cfg)
	if err != nil {
		if st != nil {
			return err // recovery failed: the store's error, not a usage mistake
		}
		return usagef("%v", err)
	}
	defer in.Close()
	h := in.Handler()
	ready.Store(&h)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	sum, err := in.Run(ctx, peer.Plan{Messages: *messages, Sequences: *sequences, Size: *size, Interval: *interval, Window: *window})
	fmt.Fprintln(stdout, sum)
	return err
}
