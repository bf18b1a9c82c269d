package wssec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/xmlsec/dsig"
	"github.com/rspcheck/rspcheck/internal/xmlsec/xenc"
)

// TestCheckGoldenFixtures: every signed golden message (signed by xmlsec1 with the key
// derived from the fixture SCT) passes Check with the default parts required.
func TestCheckGoldenFixtures(t *testing.T) {
	files, _ := filepath.Glob("../../fixtures/golden/*/*.xml")
	secret := fixtureSecret(t)
	n := 0
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		if !strings.Contains(string(raw), "SignatureValue") {
			continue
		}
		m, err := codec.Decode(raw, codec.Options{})
		if err != nil {
			t.Fatal(err)
		}
		v := wsc.V200512
		if strings.Contains(f, "/p05") {
			v = wsc.V200502
		}
		a, err := Check(m, CheckOptions{
			Policy: Policy{Version: v, DerivedKeys: true},
			Tokens: TokenMap{fixtureSCT: {Identifier: fixtureSCT, Secret: secret}},
			Expect: fixtureSCT, Now: fixtureTime,
		})
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if a.KeyKind != KeyDerived || a.Token.Identifier != fixtureSCT || a.Parts&DefaultParts != DefaultParts {
			t.Errorf("%s: auth %+v", f, a)
		}
		n++
	}
	if n < 80 {
		t.Fatalf("only %d signed golden fixtures checked", n)
	}
}

func TestApplyCheckRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		sv   soap.Version
		rv   wsrm.Version
		pol  Policy
	}{
		{"p11 soap12 derived", soap.V12, wsrm.V200702, p11()},
		{"p11 soap11 derived", soap.V11, wsrm.V200702, p11()},
		{"p05 derived", soap.V12, wsrm.V200502, Policy{Version: wsc.V200502, DerivedKeys: true}},
		{"sct key directly (gSOAP)", soap.V12, wsrm.V200702, Policy{Version: wsc.V200512}},
		{"hmac-sha256", soap.V12, wsrm.V200702, Policy{Version: wsc.V200512, DerivedKeys: true, SignatureMethod: dsig.HMACSHA256, DigestMethod: dsig.SHA256}},
		{"token included and signed", soap.V12, wsrm.V200702, Policy{Version: wsc.V200512, DerivedKeys: true, IncludeToken: true, Sign: DefaultParts | PartTokens}},
		{"encrypted body cbc", soap.V12, wsrm.V200702, Policy{Version: wsc.V200512, DerivedKeys: true, EncryptBody: true}},
		{"encrypted body gcm and signature", soap.V11, wsrm.V200702, Policy{Version: wsc.V200512, DerivedKeys: true, EncryptBody: true, Encryption: xenc.AES256GCM, EncryptSignature: true}},
		{"inclusive prefixes", soap.V12, wsrm.V200702, Policy{Version: wsc.V200512, DerivedKeys: true, InclusivePrefixes: []string{"wsse", "s"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := appMessage(t, c.sv, c.rv)
			if _, err := Apply(doc, testToken, c.pol, testNow, nil); err != nil {
				t.Fatal(err)
			}
			m := reparse(t, doc)
			if c.pol.EncryptBody {
				if _, ok := m.Payload.(interface{}); ok && m.BodyElem.Tag != "EncryptedData" {
					t.Fatal("body not encrypted on the wire")
				}
			}
			opt := checkOpts()
			opt.Policy = c.pol
			a, err := Check(m, opt)
			if err != nil {
				t.Fatal(err)
			}
			if a.Token.Identifier != testToken.Identifier || (a.KeyKind == KeyDerived) != c.pol.DerivedKeys {
				t.Fatalf("auth %+v", a)
			}
			seq, h := codec.Find[*wsrm.Sequence](m)
			if seq == nil || !a.Covers(h.El) || !a.Covers(m.Body) {
				t.Fatal("Sequence header or Body not reported as signed")
			}
			if c.pol.EncryptBody && (m.BodyElem == nil || m.BodyElem.Tag != "Ping") {
				t.Fatalf("body not decrypted and re-read: %v", m.BodyElem)
			}
		})
	}
}

func TestCheckRejects(t *testing.T) {
	for _, c := range attacks() {
		t.Run(c.name, func(t *testing.T) {
			pol := p11()
			if c.policy != nil {
				pol = *c.policy
			}
			doc := appMessage(t, soap.V12, wsrm.V200702)
			tok := testToken
			if c.signWith != nil {
				tok = *c.signWith
			}
			if _, err := Apply(doc, tok, pol, testNow, nil); err != nil {
				t.Fatal(err)
			}
			m := reparse(t, doc)
			if c.mutate != nil {
				c.mutate(t, m)
				m = reparse(t, m.Doc)
			}
			opt := checkOpts()
			opt.Policy = pol
			if c.opts != nil {
				c.opts(&opt)
			}
			_, err := Check(m, opt)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			var e *Error
			if !errors.As(err, &e) || e.Fault.Local == "" {
				t.Fatalf("error %v carries no fault code", err)
			}
		})
	}
}

func TestReplayDetected(t *testing.T) {
	doc := appMessage(t, soap.V12, wsrm.V200702)
	if _, err := Apply(doc, testToken, p11(), testNow, nil); err != nil {
		t.Fatal(err)
	}
	opt := checkOpts()
	opt.Replay = NewReplayCache(0)
	if _, err := Check(reparse(t, doc), opt); err != nil {
		t.Fatal(err)
	}
	if _, err := Check(reparse(t, doc), opt); !errors.Is(err, ErrReplay) {
		t.Fatalf("replay: %v", err)
	}
	// A retransmission gets fresh security (RM-PER, FLOW §3): it is not a replay.
	doc2 := appMessage(t, soap.V12, wsrm.V200702)
	if _, err := Apply(doc2, testToken, p11(), testNow.Add(time.Second), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Check(reparse(t, doc2), opt); err != nil {
		t.Fatalf("fresh retransmission refused: %v", err)
	}
}
