package wssec

import (
	"time"

	"github.com/rspcheck/rspcheck/internal/xmltree"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/xmlsec/dsig"
	"github.com/rspcheck/rspcheck/internal/xmlsec/xenc"
)

// CheckOptions configure Check.
type CheckOptions struct {
	Policy Policy
	Tokens Resolver
	// Expect is the Identifier of the token the message must be secured by (the SCT a
	// sequence is bound to); "" accepts any token Tokens knows.
	Expect string
	Now    time.Time
	// Replay, when set, refuses a signature seen before within its Timestamp window.
	Replay *ReplayCache
	// Trace receives the canonical bytes of each reference and of SignedInfo (--show-c14n).
	Trace func(uri string, canonical []byte)
}

// KeyKind says how the signing key was obtained.
type KeyKind int

const (
	KeySCT     KeyKind = iota + 1 // the SCT's key itself (no DerivedKeyToken)
	KeyDerived                    // a key derived from the SCT by a DerivedKeyToken
)

func (k KeyKind) String() string {
	if k == KeyDerived {
		return "derived"
	}
	return "sct"
}

// Derivation are the parameters of a derived key, for reports (never the key itself).
type Derivation struct {
	TokenID string // wsu:Id of the DerivedKeyToken
	Label   string
	Nonce   []byte
	Offset  uint64
	Length  uint64
}

// Auth is what Check proved about a message.
type Auth struct {
	Token           Token // Identifier and Instance; Secret is left empty
	KeyKind         KeyKind
	Derivation      *Derivation
	SignatureMethod string
	Signature       *etree.Element
	Signed          []*etree.Element // exactly the elements whose digests matched
	Parts           Part             // the part groups fully covered by the signature
	Decrypted       []string         // IDs of the EncryptedData that were decrypted
	Created         time.Time
	Expires         time.Time
}

// Covers reports whether el is one of the signed elements (identity, not name).
func (a *Auth) Covers(el *etree.Element) bool {
	for _, s := range a.Signed {
		if s == el {
			return true
		}
	}
	return false
}

// Check processes the wsse:Security header of m addressed to the ultimate receiver: it checks
// the Timestamp, decrypts what the ReferenceList names, verifies the signature with a key
// taken only from the expected token, and checks that every part the policy requires is
// among the signed elements. On success m's Body is decoded again when it was decrypted.
func Check(m *codec.Message, opt CheckOptions) (*Auth, error) {
	a, err := CheckDocument(m.Doc, opt)
	if err != nil {
		return nil, err
	}
	if len(a.Decrypted) > 0 {
		m.ReadBody()
	}
	return a, nil
}

// CheckDocument is Check on a bare tree: the caller decodes the Body again if Auth.Decrypted
// is not empty.
func CheckDocument(doc *etree.Document, opt CheckOptions) (*Auth, error) {
	a, err := check(doc, opt)
	if err != nil {
		if e, ok := err.(*Error); ok && opt.Policy.Version == wsc.V200502 && e.Fault.Space == wsc.V200512.Namespace() {
			e.Fault.Space = wsc.V200502.Namespace()
		}
		return nil, err
	}
	return a, nil
}

func check(doc *etree.Document, opt CheckOptions) (*Auth, error) {
	pol := opt.Policy.withDefaults()
	e, err := locate(doc)
	if err != nil {
		return nil, failf(ErrSecurityHeader, "%v", err)
	}
	sec, err := e.securityHeader()
	if err != nil {
		return nil, err
	}
	p := &processor{env: e, sec: sec, pol: pol, opt: opt, auth: &Auth{}}
	if err := p.run(); err != nil {
		return nil, err
	}
	if err := p.requireParts(); err != nil {
		return nil, err
	}
	if err := p.replay(); err != nil {
		return nil, err
	}
	return p.auth, nil
}

