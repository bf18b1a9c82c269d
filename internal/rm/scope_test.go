package rm

import (
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// TestCreateSequenceScoping is the STR scoping matrix (RM-STR-002..007, FLOW §5).
func TestCreateSequenceScoping(t *testing.T) {
	v11, v05 := wsrm.V200702, wsrm.V200502
	tests := []struct {
		name      string
		v         wsrm.Version
		str       string // "" = no STR
		strToken  string // resolved token ("" = unresolvable)
		uses      bool
		auth      Auth
		cfg       func(*DestinationConfig)
		assertion string // "" = created
		token     string // binding when created
	}{
		{"right token 1.1", v11, tokA, tokA, true, signed(tokA), nil, "", tokA},
		{"right token 2005/02 (no header)", v05, tokA, tokA, false, signed(tokA), nil, "", tokA},
		{"other token", v11, tokA, tokA, true, signed(tokB), nil, "RM-STR-005", ""},
		{"STR without security", v11, tokA, tokA, true, Auth{}, nil, "RM-STR-006", ""},
		{"STR without security 2005/02", v05, tokA, tokA, false, Auth{}, nil, "RM-STR-006", ""},
		{"body not signed", v11, tokA, tokA, true, Auth{Token: tokA, Headers: true}, nil, "RM-STR-005", ""},
		{"UsesSequenceSTR not signed", v11, tokA, tokA, true, Auth{Token: tokA, Body: true}, nil, "RM-STR-005", ""},
		{"unresolvable STR", v11, "#nowhere", "", true, signed(tokA), nil, "RM-STR-002", ""},
		{"missing UsesSequenceSTR (WCF)", v11, tokA, tokA, false, signed(tokA), nil, "RM-STR-003", ""},
		{"missing UsesSequenceSTR tolerated", v11, tokA, tokA, false, signed(tokA),
			func(c *DestinationConfig) { c.RequireUsesSequenceSTR = false }, "", tokA},
		{"UsesSequenceSTR without STR", v11, "", "", true, signed(tokA), nil, "RM-STR-003", ""},
		{"no STR when required", v11, "", "", false, signed(tokA), nil, "RM-STR-007", ""},
		{"no STR when required 2005/02", v05, "", "", false, signed(tokA), nil, "RM-STR-007", ""},
		{"no STR, not required: unscoped", v11, "", "", false, signed(tokA),
			func(c *DestinationConfig) { c.RequireSTR = false }, "", ""},
		{"unsecured, not required: unscoped", v05, "", "", false, Auth{},
			func(c *DestinationConfig) { c.RequireSTR = false }, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDest(t, tt.cfg)
			cs := createSeq(tt.v, anon, tt.str)
			acts := d.CreateSequence(CreateSequenceRequest{Msg: cs, UsesSequenceSTR: tt.uses, STRToken: tt.strToken}, tt.auth, t0)
			if tt.assertion != "" {
				f := faultOf(t, acts)
				if f.Code != wsrm.CreateSequenceRefused || f.Receiver || f.Assertion != tt.assertion {
					t.Fatalf("got %v (%s, receiver=%v), want CreateSequenceRefused Sender %s", f, f.Assertion, f.Receiver, tt.assertion)
				}
				none[Reply](t, acts)
				none[PutDestination](t, acts)
				if d.Len() != 0 {
					t.Fatal("a refused CreateSequence must not create a sequence")
				}
				return
			}
			r := one[Reply](t, acts)
			st := one[PutDestination](t, acts).State
			if st.Token != tt.token || r.Token != tt.auth.Token {
				t.Fatalf("binding %q, reply token %q; want %q, reply protected by %q", st.Token, r.Token, tt.token, tt.auth.Token)
			}
		})
	}
}

func TestSTRToken(t *testing.T) {
	local := func(id string) string {
		if id == "sct-1" {
			return tokA
		}
		return ""
	}
	if got := STRToken(createSeq(wsrm.V200702, anon, tokB), local); got != tokB {
		t.Fatalf("direct: %q", got)
	}
	if got := STRToken(createSeq(wsrm.V200702, anon, "#sct-1"), local); got != tokA {
		t.Fatalf("local: %q", got)
	}
	if got := STRToken(createSeq(wsrm.V200702, anon, "#other"), local); got != "" {
		t.Fatalf("unknown local: %q", got)
	}
	if got := STRToken(createSeq(wsrm.V200702, anon, "#sct-1"), nil); got != "" {
		t.Fatalf("no resolver: %q", got)
	}
	if got := STRToken(createSeq(wsrm.V200702, anon, ""), local); got != "" {
		t.Fatalf("no STR: %q", got)
	}
}

