package peer

import (
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/internal/trace"
)

// readReverseMeta: a stored duplex job's records are read back sorted; a damaged one is an
// error naming its key, never skipped.
func TestReadReverseMeta(t *testing.T) {
	digest := func(s string) []byte { return []byte(trace.PayloadDigest([]byte(s))) }
	good := map[string][]byte{
		metaReverse + "urn:uuid:f1":   []byte(`{"seq":"urn:uuid:r1","ended":"completed"}`),
		metaReverse + "urn:uuid:f2":   []byte(`{"seq":"urn:uuid:r2"}`),
		replyKey("urn:uuid:r1", 2):    digest("b"),
		replyKey("urn:uuid:r1", 1):    digest("a"),
		replyKey("urn:uuid:r2", 10):   digest("c"),
		metaPlan:                      []byte(`{}`), // other job keys are not its business
		slotKey(0):                    []byte(`{"seq":"urn:uuid:f1"}`),
		"responder/delivered-log":     []byte("3"),
		metaReply + "urn:uuid:r2/9":   digest("d"),
		metaReverse + "urn:uuid:f/x/": []byte(`{"seq":"urn:uuid:r3"}`),
	}
	r, err := readReverseMeta(good)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.records) != 3 || r.records["urn:uuid:f1"].Ended != "completed" || r.records["urn:uuid:f2"].Seq != "urn:uuid:r2" {
		t.Fatalf("records %+v", r.records)
	}
	var order []string
	for _, d := range r.replies {
		order = append(order, d.Sequence+"#"+string(rune('0'+d.MessageNumber%10)))
	}
	if got := strings.Join(order, " "); got != "urn:uuid:r1#1 urn:uuid:r1#2 urn:uuid:r2#9 urn:uuid:r2#0" {
		t.Fatalf("replies in order %q", got)
	}
	if r.replies[0].SHA256 != string(digest("a")) {
		t.Fatalf("reply 1 digest %s", r.replies[0].SHA256)
	}

	for key, val := range map[string]string{
		metaReverse + "urn:uuid:f1":     `{"seq":`,                            // not JSON
		metaReverse + "urn:uuid:f2":     `{"ended":"completed"}`,              // no sequence
		metaReverse + "":                `{"seq":"urn:uuid:r"}`,               // no forward sequence
		metaReverse + "urn:uuid:f3":     `{"seq":"urn:uuid:r","ended":"odd"}`, // unknown end
		metaReply + "urn:uuid:r1/0":     string(digest("a")),                  // number 0
		metaReply + "urn:uuid:r1/x":     string(digest("a")),                  // no number
		metaReply + "urn:uuid:r1":       string(digest("a")),                  // no separator
		metaReply + "/3":                string(digest("a")),                  // no sequence
		metaReply + "urn:uuid:r1/3":     "abc",                                // not a digest
		metaReply + "urn:uuid:r1/99999": string(digest("a")) + "0",            // too long
	} {
		_, err := readReverseMeta(map[string][]byte{key: []byte(val)})
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%q = %q: %v, want an error naming the key", key, val, err)
		}
	}
}
