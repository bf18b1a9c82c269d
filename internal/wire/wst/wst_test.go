package wst

import (
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
)

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

const sctID = "urn:uuid:6f8c1c9e-0d1a-4d6b-9d47-1f2e3d4c5b6a"

func strTo(v Version) *wsse.SecurityTokenReference {
	return &wsse.SecurityTokenReference{Reference: &wsse.Reference{URI: sctID, ValueType: v.SC().SCTTokenType()}}
}

func issueRST(v Version) *RequestSecurityToken {
	return &RequestSecurityToken{V: v, Context: "urn:uuid:ctx", TokenType: v.SC().SCTTokenType(), RequestType: v.RequestType(Issue),
		Entropy: &Entropy{BinarySecret: &BinarySecret{Type: v.NonceType(), Value: make([]byte, 32)}},
		KeySize: 256, ComputedKeyAlgorithm: v.CKPSHA1()}
}

func TestRSTValidate(t *testing.T) {
	mod := func(v Version, f func(*RequestSecurityToken)) *RequestSecurityToken { r := issueRST(v); f(r); return r }
	cases := []struct {
		name string
		rst  *RequestSecurityToken
		want string
	}{
		{"issue 1.3", issueRST(V13), ""},
		{"issue 2005/02", issueRST(V200502), ""},
		{"request type missing", mod(V13, func(r *RequestSecurityToken) { r.RequestType = "" }), "requires a wst:RequestType"},
		{"request type of other version", mod(V13, func(r *RequestSecurityToken) { r.RequestType = V200502.RequestType(Issue) }), "versions must not be mixed"},
		{"SCT type of other WS-SC version (1.3 trust)", mod(V13, func(r *RequestSecurityToken) { r.TokenType = wsc.V200502.SCTTokenType() }), "SC-ISS-002"},
		{"SCT type of other WS-SC version (2005/02 trust)", mod(V200502, func(r *RequestSecurityToken) { r.TokenType = wsc.V200512.SCTTokenType() }), "SC-ISS-002"},
		{"other token type is not an SCT issue", mod(V13, func(r *RequestSecurityToken) { r.TokenType = "urn:x-token" }), ""},
		{"key size 128", mod(V13, func(r *RequestSecurityToken) { r.KeySize = 128 }), ""},
		{"key size not multiple of 8", mod(V13, func(r *RequestSecurityToken) { r.KeySize = 7 }), "not a multiple of 8"},
		{"empty entropy secret", mod(V13, func(r *RequestSecurityToken) { r.Entropy.BinarySecret.Value = nil }), "BinarySecret is empty"},
		{"entropy without material", mod(V13, func(r *RequestSecurityToken) { r.Entropy = &Entropy{} }), "carries no BinarySecret"},
		{"entropy secret type of other version", mod(V200502, func(r *RequestSecurityToken) { r.Entropy.BinarySecret.Type = V13.NonceType() }), "versions must not be mixed"},
		{"computed key algorithm of other version", mod(V13, func(r *RequestSecurityToken) { r.ComputedKeyAlgorithm = V200502.CKPSHA1() }), "versions must not be mixed"},
		{"key type of other version", mod(V13, func(r *RequestSecurityToken) { r.KeyType = V200502.KeyTypeSymmetric() }), "versions must not be mixed"},
		{"lifetime ordered", mod(V13, func(r *RequestSecurityToken) { r.Lifetime = &Lifetime{"2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"} }), ""},
		{"lifetime inverted", mod(V13, func(r *RequestSecurityToken) { r.Lifetime = &Lifetime{"2026-01-01T11:00:00Z", "2026-01-01T10:00:00Z"} }), "not later than Created"},
		{"cancel with target", &RequestSecurityToken{V: V13, RequestType: V13.RequestType(Cancel), CancelTarget: strTo(V13)}, ""},
		{"cancel with the token itself", &RequestSecurityToken{V: V13, RequestType: V13.RequestType(Cancel), CancelTargetToken: &wire.Any{}}, ""},
		{"cancel without target", &RequestSecurityToken{V: V200502, RequestType: V200502.RequestType(Cancel)}, "requires wst:CancelTarget"},
		{"renew with target", &RequestSecurityToken{V: V200502, RequestType: V200502.RequestType(Renew), RenewTarget: strTo(V200502)}, ""},
		{"renew without target", &RequestSecurityToken{V: V13, RequestType: V13.RequestType(Renew)}, "requires wst:RenewTarget"},
		{"cancel target STR empty", &RequestSecurityToken{V: V13, RequestType: V13.RequestType(Cancel), CancelTarget: &wsse.SecurityTokenReference{}}, "CancelTarget/SecurityTokenReference"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkErr(t, c.rst.Validate(), c.want) })
	}
}

