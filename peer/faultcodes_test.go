package peer

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/transport"
	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
	"github.com/rspcheck/rspcheck/internal/wssec"
)

// rig drives a Responder by hand: it crafts requests the conforming Initiator never sends,
// protects them with an SCT the responder issued, posts them over HTTP and decodes the answer.
// The responder's clock can be moved forward (skew) to make its SCTs expire.
type rig struct {
	t    *testing.T
	pr   *pair
	p    Profile
	sv   soap.Version
	tok  token.Token // SCT A, obtained through the real WS-Trust exchange
	skew atomic.Int64
}

func newRig(t *testing.T, p Profile, sv soap.Version, knobs ...string) *rig {
	t.Helper()
	return newRigWith(t, p, sv, ResponderConfig{Misbehave: knobs})
}

// newRigWith is newRig with a responder configuration (its clock is the rig's).
func newRigWith(t *testing.T, p Profile, sv soap.Version, rcfg ResponderConfig) *rig {
	t.Helper()
	r := &rig{t: t, p: p, sv: sv}
	rcfg.Now = r.now
	r.pr = newPair(t, p, sv, rcfg, InitiatorConfig{})
	tok, err := r.pr.init.obtain(context.Background(), r.pr.init.cfg.To)
	if err != nil {
		t.Fatal(err)
	}
	r.tok = tok
	return r
}

// now is the responder's clock.
func (r *rig) now() time.Time { return time.Now().Add(time.Duration(r.skew.Load())) }

// other obtains a second SCT (B) from the same responder.
func (r *rig) other() token.Token {
	r.t.Helper()
	tok, err := r.pr.init.obtain(context.Background(), r.pr.init.cfg.To+"#other")
	if err != nil {
		r.t.Fatal(err)
	}
	return tok
}

// craft encodes env (rules not enforced), protects it with tok at time at (nil: unsecured) and
// applies the changes to the protected tree.
func (r *rig) craft(env *codec.Envelope, tok *token.Token, at time.Time, changes ...func(*etree.Document)) []byte {
	r.t.Helper()
	doc, err := codec.Build(env, codec.Options{AllowIllegal: true})
	if err != nil {
		r.t.Fatal(err)
	}
	if tok != nil {
		if _, err := wssec.Apply(doc, tok.Security(), policy(r.p), at, nil); err != nil {
			r.t.Fatal(err)
		}
	}
	for _, c := range changes {
		c(doc)
	}
	raw, err := doc.WriteToBytes()
	if err != nil {
		r.t.Fatal(err)
	}
	return raw
}

// send crafts env at the responder's clock and posts it.
func (r *rig) send(env *codec.Envelope, tok *token.Token, changes ...func(*etree.Document)) (*codec.Message, int) {
	r.t.Helper()
	return r.post(env.Addressing.Action, r.craft(env, tok, r.now(), changes...))
}

// post sends raw and decodes the answer (nil when the body is empty).
func (r *rig) post(action string, raw []byte) (*codec.Message, int) {
	r.t.Helper()
	resp, err := transport.NewClient(nil).Post(context.Background(), r.pr.init.cfg.To, r.sv, action, raw)
	if err != nil {
		r.t.Fatal(err)
	}
	if len(resp.Body) == 0 {
		return nil, resp.Status
	}
	m, err := codec.Decode(resp.Body, codec.Options{})
	if err != nil {
		r.t.Fatalf("undecodable answer: %v\n%s", err, resp.Body)
	}
	return m, resp.Status
}

func (r *rig) to() string { return r.pr.init.cfg.To }

// app is application message n of sequence id (2005/02 last: the LastMessage form without
// a body).
func (r *rig) app(id string, n uint64, last bool) *codec.Envelope {
	v := r.p.RM()
	action := AppAction
	if last {
		action = v.Action(wsrm.KindLastMessage)
	}
	env := &codec.Envelope{SOAP: r.sv, Addressing: addressing(action, r.to()),
		Headers: []codec.Header{{Value: &wsrm.Sequence{V: v, Identifier: id, MessageNumber: n, LastMessage: last}, MustUnderstand: true}}}
	if !last {
		env.Body = []any{appBody([]byte{byte(n), 'x'})}
	}
	return env
}

