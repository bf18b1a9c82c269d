package framework

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/internal/codec"
)

// TestFlow feeds the flow checker captures built from the golden P11 messages, in allowed and
// in forbidden orders, and checks that exactly the forbidden orderings are reported, each
// under its rule.
func TestFlow(t *testing.T) {
	dir := filepath.Join("..", "..", "fixtures", "golden", "p11-soap12")
	step := func(d Dir, name string) func(*Wire) {
		raw, err := os.ReadFile(filepath.Join(dir, name+".xml"))
		if err != nil {
			t.Fatal(err)
		}
		return func(w *Wire) {
			if m := w.Record(d, raw); m.Msg == nil {
				t.Fatalf("%s does not decode: %v", name, m.Err)
			}
		}
	}
	var (
		rstr  = step(ToSUT, "rstr-sct")
		cs    = step(FromSUT, "create-sequence")
		csr   = step(ToSUT, "create-sequence-response")
		app   = step(FromSUT, "app-message")
		ack   = step(ToSUT, "sequence-ack")
		close = step(FromSUT, "close-sequence")
		term  = step(FromSUT, "terminate-sequence")
	)
	cases := []struct {
		name  string
		steps []func(*Wire)
		want  []string // rules, in order
	}{
		{"allowed: issue, create, send, ack, close, terminate", []func(*Wire){rstr, cs, csr, app, ack, close, term}, nil},
		{"allowed: no CloseSequence", []func(*Wire){rstr, cs, csr, app, ack, term}, nil},
		{"CreateSequence before the SCT", []func(*Wire){cs, csr, app, term}, []string{"RM-STR-011"}},
		{"message before CreateSequenceResponse", []func(*Wire){rstr, cs, app, csr, term}, []string{"RM-CSR-005"}},
		{"close before CreateSequenceResponse", []func(*Wire){rstr, cs, close, csr, term}, []string{"RM-CSR-005"}},
		{"message after TerminateSequence", []func(*Wire){rstr, cs, csr, app, term, app}, []string{"RM-TS-001"}},
		{"both", []func(*Wire){cs, app, csr, term, close}, []string{"RM-STR-011", "RM-CSR-005", "RM-TS-001"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, err := NewWire(codec.ProfileP11)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range c.steps {
				s(w)
			}
			var got []string
			for _, v := range Flow(w, nil) {
				got = append(got, v.Rule)
				if !strings.Contains(v.String(), v.Rule) || v.N <= 0 {
					t.Errorf("violation %+v: its text must name the message and rule", v)
				}
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("expected violations %v\nactual:              %v", c.want, got)
			}
		})
	}
}
