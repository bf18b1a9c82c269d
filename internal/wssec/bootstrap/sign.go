package bootstrap

import (
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/xmlsec/dsig"
	"github.com/rspcheck/rspcheck/internal/xmlsec/pki"
)

// DefaultTTL is the lifetime of the Timestamp Sign writes when Options.TTL is zero, and
// DefaultSkew the clock skew Verify tolerates when VerifyOptions.Skew is zero.
const (
	DefaultTTL  = 5 * time.Minute
	DefaultSkew = 5 * time.Minute
)

// timeFormat is the xs:dateTime form of wsu:Created and wsu:Expires: UTC with milliseconds
// (WSS 1.1 §10 recommends UTC; millisecond precision is what WCF and WSS4J write).
const timeFormat = "2006-01-02T15:04:05.000Z"

// Options configure Sign.
type Options struct {
	// Now is the Timestamp's Created time; zero means time.Now().
	Now time.Time
	// TTL is Expires - Created; zero means DefaultTTL.
	TTL time.Duration
}

// Sign protects the SOAP envelope of doc with the X.509 identity id (FLOW M1/M2): it adds a
// wsse:Security header with mustUnderstand, or reuses the one without role or actor, and
// prepends to it a wsu:Timestamp, a wsse:BinarySecurityToken with id's certificate and a
// ds:Signature (RSA-SHA256, SHA-256 digests) over the Body, the Timestamp and every
// WS-Addressing header, giving each a fresh wsu:Id where it has no ID.
//
// A reused Security header must not already hold a Timestamp or a Signature. Sign checks
// the envelope before changing anything; an error from the signature step itself may leave
// the added elements behind.
func Sign(doc *etree.Document, id *pki.Identity, opts Options) error {
	if err := id.Check(); err != nil {
		return fmt.Errorf("bootstrap: sign: %w", err)
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.TTL == 0 {
		opts.TTL = DefaultTTL
	}
	if opts.TTL < 0 {
		return errors.New("bootstrap: sign: negative TTL")
	}
	env, err := locate(doc)
	if err != nil {
		return err
	}
	ids := collectIDs(env.root)
	targets := append([]*etree.Element{env.body}, env.addressingHeaders()...)
	for _, el := range targets {
		if v, ok := dsig.IDOf(el); ok && ids[v] > 1 {
			return fmt.Errorf("bootstrap: sign: the ID %q of %s is not unique in the document", v, el.FullTag())
		}
	}
	sec, err := securityFor(env)
	if err != nil {
		return err
	}

	wp := prefixFor(sec, wsse.NSWSU, "wsu")
	ts := timestamp(wp, ids.fresh("TS"), opts.Now.UTC(), opts.Now.Add(opts.TTL).UTC())
	sec.InsertChildAt(0, ts)
	bst := binaryToken(sec.Space, wp, ids.fresh("X509"), id.Cert.Raw)
	sec.InsertChildAt(1, bst)
	bstID, _ := dsig.IDOf(bst)

	refs := []*etree.Element{ts}
	for _, h := range env.addressingHeaders() {
		ids.ensureID(h, h.Tag)
		refs = append(refs, h)
	}
	ids.ensureID(env.body, "Body")
	refs = append(refs, env.body)

	// WSS 1.1 §8: a detached ds:Signature inside the Security header, references by
	// wsu:Id, exclusive c14n; the key is named through a SecurityTokenReference (§7).
	sig, err := dsig.Sign(sec, refs, id.Key, dsig.SignOptions{
		SignatureMethod: dsig.RSASHA256,
		DigestMethod:    dsig.SHA256,
		KeyInfo:         tokenReference(bstID),
	})
	if err != nil {
		return fmt.Errorf("bootstrap: sign: %w", err)
	}
	// Timestamp, token, signature, then whatever the header held before (WSS 1.1 §5: new
	// elements are prepended; a token precedes the signature that uses it).
	sec.RemoveChild(sig)
	sec.InsertChildAt(2, sig)
	return nil
}

// securityFor returns the Security header for the ultimate receiver, creating it (and the
// Header) when absent, and marks it mustUnderstand.
func securityFor(env *envelope) (*etree.Element, error) {
	secs := env.securityHeaders()
	if len(secs) > 1 {
		return nil, fmt.Errorf("bootstrap: sign: %d wsse:Security headers without role or actor (WSS 1.1 §5 allows one)", len(secs))
	}
	var sec *etree.Element
	if len(secs) == 1 {
		sec = secs[0]
		if len(children(sec, wsse.NSWSU, "Timestamp")) > 0 || len(children(sec, wsse.NSDS, "Signature")) > 0 {
			return nil, errors.New("bootstrap: sign: the wsse:Security header already holds a Timestamp or a Signature")
		}
	} else {
		if env.header == nil {
			env.header = etree.NewElement("Header")
			env.header.Space = env.root.Space
			env.root.InsertChildAt(env.body.Index(), env.header)
		}
		sec = etree.NewElement("Security")
		env.header.AddChild(sec)
		sec.Space = prefixFor(sec, wsse.NS, "wsse")
	}
	env.setMustUnderstand(sec)
	return sec, nil
}

func qualify(prefix, local string) string {
	if prefix == "" {
		return local
	}
	return prefix + ":" + local
}

// timestamp builds <wsu:Timestamp wsu:Id><wsu:Created/><wsu:Expires/></wsu:Timestamp>
// (WSS 1.1 §10). wp is a prefix bound to the wsu namespace at the insertion point.
func timestamp(wp, id string, created, expires time.Time) *etree.Element {
	ts := etree.NewElement(wp + ":Timestamp")
	ts.CreateAttr(wp+":Id", id)
	ts.CreateElement(wp + ":Created").SetText(created.Format(timeFormat))
	ts.CreateElement(wp + ":Expires").SetText(expires.Format(timeFormat))
	return ts
}

// binaryToken builds the X.509 BinarySecurityToken (X.509 Token Profile 1.1 §3.1: the
// ValueType #X509v3 names a single certificate, the content its base64 DER).
func binaryToken(sp, wp, id string, der []byte) *etree.Element {
	bst := etree.NewElement(qualify(sp, "BinarySecurityToken"))
	bst.CreateAttr("ValueType", wsse.ValueTypeX509v3)
	bst.CreateAttr("EncodingType", wsse.EncodingBase64Binary)
	bst.CreateAttr(wp+":Id", id)
	bst.SetText(base64.StdEncoding.EncodeToString(der))
	return bst
}

// tokenReference builds the KeyInfo content: a SecurityTokenReference with a direct
// reference to the token in the same message (WSS 1.1 §7.2; X.509 Token Profile 1.1 §3.2
// requires the ValueType on a Reference to an X.509 token).
func tokenReference(bstID string) *etree.Element {
	str := etree.NewElement("wsse:SecurityTokenReference")
	str.CreateAttr("xmlns:wsse", wsse.NS)
	r := str.CreateElement("wsse:Reference")
	r.CreateAttr("URI", "#"+bstID)
	r.CreateAttr("ValueType", wsse.ValueTypeX509v3)
	return str
}