// request is an RM request of kind k with body msg (ReplyTo anonymous).
func (r *rig) request(k wsrm.Kind, msg any) *codec.Envelope {
	h := addressing(r.p.RM().Action(k), r.to())
	h.ReplyTo = &wsa.EPR{Address: wsa.V10.Anonymous()}
	return &codec.Envelope{SOAP: r.sv, Addressing: h, Body: []any{msg}}
}

// createSeq is a CreateSequence with str (nil: none) and, when uses, UsesSequenceSTR.
func (r *rig) createSeq(str *wsse.SecurityTokenReference, uses bool) *codec.Envelope {
	v := r.p.RM()
	env := r.request(wsrm.KindCreateSequence, &wsrm.CreateSequence{V: v, AcksTo: wsa.EPR{Address: wsa.V10.Anonymous()}, STR: str})
	if uses {
		env.Headers = []codec.Header{{Value: &wsrm.UsesSequenceSTR{}, MustUnderstand: true}}
	}
	return env
}

// create establishes a conforming sequence scoped to tok and returns its identifier.
func (r *rig) create(tok *token.Token) string {
	r.t.Helper()
	m, _ := r.send(r.createSeq(tok.Reference(false), r.p == P11), tok)
	csr, ok := payloadOf[*wsrm.CreateSequenceResponse](m)
	if !ok {
		r.t.Fatalf("CreateSequence not accepted:\n%s", rawOf(m))
	}
	return csr.Identifier
}

func (r *rig) ackRequested(id string) *codec.Envelope {
	v := r.p.RM()
	return &codec.Envelope{SOAP: r.sv, Addressing: addressing(v.Action(wsrm.KindAckRequested), r.to()),
		Headers: []codec.Header{{Value: &wsrm.AckRequested{V: v, Identifier: id}}}}
}

// rst is a WS-Trust request of binding b in the rig's profile.
func (r *rig) rst(b wsc.Binding, rst *wst.RequestSecurityToken) *codec.Envelope {
	h := addressing(r.p.SC().RequestAction(b), r.to())
	h.ReplyTo = &wsa.EPR{Address: wsa.V10.Anonymous()}
	return &codec.Envelope{SOAP: r.sv, Addressing: h, Body: []any{rst}}
}

func (r *rig) trustV() wst.Version {
	if r.p == P05 {
		return wst.V200502
	}
	return wst.V13
}

// cancelRST asks to cancel tok.
func (r *rig) cancelRST(tok token.Token) *wst.RequestSecurityToken {
	tv := r.trustV()
	return &wst.RequestSecurityToken{V: tv, RequestType: tv.RequestType(wst.Cancel), CancelTarget: tok.Reference(false)}
}

func payloadOf[T any](m *codec.Message) (T, bool) {
	var zero T
	if m == nil {
		return zero, false
	}
	v, ok := m.Payload.(T)
	return v, ok
}

func rawOf(m *codec.Message) string {
	if m == nil {
		return "(empty answer)"
	}
	return string(m.Raw())
}

// faultWant is the fault a request must provoke (CONSTANTS §9).
type faultWant struct {
	code     wire.QName // SOAP 1.2 Subcode / SOAP 1.1 faultcode; zero = a plain Sender fault
	receiver bool       // SOAP 1.2 Code Receiver instead of Sender
	seq      string     // wsrm:Identifier the detail must carry
	max      uint64     // wsrm:MaxMessageNumber the detail must carry
	detail   string     // local name of an element the detail must carry (e.g. ProblemAction)
	foreign  bool       // the answer quotes another profile (check it in no profile)
}

// expectFault checks an answer against w: HTTP 500, the request's SOAP version, the code in
// the form of that version, the RM fault action, the detail (SOAP 1.2 env:Detail, SOAP 1.1
// wsrm:SequenceFault header for sequence faults) and no codec problem in the profile.
func (r *rig) expectFault(name string, m *codec.Message, status int, w faultWant) {
	r.t.Helper()
	if m == nil || m.Fault() == nil {
		r.t.Errorf("%s: no fault (HTTP %d):\n%.600s", name, status, rawOf(m))
		return
	}
	if status != 500 {
		r.t.Errorf("%s: HTTP status %d, want 500", name, status)
	}
	r.faultShape(name, m, w)
}

