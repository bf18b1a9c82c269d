package xenc

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	_ "crypto/sha256" // registers SHA-256 for crypto.Hash
	_ "crypto/sha512" // registers SHA-384 and SHA-512
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire/wsse"
)

// KeyOptions shape the xenc:EncryptedKey that EncryptKey writes.
type KeyOptions struct {
	// ID is the Id attribute of the EncryptedKey (referenced from a wsse:Reference or from
	// a wst:RequestedProofToken). Empty: no Id.
	ID string
	// Algorithm is RSAOAEPMGF1P (the default, MGF1 with SHA-1) or RSAOAEP (XML-Enc 1.1).
	Algorithm string
	// Digest is the OAEP digest written as ds:DigestMethod. Default: DigestSHA1 for
	// RSAOAEPMGF1P, DigestSHA256 for RSAOAEP.
	Digest string
	// MGF is the xenc11:MGF algorithm, only with RSAOAEP. Default: MGF1 with SHA-1, which is
	// what an absent MGF element means (XML-Enc 1.1 §5.5.2), so nothing is written.
	MGF string
	// Label is the OAEP encoding parameter, written as xenc:OAEPparams. Default: none.
	Label []byte
	// KeyInfo identifies the recipient's key, e.g. ThumbprintReference(cert); a ds:KeyInfo
	// is copied as is, any other element is wrapped in one. Nil: no KeyInfo.
	KeyInfo *etree.Element
	// DataReferences become xenc:ReferenceList/xenc:DataReference URIs ("#" is prepended to
	// a bare Id). Empty: no ReferenceList.
	DataReferences []string
	// Rand is the OAEP seed source; nil means crypto/rand.
	Rand io.Reader
}

// oaepParams are the resolved hash functions of an OAEP EncryptionMethod.
type oaepParams struct {
	digest crypto.Hash
	mgf    crypto.Hash
}

var digests = map[string]crypto.Hash{
	DigestSHA1:   crypto.SHA1,
	DigestSHA256: crypto.SHA256,
	DigestSHA384: crypto.SHA384,
	DigestSHA512: crypto.SHA512,
}

var mgfs = map[string]crypto.Hash{
	MGF1SHA1:   crypto.SHA1,
	MGF1SHA256: crypto.SHA256,
	MGF1SHA384: crypto.SHA384,
	MGF1SHA512: crypto.SHA512,
}

// resolveOAEP applies XML-Enc 1.0 §5.4.2 (rsa-oaep-mgf1p: MGF1 with SHA-1, digest from
// ds:DigestMethod, SHA-1 if absent) and XML-Enc 1.1 §5.5.2 (rsa-oaep: digest likewise, mask
// generation from xenc11:MGF, MGF1 with SHA-1 if absent).
func resolveOAEP(alg, digest, mgf string) (oaepParams, error) {
	switch alg {
	case RSAOAEPMGF1P, RSAOAEP:
	case NS + "rsa-1_5":
		return oaepParams{}, fmt.Errorf("%w: %s is refused (PKCS#1 v1.5 key transport is open to Bleichenbacher's attack)", ErrUnsupportedAlgorithm, alg)
	default:
		return oaepParams{}, fmt.Errorf("%w: key transport %q", ErrUnsupportedAlgorithm, alg)
	}
	if digest == "" {
		digest = DigestSHA1
	}
	p := oaepParams{mgf: crypto.SHA1}
	var ok bool
	if p.digest, ok = digests[digest]; !ok {
		return oaepParams{}, fmt.Errorf("%w: OAEP digest %q", ErrUnsupportedAlgorithm, digest)
	}
	if mgf != "" {
		if p.mgf, ok = mgfs[mgf]; !ok || (alg == RSAOAEPMGF1P && p.mgf != crypto.SHA1) {
			return oaepParams{}, fmt.Errorf("%w: mask generation %q with %s", ErrUnsupportedAlgorithm, mgf, alg)
		}
	}
	return p, nil
}

