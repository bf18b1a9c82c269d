package trace

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestDeliveredAppendsAndReads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "delivered.jsonl")
	d, err := OpenDelivered(path, true)
	if err != nil {
		t.Fatal(err)
	}
	_ = d.Record("urn:uuid:s", 1, []byte("one"))
	_ = d.Record("urn:uuid:s", 2, []byte("two"))
	d.Close()
	if err := d.Record("urn:uuid:s", 3, nil); err == nil {
		t.Fatal("Record after Close")
	}
	// Reopening appends; nothing is truncated.
	d, _ = OpenDelivered(path, false)
	_ = d.Record("urn:uuid:t", 1, []byte("x"))
	d.Close()
	raw, _ := os.ReadFile(path)
	want := `{"sequence":"urn:uuid:s","message_number":1,"sha256":"7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed"}` + "\n"
	if !strings.HasPrefix(string(raw), want) {
		t.Fatalf("first line:\n%s\nwant\n%s", raw, want)
	}
	ds, err := ReadDelivered(bytes.NewReader(raw))
	if err != nil || len(ds) != 3 || ds[2].Sequence != "urn:uuid:t" || ds[1].SHA256 != PayloadDigest([]byte("two")) {
		t.Fatalf("%+v %v", ds, err)
	}
}

func TestDeliveredConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "delivered.jsonl")
	d, _ := OpenDelivered(path, false)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				_ = d.Record("urn:uuid:"+string(rune('a'+g)), uint64(i+1), []byte{byte(i)})
			}
		})
	}
	wg.Wait()
	d.Close()
	f, _ := os.Open(path)
	defer f.Close()
	ds, err := ReadDelivered(f)
	if err != nil || len(ds) != 800 {
		t.Fatalf("%d, %v", len(ds), err)
	}
	want := map[string]Expect{}
	for g := range 8 {
		want["urn:uuid:"+string(rune('a'+g))] = Expect{Count: 100, InOrder: true}
	}
	if err := Verify(ds, want); err != nil {
		t.Fatal(err)
	}
}

func TestReadDeliveredErrors(t *testing.T) {
	good := `{"sequence":"s","message_number":1,"sha256":"` + PayloadDigest(nil) + `"}`
	for in, want := range map[string]string{
		good + "\n" + good: "line 2: incomplete line",
		good + "\n{\n":     "line 2",
		`{"sequence":"s","message_number":0,"sha256":"` + PayloadDigest(nil) + "\"}\n":               "line 1: sequence, message_number",
		`{"sequence":"s","message_number":1,"sha256":"ab"}` + "\n":                                   "line 1",
		`{"sequence":"s","message_number":1,"sha256":"` + PayloadDigest(nil) + `","extra":1}` + "\n": "unknown field",
	} {
		if _, err := ReadDelivered(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

func TestVerify(t *testing.T) {
	dl := func(seq string, n uint64, p string) Delivery {
		return Delivery{Sequence: seq, MessageNumber: n, SHA256: PayloadDigest([]byte(p))}
	}
	ds := []Delivery{dl("a", 1, "1"), dl("a", 3, "3"), dl("a", 2, "2"), dl("a", 3, "3"), dl("a", 5, "5"), dl("x", 1, "")}
	err := Verify(ds, map[string]Expect{
		"a": {Count: 4, InOrder: true, Digests: map[uint64]string{1: PayloadDigest([]byte("one"))}},
		"b": {Count: 2},
	})
	if err == nil {
		t.Fatal("no problem found")
	}
	for _, want := range []string{
		"sequence a: message 3 delivered more than once",
		"sequence a: message 2 delivered after 3",
		"sequence a: message 5 delivered, only 4 sent",
		"sequence a: not delivered: 4",
		"sequence a: message 1 payload differs",
		"sequence b: not delivered: 1,2",
		"sequence x: 1 deliveries, none expected",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
	// Without InOrder, any order is fine.
	ok := []Delivery{dl("a", 2, "2"), dl("a", 1, "1")}
	if err := Verify(ok, map[string]Expect{"a": {Count: 2}}); err != nil {
		t.Fatal(err)
	}
	if err := Verify(ok, map[string]Expect{"a": {Count: 2, InOrder: true}}); err == nil {
		t.Fatal("out of order accepted")
	}
}

func FuzzReadDelivered(f *testing.F) {
	f.Add(`{"sequence":"s","message_number":1,"sha256":"` + PayloadDigest(nil) + "\"}\n")
	f.Add("{}\n\n{")
	f.Fuzz(func(t *testing.T, in string) {
		ds, err := ReadDelivered(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, d := range ds {
			if d.Sequence == "" || d.MessageNumber == 0 || len(d.SHA256) != 64 {
				t.Fatalf("accepted %+v", d)
			}
		}
	})
}
