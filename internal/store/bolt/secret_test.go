package bolt_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/store"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
)

// RM-PER-005 (issue #5): the store file holds no plaintext key material. A token with a known
// 32-octet secret is sealed under a random storage key, committed and the store closed; the
// raw file contains neither the secret nor any of its usual textual forms — but does contain
// the sealed record (so the scan looked at the right file).
func TestNoSecretInFile(t *testing.T) {
	key := make([]byte, token.StorageKeySize)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	sl, err := token.NewSealer(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	secret := sha256.Sum256([]byte("rspcheck store secret scan"))
	tok := token.Token{Identifier: "urn:uuid:5ec2e7-5ca0", Instance: "urn:uuid:inst-1", Secret: secret[:],
		Created: time.Now(), Expires: time.Now().Add(time.Hour), Version: wsc.V200512, Endpoint: "http://server.example/sts"}
	sealed, err := sl.Marshal(tok)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	d := open(t, dir)
	var b store.Batch
	b.PutToken(store.TokenRecord{Identifier: tok.Identifier, Instance: tok.Instance, Endpoint: tok.Endpoint, Sealed: sealed})
	if err := d.Commit(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(d.Path())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, sealed) {
		t.Fatal("the sealed record is not in the file: the scan would prove nothing")
	}
	for name, form := range map[string][]byte{
		"raw":           secret[:],
		"base64":        []byte(base64.StdEncoding.EncodeToString(secret[:])),
		"base64url":     []byte(base64.URLEncoding.EncodeToString(secret[:])),
		"raw base64":    []byte(base64.RawStdEncoding.EncodeToString(secret[:])),
		"raw base64url": []byte(base64.RawURLEncoding.EncodeToString(secret[:])),
		"hex":           []byte(hex.EncodeToString(secret[:])),
	} {
		if bytes.Contains(raw, form) {
			t.Errorf("the store file contains the secret (%s form)", name)
		}
	}
	for _, form := range [][]byte{key, []byte(base64.StdEncoding.EncodeToString(key))} {
		if bytes.Contains(raw, form) {
			t.Error("the store file contains the storage key")
		}
	}
}
