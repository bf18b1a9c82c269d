package bootstrap

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/xmlsec/dsig"
)

// Parts names the parts of a message that the signature must cover.
type Parts uint8

const (
	PartBody       Parts = 1 << iota // the envelope's soap:Body
	PartTimestamp                    // the wsu:Timestamp of the Security header
	PartAddressing                   // every WS-Addressing header block (1.0 and 2004/08)

	// AllParts is what FLOW M1/M2 require and what a zero RequireSigned means.
	AllParts = PartBody | PartTimestamp | PartAddressing
)

// VerifyOptions configure Verify.
type VerifyOptions struct {
	// Roots are the trust anchors of the signing certificate. Required: there is no
	// fallback to the system roots.
	Roots *x509.CertPool
	// Intermediates, optional, help build the chain (the token carries one certificate).
	Intermediates *x509.CertPool
	// Now is the verification time for the Timestamp and the certificate; zero means
	// time.Now().
	Now time.Time
	// Skew is the tolerated clock difference; zero means DefaultSkew.
	Skew time.Duration
	// RequireSigned lists the parts the signature must cover; zero means AllParts.
	RequireSigned Parts
}

// Result describes a verified message.
type Result struct {
	// Cert is the signer's certificate, from the BinarySecurityToken.
	Cert *x509.Certificate
	// Chains are the certificate chains that led to a root.
	Chains [][]*x509.Certificate
	// Signed are the elements whose digests were verified, in SignedInfo order. Use these
	// elements, never elements found again by name.
	Signed []*etree.Element
	// SignatureMethod is the verified algorithm (RSA-SHA256, or RSA-SHA1 on input).
	SignatureMethod string
	// Created and Expires come from the verified Timestamp.
	Created, Expires time.Time
}

// algorithms accepts RSA only: the bootstrap key is the certificate's public key, and an
// HMAC keyed with public material would prove nothing. RSA-SHA1 is accepted on input for
// interop with older stacks; dsig.Sign never writes it.
var algorithms = dsig.Algorithms{
	SignatureMethods: []string{dsig.RSASHA256, dsig.RSASHA1},
	DigestMethods:    []string{dsig.SHA256, dsig.SHA1},
	C14NMethods:      []string{dsig.ExcC14N, dsig.ExcC14NWithComments},
}

// Verify checks the X.509 bootstrap protection of doc (FLOW M1/M2) at opts.Now:
//
//  1. exactly one wsse:Security header without role or actor, marked mustUnderstand;
//  2. exactly one fresh wsu:Timestamp in it (WSS 1.1 §10);
//  3. exactly one ds:Signature in it, whose KeyInfo names, by direct reference, an X.509v3
//     BinarySecurityToken of the same header; the certificate chains to opts.Roots;
//  4. the signature verifies with that certificate's RSA key (WSS 1.1 §8);
//  5. the verified references include the envelope's Body, this Timestamp and every
//     WS-Addressing header block — compared by element identity (no signature wrapping).
//
// doc is not modified.
func Verify(doc *etree.Document, opts VerifyOptions) (*Result, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.Skew == 0 {
		opts.Skew = DefaultSkew
	}
	if opts.RequireSigned == 0 {
		opts.RequireSigned = AllParts
	}
	env, err := locate(doc)
	if err != nil {
		return nil, err
	}
	sec, err := securityHeader(env)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	ts, err := checkTimestamp(sec, opts.Now, opts.Skew, res)
	if err != nil {
		return nil, err
	}
	sigs := children(sec, wsse.NSDS, "Signature")
	if len(sigs) != 1 {
		return nil, failf(ErrSignature, wsse.InvalidSecurity, "the Security header holds %d ds:Signature elements, want exactly one", len(sigs))
	}
	keyInfo, bst, err := signingToken(sec, sigs[0])
	if err != nil {
		return nil, err
	}
	cert, pub, err := parseToken(bst)
	if err != nil {
		return nil, err
	}
	if res.Chains, err = checkChain(cert, opts.Roots, opts.Intermediates, opts.Now); err != nil {
		return nil, err
	}
	res.Cert = cert
	v, err := dsig.Verify(sigs[0], dsig.VerifyOptions{
		Algorithms: algorithms,
		Key: func(ki *etree.Element, method string) (any, error) {
			if ki != keyInfo || (method != dsig.RSASHA256 && method != dsig.RSASHA1) {
				return nil, fmt.Errorf("only the BinarySecurityToken's RSA key is accepted")
			}
			return pub, nil
		},
	})
	if err != nil {
		fault := wsse.FailedCheck
		if errors.Is(err, dsig.ErrAlgorithm) {
			fault = wsse.UnsupportedAlgorithm
		}
		return nil, wrapf(ErrSignature, fault, err, "signature by %q", cert.Subject.CommonName)
	}
	res.SignatureMethod = v.SignatureMethod
	for _, r := range v.References {
		res.Signed = append(res.Signed, r.Element)
	}
	if err := checkCoverage(env, ts, v, opts.RequireSigned); err != nil {
		return nil, err
	}
	return res, nil
}

