package rm

import (
	"fmt"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// The fake clock is just time values.
var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

const (
	tokA = "urn:uuid:sct-a"
	tokB = "urn:uuid:sct-b"
)

var (
	anon   = wsa.EPR{Address: wsa.V10.Anonymous()}
	client = wsa.EPR{Address: "http://client.example/acks"}
	server = wsa.EPR{Address: "http://server.example/rm"}
)

// ids returns a deterministic NewID.
func ids(prefix string) func() string {
	n := 0
	return func() string { n++; return fmt.Sprintf("urn:uuid:%s-%d", prefix, n) }
}

// signed is an Auth for a message fully protected by tok.
func signed(tok string) Auth { return Auth{Token: tok, Headers: true, Body: true} }

// newPtr sets *p to a new zero value; it lets tests build a wsse.SecurityTokenReference
// without importing wire/wsse (layercheck: rm and its tests import only wsrm, wsa, wire).
func newPtr[T any](p **T) { *p = new(T) }

// createSeq builds a CreateSequence; str != "" adds an STR with a direct reference to str.
func createSeq(v wsrm.Version, acksTo wsa.EPR, str string) *wsrm.CreateSequence {
	cs := &wsrm.CreateSequence{V: v, AcksTo: acksTo}
	if str != "" {
		newPtr(&cs.STR)
		newPtr(&cs.STR.Reference)
		cs.STR.Reference.URI = str
	}
	return cs
}

// scopedReq is a well-formed, STR-scoped CreateSequence request for tok.
func scopedReq(v wsrm.Version, acksTo wsa.EPR, tok string) CreateSequenceRequest {
	cs := createSeq(v, acksTo, tok)
	return CreateSequenceRequest{Msg: cs, UsesSequenceSTR: v == wsrm.V200702, STRToken: STRToken(cs, nil)}
}

func newDest(t testing.TB, mut func(*DestinationConfig)) *Destination {
	t.Helper()
	cfg := DestinationConfig{NewID: ids("d"), RequireSTR: true, RequireUsesSequenceSTR: true}
	if mut != nil {
		mut(&cfg)
	}
	d, err := NewDestination(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func newSrc(t testing.TB, mut func(*SourceConfig)) *Source {
	t.Helper()
	cfg := SourceConfig{NewID: ids("s"), Retransmit: Backoff{Base: time.Second, Factor: 2, Max: 8 * time.Second}}
	if mut != nil {
		mut(&cfg)
	}
	s, err := NewSource(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// open creates a sequence scoped to tokA at d and returns its identifier.
func open(t testing.TB, d *Destination, v wsrm.Version, acksTo wsa.EPR) string {
	t.Helper()
	acts := d.CreateSequence(scopedReq(v, acksTo, tokA), signed(tokA), t0)
	r := one[Reply](t, acts)
	return r.Msg.(*wsrm.CreateSequenceResponse).Identifier
}

func seqH(v wsrm.Version, id string, k uint64) *wsrm.Sequence {
	return &wsrm.Sequence{V: v, Identifier: id, MessageNumber: k}
}

func payload(k uint64) Payload { return Payload(fmt.Sprintf("msg-%d", k)) }

// all returns the actions of type T.
func all[T Action](acts []Action) []T {
	var out []T
	for _, a := range acts {
		if x, ok := a.(T); ok {
			out = append(out, x)
		}
	}
	return out
}

// one returns the single action of type T.
func one[T Action](t testing.TB, acts []Action) T {
	t.Helper()
	xs := all[T](acts)
	if len(xs) != 1 {
		var z T
		t.Fatalf("want exactly one %T, got %d in %s", z, len(xs), describe(acts))
	}
	return xs[0]
}

// none fails when an action of type T is present.
func none[T Action](t testing.TB, acts []Action) {
	t.Helper()
	if xs := all[T](acts); len(xs) > 0 {
		var z T
		t.Fatalf("want no %T, got %s", z, describe(acts))
	}
}

// faultOf returns the fault of the single SendFault (or Drop).
func faultOf(t testing.TB, acts []Action) *Fault {
	t.Helper()
	if fs := all[SendFault](acts); len(fs) == 1 {
		return fs[0].Fault
	}
	if ds := all[Drop](acts); len(ds) == 1 && ds[0].Fault != nil {
		return ds[0].Fault
	}
	t.Fatalf("want one fault, got %s", describe(acts))
	return nil
}

func describe(acts []Action) string {
	s := "["
	for i, a := range acts {
		if i > 0 {
			s += ", "
		}
		switch x := a.(type) {
		case SendFault:
			s += "SendFault(" + x.Fault.Error() + ")"
		case Drop:
			s += "Drop(" + x.Reason + ")"
		case Deliver:
			s += fmt.Sprintf("Deliver(%d)", x.Number)
		case SendMessage:
			s += fmt.Sprintf("SendMessage(%d#%d)", x.Number, x.Attempt)
		case Send:
			s += fmt.Sprintf("Send(%s#%d)", x.Kind, x.Attempt)
		case Reply:
			s += fmt.Sprintf("Reply(%s)", x.Kind)
		default:
			s += fmt.Sprintf("%T", a)
		}
	}
	return s + "]"
}

// delivered lists the numbers of Deliver actions.
func delivered(acts []Action) []uint64 {
	var out []uint64
	for _, d := range all[Deliver](acts) {
		out = append(out, d.Number)
	}
	return out
}

// lastAck is the ack of the last SendAck (or Reply header).
func lastAck(t testing.TB, acts []Action) wsrm.SequenceAcknowledgement {
	t.Helper()
	for i := len(acts) - 1; i >= 0; i-- {
		switch x := acts[i].(type) {
		case SendAck:
			return x.Ack
		case Reply:
			if x.Ack != nil {
				return *x.Ack
			}
		}
	}
	t.Fatalf("no ack in %s", describe(acts))
	return wsrm.SequenceAcknowledgement{}
}

func rng(lo, hi uint64) wsrm.AckRange { return wsrm.AckRange{Lower: lo, Upper: hi} }
