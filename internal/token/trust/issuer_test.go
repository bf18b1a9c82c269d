package trust

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
	"github.com/rspcheck/rspcheck/internal/wssec"
)

const testMsgID = "urn:uuid:00000000-0000-4000-8000-0000000000aa"

// issueRST is a well-formed SCT issue request of version v.
func issueRST(v wsc.Version) *wst.RequestSecurityToken {
	tv := trustVersion(v)
	return &wst.RequestSecurityToken{V: tv, Context: "urn:uuid:ctx", TokenType: v.SCTTokenType(), RequestType: tv.RequestType(wst.Issue),
		Entropy: &wst.Entropy{BinarySecret: &wst.BinarySecret{Type: tv.NonceType(), Value: seq(0, 32)}}, KeySize: 256}
}

func targetRST(v wsc.Version, kind wst.RequestKind, id string) *wst.RequestSecurityToken {
	tv := trustVersion(v)
	str := &wsse.SecurityTokenReference{Reference: &wsse.Reference{URI: id, ValueType: v.SCTTokenType()}}
	r := &wst.RequestSecurityToken{V: tv, Context: "urn:uuid:ctx", RequestType: tv.RequestType(kind)}
	if kind == wst.Renew {
		r.RenewTarget = str
	} else {
		r.CancelTarget = str
	}
	return r
}

