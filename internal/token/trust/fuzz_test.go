package trust

import (
	"bytes"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
	"github.com/rspcheck/rspcheck/internal/wssec"
)

// fuzzToken is known to the fuzzed issuer, so that signed renew and cancel seeds reach the
// token paths.
var fuzzToken = token.Token{Identifier: "urn:uuid:0f0f0f0f-0000-4000-8000-000000000001", Secret: bytes.Repeat([]byte{0x42}, 32),
	Created: t0, Expires: t0.Add(time.Hour), Version: wsc.V200512}

// fuzzTokenOf is the fuzz token of WS-SC version v (one Identifier per version).
func fuzzTokenOf(v wsc.Version) token.Token {
	tok := fuzzToken
	tok.Identifier = fuzzToken.Identifier[:len(fuzzToken.Identifier)-1] + string(rune('1'+int(v)))
	tok.Version = v
	return tok
}

// fuzzIssuer is an issuer at t0 that knows the fuzz tokens.
func fuzzIssuer(t testing.TB) *Issuer {
	clk := &clock{t: t0}
	st := token.NewStore(clk.Now)
	for _, v := range wsc.Versions {
		if err := st.Put(fuzzTokenOf(v)); err != nil {
			t.Fatal(err)
		}
	}
	is, err := NewIssuer(IssuerConfig{Store: st, Now: clk.Now, Rand: &detRand{}})
	if err != nil {
		t.Fatal(err)
	}
	return is
}

func fuzzSeeds(t testing.TB) [][]byte {
	var out [][]byte
	for _, pr := range profiles {
		v := pr.v
		tok := fuzzTokenOf(v)
		add := func(action string, body any, sign bool) {
			m := message(t, pr, action, body)
			if sign {
				if _, err := wssec.Apply(m.Doc, tok.Security(), wssec.Policy{Version: v, DerivedKeys: true, IncludeToken: true}, t0, &detRand{}); err != nil {
					t.Fatal(err)
				}
			}
			out = append(out, serialize(t, m.Doc))
		}
		add(v.RequestAction(wsc.BindingIssue), issueRST(v), false)
		add(v.RequestAction(wsc.BindingRenew), targetRST(v, wst.Renew, tok.Identifier), true)
		add(v.RequestAction(wsc.BindingCancel), targetRST(v, wst.Cancel, tok.Identifier), true)
		add(v.RequestAction(wsc.BindingAmend), issueRST(v), true)
	}
	return out
}

// FuzzIssuerHandle: whatever arrives, the issuer never panics, and whatever it answers is a
// message the codec writes without AllowIllegal.
func FuzzIssuerHandle(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := codec.Decode(raw, codec.Options{})
		if err != nil {
			return
		}
		is := fuzzIssuer(t)
		env, herr := is.Handle(is.Check(m, wssec.CheckOptions{}))
		if env == nil {
			t.Fatalf("no answer (%v)", herr)
		}
		if _, err := codec.Encode(env, codec.Options{}); err != nil {
			t.Fatalf("the issuer's answer does not encode: %v (fault %v)", err, herr)
		}
	})
}

// TestFuzzSeedsReachTokenPaths keeps the seeds meaningful: the signed renew and cancel seeds
// succeed against the fuzz issuer.
func TestFuzzSeedsReachTokenPaths(t *testing.T) {
	seeds := fuzzSeeds(t)
	ok := 0
	for _, s := range seeds {
		m, err := codec.Decode(s, codec.Options{})
		if err != nil {
			t.Fatal(err)
		}
		is := fuzzIssuer(t)
		if _, err := is.Handle(is.Check(m, wssec.CheckOptions{})); err == nil {
			ok++
		}
	}
	// Issue, Renew and Cancel succeed in each of the four profiles; Amend is refused.
	if ok != 12 {
		t.Fatalf("%d of %d seeds succeeded, want 12", ok, len(seeds))
	}
}
