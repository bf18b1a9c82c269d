package wsc

import (
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
)

func u64(n uint64) *uint64 { return &n }

func sctRef(v Version) *wsse.SecurityTokenReference {
	return &wsse.SecurityTokenReference{Reference: &wsse.Reference{URI: "urn:uuid:0b0f3c1e-1111-2222-3333-444455556666", ValueType: v.SCTTokenType()}}
}

func goodDKT(v Version) *DerivedKeyToken {
	return &DerivedKeyToken{V: v, ID: "dk-1", STR: sctRef(v), Offset: u64(0), Length: u64(32), Nonce: []byte("0123456789abcdef")}
}

func TestSCTValidate(t *testing.T) {
	cases := []struct {
		name string
		sct  SecurityContextToken
		want string // substring of the violation; "" = valid
	}{
		{"identifier absolute", SecurityContextToken{V: V200512, Identifier: "urn:uuid:abc"}, ""},
		{"identifier missing", SecurityContextToken{V: V200512}, "requires a wsc:Identifier"},
		{"identifier relative", SecurityContextToken{V: V200502, Identifier: "abc-123"}, "not an absolute URI"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkErr(t, c.sct.Validate(), c.want) })
	}
}

func TestDKTValidate(t *testing.T) {
	mod := func(v Version, f func(*DerivedKeyToken)) *DerivedKeyToken { d := goodDKT(v); f(d); return d }
	cases := []struct {
		name string
		dkt  *DerivedKeyToken
		want string
	}{
		{"valid 1.3", goodDKT(V200512), ""},
		{"valid 2005/02", goodDKT(V200502), ""},
		{"nonce absent is not a violation", mod(V200512, func(d *DerivedKeyToken) { d.Nonce = nil }), ""},
		{"STR missing", mod(V200512, func(d *DerivedKeyToken) { d.STR = nil }), "SecurityTokenReference"},
		{"STR empty", mod(V200512, func(d *DerivedKeyToken) { d.STR = &wsse.SecurityTokenReference{} }), "has no Reference"},
		{"generation alone", mod(V200512, func(d *DerivedKeyToken) { d.Offset, d.Generation = nil, u64(1) }), ""},
		{"offset and generation", mod(V200512, func(d *DerivedKeyToken) { d.Generation = u64(1) }), "alternatives"},
		{"algorithm P_SHA1 same version", mod(V200502, func(d *DerivedKeyToken) { d.Algorithm = V200502.PSHA1() }), ""},
		{"algorithm P_SHA1 other version", mod(V200512, func(d *DerivedKeyToken) { d.Algorithm = V200502.PSHA1() }), "other WS-SC version"},
		{"algorithm unknown", mod(V200512, func(d *DerivedKeyToken) { d.Algorithm = "urn:x-unknown" }), "unknown key-derivation"},
		{"STR ValueType other version", mod(V200512, func(d *DerivedKeyToken) { d.STR = sctRef(V200502) }), "must not be mixed"},
		{"generation overflow", mod(V200512, func(d *DerivedKeyToken) { d.Offset, d.Generation = nil, u64(1<<62) }), "overflows"},
		{"extension element", mod(V200512, func(d *DerivedKeyToken) { d.Extra = append(d.Extra, anyElem("x")) }), "not allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkErr(t, c.dkt.Validate(), c.want) })
	}
}

func TestDerivationDefaults(t *testing.T) {
	d := &DerivedKeyToken{V: V200512}
	label, off, n, ok := d.Derivation()
	if string(label) != "WS-SecureConversationWS-SecureConversation" || len(label) != 42 || off != 0 || n != 32 || !ok {
		t.Fatalf("defaults: %q %d %d %v", label, off, n, ok)
	}
	d.Generation, d.Length = u64(1), u64(16)
	if _, off, n, _ = d.Derivation(); off != 16 || n != 16 {
		t.Fatalf("generation: offset %d length %d", off, n)
	}
	l := "custom"
	d.Label, d.Offset, d.Generation = &l, u64(7), nil
	if label, off, _, _ = d.Derivation(); string(label) != "custom" || off != 7 {
		t.Fatalf("explicit: %q %d", label, off)
	}
}

func TestVersionTables(t *testing.T) {
	if V200512.SCTTokenType() != "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/sct" ||
		V200502.SCTTokenType() != "http://schemas.xmlsoap.org/ws/2005/02/sc/sct" ||
		V200512.DKTokenType() != "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/dk" ||
		V200512.PSHA1() != "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/dk/p_sha1" ||
		V200502.PSHA1() != "http://schemas.xmlsoap.org/ws/2005/02/sc/dk/p_sha1" {
		t.Fatal("token type / algorithm URIs differ from CONSTANTS §4, §6")
	}
	want := map[string][2]string{
		"issue":  {"http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/SCT", "http://schemas.xmlsoap.org/ws/2005/02/trust/RSTR/SCT"},
		"amend":  {"http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/SCT/Amend", "http://schemas.xmlsoap.org/ws/2005/02/trust/RSTR/SCT/Amend"},
		"renew":  {"http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/SCT/Renew", "http://schemas.xmlsoap.org/ws/2005/02/trust/RSTR/SCT/Renew"},
		"cancel": {"http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/SCT/Cancel", "http://schemas.xmlsoap.org/ws/2005/02/trust/RSTR/SCT/Cancel"},
	}
	for b, name := range map[Binding]string{BindingIssue: "issue", BindingAmend: "amend", BindingRenew: "renew", BindingCancel: "cancel"} {
		if got := V200512.RequestAction(b); got != want[name][0] {
			t.Errorf("%s request: %s", name, got)
		}
		if got := V200502.ResponseAction(b); got != want[name][1] {
			t.Errorf("%s response: %s", name, got)
		}
		for _, v := range Versions {
			for _, resp := range []bool{false, true} {
				a := v.RequestAction(b)
				if resp {
					a = v.ResponseAction(b)
				}
				gv, gb, gr, ok := BindingOfAction(a)
				if !ok || gv != v || gb != b || gr != resp {
					t.Errorf("BindingOfAction(%s) = %v %v %v %v", a, gv, gb, gr, ok)
				}
			}
		}
	}
	if _, _, _, ok := BindingOfAction("http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue"); ok {
		t.Error("generic action taken for an SCT binding")
	}
	if v, k, ok := VersionOfTokenType(V200502.DKTokenType()); !ok || v != V200502 || k != TokenDK {
		t.Error("VersionOfTokenType dk")
	}
	if v, ok := VersionOf(NS200502); !ok || v != V200502 {
		t.Error("VersionOf")
	}
	for _, c := range Codes {
		q := c.QName(V200502)
		if got, v, ok := FaultCodeOf(q); !ok || got != c || v != V200502 {
			t.Errorf("fault %s", c)
		}
	}
}

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("unexpected violation: %v", err)
		}
		return
	}
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("want violation containing %q, got %v", want, err)
	}
}

func anyElem(local string) wire.Any { return wire.Any{Name: wire.QName{Space: "urn:x", Local: local}} }