// message encodes (allowing illegal values) and decodes a request.
func message(t testing.TB, pr profile, action string, body ...any) *codec.Message {
	t.Helper()
	env := &codec.Envelope{SOAP: pr.soap, Addressing: &wsa.Headers{Version: pr.wsa, Action: action, MessageID: testMsgID, To: endpoint}, Body: body}
	raw, err := codec.Encode(env, codec.Options{AllowIllegal: true})
	if err != nil {
		t.Fatal(err)
	}
	m, err := codec.Decode(raw, codec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// expectFault checks that the issuer answered with a SOAP fault of code want, as a
// well-formed reply of the profile.
func expectFault(t *testing.T, pr profile, env *codec.Envelope, err error, want string) {
	t.Helper()
	if CodeOf(err) != want {
		t.Fatalf("fault %q (%v), want %s", CodeOf(err), err, want)
	}
	raw, encErr := codec.Encode(env, codec.Options{})
	if encErr != nil {
		t.Fatalf("fault envelope does not encode: %v", encErr)
	}
	m, decErr := codec.Decode(raw, codec.Options{})
	if decErr != nil {
		t.Fatal(decErr)
	}
	if ps := m.Check(pr.p); len(ps) > 0 {
		t.Errorf("fault message: %v\n%s", codec.Problems(ps), raw)
	}
	f := faultOf(m)
	if f == nil || f.Prefixed() != want || !errors.Is(f, err) {
		t.Fatalf("wire fault %v, want %s\n%s", f, want, raw)
	}
	if rel, _ := m.Addressing.RelatesToReply(); rel != testMsgID {
		t.Errorf("fault RelatesTo %q", rel)
	}
	if pr.soap == soap.V12 && f.Receiver != (want == "wst:RequestFailed") {
		t.Errorf("SOAP 1.2 code Receiver=%v for %s", f.Receiver, want)
	}
}

func newIssuer(t *testing.T, cfg IssuerConfig) (*Issuer, *token.Store, *clock) {
	t.Helper()
	clk := &clock{t: t0}
	st := token.NewStore(clk.Now)
	cfg.Store, cfg.Now = st, clk.Now
	is, err := NewIssuer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return is, st, clk
}

// TestIssuerFaults: each refusal of a request that never reaches a token.
func TestIssuerFaults(t *testing.T) {
	for _, pr := range profiles {
		v, tv := pr.v, trustVersion(pr.v)
		other := wsc.V200502
		if v == wsc.V200502 {
			other = wsc.V200512
		}
		issue := v.RequestAction(wsc.BindingIssue)
		mod := func(f func(r *wst.RequestSecurityToken)) *wst.RequestSecurityToken { r := issueRST(v); f(r); return r }
		cases := []struct {
			name   string
			action string
			body   []any
			want   string
		}{
			{"missing RequestType (SC-ISS-001)", issue, []any{mod(func(r *wst.RequestSecurityToken) { r.RequestType = "" })}, "wst:InvalidRequest"},
			{"missing TokenType (SC-ISS-001)", issue, []any{mod(func(r *wst.RequestSecurityToken) { r.TokenType = "" })}, "wst:InvalidRequest"},
			{"wrong TokenType", issue, []any{mod(func(r *wst.RequestSecurityToken) { r.TokenType = "urn:oasis:names:tc:SAML:2.0:assertion" })}, "wst:InvalidRequest"},
			{"renew RequestType on issue action", issue, []any{mod(func(r *wst.RequestSecurityToken) { r.RequestType = tv.RequestType(wst.Renew) })}, "wst:InvalidRequest"},
			{"unknown RequestType", issue, []any{mod(func(r *wst.RequestSecurityToken) { r.RequestType = "urn:x:Issue" })}, "wst:InvalidRequest"},
			{"other-version TokenType (SC-ISS-002)", issue, []any{mod(func(r *wst.RequestSecurityToken) { r.TokenType = other.SCTTokenType() })}, "wst:InvalidRequest"},
			{"other-version RequestType (SC-ISS-002)", issue, []any{mod(func(r *wst.RequestSecurityToken) { r.RequestType = trustVersion(other).RequestType(wst.Issue) })}, "wst:InvalidRequest"},
			{"other-version RST body (SC-ISS-002)", issue, []any{issueRST(other)}, "wst:InvalidRequest"},
			{"other-version action (SC-ISS-002)", other.RequestAction(wsc.BindingIssue), []any{issueRST(v)}, "wst:InvalidRequest"},
			{"short entropy (SC-ISS-008)", issue, []any{mod(func(r *wst.RequestSecurityToken) { r.Entropy.BinarySecret.Value = seq(0, 8) })}, "wst:InvalidRequest"},
			{"entropy of asymmetric type", issue, []any{mod(func(r *wst.RequestSecurityToken) { r.Entropy.BinarySecret.Type = "urn:x:AsymmetricKey" })}, "wst:InvalidRequest"},
			{"public KeyType", issue, []any{mod(func(r *wst.RequestSecurityToken) { r.KeyType = tv.KeyTypePublic() })}, "wst:InvalidRequest"},
			{"unsupported computed key", issue, []any{mod(func(r *wst.RequestSecurityToken) { r.ComputedKeyAlgorithm = "urn:x:CK/HASH" })}, "wst:InvalidRequest"},
			{"KeySize not a multiple of 8", issue, []any{mod(func(r *wst.RequestSecurityToken) { r.KeySize = 7 })}, "wst:InvalidRequest"},
			{"encrypted entropy without issuer certificate", issue, []any{mod(func(r *wst.RequestSecurityToken) {
				r.Entropy = &wst.Entropy{EncryptedKey: &wsse.EncryptedKey{EncryptionMethod: &wsse.EncryptionMethod{Algorithm: wsse.AlgRSAOAEPMGF1P}, CipherValue: []byte{1}}}
			})}, "wst:InvalidRequest"},
			{"body is an RSTR", issue, []any{&wst.RequestSecurityTokenResponse{V: tv, RequestedTokenCancelled: true}}, "wst:BadRequest"},
			{"body is empty", issue, nil, "wst:BadRequest"},
			{"two RSTs", issue, []any{issueRST(v), issueRST(v)}, "wst:BadRequest"},
			{"generic RST/Issue action (SC-ISS-001)", tv.Action(wst.ActionRSTIssue), []any{issueRST(v)}, "wsa:ActionNotSupported"},
			{"response action", v.ResponseAction(wsc.BindingIssue), []any{issueRST(v)}, "wsa:ActionNotSupported"},
			{"Amend (SC-AMD-001)", v.RequestAction(wsc.BindingAmend), []any{issueRST(v)}, "wst:RequestFailed"},
			{"renew of unknown context", v.RequestAction(wsc.BindingRenew), []any{targetRST(v, wst.Renew, "urn:uuid:unknown")}, "wsc:BadContextToken"},
			{"cancel of unknown context", v.RequestAction(wsc.BindingCancel), []any{targetRST(v, wst.Cancel, "urn:uuid:unknown")}, "wsc:BadContextToken"},
			{"cancel without CancelTarget", v.RequestAction(wsc.BindingCancel), []any{&wst.RequestSecurityToken{V: tv, RequestType: tv.RequestType(wst.Cancel)}}, "wst:InvalidRequest"},
		}
		for _, c := range cases {
			t.Run(pr.name+"/"+c.name, func(t *testing.T) {
				is, st, _ := newIssuer(t, IssuerConfig{})
				env, err := is.Handle(is.Check(message(t, pr, c.action, c.body...), wssec.CheckOptions{}))
				expectFault(t, pr, env, err, c.want)
				if len(st.All()) != 0 {
					t.Error("a refused request left a token behind")
				}
			})
		}
	}
}

func TestIssuerAddressingAndReadFaults(t *testing.T) {
	pr := profiles[0]
	is, _, _ := newIssuer(t, IssuerConfig{})
	env := &codec.Envelope{SOAP: pr.soap, Addressing: &wsa.Headers{Version: pr.wsa, Action: pr.v.RequestAction(wsc.BindingIssue), To: endpoint}, Body: []any{issueRST(pr.v)}}
	raw, _ := codec.Encode(env, codec.Options{})
	m, _ := codec.Decode(raw, codec.Options{})
	if _, err := is.Handle(Request{Message: m}); CodeOf(err) != "wsa:MessageAddressingHeaderRequired" {
		t.Errorf("no MessageID: %v", err)
	}
	env.Addressing = nil
	raw, _ = codec.Encode(env, codec.Options{})
	m, _ = codec.Decode(raw, codec.Options{})
	if _, err := is.Handle(Request{Message: m}); CodeOf(err) != "wsa:MessageAddressingHeaderRequired" {
		t.Errorf("no addressing: %v", err)
	}
	if e, err := is.Handle(Request{}); CodeOf(err) != "wst:BadRequest" || e != nil {
		t.Errorf("nil message: %v", err)
	}
	// Unparseable content: a KeySize that is not a number (WS-Trust 1.3 §11 wst:BadRequest).
	bad := strings.Replace(string(serializeMsg(t, message(t, pr, pr.v.RequestAction(wsc.BindingIssue), issueRST(pr.v)))), ">256<", ">lots<", 1)
	m, err := codec.Decode([]byte(bad), codec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, ferr := is.Handle(Request{Message: m})
	expectFault(t, pr, out, ferr, "wst:BadRequest")
}

func serializeMsg(t *testing.T, m *codec.Message) []byte { return serialize(t, m.Doc) }

// TestIssuerRequestFailed: the issuer's own failure is wst:RequestFailed with SOAP code
// Receiver.
func TestIssuerRequestFailed(t *testing.T) {
	pr := profiles[0]
	is, _, _ := newIssuer(t, IssuerConfig{Entropy: bytes.NewReader(nil)})
	env, err := is.Handle(Request{Message: message(t, pr, pr.v.RequestAction(wsc.BindingIssue), issueRST(pr.v))})
	expectFault(t, pr, env, err, "wst:RequestFailed")
	var f *Fault
	if !errors.As(err, &f) || !f.Receiver || f.SOAP().Code != soap.Receiver {
		t.Errorf("RequestFailed is the issuer's fault: %+v", f)
	}
	is2, _, _ := newIssuer(t, IssuerConfig{Rand: io.LimitReader(bytes.NewReader(seq(0, 255)), 0)})
	_, err = is2.Handle(Request{Message: message(t, pr, pr.v.RequestAction(wsc.BindingIssue), issueRST(pr.v))})
	if !errors.Is(err, ErrRequestFailed) {
		t.Errorf("random failure: %v", err)
	}
	if _, err := NewIssuer(IssuerConfig{}); err == nil {
		t.Error("issuer without store")
	}
}

func TestIssuerRequireBootstrap(t *testing.T) {
	pr := profiles[2]
	is, _, _ := newIssuer(t, IssuerConfig{RequireBootstrap: true})
	env, err := is.Handle(Request{Message: message(t, pr, pr.v.RequestAction(wsc.BindingIssue), issueRST(pr.v))})
	expectFault(t, pr, env, err, "wst:FailedAuthentication")
}

// TestIssuerTokenFaults: renew and cancel refusals that involve an issued token.
func TestIssuerTokenFaults(t *testing.T) {
	ctx := context.Background()
	for _, pr := range profiles {
		t.Run(pr.name, func(t *testing.T) {
			r := newRig(t, pr, IssuerConfig{Lifetime: time.Hour}, ClientConfig{})
			a, err := r.client.Issue(ctx, endpoint)
			if err != nil {
				t.Fatal(err)
			}
			b, err := r.client.Issue(ctx, endpoint)
			if err != nil {
				t.Fatal(err)
			}
			v := pr.v
			handle := func(m *codec.Message) (*codec.Envelope, error) {
				return r.issuer.Handle(r.issuer.Check(m, wssec.CheckOptions{}))
			}
			// SC-RNW-001: a renewal not secured by the SCT is refused.
			env, err := handle(message(t, pr, v.RequestAction(wsc.BindingRenew), targetRST(v, wst.Renew, a.Identifier)))
			expectFault(t, pr, env, err, "wst:FailedAuthentication")
			// SC-CNL-001: a cancel secured by another SCT is refused (proof of possession).
			other := secure(t, message(t, pr, v.RequestAction(wsc.BindingCancel), targetRST(v, wst.Cancel, a.Identifier)), b, r.clk.Now())
			env, err = handle(other)
			expectFault(t, pr, env, err, "wst:FailedAuthentication")
			// A cancel signed with a key nobody issued: the signature does not verify.
			forged := b
			forged.Secret = bytes.Repeat([]byte{1}, 32)
			env, err = handle(secure(t, message(t, pr, v.RequestAction(wsc.BindingCancel), targetRST(v, wst.Cancel, b.Identifier)), forged, r.clk.Now()))
			expectFault(t, pr, env, err, "wsse:FailedCheck")
			// Target STRs the issuer does not support.
			ki := targetRST(v, wst.Renew, a.Identifier)
			ki.RenewTarget = &wsse.SecurityTokenReference{KeyIdentifier: &wsse.KeyIdentifier{ValueType: "urn:x", Value: "abc"}}
			env, err = handle(secure(t, message(t, pr, v.RequestAction(wsc.BindingRenew), ki), a, r.clk.Now()))
			expectFault(t, pr, env, err, "wsc:UnsupportedContextToken")
			x509 := targetRST(v, wst.Renew, a.Identifier)
			x509.RenewTarget.Reference.ValueType = wsse.ValueTypeX509v3
			env, err = handle(secure(t, message(t, pr, v.RequestAction(wsc.BindingRenew), x509), a, r.clk.Now()))
			expectFault(t, pr, env, err, "wsc:UnsupportedContextToken")
			embedded := targetRST(v, wst.Renew, "")
			embedded.RenewTarget = nil
			embedded.RenewTargetToken = &wire.Any{Name: wire.QName{Space: v.Namespace(), Local: "SecurityContextToken"}, Prefix: "wsc",
				Children: []wire.Any{{Name: wire.QName{Space: v.Namespace(), Local: "Identifier"}, Prefix: "wsc", Text: a.Identifier}}}
			env, err = handle(secure(t, message(t, pr, v.RequestAction(wsc.BindingRenew), embedded), a, r.clk.Now()))
			if err != nil {
				t.Fatalf("renew with the SCT itself as target: %v", err)
			}
			_ = env
			// Pinned to a key instance that no longer exists.
			pinned := targetRST(v, wst.Cancel, a.Identifier)
			pinned.CancelTarget.Reference.Instance, pinned.CancelTarget.Reference.InstanceNS = "urn:uuid:old", v.Namespace()
			cur, _ := r.store.Lookup(a.Identifier)
			env, err = handle(secure(t, message(t, pr, v.RequestAction(wsc.BindingCancel), pinned), cur, r.clk.Now()))
			expectFault(t, pr, env, err, "wsc:BadContextToken")
			// SC-ISS-012: cancel with an expired SCT → wsc:RenewNeeded.
			r.clk.Add(2 * time.Hour)
			env, err = handle(secure(t, message(t, pr, v.RequestAction(wsc.BindingCancel), targetRST(v, wst.Cancel, b.Identifier)), b, r.clk.Now()))
			expectFault(t, pr, env, err, "wsc:RenewNeeded")
			if err := r.client.Cancel(ctx, endpoint, b); !errors.Is(err, ErrRenewNeeded) {
				t.Fatalf("client cancel of an expired SCT: %v", err)
			}
			// ... but renewing the expired SCT works, and then it can be cancelled.
			nb, err := r.client.Renew(ctx, endpoint, b)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.client.Cancel(ctx, endpoint, nb); err != nil {
				t.Fatal(err)
			}
			// The old instance cannot renew any more.
			if _, err := r.client.Renew(ctx, endpoint, b); !errors.Is(err, ErrBadContextToken) {
				t.Fatalf("renew with a cancelled SCT: %v", err)
			}
		})
	}
}

// secure signs m (re-encoded) with tok, as a client would, and decodes it again.
func secure(t *testing.T, m *codec.Message, tok token.Token, now time.Time) *codec.Message {
	t.Helper()
	if _, err := wssec.Apply(m.Doc, tok.Security(), wssec.Policy{Version: tok.Version, DerivedKeys: true, IncludeToken: true}, now, nil); err != nil {
		t.Fatal(err)
	}
	out, err := codec.Decode(serialize(t, m.Doc), codec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestConcurrentRenewals: of several renewals of one instance at once exactly one wins, and
// the issuer holds the winner's key (no requestor keeps a key the issuer forgot).
func TestConcurrentRenewals(t *testing.T) {
	ctx := context.Background()
	pr := profiles[0]
	r := newRig(t, pr, IssuerConfig{}, ClientConfig{})
	a, err := r.client.Issue(ctx, endpoint)
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	results := make([]token.Token, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = r.client.Renew(ctx, endpoint, a)
		}()
	}
	wg.Wait()
	won := 0
	for i := range n {
		if errs[i] != nil {
			var f *Fault
			if !errors.As(errs[i], &f) {
				t.Errorf("loser %d: %v", i, errs[i])
			}
			continue
		}
		won++
		cur, _ := r.store.Lookup(a.Identifier)
		if !bytes.Equal(cur.Secret, results[i].Secret) {
			t.Error("the winner's key is not the issuer's")
		}
	}
	if won != 1 {
		t.Fatalf("%d renewals won", won)
	}
}