// securityHeader applies WSS 1.1 §5 (at most one Security header per role) and FLOW M1
// (the bootstrap header is mustUnderstand, so a receiver that ignores it must fault).
func securityHeader(env *envelope) (*etree.Element, error) {
	secs := env.securityHeaders()
	switch {
	case len(secs) == 0:
		return nil, failf(ErrNoSecurity, wsse.InvalidSecurity, "no wsse:Security header for the ultimate receiver")
	case len(secs) > 1:
		return nil, failf(ErrNoSecurity, wsse.InvalidSecurity, "%d wsse:Security headers for the ultimate receiver (WSS 1.1 §5 allows one)", len(secs))
	case !env.mustUnderstand(secs[0]):
		return nil, failf(ErrNoSecurity, wsse.InvalidSecurity, "the wsse:Security header is not marked mustUnderstand")
	}
	return secs[0], nil
}

// checkTimestamp applies WSS 1.1 §10: one Timestamp per Security header, Created and
// Expires at most once each (both required here), and freshness within the skew.
func checkTimestamp(sec *etree.Element, now time.Time, skew time.Duration, res *Result) (*etree.Element, error) {
	tss := children(sec, wsse.NSWSU, "Timestamp")
	if len(tss) != 1 {
		return nil, failf(ErrTimestamp, wsse.InvalidSecurity, "the Security header holds %d wsu:Timestamp elements, want exactly one", len(tss))
	}
	ts := tss[0]
	var times [2]time.Time
	for i, name := range []string{"Created", "Expires"} {
		els := children(ts, wsse.NSWSU, name)
		if len(els) != 1 {
			return nil, failf(ErrTimestamp, wsse.InvalidSecurity, "the Timestamp holds %d wsu:%s elements, want exactly one", len(els), name)
		}
		t, err := wsse.ParseDateTime(els[0].Text())
		if err != nil {
			return nil, wrapf(ErrTimestamp, wsse.InvalidSecurity, err, "wsu:%s", name)
		}
		times[i] = t
	}
	created, expires := times[0], times[1]
	switch {
	case !expires.After(created):
		return nil, failf(ErrTimestamp, wsse.InvalidSecurity, "Expires %s is not later than Created %s", stamp(expires), stamp(created))
	case created.After(now.Add(skew)):
		return nil, failf(ErrTimestamp, wsse.MessageExpired, "Created %s is in the future (now %s, skew %s)", stamp(created), stamp(now), skew)
	case !expires.After(now.Add(-skew)):
		return nil, failf(ErrTimestamp, wsse.MessageExpired, "the message expired at %s (now %s, skew %s)", stamp(expires), stamp(now), skew)
	}
	res.Created, res.Expires = created, expires
	return ts, nil
}

func stamp(t time.Time) string { return t.UTC().Format(timeFormat) }

// checkCoverage requires the verified references to contain the required elements
// themselves. A copy of the Body moved into a wrapper, a second Timestamp elsewhere or an
// added unsigned WS-Addressing header therefore fails, whatever their names or IDs.
func checkCoverage(env *envelope, ts *etree.Element, v *dsig.Verified, want Parts) error {
	var missing []string
	if want&PartBody != 0 && !v.Covers(env.body) {
		missing = append(missing, "the envelope's "+env.body.FullTag())
	}
	if want&PartTimestamp != 0 && !v.Covers(ts) {
		missing = append(missing, "the Security header's "+ts.FullTag())
	}
	if want&PartAddressing != 0 {
		for i, h := range env.addressingHeaders() {
			if !v.Covers(h) {
				missing = append(missing, fmt.Sprintf("header %s (WS-Addressing header block #%d)", h.FullTag(), i+1))
			}
		}
	}
	if len(missing) > 0 {
		return failf(ErrCoverage, wsse.InvalidSecurity, "not signed: %s", strings.Join(missing, ", "))
	}
	return nil
}
