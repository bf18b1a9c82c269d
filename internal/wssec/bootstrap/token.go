package bootstrap

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/xmlsec/dsig"
)

// maxTokenText bounds the base64 text of a BinarySecurityToken (a certificate is a few KiB).
const maxTokenText = 64 << 10

// signingToken follows the signature's KeyInfo to the BinarySecurityToken it names. WSS 1.1
// §7.2 / X.509 Token Profile 1.1 §3.2: KeyInfo holds one wsse:SecurityTokenReference with a
// direct wsse:Reference; the only key source accepted here is a token in the same Security
// header, so a signature cannot bring its own key by value or name one elsewhere.
func signingToken(sec, sig *etree.Element) (keyInfo, bst *etree.Element, err error) {
	kids := sig.ChildElements()
	if len(kids) < 3 || !is(kids[2], wsse.NSDS, "KeyInfo") {
		return nil, nil, failf(ErrSignature, wsse.InvalidSecurity, "ds:Signature has no ds:KeyInfo naming the signing token")
	}
	keyInfo = kids[2]
	ki := keyInfo.ChildElements()
	if len(ki) != 1 || !is(ki[0], wsse.NS, "SecurityTokenReference") {
		return nil, nil, failf(ErrSignature, wsse.UnsupportedSecurityToken, "ds:KeyInfo must hold exactly one wsse:SecurityTokenReference")
	}
	str := ki[0].ChildElements()
	if len(str) != 1 || !is(str[0], wsse.NS, "Reference") {
		return nil, nil, failf(ErrSignature, wsse.UnsupportedSecurityToken, "the SecurityTokenReference must hold exactly one wsse:Reference (direct reference to the BinarySecurityToken)")
	}
	uri := str[0].SelectAttrValue("URI", "")
	if !strings.HasPrefix(uri, "#") || len(uri) < 2 {
		return nil, nil, failf(ErrSignature, wsse.SecurityTokenUnavailable, "wsse:Reference URI %q is not a same-document reference", uri)
	}
	if vt := str[0].SelectAttrValue("ValueType", wsse.ValueTypeX509v3); vt != wsse.ValueTypeX509v3 {
		return nil, nil, failf(ErrSignature, wsse.UnsupportedSecurityToken, "wsse:Reference ValueType %q is not X509v3", vt)
	}
	for c := range sec.ChildElementsSeq() {
		if id, ok := dsig.IDOf(c); !ok || id != uri[1:] {
			continue
		}
		if bst != nil {
			return nil, nil, failf(ErrCertificate, wsse.InvalidSecurityToken, "two elements of the Security header have the ID %q", uri[1:])
		}
		bst = c
	}
	if bst == nil {
		return nil, nil, failf(ErrCertificate, wsse.SecurityTokenUnavailable, "the Security header has no element with ID %q (the signing token must be a BinarySecurityToken in the same header)", uri[1:])
	}
	if !is(bst, wsse.NS, "BinarySecurityToken") {
		return nil, nil, failf(ErrCertificate, wsse.UnsupportedSecurityToken, "%s names %s, not a wsse:BinarySecurityToken", uri, bst.FullTag())
	}
	return keyInfo, bst, nil
}

// parseToken reads the certificate of an X.509 BinarySecurityToken (X.509 Token Profile 1.1
// §3.1: ValueType #X509v3 is one DER certificate; EncodingType #Base64Binary, the default).
func parseToken(bst *etree.Element) (*x509.Certificate, *rsa.PublicKey, error) {
	if vt := bst.SelectAttrValue("ValueType", ""); vt != wsse.ValueTypeX509v3 {
		return nil, nil, failf(ErrCertificate, wsse.UnsupportedSecurityToken, "BinarySecurityToken ValueType %q is not %s", vt, wsse.ValueTypeX509v3)
	}
	if et := bst.SelectAttrValue("EncodingType", wsse.EncodingBase64Binary); et != wsse.EncodingBase64Binary {
		return nil, nil, failf(ErrCertificate, wsse.UnsupportedSecurityToken, "BinarySecurityToken EncodingType %q is not Base64Binary", et)
	}
	text := bst.Text()
	if len(text) > maxTokenText {
		return nil, nil, failf(ErrCertificate, wsse.InvalidSecurityToken, "BinarySecurityToken is larger than %d bytes", maxTokenText)
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text), ""))
	if err != nil || len(der) == 0 {
		return nil, nil, failf(ErrCertificate, wsse.InvalidSecurityToken, "BinarySecurityToken content is not base64")
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, wrapf(ErrCertificate, wsse.InvalidSecurityToken, err, "BinarySecurityToken does not hold an X.509 certificate")
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, nil, failf(ErrCertificate, wsse.UnsupportedSecurityToken, "certificate %q has a %T key; only RSA is supported", cert.Subject.CommonName, cert.PublicKey)
	}
	if cert.KeyUsage != 0 && cert.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		return nil, nil, failf(ErrCertificate, wsse.FailedAuthentication, "certificate %q does not allow digitalSignature (RFC 5280 §4.2.1.3)", cert.Subject.CommonName)
	}
	return cert, pub, nil
}

// checkChain verifies cert against the trust roots at now. Any extended key usage is
// accepted: the bootstrap is not TLS, and stacks issue these certificates for many purposes.
func checkChain(cert *x509.Certificate, roots, intermediates *x509.CertPool, now time.Time) ([][]*x509.Certificate, error) {
	if roots == nil {
		return nil, failf(ErrCertificate, wsse.FailedAuthentication, "no trust roots configured (VerifyOptions.Roots)")
	}
	chains, err := cert.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: intermediates,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return nil, wrapf(ErrCertificate, wsse.FailedAuthentication, err, "certificate %q (issuer %q) is not trusted at %s", cert.Subject.CommonName, cert.Issuer.CommonName, now.UTC().Format(time.RFC3339))
	}
	return chains, nil
}
