package trace

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestKeyLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.log")
	k, err := OpenKeyLog(path)
	if err != nil {
		t.Fatal(err)
	}
	s1, s2 := []byte("0123456789abcdef0123456789abcdef"), []byte{0, 1, 2, 255}
	for _, e := range []struct {
		id     string
		secret []byte
	}{{"urn:uuid:a", s1}, {"urn:uuid:a", s1}, {"urn:uuid:b", s2}, {"urn:uuid:a", s2}} {
		if err := k.Log(e.id, e.secret); err != nil {
			t.Fatal(err)
		}
	}
	for _, bad := range []string{"", "urn:uuid:with space", "urn:uuid:nl\n"} {
		if err := k.Log(bad, s1); err == nil {
			t.Errorf("identifier %q accepted", bad)
		}
	}
	if err := k.Log("urn:uuid:c", nil); err == nil || strings.Contains(err.Error(), base64.StdEncoding.EncodeToString(s1)) {
		t.Errorf("empty secret: %v", err)
	}
	k.Close()
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	raw, _ := os.ReadFile(path)
	want := "SCT urn:uuid:a " + base64.StdEncoding.EncodeToString(s1) + "\n" +
		"SCT urn:uuid:b " + base64.StdEncoding.EncodeToString(s2) + "\n" +
		"SCT urn:uuid:a " + base64.StdEncoding.EncodeToString(s2) + "\n"
	if string(raw) != want {
		t.Fatalf("key log:\n%s\nwant\n%s", raw, want)
	}
	// Reopened (a restarted peer): known lines are not repeated; the mode is tightened.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	k, err = OpenKeyLog(path)
	if err != nil {
		t.Fatal(err)
	}
	_ = k.Log("urn:uuid:b", s2)
	_ = k.Log("urn:uuid:d", s1)
	k.Close()
	fi, _ = os.Stat(path)
	raw2, _ := os.ReadFile(path)
	if fi.Mode().Perm() != 0o600 || string(raw2) != want+"SCT urn:uuid:d "+base64.StdEncoding.EncodeToString(s1)+"\n" {
		t.Fatalf("after reopen (%v):\n%s", fi.Mode().Perm(), raw2)
	}
	m, err := ReadKeyLog(bytes.NewReader(raw2))
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 3 || !bytes.Equal(m["urn:uuid:a"], s2) || !bytes.Equal(m["urn:uuid:b"], s2) || !bytes.Equal(m["urn:uuid:d"], s1) {
		t.Fatalf("map %v (the last line of a renewed token wins)", m)
	}
	es, _ := ReadKeyLogEntries(bytes.NewReader(raw2))
	if len(es) != 4 || es[0].Line != 1 || !bytes.Equal(es[0].Secret, s1) {
		t.Fatalf("entries %+v", es)
	}
}

func TestKeyLogConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.log")
	k, _ := OpenKeyLog(path)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 20 {
				_ = k.Log("urn:uuid:"+string(rune('a'+i)), []byte{byte(g % 2), byte(i)})
			}
		})
	}
	wg.Wait()
	k.Close()
	f, _ := os.Open(path)
	defer f.Close()
	es, err := ReadKeyLogEntries(f)
	if err != nil || len(es) != 40 {
		t.Fatalf("%d entries, %v (want 20 identifiers x 2 secrets, deduplicated)", len(es), err)
	}
}

func TestReadKeyLogErrors(t *testing.T) {
	secret := "c2VjcmV0c2VjcmV0"
	for in, want := range map[string]string{
		"# comment\n\nSCT urn:uuid:a " + secret + "\nSCT urn:uuid:b\n": "keylog line 4: want",
		"CLIENT_RANDOM aa bb\n":            "keylog line 1: the first field is not SCT",
		secret + " SCT urn:uuid:a\n":       "keylog line 1: the first field is not SCT",
		"SCT " + secret + " urn:uuid:a\n":  "keylog line 1: the third field is not standard base64",
		"SCT urn:uuid:a " + secret + "!\n": "bad byte at offset 16",
		"SCT urn:uuid:a = \n":              "keylog line 1",
	} {
		_, err := ReadKeyLog(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("the error repeats the secret: %v", err)
		}
	}
}

func FuzzReadKeyLog(f *testing.F) {
	f.Add("SCT urn:uuid:a c2VjcmV0\n# x\n")
	f.Add("SCT a b c\nSCT\n\x00")
	f.Fuzz(func(t *testing.T, in string) {
		es, err := ReadKeyLogEntries(strings.NewReader(in))
		if err != nil {
			// No field of any line may come back in the error (any could be a secret), except
			// by coincidence with the fixed wording: only check long fields.
			for _, l := range strings.Split(in, "\n") {
				for _, fld := range strings.Fields(l) {
					if len(fld) >= 12 && strings.Contains(err.Error(), fld) {
						t.Fatalf("error %q repeats field %q", err, fld)
					}
				}
			}
			return
		}
		for _, e := range es {
			if e.Identifier == "" || len(e.Secret) == 0 {
				t.Fatalf("entry %+v", e)
			}
		}
	})
}
