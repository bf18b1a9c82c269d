package rm

import (
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// FuzzDestination feeds random sequences of inputs to a Destination. It must never panic;
// under AtMostOnce/ExactlyOnce it must never deliver a message twice; a message failing the
// token binding must change nothing and be neither delivered nor acknowledged.
func FuzzDestination(f *testing.F) {
	f.Add([]byte{0x00, 0, 0, 1, 0, 1, 1, 0, 2, 1, 0, 3, 2, 0, 4, 3, 0, 5})
	f.Add([]byte{0x13, 0, 1, 1, 0, 5, 1, 0, 3, 1, 0, 4, 1, 0, 1, 1, 0, 2, 3, 0, 5, 4, 0, 0})
	f.Add([]byte{0x2e, 0, 0, 1, 0, 2, 1, 1, 2, 5, 200, 1, 0, 1, 7, 0, 0, 6, 0, 0})
	f.Add([]byte{0xff, 0, 2, 1, 0, 9, 2, 0, 0, 3, 0, 0, 1, 0, 9, 4, 0, 1, 1, 0, 9})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		c := in[0]
		in = in[1:]
		isbs := []string{"", wsrm.NoDiscard, wsrm.DiscardFollowingFirstGap, wsrm.DiscardEntireSequence}
		filter := Delivery(c%3) != AtLeastOnce
		cfg := DestinationConfig{
			NewID:                      ids("f"),
			RequireSTR:                 c&0x08 != 0,
			RequireUsesSequenceSTR:     true,
			AcceptOffers:               true,
			Assurance:                  Assurance{Delivery: Delivery(c % 3), InOrder: c&0x04 != 0},
			IncompleteSequenceBehavior: isbs[(c>>4)&3],
			MaxBuffered:                8,
			MaxMessageNumber:           uint64(40 + c%7),
			Misbehave:                  Misbehave{AcceptAfterTerminate: c&0x40 != 0, AckGaps: c&0x80 != 0},
		}
		if c&0x20 != 0 {
			cfg.AckInterval = time.Second
			cfg.InactivityTimeout = 30 * time.Second
		}
		d, err := NewDestination(cfg)
		if err != nil {
			t.Fatal(err)
		}
		now := t0
		var seqs []string
		seen := map[string]map[uint64]bool{}
		check := func(acts []Action) {
			for _, a := range acts {
				if r, ok := a.(Reply); ok {
					if csr, ok := r.Msg.(*wsrm.CreateSequenceResponse); ok {
						seqs = append(seqs, csr.Identifier)
					}
				}
				dl, ok := a.(Deliver)
				if !ok {
					continue
				}
				if seen[dl.Seq] == nil {
					seen[dl.Seq] = map[uint64]bool{}
				}
				if filter && seen[dl.Seq][dl.Number] {
					t.Fatalf("message %d of %s delivered twice under %s", dl.Number, dl.Seq, cfg.Assurance.Delivery)
				}
				seen[dl.Seq][dl.Number] = true
			}
		}
		auths := []Auth{signed(tokA), signed(tokA), signed(tokB), {}, {Token: tokA, Body: true}}
		for len(in) >= 3 {
			op, x, y := in[0]%8, in[1], in[2]
			in = in[3:]
			v := wsrm.V200702
			if x&0x80 != 0 {
				v = wsrm.V200502
			}
			id := "urn:uuid:unknown"
			if len(seqs) > 0 && x&0x40 == 0 {
				id = seqs[int(x)%len(seqs)]
			}
			a := auths[int(x>>3)%len(auths)]
			var acts []Action
			switch op {
			case 0:
				req := scopedReq(v, anon, tokA)
				if y&1 != 0 {
					req.Msg.Offer = &wsrm.Offer{Identifier: "urn:uuid:offer-" + string(rune('a'+y%5)), Endpoint: &client}
				}
				if y&2 != 0 {
					req.Msg.Expires = "PT1M"
				}
				acts = d.CreateSequence(req, a, now)
			case 1, 7:
				k := uint64(y % 12)
				if op == 7 {
					k = uint64(y) * 1e17
				}
				var p Payload
				if y&0x10 == 0 {
					p = payload(k)
				}
				h := &wsrm.Sequence{V: v, Identifier: id, MessageNumber: k, LastMessage: y&0x20 != 0 && v == wsrm.V200502}
				acts = d.Message(h, p, a, now)
				if a.Token != tokA || !a.Headers {
					for _, x := range acts {
						switch x.(type) {
						case Deliver, SendAck, Reply, Persistent:
							t.Fatalf("a message failing the binding had an effect: %s", describe(acts))
						}
					}
				}
			case 2:
				acts = d.AckRequested(&wsrm.AckRequested{V: v, Identifier: id}, a, now)
			case 3:
				acts = d.CloseSequence(&wsrm.CloseSequence{V: v, Identifier: id, LastMsgNumber: uint64(y % 12), HasLast: y%12 != 0}, a, now)
			case 4:
				acts = d.TerminateSequence(&wsrm.TerminateSequence{V: v, Identifier: id}, a, now)
			case 5:
				now = now.Add(time.Duration(y) * time.Second)
				acts = d.Tick(now)
			case 6:
				for _, sa := range d.Piggyback(client.Address) {
					acts = append(acts, sa)
				}
				d.NextDeadline()
				d.Snapshot()
			}
			check(acts)
			for _, x := range acts {
				if sa, ok := x.(SendAck); ok && !cfg.Misbehave.AckGaps {
					if err := sa.Ack.Validate(); err != nil && !(sa.Ack.V == wsrm.V200502 && len(sa.Ack.Ranges) == 1 && sa.Ack.Ranges[0] == (wsrm.AckRange{})) {
						t.Fatalf("invalid ack %+v: %v", sa.Ack, err)
					}
				}
			}
		}
		// Recovery from the snapshot must succeed.
		states, msgs := d.Snapshot()
		if _, err := RecoverDestination(cfg, states, msgs, now); err != nil {
			t.Fatal(err)
		}
	})
}
