package wssec

import (
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/xmlsec/dsig"
	"github.com/rspcheck/rspcheck/internal/xmlsec/xenc"
)

// Part is a group of message parts a policy signs or requires signed.
type Part uint8

const (
	PartBody       Part = 1 << iota // the soap:Body
	PartTimestamp                   // the wsu:Timestamp of the Security header
	PartAddressing                  // every WS-Addressing header
	PartRM                          // every WS-RM header (Sequence, AckRequested, SequenceAcknowledgement, UsesSequenceSTR, SequenceFault)
	PartTokens                      // the SCT and DerivedKeyTokens in the header (WS-SecurityPolicy "ProtectTokens")

	// PartNone requires nothing beyond what callers check themselves (rspcheck verify
	// --require-signed with element names only); it is never signed on output.
	PartNone Part = 1 << 7

	// DefaultParts is what WCF signs (OnlySignEntireHeadersAndBody) and what WSS-004 requires.
	DefaultParts = PartBody | PartTimestamp | PartAddressing | PartRM
)

// Policy says how a message is protected: which parts are signed, with which algorithms,
// whether keys are derived, whether the Body is encrypted.
type Policy struct {
	// Version selects the WS-SecureConversation namespace of tokens (200512 or 2005/02).
	Version wsc.Version
	// SignatureMethod and DigestMethod: HMAC-SHA1 / SHA-1 when empty (the interop default).
	SignatureMethod string
	DigestMethod    string
	// DerivedKeys signs (and encrypts) with keys derived from the SCT through
	// DerivedKeyTokens (WS-SC 1.3 §7). When false the SCT key signs directly, as gSOAP does.
	DerivedKeys bool
	// IncludeToken puts the wsc:SecurityContextToken into the header (WCF does on
	// CreateSequence); otherwise references name the SCT by its Identifier.
	IncludeToken bool
	// Sign is the set of parts signed on output and required signed on input (0 = DefaultParts).
	Sign Part
	// EncryptBody encrypts the Body content after signing (sign-then-encrypt); Encryption
	// is the block algorithm (AES-256-CBC when empty, WCF's Basic256).
	EncryptBody bool
	Encryption  string
	// EncryptSignature also encrypts the ds:Signature (WCF's EncryptSignature).
	EncryptSignature bool
	// TTL is the Timestamp lifetime on output (5 min when zero); Skew the tolerated clock
	// difference on input (5 min when zero).
	TTL  time.Duration
	Skew time.Duration
	// InclusivePrefixes is the InclusiveNamespaces PrefixList written in signatures.
	InclusivePrefixes []string
}

// Defaults applied to zero fields.
const (
	DefaultTTL  = 5 * time.Minute
	DefaultSkew = 5 * time.Minute
)

func (p Policy) withDefaults() Policy {
	if p.SignatureMethod == "" {
		p.SignatureMethod = dsig.HMACSHA1
	}
	if p.DigestMethod == "" {
		p.DigestMethod = dsig.SHA1
	}
	if p.Sign == 0 {
		p.Sign = DefaultParts
	}
	if p.Encryption == "" {
		p.Encryption = xenc.AES256CBC
	}
	if p.TTL == 0 {
		p.TTL = DefaultTTL
	}
	if p.Skew == 0 {
		p.Skew = DefaultSkew
	}
	return p
}

// Token is the SCT material this package needs: its Identifier (an absolute URI), the key
// Instance when re-keyed, and the secret.
type Token struct {
	Identifier string
	Instance   string
	Secret     []byte
}

// Resolver finds the token of an Identifier (the responder's token store).
type Resolver interface {
	Token(identifier string) (Token, bool)
}

// TokenMap is a Resolver over a map, for tests and tools.
type TokenMap map[string]Token

// Token implements Resolver.
func (m TokenMap) Token(id string) (Token, bool) {
	t, ok := m[id]
	return t, ok
}