// TestLaterMessagesBinding: every later message of a scoped sequence must be protected by the
// same SCT with its RM parts signed (RM-STR-008); otherwise it is rejected, never acknowledged
// nor delivered, and changes nothing (RM-STR-009).
func TestLaterMessagesBinding(t *testing.T) {
	bad := []struct {
		name string
		auth Auth
		why  RejectReason
	}{
		{"other token", signed(tokB), RejectWrongToken},
		{"unsecured", Auth{}, RejectUnsecured},
		{"headers not covered", Auth{Token: tokA, Body: true}, RejectUncovered},
		{"body not covered", Auth{Token: tokA, Headers: true}, RejectUncovered},
	}
	kinds := []struct {
		name    string
		rejects func(Auth) bool // is the auth insufficient for this kind
		send    func(d *Destination, id string, a Auth) []Action
	}{
		{"Sequence", func(Auth) bool { return true },
			func(d *Destination, id string, a Auth) []Action {
				return d.Message(seqH(wsrm.V200702, id, 2), payload(2), a, t0)
			}},
		{"AckRequested", func(a Auth) bool { return a.Token != tokA || !a.Headers },
			func(d *Destination, id string, a Auth) []Action {
				return d.AckRequested(&wsrm.AckRequested{V: wsrm.V200702, Identifier: id}, a, t0)
			}},
		{"CloseSequence", func(a Auth) bool { return a.Token != tokA || !a.Body },
			func(d *Destination, id string, a Auth) []Action {
				return d.CloseSequence(&wsrm.CloseSequence{V: wsrm.V200702, Identifier: id}, a, t0)
			}},
		{"TerminateSequence", func(a Auth) bool { return a.Token != tokA || !a.Body },
			func(d *Destination, id string, a Auth) []Action {
				return d.TerminateSequence(&wsrm.TerminateSequence{V: wsrm.V200702, Identifier: id}, a, t0)
			}},
	}
	for _, k := range kinds {
		for _, b := range bad {
			t.Run(k.name+"/"+b.name, func(t *testing.T) {
				d := newDest(t, nil)
				id := open(t, d, wsrm.V200702, anon)
				d.Message(seqH(wsrm.V200702, id, 1), payload(1), signed(tokA), t0)
				before, _ := d.Snapshot()
				acts := k.send(d, id, b.auth)
				if !k.rejects(b.auth) {
					// The part that carries the claim is what must be signed: the header for
					// AckRequested, the body for Close/Terminate.
					none[SendFault](t, acts)
					return
				}
				f := faultOf(t, acts)
				if f.Security != FailedAuthentication || f.Code != "" || f.Assertion != "RM-STR-009" || !strings.Contains(f.Reason, b.why.String()) {
					t.Fatalf("fault %v", f)
				}
				none[Deliver](t, acts)
				none[SendAck](t, acts)
				none[Reply](t, acts)
				for _, a := range acts {
					if _, ok := a.(Persistent); ok {
						t.Fatalf("rejected message changed durable state: %s", describe(acts))
					}
				}
				after, _ := d.Snapshot()
				if len(after) != 1 || len(after[0].Received) != len(before[0].Received) || after[0].Closed {
					t.Fatalf("state changed: %+v", after)
				}
				// The legitimate sequence carries on: message 2 from the right token works.
				ok := d.Message(seqH(wsrm.V200702, id, 2), payload(2), signed(tokA), t0)
				if got := delivered(ok); len(got) != 1 || got[0] != 2 {
					t.Fatalf("sequence harmed by the rejection: %s", describe(ok))
				}
			})
		}
	}
}

// TestRejectSilently: WCF-like silent drop instead of the fault.
func TestRejectSilently(t *testing.T) {
	d := newDest(t, func(c *DestinationConfig) { c.RejectSilently = true })
	id := open(t, d, wsrm.V200702, anon)
	acts := d.Message(seqH(wsrm.V200702, id, 1), payload(1), signed(tokB), t0)
	dr := one[Drop](t, acts)
	none[SendFault](t, acts)
	if dr.Fault.Security != FailedAuthentication {
		t.Fatalf("drop should record the fault it withheld: %v", dr.Fault)
	}
}

// TestSourceBinding: the Source rejects acks, responses and faults that are not protected by
// the sequence's token (RM-STR-009 "and RMS for acks it receives"), incl. acks for an offered
// reverse sequence.
func TestSourceBinding(t *testing.T) {
	s := newSrc(t, nil)
	id := createdSource(t, s, wsrm.V200702, tokA, nil)
	s.Send(id, payload(1), t0)
	for _, a := range []Auth{signed(tokB), {}, {Token: tokA, Body: true}} {
		acts := s.Ack(&wsrm.SequenceAcknowledgement{V: wsrm.V200702, Identifier: id, Ranges: []wsrm.AckRange{rng(1, 1)}}, a, t0)
		one[Drop](t, acts)
		if st, _ := s.Status(id); len(st.Unacked) != 1 {
			t.Fatalf("rejected ack released messages (auth %+v)", a)
		}
	}
	acts := s.Fault(&Fault{Code: wsrm.SequenceTerminated, Identifier: id}, signed(tokB), t0)
	one[Drop](t, acts)
	if s.Len() != 1 {
		t.Fatal("an unprotected fault ended the sequence")
	}
	// CreateSequenceResponse signed by another token is dropped too.
	ref, _ := s.Create(CreateParams{Version: wsrm.V200702, To: server, Token: tokA}, t0)
	acts = s.CreateSequenceResponse(ref, &wsrm.CreateSequenceResponse{V: wsrm.V200702, Identifier: "urn:uuid:x"}, signed(tokB), t0)
	one[Drop](t, acts)
	if st, ok := s.Status(ref); !ok || !st.Creating {
		t.Fatal("rejected response completed the creation")
	}
}

// createdSource creates a Source sequence and answers it.
func createdSource(t testing.TB, s *Source, v wsrm.Version, tok string, off *OfferParams) string {
	t.Helper()
	ref, _ := s.Create(CreateParams{Version: v, To: server, Token: tok, Offer: off}, t0)
	id := "urn:uuid:rmd-" + ref[len("urn:uuid:"):]
	acts := s.CreateSequenceResponse(ref, &wsrm.CreateSequenceResponse{V: v, Identifier: id}, signed(tok), t0)
	one[PutSource](t, acts)
	return id
}