// faultShape checks fault m (in SOAP r.sv) against w.
func (r *rig) faultShape(name string, m *codec.Message, w faultWant) {
	r.t.Helper()
	f := m.Fault()
	if m.SOAP != r.sv {
		r.t.Errorf("%s: SOAP %s, want SOAP %s", name, m.SOAP, r.sv)
	}
	wantCode := soap.Sender
	if w.receiver {
		wantCode = soap.Receiver
	}
	switch {
	case w.code.IsZero():
		if f.Code != soap.Sender || len(f.Subcodes) != 0 {
			r.t.Errorf("%s: code %v subcodes %v, want a plain Sender fault", name, f.Code, f.Subcodes)
		}
	case r.sv == soap.V12:
		if f.Code != wantCode || f.Subcode() != w.code {
			r.t.Errorf("%s: Code %v Subcode %s (%s), want %v / %s", name, f.Code, f.Subcode(), f.Reason, wantCode, w.code)
		}
	default:
		if f.CodeQName != w.code {
			r.t.Errorf("%s: faultcode %s (%s), want %s", name, f.CodeQName, f.Reason, w.code)
		}
	}
	code, rv, isRM := wsrm.FaultCodeOf(w.code)
	if isRM {
		want := wsa.V10.FaultAction()
		if rv == wsrm.V200702 {
			want = wsrm.V200702.Action(wsrm.KindFault)
		}
		if m.Addressing.Action != want {
			r.t.Errorf("%s: fault action %q, want %q (RM-FLT-001)", name, m.Addressing.Action, want)
		}
	}
	sf, sfh := codec.Find[*wsrm.SequenceFault](m)
	detail := f.Detail
	switch {
	case r.sv == soap.V12 && sfh != nil:
		r.t.Errorf("%s: wsrm:SequenceFault header with SOAP 1.2 (RM-FLT-002)", name)
	case r.sv == soap.V11 && isRM && code.HeaderFault():
		if sf == nil {
			r.t.Errorf("%s: SOAP 1.1 sequence fault without wsrm:SequenceFault header (RM-FLT-002)", name)
			return
		}
		if sf.FaultCode != w.code {
			r.t.Errorf("%s: SequenceFault/FaultCode %s, want %s", name, sf.FaultCode, w.code)
		}
		detail = sf.Detail
	}
	if w.seq != "" && !hasElem(detail, "Identifier", w.seq) {
		r.t.Errorf("%s: detail lacks wsrm:Identifier %s: %+v", name, w.seq, detail)
	}
	if w.max != 0 && !hasElem(detail, "MaxMessageNumber", "") {
		defect(r.t, "%s (%s %s): the detail lacks wsrm:MaxMessageNumber (CONSTANTS §9.1: detail = Identifier + MaxMessageNumber); rmFaultEnvelope writes only the Identifier", name, r.p, r.sv)
	}
	if r.sv == soap.V11 && !isRM {
		// WS-Addressing 1.0 SOAP Binding §6: a SOAP 1.1 addressing fault carries its detail
		// in a wsa:FaultDetail header, the SOAP 1.1 detail element being for Body errors.
		if fd := faultDetail(m); fd != nil {
			detail = append(append([]wire.Any(nil), detail...), fd...)
		} else if w.detail != "" && f.Subcode().Space == wsa.NS10 && hasElem(f.Detail, w.detail, "") {
			r.t.Errorf("%s: SOAP 1.1 addressing fault with its detail in the Body's detail, not in wsa:FaultDetail", name)
		}
	}
	if w.detail != "" && !hasElem(detail, w.detail, "") {
		r.t.Errorf("%s: detail lacks %s: %+v", name, w.detail, detail)
	}
	cp := r.p.Codec()
	if w.foreign {
		cp = codec.ProfileAuto
	}
	if ps := m.Check(cp); len(ps) > 0 {
		r.t.Errorf("%s: fault violates %s: %v", name, cp, codec.Problems(ps))
	}
}

// faultDetail is the content of m's wsa:FaultDetail header (nil when absent), as generic
// elements.
func faultDetail(m *codec.Message) []wire.Any {
	var out []wire.Any
	for _, h := range m.HeaderNamed(wire.QName{Space: wsa.NS10, Local: "FaultDetail"}) {
		for _, c := range h.El.ChildElements() {
			out = append(out, elemAny(c))
		}
	}
	return out
}

