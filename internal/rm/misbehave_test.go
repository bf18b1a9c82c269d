package rm

import (
	"reflect"
	"testing"

	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

func TestParseMisbehave(t *testing.T) {
	m, rest := ParseMisbehave([]string{"ack-gaps", " no-final ", "", "wrong-dk-label", "sign-with-other-token"})
	if !m.AckGaps || !m.NoFinal || m.OmitSTR {
		t.Fatalf("%+v", m)
	}
	if !reflect.DeepEqual(rest, []string{"wrong-dk-label", "sign-with-other-token"}) {
		t.Fatalf("rest %v", rest)
	}
	if m.String() != "ack-gaps,no-final" || (Misbehave{}).String() != "none" {
		t.Fatal(m.String())
	}
	all, _ := ParseMisbehave(MisbehaveNames())
	if len(all.Names()) != len(MisbehaveNames()) || len(MisbehaveNames()) != 15 {
		t.Fatalf("every name maps to its own knob: %v", all.Names())
	}
}

func misDest(t *testing.T, m Misbehave, mut func(*DestinationConfig)) *Destination {
	return newDest(t, func(c *DestinationConfig) {
		c.Misbehave = m
		if mut != nil {
			mut(c)
		}
	})
}

// Each responder knob, against the same scenario with the knob off.
func TestMisbehaveDestination(t *testing.T) {
	v := wsrm.V200702
	t.Run("accept-any-token", func(t *testing.T) {
		for _, on := range []bool{false, true} {
			d := misDest(t, Misbehave{AcceptAnyToken: on}, nil)
			id := open(t, d, v, anon)
			acts := d.Message(seqH(v, id, 1), nil, signed(tokB), t0)
			if got := len(all[Deliver](acts)) == 1; got != on {
				t.Fatalf("on=%v: delivered=%v %s", on, got, describe(acts))
			}
			// unsecured stays rejected
			if on {
				faultOf(t, d.Message(seqH(v, id, 2), nil, Auth{}, t0))
			}
		}
	})
	t.Run("skip-str-check", func(t *testing.T) {
		for _, on := range []bool{false, true} {
			d := misDest(t, Misbehave{SkipSTRCheck: on}, nil)
			// STR names A, signed by B; and an unsecured CreateSequence with STR; and no STR at all
			reqs := []struct {
				r CreateSequenceRequest
				a Auth
			}{
				{scopedReq(v, anon, tokA), signed(tokB)},
				{scopedReq(v, anon, tokA), Auth{}},
				{CreateSequenceRequest{Msg: createSeq(v, anon, "")}, signed(tokA)},
			}
			for i, x := range reqs {
				acts := d.CreateSequence(x.r, x.a, t0)
				if got := len(all[Reply](acts)) == 1; got != on {
					t.Fatalf("case %d on=%v created=%v", i, on, got)
				}
				if on && i < 2 && one[PutDestination](t, acts).State.Token != tokA {
					t.Fatal("bound to the STR's token")
				}
			}
		}
	})
	t.Run("ack-gaps", func(t *testing.T) {
		for _, on := range []bool{false, true} {
			d := misDest(t, Misbehave{AckGaps: on}, nil)
			id := open(t, d, v, anon)
			d.Message(seqH(v, id, 1), nil, signed(tokA), t0)
			a := lastAck(t, d.Message(seqH(v, id, 3), nil, signed(tokA), t0))
			want := []wsrm.AckRange{rng(1, 1), rng(3, 3)}
			if on {
				want = []wsrm.AckRange{rng(1, 3)} // claims 2, never received
			}
			if !reflect.DeepEqual(a.Ranges, want) {
				t.Fatalf("on=%v ranges %v", on, a.Ranges)
			}
		}
	})
	t.Run("no-final", func(t *testing.T) {
		for _, on := range []bool{false, true} {
			d := misDest(t, Misbehave{NoFinal: on}, nil)
			id := open(t, d, v, anon)
			a := lastAck(t, d.CloseSequence(&wsrm.CloseSequence{V: v, Identifier: id}, signed(tokA), t0))
			if a.Final == on {
				t.Fatalf("on=%v Final=%v", on, a.Final)
			}
		}
	})
	t.Run("accept-after-terminate", func(t *testing.T) {
		for _, on := range []bool{false, true} {
			d := misDest(t, Misbehave{AcceptAfterTerminate: on}, nil)
			id := open(t, d, v, anon)
			d.TerminateSequence(&wsrm.TerminateSequence{V: v, Identifier: id}, signed(tokA), t0)
			acts := d.Message(seqH(v, id, 1), nil, signed(tokA), t0)
			if on {
				one[Deliver](t, acts)
				one[SendAck](t, acts)
			} else if f := faultOf(t, acts); f.Code != wsrm.UnknownSequence {
				t.Fatal(f)
			}
		}
	})
	t.Run("unsigned-acks", func(t *testing.T) {
		for _, on := range []bool{false, true} {
			d := misDest(t, Misbehave{UnsignedAcks: on}, nil)
			id := open(t, d, v, anon)
			sa := one[SendAck](t, d.Message(seqH(v, id, 1), nil, signed(tokA), t0))
			if (sa.Token == "") != on {
				t.Fatalf("on=%v token %q", on, sa.Token)
			}
			acts := d.CloseSequence(&wsrm.CloseSequence{V: v, Identifier: id}, signed(tokA), t0)
			r := one[Reply](t, acts)
			if on && (r.Ack != nil || one[SendAck](t, acts).Token != "") {
				t.Fatal("final ack must go unprotected, not in the protected reply")
			}
			if !on && (r.Ack == nil || r.Token != tokA) {
				t.Fatal("final ack rides the protected reply")
			}
		}
	})
	t.Run("deliver-duplicates", func(t *testing.T) {
		for _, on := range []bool{false, true} {
			d := misDest(t, Misbehave{DeliverDuplicates: on}, nil) // ExactlyOnce
			id := open(t, d, v, anon)
			got, _ := feed(t, d, id, v, 1, 1, 1)
			if (len(got) == 3) != on || (!on && len(got) != 1) {
				t.Fatalf("on=%v delivered %v", on, got)
			}
		}
	})
	t.Run("ignore-uses-sequence-str", func(t *testing.T) {
		for _, on := range []bool{false, true} {
			d := misDest(t, Misbehave{IgnoreUsesSequenceSTR: on}, nil)
			noHeader := scopedReq(v, anon, tokA)
			noHeader.UsesSequenceSTR = false
			headerOnly := CreateSequenceRequest{Msg: createSeq(v, anon, ""), UsesSequenceSTR: true}
			d.cfg.RequireSTR = false
			for i, r := range []CreateSequenceRequest{noHeader, headerOnly} {
				if got := len(all[Reply](d.CreateSequence(r, signed(tokA), t0))) == 1; got != on {
					t.Fatalf("case %d on=%v created=%v", i, on, got)
				}
			}
		}
	})
	t.Run("silent-unknown-sequence", func(t *testing.T) {
		for _, on := range []bool{false, true} {
			d := misDest(t, Misbehave{SilentUnknownSequence: on}, nil)
			acts := d.Message(seqH(v, "urn:uuid:never", 1), nil, signed(tokA), t0)
			if on {
				none[SendFault](t, acts)
				if one[Drop](t, acts).Fault.Code != wsrm.UnknownSequence {
					t.Fatal("drop records the withheld fault")
				}
			} else {
				one[SendFault](t, acts)
			}
		}
	})
}

// Each initiator knob.
func TestMisbehaveSource(t *testing.T) {
	v := wsrm.V200702
	createSend := func(m Misbehave) Send {
		s := newSrc(t, func(c *SourceConfig) { c.Misbehave = m })
		_, acts := s.Create(CreateParams{Version: v, To: server, Token: tokA}, t0)
		return one[Send](t, acts)
	}
	t.Run("omit-str", func(t *testing.T) {
		if createSend(Misbehave{}).STR != tokA || createSend(Misbehave{OmitSTR: true}).STR != "" {
			t.Fatal("omit-str")
		}
		if snd := createSend(Misbehave{OmitSTR: true}); snd.Token != tokA {
			t.Fatal("still protected by the SCT")
		}
	})
	t.Run("omit-uses-sequence-str", func(t *testing.T) {
		on := createSend(Misbehave{OmitUsesSequenceSTR: true})
		if !createSend(Misbehave{}).UsesSequenceSTR || on.UsesSequenceSTR || on.STR != tokA {
			t.Fatal("omit-uses-sequence-str")
		}
	})
	numbers := func(m Misbehave) []uint64 {
		s := newSrc(t, func(c *SourceConfig) { c.Misbehave = m })
		id := createdSource(t, s, v, tokA, nil)
		var out []uint64
		for i := 0; i < 4; i++ {
			acts, err := s.Send(id, payload(uint64(i)), t0)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, one[SendMessage](t, acts).Number)
		}
		return out
	}
	t.Run("skip-number", func(t *testing.T) {
		if got := numbers(Misbehave{}); !reflect.DeepEqual(got, []uint64{1, 2, 3, 4}) {
			t.Fatal(got)
		}
		if got := numbers(Misbehave{SkipNumber: true}); !reflect.DeepEqual(got, []uint64{1, 3, 4, 5}) {
			t.Fatal(got)
		}
	})
	t.Run("repeat-number", func(t *testing.T) {
		if got := numbers(Misbehave{RepeatNumber: true}); !reflect.DeepEqual(got, []uint64{1, 1, 2, 3}) {
			t.Fatal(got)
		}
	})
	t.Run("terminate-early", func(t *testing.T) {
		for _, on := range []bool{false, true} {
			s := newSrc(t, func(c *SourceConfig) { c.Misbehave.TerminateEarly = on })
			id := createdSource(t, s, v, tokA, nil)
			s.Send(id, nil, t0)
			acts, _ := s.Finish(id, t0)
			kind := one[Send](t, acts).Kind
			if on && kind != wsrm.KindTerminateSequence || !on && kind != wsrm.KindAckRequested {
				t.Fatalf("on=%v sent %s", on, kind)
			}
		}
	})
	t.Run("stale-retransmit", func(t *testing.T) {
		for _, on := range []bool{false, true} {
			s := newSrc(t, func(c *SourceConfig) { c.Misbehave.StaleRetransmit = on })
			id := createdSource(t, s, v, tokA, nil)
			if one[SendMessage](t, mustSend(t, s, id)).Stale {
				t.Fatal("a first transmission is never stale")
			}
			dl, _ := s.NextDeadline()
			if sm := one[SendMessage](t, s.Tick(dl)); sm.Stale != on {
				t.Fatalf("on=%v stale=%v", on, sm.Stale)
			}
		}
	})
}

func mustSend(t *testing.T, s *Source, id string) []Action {
	t.Helper()
	acts, err := s.Send(id, payload(1), t0)
	if err != nil {
		t.Fatal(err)
	}
	return acts
}
