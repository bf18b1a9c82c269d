package rmkit

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/beevik/etree"
	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/internal/transport"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
)

// Tx is one transmission of a sequence message the SUT sent, as the Tap in front of the
// scripted responder saw it (dropped ones included).
type Tx struct {
	N       uint64 // arrival index at the Tap
	At      time.Time
	Raw     []byte
	Msg     *codec.Message
	Seq     *wsrm.Sequence
	Dropped bool
}

// Lossy is a scenario in which the first transmission of the SUT's second application
// message (the second number it uses, normally 2) is lost before it reaches the scripted
// responder, so that the SUT must retransmit it; the Tap records every transmission of a
// sequence message, and the scripted responder writes the keys of the SCTs it issues (to
// verify signatures after the SUT cancelled them).
type Lossy struct {
	tap  *transport.Tap
	mu   sync.Mutex
	txs  []*Tx
	nums map[uint64]bool // numbers seen so far
	// Lost is the message whose first transmission was dropped (zero when none was).
	Lost struct {
		Seq string
		N   uint64
	}
	Keys string
}

// Size is the payload size of the initiator scenarios: distinct payloads per message, so
// that a number reused for another message shows.
const Size = 32

// RunLossy runs the SUT initiator with msgs messages on one sequence, dropping the first
// transmission of its second application message.
func RunLossy(ctx SpecContext, s *Spec, msgs int) (*InitiatorRun, *Lossy) {
	l := &Lossy{nums: map[uint64]bool{}}
	l.tap = transport.NewTap(1, transport.Rule{Match: l.match, Limit: 1, Effect: transport.DropRequest})
	sc := Scenario{Messages: msgs, Sequences: 1, Size: Size, Tap: l.tap}
	l.Keys = keyLog(&sc)
	run := s.RunInitiator(ctx, sc)
	dropped := map[uint64]bool{}
	for _, d := range l.tap.Decisions() {
		if d.Effect == transport.DropRequest {
			dropped[d.N] = true
		}
	}
	l.mu.Lock()
	for _, t := range l.txs {
		t.Dropped = dropped[t.N]
	}
	l.mu.Unlock()
	return run, l
}

// match records sequence messages and selects the first transmission of the second number
// used.
func (l *Lossy) match(m transport.Message) bool {
	if !bytes.Contains(m.Body, []byte("MessageNumber")) {
		return false
	}
	msg, err := codec.Decode(m.Body, codec.Options{})
	if err != nil {
		return false
	}
	h, _ := codec.Find[*wsrm.Sequence](msg)
	if h == nil {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.txs = append(l.txs, &Tx{N: m.N, At: time.Now(), Raw: bytes.Clone(m.Body), Msg: msg, Seq: h})
	if l.nums[h.MessageNumber] || h.LastMessage {
		return false
	}
	l.nums[h.MessageNumber] = true
	if len(l.nums) != 2 {
		return false
	}
	l.Lost.Seq, l.Lost.N = h.Identifier, h.MessageNumber
	return true
}

// Transmissions returns every transmission of a sequence message, in arrival order.
func (l *Lossy) Transmissions() []*Tx {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.txs)
}

// keyLog makes the scripted responder log the keys of the SCTs it issues to a temporary
// file and returns its path.
func keyLog(sc *Scenario) string {
	path := filepath.Join(GinkgoT().TempDir(), "keys.log")
	kl, err := trace.OpenKeyLog(path)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(kl.Close)
	sc.Responder.KeyLog = kl
	return path
}

// Issued returns every SCT the scripted responder issued during the run (cancelled ones
// included), for BeSignedBy.
func Issued(s *Spec, run *InitiatorRun, path string) []token.Token {
	out := run.Tokens()
	f, err := os.Open(path)
	if err != nil {
		return out
	}
	defer f.Close()
	entries, err := trace.ReadKeyLogEntries(f)
	if err != nil {
		return out
	}
	v := s.Config().Profile.SC()
	for _, e := range entries {
		out = append(out, token.Token{Identifier: e.Identifier, Secret: e.Secret, Version: v})
	}
	return out
}

// ProtocolAction reports whether action is a WS-RM protocol action (the 2005/02 LastMessage
// message excepted), an SCT binding action or a fault action: not an application message.
func ProtocolAction(action string) bool {
	if _, k, ok := wsrm.KindOfAction(action); ok {
		return k != wsrm.KindLastMessage
	}
	if _, _, _, ok := wsc.BindingOfAction(action); ok {
		return true
	}
	return strings.HasSuffix(action, "/fault") || strings.Contains(action, "ws-trust") || strings.Contains(action, "/trust/")
}

// SeqMessages are the messages from the SUT carrying a wsrm:Sequence header, by sequence.
func SeqMessages(s *Spec) map[string][]*Message {
	out := map[string][]*Message{}
	for _, m := range s.Wire.FromSUT() {
		if h, _ := codec.Find[*wsrm.Sequence](m.Msg); h != nil {
			out[h.Identifier] = append(out[h.Identifier], m)
		}
	}
	return out
}

// GrantedSeqs maps each sequence the scripted responder granted to the CreateSequence (from
// the SUT) that asked for it.
func GrantedSeqs(s *Spec) map[string]*Message {
	byID := map[string]*Message{}
	out := map[string]*Message{}
	for _, m := range s.Wire.Messages(func(m *Message) bool { return m.Msg != nil }) {
		switch b := m.Msg.Payload.(type) {
		case *wsrm.CreateSequence:
			if m.Dir == FromSUT && m.Msg.HasAddressing {
				byID[m.Msg.Addressing.MessageID] = m
			}
		case *wsrm.CreateSequenceResponse:
			if m.Dir == ToSUT && m.Msg.HasAddressing && len(m.Msg.Addressing.RelatesTo) > 0 {
				if cs := byID[m.Msg.Addressing.RelatesTo[0].URI]; cs != nil {
					out[b.Identifier] = cs
				}
			}
		}
	}
	return out
}

// PayloadKey is the content of a message's Body (its children serialised), "" for an empty
// body; encrypted bodies cannot be compared and give ok false.
func PayloadKey(m *codec.Message) (key string, ok bool) {
	if m.Body == nil {
		return "", true
	}
	var b strings.Builder
	for _, ch := range m.Body.ChildElements() {
		if ch.Tag == "EncryptedData" {
			return "", false
		}
		d := etree.NewDocument()
		d.SetRoot(ch.Copy())
		s, err := d.WriteToString()
		if err != nil {
			return "", false
		}
		b.WriteString(s)
	}
	return b.String(), true
}

// RunDelivered lists the numbers of sequence id the scripted responder delivered.
func RunDelivered(run *InitiatorRun, id string) []uint64 {
	var out []uint64
	for _, d := range run.Delivered() {
		if d.Sequence == id {
			out = append(out, d.MessageNumber)
		}
	}
	return out
}

// Stamp is a message's Timestamp Created (parsed and as written) and first SignatureValue:
// what must change when a message is sent again with fresh security (RM-SEQ-008, RM-PER-008).
func Stamp(m *codec.Message) (created time.Time, raw string, sig []byte) {
	sec, _ := codec.Find[*wsse.Security](m)
	if sec == nil {
		return
	}
	if ts := sec.Timestamp(); ts != nil {
		raw = ts.Created
		created, _, _ = ts.Times()
	}
	if sigs := wsse.ItemsOf[*wsse.Signature](sec); len(sigs) > 0 {
		sig = sigs[0].SignatureValue
	}
	return
}