// elemAny is el as a generic element (names and text only).
func elemAny(el *etree.Element) wire.Any {
	a := wire.Any{Name: wire.QName{Space: el.NamespaceURI(), Local: el.Tag}, Text: el.Text()}
	for _, c := range el.ChildElements() {
		a.Children = append(a.Children, elemAny(c))
	}
	return a
}

// hasElem reports whether as (or their descendants) hold an element named local, with text
// text when text is not empty.
func hasElem(as []wire.Any, local, text string) bool {
	for _, a := range as {
		if a.Name.Local == local && (text == "" || strings.TrimSpace(a.Text) == text) {
			return true
		}
		if hasElem(a.Children, local, text) {
			return true
		}
	}
	return false
}

// defect fails the test with a deviation from the spec.
func defect(t *testing.T, format string, args ...any) {
	t.Helper()
	t.Errorf("DEFECT: "+format, args...)
}

// maxNumber is the highest message number (XSD MessageNumberType).
const maxNumber = uint64(wsrm.MaxMessageNumber)

func rmCode(p Profile, c wsrm.FaultCode) wire.QName { return c.QName(p.RM()) }
func scCode(p Profile, c wsc.FaultCode) wire.QName  { return c.QName(p.SC()) }
func wstCode(r *rig, c wst.FaultCode) wire.QName    { return c.QName(r.trustV()) }
func wsseCode(c wsse.FaultCode) wire.QName          { return c.QName() }

// faultCase provokes one fault through the HTTP endpoint.
type faultCase struct {
	name string
	only []Profile // nil = every profile
	run  func(r *rig) (*codec.Message, int, faultWant)
}

// TestFaultCodes: one case per fault code the responder emits that TestFaultShapes does not
// already provoke (it covers UnknownSequence, CreateSequenceRefused for an unsecured
// CreateSequence, BadContextToken for unknown and cancelled SCTs, WSRMRequired and
// ActionNotSupported for the other profile's WS-RM action; the CreateSequenceRefused
// refusals of RM-STR-003/005/006/007 are in the knob tests). Each case runs in both profiles
// (where the code exists) and both SOAP versions, against the HTTP endpoint.
func TestFaultCodes(t *testing.T) {
	for _, p := range []Profile{P11, P05} {
		for _, sv := range []soap.Version{soap.V12, soap.V11} {
			t.Run(p.String()+"-"+sv.String(), func(t *testing.T) {
				r := newRig(t, p, sv)
				for _, c := range faultCases {
					if c.only != nil && !containsProfile(c.only, p) {
						continue
					}
					m, status, w := c.run(r)
					r.expectFault(c.name, m, status, w)
					r.skew.Store(0)
				}
			})
		}
	}
}

func containsProfile(ps []Profile, p Profile) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

