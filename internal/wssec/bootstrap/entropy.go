package bootstrap

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/xmlsec/pki"
	"github.com/rspcheck/rspcheck/internal/xmlsec/xenc"
)

// EncryptEntropy encrypts entropy for the holder of recipient and returns the
// xenc:EncryptedKey to place inside wst:Entropy (WS-Trust 1.3 §3.3: Entropy carries either
// a wst:BinarySecret or an xenc:EncryptedKey). The key transport is RSA-OAEP with MGF1-SHA1
// (XML-Enc §5.4.2); ds:KeyInfo names the recipient's certificate by its SHA-1 thumbprint
// (WSS 1.1 §7.3 KeyIdentifier #ThumbprintSHA1), so the computed SCT key (P_SHA1 of both
// entropies) stays secret from anyone who sees the messages without TLS. id, if not empty,
// becomes the EncryptedKey's Id attribute.
//
//	<wst:Entropy><xenc:EncryptedKey Id="...">...</xenc:EncryptedKey></wst:Entropy>
func EncryptEntropy(entropy []byte, recipient *x509.Certificate, id string) (*etree.Element, error) {
	if recipient == nil {
		return nil, fmt.Errorf("%w: no recipient certificate", ErrEntropy)
	}
	pub, ok := recipient.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: recipient %q has a %T key; RSA-OAEP needs RSA", ErrEntropy, recipient.Subject.CommonName, recipient.PublicKey)
	}
	if recipient.KeyUsage != 0 && recipient.KeyUsage&x509.KeyUsageKeyEncipherment == 0 {
		return nil, fmt.Errorf("%w: recipient certificate %q does not allow keyEncipherment (RFC 5280 §4.2.1.3)", ErrEntropy, recipient.Subject.CommonName)
	}
	if len(entropy) == 0 {
		return nil, fmt.Errorf("%w: empty entropy", ErrEntropy)
	}
	ek, err := xenc.EncryptKey(pub, entropy, xenc.KeyOptions{
		ID:        id,
		Algorithm: xenc.RSAOAEPMGF1P,
		KeyInfo:   xenc.ThumbprintReference(recipient),
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEntropy, err)
	}
	return ek, nil
}

// DecryptEntropy recovers the entropy of an xenc:EncryptedKey written by EncryptEntropy (or
// by another stack in the same shape). The EncryptedKey must name id's certificate by its
// SHA-1 thumbprint; a key meant for another certificate is refused with both thumbprints in
// the error, before any RSA operation.
func DecryptEntropy(ek *etree.Element, id *pki.Identity) ([]byte, error) {
	if err := id.Check(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEntropy, err)
	}
	if ek == nil || !is(ek, xenc.NS, "EncryptedKey") {
		return nil, fmt.Errorf("%w: not an xenc:EncryptedKey element", ErrEntropy)
	}
	named, err := thumbprintOf(ek)
	if err != nil {
		return nil, err
	}
	own := sha1.Sum(id.Cert.Raw)
	if !bytes.Equal(named, own[:]) {
		return nil, fmt.Errorf("%w: the EncryptedKey is for the certificate with SHA-1 thumbprint %s, not for %q (thumbprint %s)",
			ErrEntropy, base64.StdEncoding.EncodeToString(named), id.Cert.Subject.CommonName, xenc.ThumbprintSHA1(id.Cert))
	}
	key, err := xenc.DecryptKey(ek, id.Key)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEntropy, err)
	}
	return key, nil
}

// thumbprintOf reads ds:KeyInfo/wsse:SecurityTokenReference/wsse:KeyIdentifier with
// ValueType #ThumbprintSHA1 (WSS 1.1 §7.3).
func thumbprintOf(ek *etree.Element) ([]byte, error) {
	kis := children(ek, wsse.NSDS, "KeyInfo")
	if len(kis) != 1 {
		return nil, fmt.Errorf("%w: the EncryptedKey has %d ds:KeyInfo elements; want one naming the recipient certificate", ErrEntropy, len(kis))
	}
	strs := children(kis[0], wsse.NS, "SecurityTokenReference")
	if len(strs) != 1 {
		return nil, fmt.Errorf("%w: ds:KeyInfo must hold one wsse:SecurityTokenReference", ErrEntropy)
	}
	kids := children(strs[0], wsse.NS, "KeyIdentifier")
	if len(kids) != 1 {
		return nil, fmt.Errorf("%w: the SecurityTokenReference must hold one wsse:KeyIdentifier", ErrEntropy)
	}
	k := kids[0]
	if vt := k.SelectAttrValue("ValueType", ""); vt != wsse.ValueTypeThumbprintSHA1 {
		return nil, fmt.Errorf("%w: KeyIdentifier ValueType %q is not %s", ErrEntropy, vt, wsse.ValueTypeThumbprintSHA1)
	}
	if et := k.SelectAttrValue("EncodingType", wsse.EncodingBase64Binary); et != wsse.EncodingBase64Binary {
		return nil, fmt.Errorf("%w: KeyIdentifier EncodingType %q is not Base64Binary", ErrEntropy, et)
	}
	tp, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(k.Text()), ""))
	if err != nil || len(tp) != sha1.Size {
		return nil, fmt.Errorf("%w: KeyIdentifier is not a base64 SHA-1 thumbprint", ErrEntropy)
	}
	return tp, nil
}
