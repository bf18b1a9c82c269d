package trace

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func readIndexFile(t *testing.T, dir string) []Record {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := ReadIndex(f)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestWriterFilesAndIndex(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "trace")
	w, err := NewWriter(dir, Options{Sync: true})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 12, 30, 45, 123456789, time.FixedZone("X", 3600))
	out := []byte("<s:Envelope>out</s:Envelope>")
	in := []byte("<s:Envelope>in</s:Envelope>\n")
	if n, err := w.Write(Event{Time: at, Dir: Out, Action: "urn:a", MessageID: "urn:uuid:1", Sequence: "urn:uuid:s", MessageNumber: 1}, out); err != nil || n != 1 {
		t.Fatal(n, err)
	}
	if n, err := w.Write(Event{Dir: In, Action: "urn:b", RelatesTo: "urn:uuid:1", Fault: "{urn:f}Code"}, in); err != nil || n != 2 {
		t.Fatal(n, err)
	}
	if _, err := w.Write(Event{Dir: "sideways"}, in); err == nil {
		t.Fatal("bad direction accepted")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(Event{Dir: In}, in); err == nil {
		t.Fatal("write after Close")
	}
	for name, want := range map[string][]byte{"000001-out.xml": out, "000002-in.xml": in} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: %q %v", name, got, err)
		}
	}
	raw, _ := os.ReadFile(filepath.Join(dir, IndexFile))
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	wantFirst := `{"n":1,"time":"2026-03-01T11:30:45.123Z","dir":"out","action":"urn:a","message_id":"urn:uuid:1","sequence":"urn:uuid:s","message_number":1,"file":"000001-out.xml"}`
	if len(lines) != 2 || lines[0] != wantFirst {
		t.Fatalf("index:\n%s\nwant first line\n%s", raw, wantFirst)
	}
	recs := readIndexFile(t, dir)
	if recs[1].Dir != In || recs[1].RelatesTo != "urn:uuid:1" || recs[1].Fault != "{urn:f}Code" || recs[1].File != "000002-in.xml" {
		t.Fatalf("record 2: %+v", recs[1])
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(recs[1].Time) {
		t.Errorf("time %q is not RFC 3339 UTC with ms", recs[1].Time)
	}
}

func TestWriterContinuesAfterRestart(t *testing.T) {
	dir := t.TempDir()
	w, _ := NewWriter(dir, Options{})
	for range 3 {
		if _, err := w.Write(Event{Dir: Out}, []byte("<a/>")); err != nil {
			t.Fatal(err)
		}
	}
	// kill -9: no Close.
	w2, err := NewWriter(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := w2.Write(Event{Dir: In}, []byte("<b/>")); err != nil || n != 4 {
		t.Fatalf("after restart: n=%d %v", n, err)
	}
	w2.Close()
	if recs := readIndexFile(t, dir); len(recs) != 4 || recs[3].File != "000004-in.xml" {
		t.Fatalf("index %+v", recs)
	}
}

func TestWriterConcurrentOrdered(t *testing.T) {
	dir := t.TempDir()
	w, _ := NewWriter(dir, Options{})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				dir := In
				if i%2 == 0 {
					dir = Out
				}
				body := fmt.Appendf(nil, "<m g=%q i=%q/>", fmt.Sprint(g), fmt.Sprint(i))
				if _, err := w.Write(Event{Dir: dir, Action: "urn:a", MessageID: string(body)}, body); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	w.Close()
	recs := readIndexFile(t, dir)
	if len(recs) != 400 {
		t.Fatalf("%d records", len(recs))
	}
	for i, r := range recs {
		if r.N != i+1 || r.File != fmt.Sprintf("%06d-%s.xml", i+1, r.Dir) {
			t.Fatalf("record %d: %+v", i, r)
		}
		body, err := os.ReadFile(filepath.Join(dir, r.File))
		if err != nil || string(body) != r.MessageID {
			t.Fatalf("record %d: file does not hold its message: %q", r.N, body)
		}
	}
}

// The index never holds secrets: Event has no field that could carry one, and the index line
// is built from Event only, whatever the envelope holds.
func TestIndexHasNoSecrets(t *testing.T) {
	allowed := map[string]bool{"Time": true, "Dir": true, "Action": true, "MessageID": true, "RelatesTo": true,
		"Sequence": true, "MessageNumber": true, "Fault": true}
	et := reflect.TypeFor[Event]()
	for i := range et.NumField() {
		if f := et.Field(i); !allowed[f.Name] {
			t.Errorf("Event has a new field %s: make sure it can never carry key material, then allow it here", f.Name)
		}
	}
	dir := t.TempDir()
	w, _ := NewWriter(dir, Options{})
	secret := "c2VjcmV0LWtleS1tYXRlcmlhbA=="
	env := `<s:Envelope><s:Body><wst:RequestSecurityTokenResponse><wst:RequestedProofToken><wst:BinarySecret>` +
		secret + `</wst:BinarySecret></wst:RequestedProofToken></wst:RequestSecurityTokenResponse></s:Body></s:Envelope>`
	if _, err := w.Write(Event{Dir: In, Action: "urn:rstr"}, []byte(env)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	idx, _ := os.ReadFile(filepath.Join(dir, IndexFile))
	if bytes.Contains(idx, []byte(secret)) {
		t.Fatalf("secret in the index: %s", idx)
	}
	var m map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(idx), &m); err != nil {
		t.Fatal(err)
	}
	for k := range m {
		if !map[string]bool{"n": true, "time": true, "dir": true, "action": true, "file": true}[k] {
			t.Errorf("unexpected index field %q", k)
		}
	}
}

func TestReadIndexErrors(t *testing.T) {
	for in, want := range map[string]string{
		"{\"n\":1,\"dir\":\"in\",\"file\":\"x\"}\nnot json\n": "line 2",
		"\n{\"n\":0,\"dir\":\"in\",\"file\":\"x\"}\n":         "line 2",
		"{\"n\":1,\"dir\":\"up\",\"file\":\"x\"}\n":           "line 1",
	} {
		if _, err := ReadIndex(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %s", in, err, want)
		}
	}
}
