package peer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
)

// TestTraceFiles: with trace writers and key logs, both peers leave every message they sent
// or received as numbered files with an index line each, and one key log line for the SCT.
func TestTraceFiles(t *testing.T) {
	dir := t.TempDir()
	rw, err := trace.NewWriter(filepath.Join(dir, "responder"), trace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	iw, err := trace.NewWriter(filepath.Join(dir, "initiator"), trace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	kl, err := trace.OpenKeyLog(filepath.Join(dir, "keys.log"))
	if err != nil {
		t.Fatal(err)
	}
	dl, err := trace.OpenDelivered(filepath.Join(dir, "delivered.jsonl"), false)
	if err != nil {
		t.Fatal(err)
	}
	pr := newPair(t, P11, soap.V12, ResponderConfig{Trace: rw, Delivered: dl}, InitiatorConfig{Trace: iw, KeyLog: kl})
	sum, err := pr.run(t, Plan{Messages: 5, Sequences: 1, Size: 32}, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []interface{ Close() error }{rw, iw, kl, dl} {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for _, side := range []string{"responder", "initiator"} {
		f, err := os.Open(filepath.Join(dir, side, trace.IndexFile))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := trace.ReadIndex(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		apps, dirs := 0, map[trace.Dir]int{}
		for _, r := range recs {
			dirs[r.Dir]++
			if r.Action == AppAction && r.MessageNumber > 0 && r.Sequence != "" {
				apps++
			}
			if strings.HasSuffix(r.Action, "/TerminateSequence") && r.Sequence == "" {
				t.Errorf("%s: index line %d (TerminateSequence) names no sequence", side, r.N)
			}
			if _, err := os.Stat(filepath.Join(dir, side, r.File)); err != nil {
				t.Errorf("%s: %v", side, err)
			}
		}
		if apps < 5 || dirs[trace.In] == 0 || dirs[trace.Out] == 0 {
			t.Errorf("%s index: %d application messages, directions %v", side, apps, dirs)
		}
	}
	f, err := os.Open(filepath.Join(dir, "keys.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	keys, err := trace.ReadKeyLog(f)
	if err != nil || len(keys) != 1 {
		t.Errorf("key log: %d keys, %v", len(keys), err)
	}
	g, err := os.Open(filepath.Join(dir, "delivered.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	ds, err := trace.ReadDelivered(g)
	if err != nil {
		t.Fatal(err)
	}
	if err := trace.Verify(ds, sum.Expect); err != nil {
		t.Error(err)
	}
}