var faultCases = []faultCase{
	// ---- WS-RM (CONSTANTS §9.1, §9.2) ----
	{name: "SequenceTerminated: message number 0 (RM-SEQ-002, RM-FLT-003)", run: func(r *rig) (*codec.Message, int, faultWant) {
		id := r.create(&r.tok)
		m, st := r.send(r.app(id, 0, false), &r.tok)
		// The sequence is dead afterwards: it is unknown.
		if a, _ := r.send(r.ackRequested(id), &r.tok); a == nil || a.Fault() == nil || a.Fault().Subcode() != rmCode(r.p, wsrm.UnknownSequence) {
			r.t.Errorf("after SequenceTerminated the sequence still answers:\n%.400s", rawOf(a))
		}
		return m, st, faultWant{code: rmCode(r.p, wsrm.SequenceTerminated), seq: id}
	}},
	{name: "MessageNumberRollover: number above 2^63-1 (RM-SEQ-003)", run: func(r *rig) (*codec.Message, int, faultWant) {
		id := r.create(&r.tok)
		m, st := r.send(r.app(id, maxNumber+1, false), &r.tok)
		return m, st, faultWant{code: rmCode(r.p, wsrm.MessageNumberRollover), seq: id, max: maxNumber}
	}},
	{name: "SequenceClosed: new message after CloseSequence (RM-SEQ-005, RM-CL-003)", only: []Profile{P11}, run: func(r *rig) (*codec.Message, int, faultWant) {
		id := r.create(&r.tok)
		r.send(r.app(id, 1, false), &r.tok)
		cm, _ := r.send(r.request(wsrm.KindCloseSequence, &wsrm.CloseSequence{V: r.p.RM(), Identifier: id, LastMsgNumber: 1, HasLast: true}), &r.tok)
		if _, ok := payloadOf[*wsrm.CloseSequenceResponse](cm); !ok {
			r.t.Fatalf("CloseSequence not answered:\n%s", rawOf(cm))
		}
		m, st := r.send(r.app(id, 2, false), &r.tok)
		return m, st, faultWant{code: rmCode(r.p, wsrm.SequenceClosed), seq: id}
	}},
	{name: "LastMessageNumberExceeded: number above LastMessage (RM-SEQ-006)", only: []Profile{P05}, run: func(r *rig) (*codec.Message, int, faultWant) {
		id := r.create(&r.tok)
		r.send(r.app(id, 1, false), &r.tok)
		r.send(r.app(id, 2, true), &r.tok)
		m, st := r.send(r.app(id, 3, false), &r.tok)
		return m, st, faultWant{code: rmCode(r.p, wsrm.LastMessageNumberExceeded), seq: id}
	}},
	{name: "FailedAuthentication: message of a sequence bound to another SCT (RM-STR-009)", run: func(r *rig) (*codec.Message, int, faultWant) {
		id := r.create(&r.tok)
		b := r.other()
		m, st := r.send(r.app(id, 1, false), &b)
		return m, st, faultWant{code: wsseCode(wsse.FailedAuthentication)}
	}},

	// ---- WS-Security / WS-SC on RM traffic (CONSTANTS §9.4, §9.6) ----
	{name: "RenewNeeded: message secured by an expired SCT (SC-ISS-012)", run: func(r *rig) (*codec.Message, int, faultWant) {
		r.skew.Store(int64(r.tok.Expires.Sub(time.Now()) + time.Minute))
		m, st := r.send(r.app("urn:uuid:00000000-0000-4000-8000-0000000000e1", 1, false), &r.tok)
		return m, st, faultWant{code: scCode(r.p, wsc.RenewNeeded)}
	}},
	{name: "UnknownDerivationSource: DerivedKeyToken naming no token", run: func(r *rig) (*codec.Message, int, faultWant) {
		m, st := r.send(r.app("urn:uuid:00000000-0000-4000-8000-0000000000e2", 1, false), &r.tok, func(d *etree.Document) {
			for _, dk := range d.FindElements("//DerivedKeyToken") {
				for _, ref := range dk.FindElements(".//Reference") {
					ref.CreateAttr("URI", "#no-such-token")
				}
			}
		})
		return m, st, faultWant{code: scCode(r.p, wsc.UnknownDerivationSource)}
	}},
	{name: "UnsupportedAlgorithm: unknown key derivation algorithm (SC-DKT-004)", run: func(r *rig) (*codec.Message, int, faultWant) {
		m, st := r.send(r.app("urn:uuid:00000000-0000-4000-8000-0000000000e3", 1, false), &r.tok, func(d *etree.Document) {
			for _, dk := range d.FindElements("//DerivedKeyToken") {
				dk.CreateAttr("Algorithm", "urn:rspcheck:no-such-kdf")
			}
		})
		return m, st, faultWant{code: wsseCode(wsse.UnsupportedAlgorithm)}
	}},
	{name: "FailedCheck: body changed after signing (WSS-003)", run: func(r *rig) (*codec.Message, int, faultWant) {
		m, st := r.send(r.app("urn:uuid:00000000-0000-4000-8000-0000000000e4", 1, false), &r.tok, func(d *etree.Document) {
			for _, el := range d.FindElements("//Data") {
				el.SetText("00")
			}
		})
		return m, st, faultWant{code: wsseCode(wsse.FailedCheck)}
	}},
	{name: "FailedCheck: the same signed message replayed (WSS 1.1 §10)", run: func(r *rig) (*codec.Message, int, faultWant) {
		env := r.app("urn:uuid:00000000-0000-4000-8000-0000000000e5", 1, false)
		raw := r.craft(env, &r.tok, r.now())
		first, _ := r.post(AppAction, raw)
		if first == nil || first.Fault() == nil || first.Fault().Subcode() != rmCode(r.p, wsrm.UnknownSequence) {
			r.t.Errorf("first transmission: want UnknownSequence:\n%.400s", rawOf(first))
		}
		m, st := r.post(AppAction, raw)
		return m, st, faultWant{code: wsseCode(wsse.FailedCheck)}
	}},
	{name: "InvalidSecurity: Security header without mustUnderstand (WSS-001)", run: func(r *rig) (*codec.Message, int, faultWant) {
		m, st := r.send(r.app("urn:uuid:00000000-0000-4000-8000-0000000000e6", 1, false), &r.tok, func(d *etree.Document) {
			for _, sec := range d.FindElements("//Security") {
				for _, a := range append([]etree.Attr(nil), sec.Attr...) {
					if a.Key == "mustUnderstand" {
						sec.RemoveAttr(a.FullKey())
					}
				}
			}
		})
		return m, st, faultWant{code: wsseCode(wsse.InvalidSecurity)}
	}},
	{name: "MessageExpired: Timestamp expired (WSS-002)", run: func(r *rig) (*codec.Message, int, faultWant) {
		raw := r.craft(r.app("urn:uuid:00000000-0000-4000-8000-0000000000e7", 1, false), &r.tok, r.now().Add(-time.Hour))
		m, st := r.post(AppAction, raw)
		w := faultWant{code: wsseCode(wsse.MessageExpired)}
		if m != nil && m.Fault() != nil && m.Fault().Subcode() == (wire.QName{Space: wsse.NSWSU, Local: "MessageExpired"}) {
			defect(r.t, "expired Timestamp answered wsu:MessageExpired; CONSTANTS §9.6 and wire/wsse (\"wsse is emitted\") say wsse:MessageExpired (wssec/errors.go faultFor)")
			w.code = m.Fault().Subcode()
		}
		return m, st, w
	}},
	{name: "Sender: sequenced message whose body is not an application message", run: func(r *rig) (*codec.Message, int, faultWant) {
		env := r.app("urn:uuid:00000000-0000-4000-8000-0000000000e8", 1, false)
		env.Body = []any{wire.Any{Name: wire.QName{Space: "urn:rspcheck:other", Local: "Thing"}, Prefix: "o", Text: "x"}}
		m, st := r.send(env, &r.tok)
		return m, st, faultWant{}
	}},

	// ---- WS-Addressing (CONSTANTS §9.7) ----
	{name: "ActionNotSupported: the other profile's WS-SC issue action", run: func(r *rig) (*codec.Message, int, faultWant) {
		other := wsc.V200502
		tv := wst.V200502
		if r.p == P05 {
			other, tv = wsc.V200512, wst.V13
		}
		env := r.rst(wsc.BindingIssue, &wst.RequestSecurityToken{V: tv, TokenType: other.SCTTokenType(), RequestType: tv.RequestType(wst.Issue)})
		env.Addressing.Action = other.RequestAction(wsc.BindingIssue)
		m, st := r.send(env, nil)
		return m, st, faultWant{code: wire.QName{Space: wsa.NS10, Local: "ActionNotSupported"}, detail: "ProblemAction", foreign: true}
	}},
	{name: "ActionNotSupported: an action the RM endpoint does not know (WSA-001)", run: func(r *rig) (*codec.Message, int, faultWant) {
		env := &codec.Envelope{SOAP: r.sv, Addressing: addressing(r.p.RM().Namespace()+"/NoSuchAction", r.to())}
		env.Addressing.ReplyTo = &wsa.EPR{Address: wsa.V10.Anonymous()}
		m, st := r.send(env, &r.tok)
		return m, st, faultWant{code: wire.QName{Space: wsa.NS10, Local: "ActionNotSupported"}, detail: "ProblemAction"}
	}},
	{name: "MessageAddressingHeaderRequired: CreateSequence without MessageID (WSA-002)", run: func(r *rig) (*codec.Message, int, faultWant) {
		env := r.createSeq(r.tok.Reference(false), r.p == P11)
		env.Addressing.MessageID = ""
		m, st := r.send(env, &r.tok)
		return m, st, faultWant{code: wire.QName{Space: wsa.NS10, Local: "MessageAddressingHeaderRequired"}, detail: "ProblemHeaderQName"}
	}},
	{name: "MessageAddressingHeaderRequired: TerminateSequence without wsa:Action (WSA-002)", run: func(r *rig) (*codec.Message, int, faultWant) {
		id := r.create(&r.tok)
		env := r.request(wsrm.KindTerminateSequence, &wsrm.TerminateSequence{V: r.p.RM(), Identifier: id})
		env.Addressing.Action = ""
		m, st := r.send(env, &r.tok)
		return m, st, faultWant{code: wire.QName{Space: wsa.NS10, Local: "MessageAddressingHeaderRequired"}, detail: "ProblemHeaderQName"}
	}},
	{name: "MessageAddressingHeaderRequired: RST without MessageID (WSA-002)", run: func(r *rig) (*codec.Message, int, faultWant) {
		tv := r.trustV()
		env := r.rst(wsc.BindingIssue, &wst.RequestSecurityToken{V: tv, TokenType: r.p.SC().SCTTokenType(), RequestType: tv.RequestType(wst.Issue)})
		env.Addressing.MessageID = ""
		m, st := r.send(env, nil)
		return m, st, faultWant{code: wire.QName{Space: wsa.NS10, Local: "MessageAddressingHeaderRequired"}}
	}},

	// ---- WS-Trust SCT bindings (CONSTANTS §9.4, §9.5) ----
	{name: "wst:InvalidRequest: RST without RequestType (SC-ISS-001)", run: func(r *rig) (*codec.Message, int, faultWant) {
		m, st := r.send(r.rst(wsc.BindingIssue, &wst.RequestSecurityToken{V: r.trustV(), TokenType: r.p.SC().SCTTokenType()}), nil)
		return m, st, faultWant{code: wstCode(r, wst.InvalidRequest)}
	}},
	{name: "wst:BadRequest: SCT request whose body is not an RST", run: func(r *rig) (*codec.Message, int, faultWant) {
		env := r.rst(wsc.BindingIssue, nil)
		env.Body = []any{appBody([]byte("not an RST"))}
		m, st := r.send(env, nil)
		return m, st, faultWant{code: wstCode(r, wst.BadRequest)}
	}},
	{name: "wst:RequestFailed: Amend binding (SC-AMD-001)", run: func(r *rig) (*codec.Message, int, faultWant) {
		tv := r.trustV()
		m, st := r.send(r.rst(wsc.BindingAmend, &wst.RequestSecurityToken{V: tv, RequestType: tv.RequestType(wst.Issue)}), &r.tok)
		return m, st, faultWant{code: wstCode(r, wst.RequestFailed), receiver: true}
	}},
	{name: "wst:FailedAuthentication: Cancel of SCT A signed with SCT B (SC-CNL-001)", run: func(r *rig) (*codec.Message, int, faultWant) {
		b := r.other()
		m, st := r.send(r.rst(wsc.BindingCancel, r.cancelRST(r.tok)), &b)
		return m, st, faultWant{code: wstCode(r, wst.FailedAuthentication)}
	}},
	{name: "wsc:RenewNeeded: Cancel with an expired SCT (SC-ISS-012)", run: func(r *rig) (*codec.Message, int, faultWant) {
		r.skew.Store(int64(r.tok.Expires.Sub(time.Now()) + time.Minute))
		m, st := r.send(r.rst(wsc.BindingCancel, r.cancelRST(r.tok)), &r.tok)
		return m, st, faultWant{code: scCode(r.p, wsc.RenewNeeded)}
	}},
	{name: "wsc:UnsupportedContextToken: Cancel target that is not an SCT (SC-CNL-001)", run: func(r *rig) (*codec.Message, int, faultWant) {
		rst := r.cancelRST(r.tok)
		rst.CancelTarget.Reference.ValueType = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
		m, st := r.send(r.rst(wsc.BindingCancel, rst), &r.tok)
		return m, st, faultWant{code: scCode(r.p, wsc.UnsupportedContextToken)}
	}},
	{name: "wsc:BadContextToken: Cancel of an unknown SCT (SC-CNL-003)", run: func(r *rig) (*codec.Message, int, faultWant) {
		ghost := r.tok
		ghost.Identifier, ghost.UnattachedURI = "urn:uuid:00000000-0000-4000-8000-0000000000e9", ""
		m, st := r.send(r.rst(wsc.BindingCancel, r.cancelRST(ghost)), &r.tok)
		return m, st, faultWant{code: scCode(r.p, wsc.BadContextToken)}
	}},
}

