package codec

import (
	"testing"

	"github.com/rspcheck/rspcheck/internal/wire/wsse"
)

func TestChunkTake(t *testing.T) {
	var c chunk[byte]
	a := c.take(3)
	b := c.take(5)
	if len(a) != 3 || cap(a) != 3 || len(b) != 5 || cap(b) != 5 {
		t.Fatalf("len/cap %d/%d %d/%d", len(a), cap(a), len(b), cap(b))
	}
	copy(a, "abc")
	copy(b, "defgh")
	a = append(a, 'x') // must reallocate, not overwrite b
	if string(b) != "defgh" || string(a) != "abcx" {
		t.Fatalf("a=%q b=%q", a, b)
	}
	var fresh chunk[byte]
	if z := fresh.take(0); z == nil || len(z) != 0 {
		t.Fatalf("take(0) = %#v, want empty non-nil", z)
	}
	if big := c.take(chunkBytes + 1); len(big) != chunkBytes+1 || cap(big) != chunkBytes+1 {
		t.Fatal("large value")
	}
	// Values keep coming after an array is used up, and never overlap.
	seen := map[*byte]bool{}
	for i := 0; i < 3*chunkBytes; i++ {
		s := c.take(1)
		if seen[&s[0]] {
			t.Fatal("two values share an element")
		}
		seen[&s[0]] = true
	}
}

func TestChunkReserve(t *testing.T) {
	var c chunk[wsse.Transform]
	c.reserve(20)
	first := c.take(1)
	for i := 1; i < 20; i++ {
		s := c.take(1)
		if &s[0] == &first[0] {
			t.Fatal("overlap")
		}
	}
	if n := c.perChunk(); n < 4 {
		t.Fatalf("perChunk %d", n)
	}
	if big := c.take(c.perChunk()); len(big) != c.perChunk() {
		t.Fatal("take of a whole chunk")
	}
}
