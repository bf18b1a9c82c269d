package framework

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL

	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/internal/transport"
	"github.com/rspcheck/rspcheck/peer"
)

// Scenario is one run of a SUT initiator against the suite's scripted responder.
type Scenario struct {
	Messages  int
	Sequences int
	Size      int
	// Responder configures the scripted responder (the suite side): e.g. Duplex, a short
	// SCT Lifetime, or misbehaviour to see how the SUT reacts.
	Responder peer.ResponderConfig
	// Tap, when set, sits in front of the scripted responder: drop, delay, duplicate,
	// reorder, corrupt what the SUT sends (the Wire records what gets through).
	Tap *transport.Tap
	// Rewrite, when set, may replace the scripted responder's answer to a request of the SUT
	// (return nil to keep it): a misbehaving responder, e.g. an acknowledgement of numbers
	// never sent (RM-ACK-004). Both the answer and its replacement are in the Wire.
	Rewrite func(Answer) []byte
	// Offer asks the embedded SUT initiator to offer reverse sequences.
	Offer bool
	// Bootstrap is the embedded SUT initiator's X.509 protection of the issuance
	// (SC-ISS-014); an external SUT brings its own.
	Bootstrap *peer.Bootstrap
	// Timeout bounds the run (20 s when zero).
	Timeout time.Duration
}

// InitiatorRun is what a SUT initiator did in one scenario.
type InitiatorRun struct {
	// Err is the run's outcome as the SUT reports it (embedded: Initiator.Run's error;
	// external: the command's exit status).
	Err error
	// Summary is the embedded initiator's summary (zero for an external SUT).
	Summary peer.Summary
	// Output is an external SUT's combined output.
	Output string
	// Scripted is the suite's responder: what it delivered, the tokens it issued.
	Scripted *peer.Responder
}

// Tokens are the SCTs the scripted responder issued (to verify the SUT's signatures).
func (r *InitiatorRun) Tokens() []token.Token { return r.Scripted.Tokens() }

// Delivered is what the scripted responder's application received.
func (r *InitiatorRun) Delivered() []trace.Delivery { return r.Scripted.Delivered() }

// RunInitiator runs the SUT initiator once against a scripted responder that records every
// message in the spec's Wire: the embedded reference initiator (with the run's initiator
// knobs) in process, or the external product's run command with {endpoint}, {messages},
// {sequences} and {size} substituted.
func (s *Spec) RunInitiator(ctx context.Context, sc Scenario) *InitiatorRun {
	if sc.Messages <= 0 {
		sc.Messages = 6
	}
	if sc.Sequences <= 0 {
		sc.Sequences = 1
	}
	if sc.Timeout <= 0 {
		sc.Timeout = 20 * time.Second
	}
	rc := sc.Responder
	rc.Profile, rc.SOAP, rc.Hook = s.cfg.Profile, s.cfg.SOAP, s.Wire.Hook
	if t, ok := s.cfg.SUT.ProvisionedToken(); ok {
		// the SUT initiator secures its sequences with an SCT agreed out of band
		rc.Provisioned = append(rc.Provisioned, t)
	}
	r, err := peer.NewResponder(rc)
	if err != nil {
		Fail(fmt.Sprintf("scripted responder: %v", err))
	}
	listen := "127.0.0.1:0"
	if s.cfg.SUT != nil && s.cfg.Listen != "" {
		listen = s.cfg.Listen
	}
	var h http.Handler = r.Handler()
	if sc.Rewrite != nil {
		h = rewriter(h, r, s.Wire, sc.Rewrite)
	}
	if sc.Tap != nil {
		h = sc.Tap.Middleware(h)
	}
	srv, err := transport.NewServer(listen, h)
	if err != nil {
		Fail(fmt.Sprintf("scripted responder: listen %s: %v", listen, err))
	}
	rctx, cancel := context.WithCancel(context.Background())
	r.Start(rctx)
	DeferCleanup(func() {
		cancel()
		_ = srv.Close()
	})
	endpoint := srv.URL() + "/rm"
	run := &InitiatorRun{Scripted: r}
	ctx, stop := context.WithTimeout(ctx, sc.Timeout)
	defer stop()
	if s.cfg.SUT != nil {
		run.Output, run.Err = s.runCommand(ctx, endpoint, sc)
		return run
	}
	icfg := peer.InitiatorConfig{To: endpoint, Profile: s.cfg.Profile, SOAP: s.cfg.SOAP,
		Misbehave: knobsFor(Initiator, s.cfg.Misbehave), Offer: sc.Offer, Bootstrap: sc.Bootstrap}
	icfg.Retransmit.Base, icfg.Retransmit.Factor, icfg.Retransmit.Max, icfg.Retransmit.Limit = 100*time.Millisecond, 2, time.Second, 12
	if sc.Offer {
		var in *peer.Initiator
		own, err := transport.NewServer("127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			in.Handler().ServeHTTP(w, req)
		}))
		if err != nil {
			Fail(fmt.Sprintf("initiator endpoint: %v", err))
		}
		DeferCleanup(func() { _ = own.Close() })
		icfg.AcksTo = own.URL() + "/client"
		in, err = peer.NewInitiator(icfg)
		if err != nil {
			Fail(fmt.Sprintf("embedded initiator: %v", err))
		}
		run.Summary, run.Err = in.Run(ctx, peer.Plan{Messages: sc.Messages, Sequences: sc.Sequences, Size: sc.Size})
		return run
	}
	in, err := peer.NewInitiator(icfg)
	if err != nil {
		Fail(fmt.Sprintf("embedded initiator: %v", err))
	}
	run.Summary, run.Err = in.Run(ctx, peer.Plan{Messages: sc.Messages, Sequences: sc.Sequences, Size: sc.Size})
	return run
}

// runCommand starts an external SUT initiator with the descriptor's run command.
func (s *Spec) runCommand(ctx context.Context, endpoint string, sc Scenario) (string, error) {
	if s.cfg.RunSUT != nil {
		return s.cfg.RunSUT(ctx, endpoint, map[string]string{"messages": strconv.Itoa(sc.Messages),
			"sequences": strconv.Itoa(sc.Sequences), "size": strconv.Itoa(sc.Size)})
	}
	repl := strings.NewReplacer("{endpoint}", endpoint, "{messages}", strconv.Itoa(sc.Messages),
		"{sequences}", strconv.Itoa(sc.Sequences), "{size}", strconv.Itoa(sc.Size))
	args := make([]string, len(s.cfg.SUT.Run))
	for i, a := range s.cfg.SUT.Run {
		args[i] = repl.Replace(a)
	}
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "RSPCHECK_ENDPOINT="+endpoint)
	out, err := cmd.CombinedOutput()
	if err != nil {
		err = fmt.Errorf("%s: %w", strings.Join(args, " "), err)
	}
	return string(out), err
}