// TestFaultInvalidAcknowledgement: the responder is an RM Source only on the reverse sequence
// of an accepted Offer (Duplex). An acknowledgement of its echo that covers numbers it never
// sent (RM-ACK-004) is answered with wsrm:InvalidAcknowledgement, sent — as a request, since
// the ack arrived on an HTTP response — to the reverse sequence's endpoint, secured by the
// sequence's SCT (RM-STR-008). The fake initiator endpoint here plays the offending
// Destination.
func TestFaultInvalidAcknowledgement(t *testing.T) {
	for _, p := range []Profile{P11, P05} {
		for _, sv := range []soap.Version{soap.V12, soap.V11} {
			t.Run(p.String()+"-"+sv.String(), func(t *testing.T) { invalidAck(t, p, sv) })
		}
	}
}

func invalidAck(t *testing.T, p Profile, sv soap.Version) {
	var r *rig
	faults := make(chan *codec.Message, 8)
	ep := httptest.NewServer(&transport.Handler{Serve: func(_ context.Context, req *transport.Request) (*transport.Reply, error) {
		m, err := codec.Decode(req.Body, codec.Options{})
		if err != nil {
			return nil, err
		}
		if m.Fault() != nil {
			faults <- m
			return nil, nil
		}
		s, _ := codec.Find[*wsrm.Sequence](m)
		if s == nil {
			return nil, nil
		}
		// Acknowledge 1..s+4: numbers the responder never sent.
		env := &codec.Envelope{SOAP: m.SOAP, Addressing: replyAddressing(m, p.RM().Action(wsrm.KindSequenceAcknowledgement)),
			Headers: []codec.Header{{Value: &wsrm.SequenceAcknowledgement{V: p.RM(), Identifier: s.Identifier,
				Ranges: []wsrm.AckRange{{Lower: 1, Upper: s.MessageNumber + 4}}}}}}
		env.Addressing.RelatesTo = nil
		return &transport.Reply{Body: r.craft(env, &r.tok, r.now()), Action: env.Addressing.Action}, nil
	}})
	t.Cleanup(ep.Close)
	r = newRigWith(t, p, sv, ResponderConfig{Duplex: true, SOAP: sv})
	rev := newID()
	env := r.createSeq(r.tok.Reference(false), p == P11)
	cs := env.Body[0].(*wsrm.CreateSequence)
	cs.Offer = &wsrm.Offer{Identifier: rev}
	if p == P11 {
		cs.Offer.Endpoint = &wsa.EPR{Address: ep.URL}
	}
	env.Addressing.ReplyTo = &wsa.EPR{Address: ep.URL}
	m, _ := r.send(env, &r.tok)
	csr, ok := payloadOf[*wsrm.CreateSequenceResponse](m)
	if !ok || csr.Accept == nil {
		t.Fatalf("Offer not accepted:\n%s", rawOf(m))
	}
	if a, _ := r.send(r.app(csr.Identifier, 1, false), &r.tok); !acked(a, csr.Identifier, 1) {
		t.Fatalf("message 1 not acknowledged:\n%s", rawOf(a))
	}
	select {
	case f := <-faults:
		r.faultShape("InvalidAcknowledgement", f, faultWant{code: rmCode(p, wsrm.InvalidAcknowledgement), seq: rev})
		if !hasElem(f.Fault().Detail, "SequenceAcknowledgement", "") && !sequenceFaultHas(f, "SequenceAcknowledgement") {
			defect(t, "%s %s: wsrm:InvalidAcknowledgement carries no offending wsrm:SequenceAcknowledgement in its detail (CONSTANTS §9.1); rmFaultEnvelope ignores rm.Fault.Ack", p, sv)
		}
		if _, h := codec.Find[*wsse.Security](f); h == nil {
			t.Errorf("InvalidAcknowledgement not secured by the sequence's SCT (RM-STR-008)")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no InvalidAcknowledgement reached the reverse sequence's endpoint")
	}
}

// sequenceFaultHas reports whether m's wsrm:SequenceFault detail holds an element local.
func sequenceFaultHas(m *codec.Message, local string) bool {
	sf, _ := codec.Find[*wsrm.SequenceFault](m)
	return sf != nil && hasElem(sf.Detail, local, "")
}
