package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os/signal"
	"syscall"
	"time"

	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/internal/transport"
	"github.com/rspcheck/rspcheck/peer"
)

func responder(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("responder", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	listen := fs.String("listen", "", "address to listen on, e.g. :8080 or 127.0.0.1:0")
	profile := fs.String("profile", "p11", "p11 or p05")
	soapV := fs.String("soap", "1.2", "SOAP version of the messages the responder originates: 1.2 or 1.1")
	misbehave := fs.String("misbehave", "", "comma-separated misbehaviour knobs")
	traceDir := fs.String("trace", "", "directory for the message trace")
	keylog := fs.String("keylog", "", "file for the SCT key log")
	delivered := fs.String("delivered", "", "file to append delivered messages to")
	ackEvery := fs.Int("ack-every", 1, "acknowledge new in-order messages on every Nth response only (anonymous AcksTo)")
	duplex := fs.Bool("duplex", false, "accept Offers and echo every delivered message on the reverse sequence")
	lifetime := fs.Duration("lifetime", 0, "lifetime of issued SCTs (default 1h)")
	inactivity := fs.Duration("inactivity", 0, "discard a sequence after this long without a message (0 = never)")
	provisioned := addSCTFlag(fs, "an SCT provisioned out of band, IDENTIFIER=BASE64SECRET or @FILE (repeatable): accepted like an issued one")
	boot := addBootstrapFlags(fs, false)
	sf := addStateFlags(fs)
	if err := fs.Parse(args); err != nil {
		return usagef("responder: %v", err)
	}
	if fs.NArg() > 0 {
		return usagef("responder: unexpected argument %q", fs.Arg(0))
	}
	if *listen == "" {
		return usagef("responder: --listen is required")
	}
	p, err := peer.ParseProfile(*profile)
	if err != nil {
		return usagef("responder: %v", err)
	}
	sv, err := peer.ParseSOAP(*soapV)
	if err != nil {
		return usagef("responder: %v", err)
	}
	ev, err := openEvidence(*traceDir, *keylog)
	if err != nil {
		return err
	}
	defer ev.close()
	if *lifetime < 0 || *inactivity < 0 {
		return usagef("responder: --lifetime and --inactivity must not be negative")
	}
	b, err := boot.load("responder", false)
	if err != nil {
		return err
	}
	cfg := peer.ResponderConfig{Profile: p, SOAP: sv, Misbehave: knobs(*misbehave), Trace: ev.trace, KeyLog: ev.keylog,
		Duplex: *duplex, AckEvery: *ackEvery, Lifetime: *lifetime, InactivityTimeout: *inactivity, Bootstrap: b,
		Provisioned: *provisioned}
	st, err := sf.open("responder", stderr)
	if err != nil {
		return err
	}
	defer st.close()
	if st != nil {
		cfg.Store, cfg.StoreKey = st.store, st.key
	}
	if *delivered != "" {
		if st != nil {
			// Recovery matches the log with the store: deliveries written just before a
			// crash, but not committed, are not written twice.
			if cfg.DeliveredPrior, err = readDelivered(*delivered); err != nil {
				return err
			}
		}
		d, err := trace.OpenDelivered(*delivered, false)
		if err != nil {
			return err
		}
		defer d.Close()
		cfg.Delivered = d
	}
	r, err := peer.NewResponder(cfg)
	if err != nil {
		if st != nil {
			return err // recovery failed: the store's error, not a usage mistake
		}
		return usagef("%v", err)
	}
	defer r.Close()
	srv, err := transport.NewServer(*listen, r.Handler())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "endpoint: %s/rm\n", srv.URL())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	r.Start(ctx)
	select {
	case <-ctx.Done():
	case <-srv.Done():
		return fmt.Errorf("server stopped: %v", srv.Err())
	case err := <-r.Failed():
		// The engine is ahead of the store: stop, so that a restart recovers what is durable.
		_ = srv.Close()
		return fmt.Errorf("responder: %w", err)
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	fmt.Fprintln(stderr, "rsppeer: responder stopped")
	return nil
}