// securityHeader returns the one wsse:Security header for the ultimate receiver (no role or
// actor), which must carry mustUnderstand="true" (WSS 1.1 §5, WSS-001).
func (e *env) securityHeader() (*etree.Element, error) {
	if e.header == nil {
		return nil, failf(ErrNoSecurity, "the message has no SOAP Header")
	}
	var found *etree.Element
	ens := e.soap.Namespace()
	roleAttr := soap.AttrRole12
	if e.soap == soap.V11 {
		roleAttr = soap.AttrActor11
	}
	for h := range e.header.ChildElementsSeq() {
		if h.Tag != "Security" || h.NamespaceURI() != wsse.NS {
			continue
		}
		if role, ok := attrNS(h, ens, roleAttr); ok && role != "" && role != soap12UltimateReceiver {
			continue
		}
		if found != nil {
			return nil, failf(ErrSecurityHeader, "two wsse:Security headers for the ultimate receiver (WSS 1.1 §5)")
		}
		found = h
	}
	if found == nil {
		return nil, failf(ErrNoSecurity, "no wsse:Security header for the ultimate receiver")
	}
	if mu, _ := attrNS(found, ens, soap.AttrMustUnderstand); mu != "1" && mu != "true" {
		return nil, failf(ErrSecurityHeader, "wsse:Security must carry mustUnderstand=\"true\" (WSS 1.1 §5)")
	}
	return found, nil
}

const soap12UltimateReceiver = "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver"

func attrNS(el *etree.Element, ns, local string) (string, bool) {
	for _, a := range el.Attr {
		if a.Key == local && a.Space != "" && a.Space != "xmlns" && a.NamespaceURI() == ns {
			return a.Value, true
		}
	}
	return "", false
}

// dkt is a DerivedKeyToken seen in the header, with its key once derived.
type dkt struct {
	id  string // wsu:Id
	el  *etree.Element
	key []byte
	tok Token
	der *Derivation
}

// sctEntry is a SecurityContextToken seen in the header.
type sctEntry struct {
	id  string // wsu:Id
	tok Token
}

// processor walks one Security header in order.
type processor struct {
	env  *env
	sec  *etree.Element
	pol  Policy
	opt  CheckOptions
	auth *Auth
	ts   *etree.Element
	sig  *etree.Element
	// The tokens of the header that can be referenced by wsu:Id, in header order: lists, not
	// maps, as a header has one or two (a map costs three allocations for the first entry).
	// Of two with the same ID the later one counts, as it did with maps.
	dkts  []dkt
	scts  []sctEntry
	items []*etree.Element // tokens seen, for PartTokens

	bodyEncrypted bool
}

func (p *processor) run() error {
	for i := 0; ; i++ {
		// The list is read again each time: decryption replaces elements in place.
		el := xmltree.ChildAt(p.sec, i)
		if el == nil {
			break
		}
		ns := el.NamespaceURI()
		var err error
		switch {
		case el.Tag == "Timestamp" && ns == wsse.NSWSU:
			err = p.timestamp(el)
		case el.Tag == "SecurityContextToken" && isWSC(ns):
			err = p.sct(el)
		case el.Tag == "DerivedKeyToken" && isWSC(ns):
			err = p.derivedKeyToken(el)
		case el.Tag == "ReferenceList" && ns == xenc.NS:
			err = p.referenceList(el)
		case el.Tag == "Signature" && ns == dsig.NS:
			err = p.signature(el)
		case el.Tag == "EncryptedKey" && ns == xenc.NS:
			err = failf(ErrUnsupported, "xenc:EncryptedKey in a secure-conversation message: keys come from the SCT")
		case el.Tag == "EncryptedData" && ns == xenc.NS:
			err = failf(ErrSecurityHeader, "xenc:EncryptedData in the Security header that no preceding ReferenceList names")
		}
		if err != nil {
			return err
		}
	}
	if p.sig == nil {
		return failf(ErrNotSigned, "the message carries no signature")
	}
	if p.pol.Sign&PartTimestamp != 0 && p.ts == nil {
		return failf(ErrTimestamp, "the Security header has no wsu:Timestamp")
	}
	return nil
}

// dktByID returns the DerivedKeyToken with wsu:Id id (the last one), or nil. The pointer is
// valid until the next DerivedKeyToken is recorded.
func (p *processor) dktByID(id string) *dkt {
	for i := len(p.dkts) - 1; i >= 0; i-- {
		if p.dkts[i].id == id {
			return &p.dkts[i]
		}
	}
	return nil
}

// sctByID returns the SecurityContextToken with wsu:Id id (the last one).
func (p *processor) sctByID(id string) (Token, bool) {
	for i := len(p.scts) - 1; i >= 0; i-- {
		if p.scts[i].id == id {
			return p.scts[i].tok, true
		}
	}
	return Token{}, false
}

func isWSC(ns string) bool { _, ok := wsc.VersionOf(ns); return ok }