func issueRSTR(v Version) *RequestSecurityTokenResponse {
	return &RequestSecurityTokenResponse{
		V: v, Context: "urn:uuid:ctx", TokenType: v.SC().SCTTokenType(),
		RequestedSecurityToken:       &RequestedSecurityToken{SCT: &wsc.SecurityContextToken{V: v.SC(), ID: "sct-1", Identifier: sctID}},
		RequestedAttachedReference:   &wsse.SecurityTokenReference{Reference: &wsse.Reference{URI: "#sct-1", ValueType: v.SC().SCTTokenType()}},
		RequestedUnattachedReference: strTo(v),
		RequestedProofToken:          &RequestedProofToken{ComputedKey: v.CKPSHA1()},
		Entropy:                      &Entropy{BinarySecret: &BinarySecret{Type: v.NonceType(), Value: make([]byte, 32)}},
		Lifetime:                     &Lifetime{"2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"},
		KeySize:                      256,
	}
}

func TestRSTRValidate(t *testing.T) {
	mod := func(v Version, f func(*RequestSecurityTokenResponse)) *RequestSecurityTokenResponse {
		r := issueRSTR(v)
		f(r)
		return r
	}
	cases := []struct {
		name string
		rstr *RequestSecurityTokenResponse
		want string
	}{
		{"issue 1.3", issueRSTR(V13), ""},
		{"issue 2005/02", issueRSTR(V200502), ""},
		{"computed key without issuer entropy", mod(V13, func(r *RequestSecurityTokenResponse) { r.Entropy = nil }), "must carry the issuer's wst:Entropy"},
		{"computed key with empty issuer entropy", mod(V13, func(r *RequestSecurityTokenResponse) { r.Entropy = &Entropy{} }), "must carry the issuer's wst:Entropy"},
		{"computed key HASH (1.3)", mod(V13, func(r *RequestSecurityTokenResponse) { r.RequestedProofToken.ComputedKey = V13.CKHash() }), ""},
		{"computed key of other version", mod(V200502, func(r *RequestSecurityTokenResponse) { r.RequestedProofToken.ComputedKey = V13.CKPSHA1() }), "versions must not be mixed"},
		{"computed key unknown", mod(V13, func(r *RequestSecurityTokenResponse) { r.RequestedProofToken.ComputedKey = "urn:x-ck" }), "unknown computed-key"},
		{"binary secret proof, no entropy", mod(V13, func(r *RequestSecurityTokenResponse) {
			r.RequestedProofToken = &RequestedProofToken{BinarySecret: &BinarySecret{Value: []byte{1, 2}}}
			r.Entropy = nil
		}), ""},
		{"two proofs", mod(V13, func(r *RequestSecurityTokenResponse) {
			r.RequestedProofToken.BinarySecret = &BinarySecret{Value: []byte{1}}
		}), "holds 2 elements"},
		{"empty proof", mod(V13, func(r *RequestSecurityTokenResponse) { r.RequestedProofToken = &RequestedProofToken{} }), "holds 0 elements"},
		{"SCT of other WS-SC version", mod(V13, func(r *RequestSecurityTokenResponse) { r.RequestedSecurityToken.SCT.V = wsc.V200502 }), "versions must not be mixed"},
		{"SCT with relative identifier", mod(V13, func(r *RequestSecurityTokenResponse) { r.RequestedSecurityToken.SCT.Identifier = "abc" }), "not an absolute URI"},
		{"requested token empty", mod(V13, func(r *RequestSecurityTokenResponse) { r.RequestedSecurityToken = &RequestedSecurityToken{} }), "holds 0 tokens"},
		{"token type of other version", mod(V200502, func(r *RequestSecurityTokenResponse) { r.TokenType = wsc.V200512.SCTTokenType() }), "SC-ISS-002"},
		{"unattached reference local", mod(V13, func(r *RequestSecurityTokenResponse) { r.RequestedUnattachedReference.Reference.URI = "#sct-1" }), "same-message reference"},
		{"attached reference empty", mod(V13, func(r *RequestSecurityTokenResponse) { r.RequestedAttachedReference = &wsse.SecurityTokenReference{} }), "RequestedAttachedReference"},
		{"lifetime inverted", mod(V13, func(r *RequestSecurityTokenResponse) {
			r.Lifetime = &Lifetime{"2026-01-01T11:00:00Z", "2026-01-01T10:00:00Z"}
		}), "not later than Created"},
		{"key size not multiple of 8", mod(V13, func(r *RequestSecurityTokenResponse) { r.KeySize = 12 }), "not a multiple of 8"},
		{"cancelled", &RequestSecurityTokenResponse{V: V13, RequestedTokenCancelled: true}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkErr(t, c.rstr.Validate(), c.want) })
	}
}

