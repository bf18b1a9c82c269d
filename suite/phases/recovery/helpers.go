// Package recovery holds the specs of the recovery phase (RM-PER-*): what an RM Source and an
// RM Destination keep across a restart — the sequence, its numbering and payloads, the
// received ranges and held messages, and the SCT the sequence is bound to, sealed at rest —
// and how they go on after it: resending with fresh security, renewing an SCT that expired
// during the outage, and ending a sequence whose SCT is gone instead of re-binding it.
//
// A SUT responder is restarted between messages (RestartableResponder); a SUT initiator is
// killed when it first sends message 3 of 5 — that transmission is lost, so the scripted
// responder acknowledged 1-2 only — and run again on its state (RestartRig).
package recovery

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/peer"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
	kit "github.com/rspcheck/rspcheck/suite/phases/internal/rmkit"
)

// The initiator scenario: one sequence of msgs messages, the SUT killed at its first
// transmission of message crashAt.
const (
	msgs    = 5
	crashAt = 3
	size    = 32
)

// ---- SUT initiator ----

// crashRun runs the SUT initiator until the crash point, lets outage act on the rig (nil:
// nothing happens while the SUT is down), runs the SUT again, and returns the rig and the
// sequence that was interrupted.
func crashRun(ctx SpecContext, s *Spec, sc RestartScenario, outage func(*RestartRig)) (*RestartRig, string) {
	if sc.Messages == 0 {
		sc.Messages, sc.CrashAt, sc.Size = msgs, crashAt, size
	}
	g := s.RestartableInitiator(sc)
	crashed := g.Crash(ctx)
	s.Precondition(crashed, "the SUT's run ended (%v) before it sent message %d: there was nothing to recover", g.First.Err, sc.CrashAt)
	id := crashSeq(g)
	if outage != nil {
		outage(g)
	}
	g.Resume(ctx)
	return g, id
}

// crashSeq is the sequence of the transmission that triggered the crash.
func crashSeq(g *RestartRig) string {
	for _, t := range g.Transmissions() {
		if t.Run == 1 && t.Dropped {
			return t.Seq.Identifier
		}
	}
	return ""
}

// txsOf are the transmissions on sequence id of run (1, 2; -1 = every run).
func txsOf(g *RestartRig, id string, run int) []*Transmission {
	var out []*Transmission
	for _, t := range g.Transmissions() {
		if t.Seq.Identifier == id && (run < 0 || t.Run == run) {
			out = append(out, t)
		}
	}
	return out
}

// numbers lists the distinct message numbers of ts, ascending.
func numbers(ts []*Transmission) []uint64 {
	var out []uint64
	for _, t := range ts {
		if !slices.Contains(out, t.Seq.MessageNumber) {
			out = append(out, t.Seq.MessageNumber)
		}
	}
	slices.Sort(out)
	return out
}

// resumed checks that the SUT completed its job in the resumed run.
func resumed(s *Spec, g *RestartRig) {
	run := g.Second
	Expect(run.Err == nil).To(BeTrue(),
		"expected: the restarted SUT completes its job (every message acknowledged, the sequence terminated)\nactual:   %v %s", run.Err, tail(run.Output))
	if s.Config().Embedded() {
		Expect(run.Summary.Resumed).To(BeTrue(),
			"expected: the restarted initiator resumes the job held in its store\nactual:   a fresh job (%s)", run.Summary)
	}
}

// deliveredOnce checks that the scripted responders delivered messages 1..n of sequence id
// exactly once, in order, and nothing on any other sequence: n is the plan's message count
// (with the plan's payloads) for the embedded initiator, else the highest number the SUT
// sent on id.
func deliveredOnce(s *Spec, g *RestartRig, id string) {
	var n uint64
	for _, t := range txsOf(g, id, -1) {
		if !t.Seq.LastMessage {
			n = max(n, t.Seq.MessageNumber)
		}
	}
	exp := trace.Expect{Count: n, InOrder: true}
	if s.Config().Embedded() {
		plan := peer.Plan{Messages: msgs, Sequences: 1, Size: size}
		exp = trace.Expect{Count: msgs, InOrder: true, Digests: map[uint64]string{}}
		for i := range msgs {
			exp.Digests[uint64(i+1)] = trace.PayloadDigest(plan.Payload(i))
		}
	}
	ds := g.Delivered()
	err := trace.Verify(ds, map[string]trace.Expect{id: exp})
	Expect(err == nil).To(BeTrue(),
		"expected: messages 1..%d of %s delivered exactly once, in order, across the restart\nactual:   %v (delivered %s)", exp.Count, id, err, deliveries(ds))
}