// EncryptKey encrypts keyToEncrypt (typically the client entropy or a session key) for the
// holder of pub with RSA-OAEP and returns
//
//	<xenc:EncryptedKey Id><xenc:EncryptionMethod Algorithm><xenc:OAEPparams/>?
//	  <ds:DigestMethod/><xenc11:MGF/>?</xenc:EncryptionMethod><ds:KeyInfo/>?
//	  <xenc:CipherData><xenc:CipherValue/></xenc:CipherData><xenc:ReferenceList/>?
//	</xenc:EncryptedKey>
//
// (XML-Enc 1.0 §3.5.1 EncryptedKey; child order of EncryptionMethodType per its schema).
func EncryptKey(pub *rsa.PublicKey, keyToEncrypt []byte, opts KeyOptions) (*etree.Element, error) {
	if pub == nil {
		return nil, errors.New("xenc: EncryptKey without a public key")
	}
	if len(keyToEncrypt) == 0 {
		return nil, errors.New("xenc: EncryptKey of an empty key")
	}
	alg := opts.Algorithm
	if alg == "" {
		alg = RSAOAEPMGF1P
	}
	digest := opts.Digest
	if digest == "" && alg == RSAOAEP {
		digest = DigestSHA256
	} else if digest == "" {
		digest = DigestSHA1
	}
	p, err := resolveOAEP(alg, digest, opts.MGF)
	if err != nil {
		return nil, err
	}
	rnd := opts.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	ct, err := rsa.EncryptOAEPWithOptions(rnd, pub, keyToEncrypt, &rsa.OAEPOptions{Hash: p.digest, MGFHash: p.mgf, Label: opts.Label})
	if err != nil {
		return nil, fmt.Errorf("xenc: RSA-OAEP encryption: %w", err)
	}

	ek := etree.NewElement("xenc:EncryptedKey")
	ek.CreateAttr("xmlns:xenc", NS)
	if opts.ID != "" {
		ek.CreateAttr("Id", opts.ID)
	}
	em := ek.CreateElement("xenc:EncryptionMethod")
	em.CreateAttr("Algorithm", alg)
	if len(opts.Label) > 0 {
		em.CreateElement("xenc:OAEPparams").SetText(base64.StdEncoding.EncodeToString(opts.Label))
	}
	dm := em.CreateElement("ds:DigestMethod")
	dm.CreateAttr("xmlns:ds", NSDS)
	dm.CreateAttr("Algorithm", digest)
	if opts.MGF != "" && alg == RSAOAEP {
		m := em.CreateElement("xenc11:MGF")
		m.CreateAttr("xmlns:xenc11", NS11)
		m.CreateAttr("Algorithm", opts.MGF)
	}
	if opts.KeyInfo != nil {
		ek.AddChild(keyInfoCopy(opts.KeyInfo))
	}
	ek.CreateElement("xenc:CipherData").CreateElement("xenc:CipherValue").SetText(base64.StdEncoding.EncodeToString(ct))
	if len(opts.DataReferences) > 0 {
		rl := ek.CreateElement("xenc:ReferenceList")
		for _, ref := range opts.DataReferences {
			if !strings.HasPrefix(ref, "#") {
				ref = "#" + ref
			}
			rl.CreateElement("xenc:DataReference").CreateAttr("URI", ref)
		}
	}
	return ek, nil
}

// DecryptKey decrypts the RSA-OAEP cipher value of an xenc:EncryptedKey with priv. Every
// failure of the RSA decryption itself (wrong key, bad OAEP padding, wrong label) is exactly
// ErrDecrypt; RSA PKCS#1 v1.5 (#rsa-1_5) is refused.
func DecryptKey(ek *etree.Element, priv *rsa.PrivateKey) ([]byte, error) {
	if priv == nil {
		return nil, errors.New("xenc: DecryptKey without a private key")
	}
	if !is(ek, NS, "EncryptedKey") {
		return nil, fmt.Errorf("%w: not an xenc:EncryptedKey element", ErrMalformed)
	}
	em := child(ek, NS, "EncryptionMethod")
	if em == nil {
		return nil, fmt.Errorf("%w: EncryptedKey has no EncryptionMethod", ErrMalformed)
	}
	alg, _ := attr(em, "Algorithm")
	digest, _ := attr(child(em, NSDS, "DigestMethod"), "Algorithm")
	mgf, _ := attr(child(em, NS11, "MGF"), "Algorithm")
	p, err := resolveOAEP(alg, digest, mgf)
	if err != nil {
		return nil, err
	}
	var label []byte
	if op := child(em, NS, "OAEPparams"); op != nil {
		if label, err = decodeBase64(op, 1024); err != nil {
			return nil, err
		}
	}
	_, ct, err := readCipher(ek, priv.Size())
	if err != nil {
		return nil, err
	}
	key, err := priv.Decrypt(nil, ct, &rsa.OAEPOptions{Hash: p.digest, MGFHash: p.mgf, Label: label})
	if err != nil {
		return nil, ErrDecrypt
	}
	return key, nil
}

// ThumbprintSHA1 is the base64 SHA-1 digest of the certificate's DER encoding, the value of a
// wsse:KeyIdentifier with ValueType ValueTypeThumbprintSHA1 (WSS SOAP Message Security 1.1
// §7.3 and X.509 Token Profile 1.1). It returns "" for a nil certificate.
func ThumbprintSHA1(cert *x509.Certificate) string {
	if cert == nil {
		return ""
	}
	sum := sha1.Sum(cert.Raw)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// ThumbprintReference builds the wsse:SecurityTokenReference that names cert by its SHA-1
// thumbprint, for KeyOptions.KeyInfo:
//
//	<wsse:SecurityTokenReference><wsse:KeyIdentifier ValueType="...#ThumbprintSHA1"
//	  EncodingType="...#Base64Binary">base64</wsse:KeyIdentifier></wsse:SecurityTokenReference>
func ThumbprintReference(cert *x509.Certificate) *etree.Element {
	str := etree.NewElement("wsse:SecurityTokenReference")
	str.CreateAttr("xmlns:wsse", wsse.NS)
	ki := str.CreateElement("wsse:KeyIdentifier")
	ki.CreateAttr("ValueType", ValueTypeThumbprintSHA1)
	ki.CreateAttr("EncodingType", EncodingTypeBase64)
	ki.SetText(ThumbprintSHA1(cert))
	return str
}