func TestRSTRCValidate(t *testing.T) {
	checkErr(t, (&RequestSecurityTokenResponseCollection{V: V13, Responses: []*RequestSecurityTokenResponse{issueRSTR(V13)}}).Validate(), "")
	checkErr(t, (&RequestSecurityTokenResponseCollection{V: V13}).Validate(), "at least one")
	checkErr(t, (&RequestSecurityTokenResponseCollection{V: V13, Responses: []*RequestSecurityTokenResponse{issueRSTR(V200502)}}).Validate(), "inside a WS-Trust 1.3 collection")
	bad := issueRSTR(V13)
	bad.KeySize = 9
	checkErr(t, (&RequestSecurityTokenResponseCollection{V: V13, Responses: []*RequestSecurityTokenResponse{issueRSTR(V13), bad}}).Validate(), "RequestSecurityTokenResponse[1]/KeySize")
}

func TestLifetimeTimes(t *testing.T) {
	c, e, err := (&Lifetime{Created: "2026-01-01T10:00:00Z", Expires: "2026-01-01T11:00:00Z"}).Times()
	if err != nil || e.Sub(c).Hours() != 1 {
		t.Fatal(c, e, err)
	}
	if _, _, err := (&Lifetime{Expires: "soon"}).Times(); err == nil {
		t.Fatal("bad Expires accepted")
	}
	if c, e, err := (&Lifetime{}).Times(); err != nil || !c.IsZero() || !e.IsZero() {
		t.Fatal("absent times")
	}
}

func TestVersionTables(t *testing.T) {
	checks := map[string]string{
		V13.RequestType(Issue):                 "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue",
		V200502.RequestType(Cancel):            "http://schemas.xmlsoap.org/ws/2005/02/trust/Cancel",
		V13.RequestType(STSCancel):             "http://docs.oasis-open.org/ws-sx/ws-trust/200512/STSCancel",
		V200502.RequestType(STSCancel):         "",
		V13.NonceType():                        "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Nonce",
		V200502.SymmetricKeyType():             "http://schemas.xmlsoap.org/ws/2005/02/trust/SymmetricKey",
		V13.AsymmetricKeyType():                "http://docs.oasis-open.org/ws-sx/ws-trust/200512/AsymmetricKey",
		V200502.CKPSHA1():                      "http://schemas.xmlsoap.org/ws/2005/02/trust/CK/PSHA1",
		V13.CKHash():                           "http://docs.oasis-open.org/ws-sx/ws-trust/200512/CK/HASH",
		V13.KeyTypeBearer():                    "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Bearer",
		V200502.KeyTypePublic():                "http://schemas.xmlsoap.org/ws/2005/02/trust/PublicKey",
		V13.Action(ActionRSTIssue):             "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue",
		V13.Action(ActionRSTRCIssueFinal):      "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTRC/IssueFinal",
		V13.Action(ActionRSTRRenewFinal):       "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTR/RenewFinal",
		V13.Action(ActionRSTRCancelFinal):      "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTR/CancelFinal",
		V200502.Action(ActionRSTRCIssueFinal):  "",
		V200502.Action(ActionRSTRValidate):     "http://schemas.xmlsoap.org/ws/2005/02/trust/RSTR/Validate",
		V200502.SC().SCTTokenType():            "http://schemas.xmlsoap.org/ws/2005/02/sc/sct",
		V13.SC().SCTTokenType():                "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512/sct",
		InvalidRequest.QName(V200502).String(): "{http://schemas.xmlsoap.org/ws/2005/02/trust}InvalidRequest",
	}
	for got, want := range checks {
		if got != want {
			t.Errorf("got %q want %q", got, want)
		}
	}
	for _, v := range Versions {
		for a := ActionRSTIssue; a <= ActionRSTRValidate; a++ {
			if u := v.Action(a); u != "" {
				if gv, ga, ok := ActionOf(u); !ok || gv != v || ga != a {
					t.Errorf("ActionOf(%s)", u)
				}
			}
		}
		for k := Issue; k <= STSCancel; k++ {
			if u := v.RequestType(k); u != "" {
				if gv, gk, ok := RequestTypeOf(u); !ok || gv != v || gk != k {
					t.Errorf("RequestTypeOf(%s)", u)
				}
			}
		}
		for _, c := range Codes {
			if got, gv, ok := FaultCodeOf(c.QName(v)); !ok || got != c || gv != v {
				t.Errorf("FaultCodeOf %s", c)
			}
		}
	}
	if k, ok := (&RequestSecurityToken{V: V13, RequestType: V200502.RequestType(Issue)}).Kind(); ok {
		t.Errorf("Kind accepted another version's RequestType: %v", k)
	}
}