// deliveries summarises a delivered log: sequence:number, in delivery order.
func deliveries(ds []trace.Delivery) string {
	if len(ds) == 0 {
		return "nothing"
	}
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmt.Sprintf("%s:%d", short(d.Sequence), d.MessageNumber)
	}
	return strings.Join(parts, " ")
}

// short abbreviates an identifier for messages.
func short(id string) string {
	if len(id) > 18 {
		return "…" + id[len(id)-8:]
	}
	return id
}

// boundSCT is the SCT the CreateSequence of sequence id referenced in its STR ("" when the
// wire does not show it).
func boundSCT(s *Spec, id string) string {
	cs := kit.GrantedSeqs(s)[id]
	if cs == nil {
		return ""
	}
	if b, ok := cs.Msg.Payload.(*wsrm.CreateSequence); ok && b.STR != nil && b.STR.Reference != nil {
		return strings.TrimPrefix(b.STR.Reference.URI, "#")
	}
	return ""
}

// instancesOf keeps the instances of SCT id.
func instancesOf(toks []token.Token, id string) []token.Token {
	var out []token.Token
	for _, t := range toks {
		if t.Identifier == id {
			out = append(out, t)
		}
	}
	return out
}

// bound returns the SCT sequence id is bound to and its instances; the spec is inconclusive
// when the wire does not show it.
func bound(s *Spec, g *RestartRig, id string) (string, []token.Token) {
	sct := boundSCT(s, id)
	s.Precondition(sct != "", "the CreateSequence of %s (and the SCT its STR names) is not in the wire log", id)
	toks := instancesOf(g.Tokens(), sct)
	s.Precondition(len(toks) > 0, "the scripted responder never issued the SCT %s that %s is bound to", sct, id)
	return sct, toks
}

func tail(out string) string {
	out = strings.TrimSpace(out)
	if len(out) > 600 {
		out = "…" + out[len(out)-600:]
	}
	if out == "" {
		return ""
	}
	return "\n" + out
}

// ---- stores at rest (RM-PER-005) ----

// secretForms are the encodings a leaked secret would show in a file.
func secretForms(secret []byte) map[string][]byte {
	return map[string][]byte{"raw": secret, "base64": []byte(base64.StdEncoding.EncodeToString(secret)), "hex": []byte(fmt.Sprintf("%x", secret))}
}

// leaks names the forms in which a secret of toks appears in the files of dir.
func leaks(dir string, toks []token.Token) []string {
	var out []string
	_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		for _, t := range toks {
			for form, b := range secretForms(t.Secret) {
				leak := fmt.Sprintf("%s: the secret of %s (%s)", filepath.Base(path), t.Identifier, form)
				if len(b) > 0 && bytes.Contains(data, b) && !slices.Contains(out, leak) {
					out = append(out, leak)
				}
			}
		}
		return nil
	})
	return out
}

// copyDir copies the regular files of dir into a new temporary directory.
func copyDir(dir string) string {
	dst := GinkgoT().TempDir()
	entries, err := os.ReadDir(dir)
	Expect(err).NotTo(HaveOccurred())
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		in, err := os.Open(filepath.Join(dir, e.Name()))
		Expect(err).NotTo(HaveOccurred())
		out, err := os.Create(filepath.Join(dst, e.Name()))
		Expect(err).NotTo(HaveOccurred())
		_, err = io.Copy(out, in)
		Expect(err).NotTo(HaveOccurred())
		_ = in.Close()
		Expect(out.Close()).To(Succeed())
	}
	return dst
}
