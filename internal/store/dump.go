package store

import (
	"context"
	"sort"
	"time"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// DumpView is a listing of a store for people and scripts (`rsppeer store dump`). It holds
// no payload, no secret and no sealed octets: tokens appear with their sizes only.
type DumpView struct {
	Sequences []SequenceView `json:"sequences"`
	Tokens    []TokenView    `json:"tokens"`
	Meta      []MetaView     `json:"meta"`
	Orphans   []MessageView  `json:"orphans,omitempty"`
}

// SequenceView describes one stored sequence.
type SequenceView struct {
	Role    string `json:"role"`
	ID      string `json:"id"`
	Version string `json:"version"`
	Token   string `json:"token,omitempty"`
	// Ranges are the acknowledged numbers (Source) or the received ones (Destination).
	Ranges        [][2]uint64 `json:"ranges"`
	Next          uint64      `json:"next,omitempty"`          // Source: next number to assign
	DeliveredUpTo uint64      `json:"deliveredUpTo,omitempty"` // Destination, holding modes
	Expires       *time.Time  `json:"expires,omitempty"`
	Flags         []string    `json:"flags,omitempty"`
	Offer         string      `json:"offer,omitempty"`
	Forward       string      `json:"forward,omitempty"`
	Messages      int         `json:"messages"`
	MessageBytes  int         `json:"messageBytes"`
}

// TokenView describes one token record without its content.
type TokenView struct {
	Identifier string   `json:"identifier"`
	Instance   string   `json:"instance,omitempty"`
	Endpoint   string   `json:"endpoint,omitempty"`
	SealedSize int      `json:"sealedSize"`
	Sequences  []string `json:"sequences,omitempty"` // sequences bound to it
}

// MetaView describes one metadata key.
type MetaView struct {
	Key  string `json:"key"`
	Size int    `json:"size"`
}

// MessageView names one stored message.
type MessageView struct {
	Role   string `json:"role"`
	Seq    string `json:"seq"`
	Number uint64 `json:"number"`
	Size   int    `json:"size"`
}

// Dump reads s and lists it.
func Dump(ctx context.Context, s Store) (*DumpView, error) {
	snap, err := s.Recover(ctx)
	if err != nil {
		return nil, err
	}
	return snap.Dump(), nil
}

// Dump lists the snapshot (see DumpView).
func (s *Snapshot) Dump() *DumpView {
	v := &DumpView{Sequences: []SequenceView{}, Tokens: []TokenView{}, Meta: []MetaView{}}
	bound := map[string][]string{}
	srcMsgs, dstMsgs := tally(s.SourceMessages), tally(s.DestinationMessages)
	for _, st := range s.Sources {
		n, size := srcMsgs[st.Seq][0], srcMsgs[st.Seq][1]
		v.Sequences = append(v.Sequences, SequenceView{Role: rm.RoleSource.String(), ID: st.Seq,
			Version: st.Version.String(), Token: st.Token, Ranges: ranges(st.Acked), Next: st.Next,
			Expires: expires(st.Expires), Offer: st.Offer, Forward: st.Forward, Messages: n, MessageBytes: size,
			Flags: flags(flag{"final", st.Final}, flag{"closing", st.Closing}, flag{"closed", st.Closed},
				flag{"terminating", st.Terminating}, flag{"finishing", st.Finishing})})
		bound[st.Token] = append(bound[st.Token], st.Seq)
	}
	for _, st := range s.Destinations {
		n, size := dstMsgs[st.Seq][0], dstMsgs[st.Seq][1]
		v.Sequences = append(v.Sequences, SequenceView{Role: rm.RoleDestination.String(), ID: st.Seq,
			Version: st.Version.String(), Token: st.Token, Ranges: ranges(st.Received),
			DeliveredUpTo: st.DeliveredUpTo, Expires: expires(st.Expires), Offer: st.Offer, Forward: st.Forward,
			Messages: n, MessageBytes: size, Flags: flags(flag{"closed", st.Closed}, flag{"terminated", st.Terminated})})
		bound[st.Token] = append(bound[st.Token], st.Seq)
	}
	for _, t := range s.Tokens {
		v.Tokens = append(v.Tokens, TokenView{Identifier: t.Identifier, Instance: t.Instance,
			Endpoint: t.Endpoint, SealedSize: len(t.Sealed), Sequences: bound[t.Identifier]})
	}
	for k, val := range s.Meta {
		v.Meta = append(v.Meta, MetaView{Key: k, Size: len(val)})
	}
	sort.Slice(v.Meta, func(i, j int) bool { return v.Meta[i].Key < v.Meta[j].Key })
	for _, o := range s.Orphans {
		v.Orphans = append(v.Orphans, MessageView{Role: o.Role.String(), Seq: o.Seq, Number: o.Number, Size: o.Size})
	}
	return v
}

func ranges(rs []wsrm.AckRange) [][2]uint64 {
	out := make([][2]uint64, 0, len(rs))
	for _, r := range rs {
		out = append(out, [2]uint64{r.Lower, r.Upper})
	}
	return out
}

func expires(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// tally counts the messages and payload octets per sequence.
func tally(msgs []rm.StoredMessage) map[string][2]int {
	out := map[string][2]int{}
	for _, m := range msgs {
		c := out[m.Seq]
		out[m.Seq] = [2]int{c[0] + 1, c[1] + len(m.Payload)}
	}
	return out
}

type flag struct {
	name string
	set  bool
}

// flags returns the names of the flags that are set.
func flags(fs ...flag) []string {
	var out []string
	for _, f := range fs {
		if f.set {
			out = append(out, f.name)
		}
	}
	return out
}
