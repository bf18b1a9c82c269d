package wssec

import (
	"bytes"
	"testing"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/xmlsec/c14n"
)

// canonicalOf returns the exclusive canonical form of el (nil for nil).
func canonicalOf(el *etree.Element) []byte {
	if el == nil {
		return nil
	}
	var b bytes.Buffer
	if err := c14n.Canonicalize(&b, el, c14n.Options{}); err != nil {
		return nil
	}
	return b.Bytes()
}

// FuzzCheck: Check never panics, and never accepts a mutated signed message whose protected
// content differs from what was signed: when Check accepts, the canonical Body and Sequence
// header are those of the original message.
func FuzzCheck(f *testing.F) {
	var seeds [][]byte
	for _, pol := range []Policy{p11(), {Version: p11().Version}, {Version: p11().Version, DerivedKeys: true, EncryptBody: true}} {
		doc := appMessage(f, soap.V12, wsrm.V200702)
		if _, err := Apply(doc, testToken, pol, testNow, nil); err != nil {
			f.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := doc.WriteTo(&buf); err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, buf.Bytes())
		f.Add(buf.Bytes(), uint8(len(seeds)-1))
	}
	type want struct{ body, seq []byte }
	wants := make([]want, len(seeds))
	for i, s := range seeds {
		m, err := codec.Decode(s, codec.Options{})
		if err != nil {
			f.Fatal(err)
		}
		pol := p11()
		pol.EncryptBody = i == 2
		opt := checkOpts()
		opt.Policy = pol
		if _, err := Check(m, opt); err != nil {
			f.Fatal(err)
		}
		_, h := codec.Find[*wsrm.Sequence](m)
		wants[i] = want{canonicalOf(m.Body), canonicalOf(h.El)}
	}
	f.Fuzz(func(t *testing.T, raw []byte, which uint8) {
		i := int(which) % len(seeds)
		m, err := codec.Decode(raw, codec.Options{})
		if err != nil {
			return
		}
		opt := checkOpts()
		opt.Policy.EncryptBody = i == 2
		opt.Policy.DerivedKeys = i != 1
		a, err := Check(m, opt)
		if err != nil {
			return
		}
		_, h := codec.Find[*wsrm.Sequence](m)
		if h == nil || !a.Covers(h.El) || !a.Covers(m.Body) {
			t.Fatal("accepted without covering the Sequence header and the Body")
		}
		if !bytes.Equal(canonicalOf(m.Body), wants[i].body) || !bytes.Equal(canonicalOf(h.El), wants[i].seq) {
			t.Fatalf("accepted a message whose signed content differs from the original")
		}
	})
}
