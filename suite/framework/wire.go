package framework

import (
	"fmt"
	"sync"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/msgcheck"
	"github.com/rspcheck/rspcheck/internal/report"
	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/schemas"
)

// Dir is a message's direction, seen from the suite.
type Dir = report.Dir

// The directions.
const (
	FromSUT = report.In  // received from the SUT
	ToSUT   = report.Out // sent to the SUT
)

// Message is one captured message of a spec.
type Message struct {
	N        int
	Dir      Dir
	Raw      []byte
	Msg      *codec.Message // nil when the bytes do not decode
	Err      error          // the decoding error
	Problems []string       // schema and profile-rule problems (msgcheck), and the decoding error
}

// Action is the message's wsa:Action ("" when it has none).
func (m *Message) Action() string {
	if m.Msg == nil || !m.Msg.HasAddressing {
		return ""
	}
	return m.Msg.Addressing.Action
}

// Wire is the log of every message of one spec, both directions, each judged against the
// official schemas and the profile's rules as it is recorded.
type Wire struct {
	mu      sync.Mutex
	msgs    []*Message
	checker *msgcheck.Checker
}

var (
	schemaOnce sync.Once
	schemaV    *schemas.Validator
	schemaErr  error
)

// validator loads the official schemas once per process.
func validator() (*schemas.Validator, error) {
	schemaOnce.Do(func() { schemaV, schemaErr = schemas.Default() })
	return schemaV, schemaErr
}

// NewWire returns an empty log judging messages in profile p.
func NewWire(p codec.Profile) (*Wire, error) {
	v, err := validator()
	if err != nil {
		return nil, fmt.Errorf("official schemas: %w (run `make schemas`)", err)
	}
	return &Wire{checker: &msgcheck.Checker{Schema: v, Profile: p}}, nil
}

// Record adds a message (a copy of raw) and returns it.
func (w *Wire) Record(dir Dir, raw []byte) *Message {
	if len(raw) == 0 {
		return nil
	}
	raw = append([]byte(nil), raw...)
	m := &Message{Dir: dir, Raw: raw}
	m.Msg, m.Err = codec.Decode(raw, codec.Options{})
	for _, p := range w.checker.Check(raw) {
		m.Problems = append(m.Problems, p.String())
	}
	w.mu.Lock()
	m.N = len(w.msgs) + 1
	w.msgs = append(w.msgs, m)
	w.mu.Unlock()
	return m
}

// Hook adapts Record to a peer hook (the peer's In = from the SUT when the peer is the
// suite's scripted side).
func (w *Wire) Hook(dir trace.Dir, raw []byte) {
	d := ToSUT
	if dir == trace.In {
		d = FromSUT
	}
	w.Record(d, raw)
}

// Messages returns the log so far; keep, when set, selects.
func (w *Wire) Messages(keep func(*Message) bool) []*Message {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []*Message
	for _, m := range w.msgs {
		if keep == nil || keep(m) {
			out = append(out, m)
		}
	}
	return out
}

// FromSUT returns the messages the SUT sent that decode.
func (w *Wire) FromSUT() []*Message {
	return w.Messages(func(m *Message) bool { return m.Dir == FromSUT && m.Msg != nil })
}

// Report is the log for the report, secrets redacted.
func (w *Wire) Report() []report.WireMessage {
	var out []report.WireMessage
	for _, m := range w.Messages(nil) {
		out = append(out, report.WireMessage{N: m.N, Dir: m.Dir, Action: m.Action(),
			Content: string(trace.Redact(m.Raw)), Problems: m.Problems})
	}
	return out
}
