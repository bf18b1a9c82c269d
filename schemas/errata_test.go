package schemas

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const wstPath = "ws-trust/ws-trust-1.3.xsd"

// erratumLines are the two attribute lines the WS-Trust 1.3 erratum changes: published form
// (trailing slash) and corrected form.
var erratumLines = [][2]string{
	{"\nxmlns:wst='http://docs.oasis-open.org/ws-sx/ws-trust/200512/'\r\n", "\nxmlns:wst='http://docs.oasis-open.org/ws-sx/ws-trust/200512'\r\n"},
	{"\ntargetNamespace='http://docs.oasis-open.org/ws-sx/ws-trust/200512/'\r\n", "\ntargetNamespace='http://docs.oasis-open.org/ws-sx/ws-trust/200512'\r\n"},
}

// unpatchWSTrust turns the installed (corrected) WS-Trust 1.3 schema back into the published
// bytes by re-inserting the two trailing slashes.
func unpatchWSTrust(t testing.TB, patched []byte) []byte {
	t.Helper()
	out := patched
	for _, l := range erratumLines {
		if n := bytes.Count(out, []byte(l[1])); n != 1 {
			t.Fatalf("corrected line %q occurs %d times in the installed file, want 1", l[1], n)
		}
		out = bytes.Replace(out, []byte(l[1]), []byte(l[0]), 1)
	}
	return out
}

func wstEntry(t testing.TB) Entry {
	t.Helper()
	entries, err := Manifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Path == wstPath {
			return e
		}
	}
	t.Fatalf("%s not in MANIFEST", wstPath)
	return Entry{}
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// The erratum changes exactly two bytes (the slashes) and nothing else: putting them back
// yields the published file, digest for digest.
func TestErratumIsExactlyTheTrailingSlash(t *testing.T) {
	e := wstEntry(t)
	if e.Erratum == "" || e.InstalledSHA256 == e.SHA256 {
		t.Fatalf("MANIFEST has no erratum for %s: %+v", wstPath, e)
	}
	patched, err := os.ReadFile(filepath.Join(testDir, wstPath))
	if err != nil {
		t.Fatal(err)
	}
	if got := digest(patched); got != e.InstalledSHA256 {
		t.Fatalf("installed %s: sha256 %s, want the pinned post-erratum %s", wstPath, got, e.InstalledSHA256)
	}
	published := unpatchWSTrust(t, patched)
	if len(published) != len(patched)+2 {
		t.Errorf("published length %d, corrected %d: want exactly two bytes removed", len(published), len(patched))
	}
	if got := digest(published); got != e.SHA256 {
		t.Errorf("re-inserting the slashes gives sha256 %s, want the published %s", got, e.SHA256)
	}
	if bytes.Contains(patched, []byte("targetNamespace='http://docs.oasis-open.org/ws-sx/ws-trust/200512/'")) {
		t.Error("the installed file still declares the namespace with a trailing slash")
	}
}

// The erratum script documents the digests MANIFEST pins, so the two cannot drift apart.
func TestErratumScriptNamesThePinnedDigests(t *testing.T) {
	e := wstEntry(t)
	script, err := os.ReadFile(filepath.FromSlash(e.Erratum))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{e.SHA256, e.InstalledSHA256} {
		if !strings.Contains(string(script), d) {
			t.Errorf("%s does not mention the pinned digest %s", e.Erratum, d)
		}
	}
}
