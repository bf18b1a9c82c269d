package codec

import (
	"os"
	"testing"

	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

func TestSmoke(t *testing.T) {
	raw, err := os.ReadFile("testdata/smoke.xml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(raw, Options{})
	if err != nil {
		t.Fatal(err)
	}
	seq, h := Find[*wsrm.Sequence](m)
	if seq == nil || !h.MustUnderstand || seq.MessageNumber != 0 {
		t.Fatalf("sequence %+v %+v", seq, h)
	}
	ack, _ := Find[*wsrm.SequenceAcknowledgement](m)
	if ack == nil || len(ack.Ranges) != 2 || len(ack.Extra) != 1 {
		t.Fatalf("ack %+v", ack)
	}
	if err := ack.Validate(); err == nil {
		t.Fatal("overlap not detected")
	}
	out, err := Encode(m.ToEnvelope(), Options{AllowIllegal: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", out)
	line, col := m.Position(h.El)
	if line != 7 || col != 5 {
		t.Fatalf("position %d:%d", line, col)
	}
}
