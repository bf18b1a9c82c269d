package rm

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

func TestRangesAdd(t *testing.T) {
	tests := []struct {
		name string
		add  []uint64
		want []wsrm.AckRange
	}{
		{"empty", nil, nil},
		{"in order", []uint64{1, 2, 3}, []wsrm.AckRange{rng(1, 3)}},
		{"gap", []uint64{1, 2, 4, 5}, []wsrm.AckRange{rng(1, 2), rng(4, 5)}},
		{"fill gap merges", []uint64{1, 2, 4, 5, 3}, []wsrm.AckRange{rng(1, 5)}},
		{"reverse", []uint64{5, 4, 3, 2, 1}, []wsrm.AckRange{rng(1, 5)}},
		{"extend lower", []uint64{3, 2}, []wsrm.AckRange{rng(2, 3)}},
		{"islands", []uint64{9, 1, 5}, []wsrm.AckRange{rng(1, 1), rng(5, 5), rng(9, 9)}},
		{"zero ignored", []uint64{0, 1}, []wsrm.AckRange{rng(1, 1)}},
		{"max", []uint64{wsrm.MaxMessageNumber, wsrm.MaxMessageNumber - 1}, []wsrm.AckRange{rng(wsrm.MaxMessageNumber-1, wsrm.MaxMessageNumber)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Ranges
			for _, n := range tt.add {
				s.Add(n)
			}
			if got := s.Ranges(); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRangesAddReportsNew(t *testing.T) {
	var s Ranges
	if !s.Add(3) || s.Add(3) || !s.Add(4) || s.Add(3) || s.Add(0) {
		t.Fatal("Add must report true exactly for new numbers")
	}
}

func TestRangesAddRange(t *testing.T) {
	s := RangesOf([]wsrm.AckRange{rng(1, 2), rng(5, 6), rng(10, 12)})
	s.AddRange(3, 4) // adjacent on both sides
	if got, want := s.Ranges(), []wsrm.AckRange{rng(1, 6), rng(10, 12)}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
	s.AddRange(8, 20)
	s.AddRange(15, 16)
	if got, want := s.Ranges(), []wsrm.AckRange{rng(1, 6), rng(8, 20)}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
	s.AddRange(0, 3)
	s.AddRange(9, 2)
	if s.Len() != 2 {
		t.Fatal("invalid ranges must be ignored")
	}
}

func TestRangesQueries(t *testing.T) {
	s := RangesOf([]wsrm.AckRange{rng(4, 6), rng(1, 2), rng(10, 10)})
	if s.Prefix() != 2 || s.Max() != 10 || s.Count() != 6 || s.Len() != 3 {
		t.Fatalf("Prefix %d Max %d Count %d Len %d", s.Prefix(), s.Max(), s.Count(), s.Len())
	}
	for n, want := range map[uint64]bool{0: false, 1: true, 3: false, 5: true, 7: false, 10: true, 11: false} {
		if s.Contains(n) != want {
			t.Errorf("Contains(%d) = %v", n, !want)
		}
	}
	if got, want := s.Uncovered(1, 12), []wsrm.AckRange{rng(3, 3), rng(7, 9), rng(11, 12)}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Uncovered = %v want %v", got, want)
	}
	if got := s.Uncovered(4, 6); got != nil {
		t.Fatalf("Uncovered inside = %v", got)
	}
	sub := RangesOf([]wsrm.AckRange{rng(1, 1), rng(5, 6)})
	if !sub.Covers(&s) || s.Covers(&sub) {
		t.Fatal("Covers")
	}
	var empty Ranges
	if empty.Prefix() != 0 || empty.Max() != 0 || !empty.Covers(&s) {
		t.Fatal("empty set")
	}
}

// TestRangesRandom compares Ranges with a plain map under random insertion.
func TestRangesRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 200; round++ {
		var s Ranges
		ref := map[uint64]bool{}
		for i := 0; i < 100; i++ {
			if r.IntN(4) == 0 {
				lo := uint64(r.IntN(200) + 1)
				hi := lo + uint64(r.IntN(10))
				s.AddRange(lo, hi)
				for n := lo; n <= hi; n++ {
					ref[n] = true
				}
			} else {
				n := uint64(r.IntN(200) + 1)
				if s.Add(n) == ref[n] {
					t.Fatalf("Add(%d) new=%v but ref has it=%v", n, !ref[n], ref[n])
				}
				ref[n] = true
			}
		}
		for n := uint64(0); n <= 220; n++ {
			if s.Contains(n) != ref[n] {
				t.Fatalf("round %d: Contains(%d) = %v", round, n, !ref[n])
			}
		}
		rs := s.Ranges()
		for i := 1; i < len(rs); i++ {
			if rs[i].Lower <= rs[i-1].Upper+1 {
				t.Fatalf("ranges not disjoint and non-adjacent: %v", rs)
			}
		}
		if s.Count() != uint64(len(ref)) {
			t.Fatalf("Count %d want %d", s.Count(), len(ref))
		}
	}
}

// TestRangesMillionInOrder: acknowledgement state is O(gaps): a million in-order messages
// keep one range (issue #4 memory target).
func TestRangesMillionInOrder(t *testing.T) {
	var s Ranges
	for n := uint64(1); n <= 1_000_000; n++ {
		s.Add(n)
	}
	if s.Len() != 1 || cap(s.r) > 4 {
		t.Fatalf("len %d cap %d", s.Len(), cap(s.r))
	}
}

// The same through the Destination: a million in-order messages, one range in the state and
// in the ack.
func TestDestinationMillionInOrder(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	d := newDest(t, func(c *DestinationConfig) { c.Assurance.InOrder = true })
	id := open(t, d, wsrm.V200702, anon)
	h := &wsrm.Sequence{V: wsrm.V200702, Identifier: id}
	for k := uint64(1); k <= 1_000_000; k++ {
		h.MessageNumber = k
		d.Message(h, nil, signed(tokA), t0)
	}
	st, held, _ := d.Status(id)
	if !reflect.DeepEqual(st.Received, []wsrm.AckRange{{Lower: 1, Upper: 1_000_000}}) || st.DeliveredUpTo != 1_000_000 || len(held) != 0 {
		t.Fatalf("%v %d %d", st.Received, st.DeliveredUpTo, len(held))
	}
	if a, _ := d.Ack(id); len(a.Ack.Ranges) != 1 {
		t.Fatal(a.Ack.Ranges)
	}
}
