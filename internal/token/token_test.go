package token

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/wsc"
)

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func testToken() Token {
	return Token{
		Identifier: "urn:uuid:6c0f6a5e-4bd4-4a29-9c5e-3f0e0d6e3a11",
		Secret:     bytes.Repeat([]byte{0xa5, 0x5a, 0x11, 0x22}, 8),
		Created:    t0, Expires: t0.Add(time.Hour), Version: wsc.V200512,
		Endpoint: "http://svc.example/rm", AttachedID: "sct-1",
	}
}

func TestValidAndNearExpiry(t *testing.T) {
	tok := testToken()
	cases := []struct {
		name      string
		at        time.Time
		valid     bool
		near5m    bool
		expiredAt bool
	}{
		{"before Created", t0.Add(-time.Second), false, false, false},
		{"at Created", t0, true, false, false},
		{"middle", t0.Add(30 * time.Minute), true, false, false},
		{"within margin", t0.Add(56 * time.Minute), true, true, false},
		{"at Expires", t0.Add(time.Hour), false, true, true},
		{"after Expires", t0.Add(2 * time.Hour), false, true, true},
	}
	for _, c := range cases {
		if got := tok.Valid(c.at); got != c.valid {
			t.Errorf("%s: Valid = %v, want %v", c.name, got, c.valid)
		}
		if got := tok.NearExpiry(c.at, 5*time.Minute); got != c.near5m {
			t.Errorf("%s: NearExpiry = %v, want %v", c.name, got, c.near5m)
		}
		if got := tok.Expired(c.at); got != c.expiredAt {
			t.Errorf("%s: Expired = %v, want %v", c.name, got, c.expiredAt)
		}
	}
	open := tok
	open.Expires = time.Time{}
	if !open.Valid(t0.Add(1000*time.Hour)) || open.NearExpiry(t0.Add(1000*time.Hour), time.Hour) {
		t.Error("a token without Expires never expires")
	}
	if (Token{Identifier: tok.Identifier}).Valid(t0) {
		t.Error("a token without a key is not valid")
	}
}

func TestReference(t *testing.T) {
	tok := testToken()
	tok.Instance = "urn:uuid:inst-2"
	r := tok.Reference(false).Reference
	if r.URI != tok.Identifier || strings.HasPrefix(r.URI, "#") || r.ValueType != wsc.V200512.SCTTokenType() || r.Instance != "" {
		t.Errorf("reference %+v: want URI = Identifier without '#', SCT ValueType (SC-REF-001)", r)
	}
	r = tok.Reference(true).Reference
	if r.Instance != tok.Instance || r.InstanceNS != wsc.NS200512 {
		t.Errorf("pinned reference %+v", r)
	}
	tok.Version = wsc.V200502
	if got := tok.Reference(false).Reference.ValueType; got != wsc.V200502.SCTTokenType() {
		t.Errorf("P05 ValueType %q", got)
	}
	if s := tok.Security(); s.Identifier != tok.Identifier || s.Instance != tok.Instance || !bytes.Equal(s.Secret, tok.Secret) {
		t.Errorf("Security() = %+v", s)
	}
}

func TestStringRedactsSecret(t *testing.T) {
	tok := testToken()
	b64 := base64.StdEncoding.EncodeToString(tok.Secret)
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(f, tok)
		if strings.Contains(out, b64) || strings.Contains(out, fmt.Sprint(tok.Secret)) || strings.Contains(out, fmt.Sprintf("%x", tok.Secret)) {
			t.Errorf("%s prints the secret: %s", f, out)
		}
		if !strings.Contains(out, tok.Identifier) {
			t.Errorf("%s lost the Identifier: %s", f, out)
		}
	}
}
