// Package xenc implements the parts of W3C XML Encryption (Syntax and Processing 1.0 and 1.1)
// that WS-Security needs for WS-ReliableMessaging sequences protected by WS-SecureConversation:
//
//   - xenc:EncryptedData of element content (Type #Content, XML-Enc 1.0 §3.1), which is how
//     WSS 1.1 §9 encrypts the children of soap:Body while the Body element itself stays in
//     clear text, and of whole elements (Type #Element), which is how encrypted headers and
//     encrypted ds:Signature elements are carried;
//   - block encryption with AES-CBC (XML-Enc 1.0 §5.2, the WCF Basic256 default is
//     aes256-cbc) and AES-GCM (XML-Enc 1.1 §5.2.4), with keys derived from a
//     SecurityContextToken by the caller;
//   - RSA-OAEP key transport in xenc:EncryptedKey (XML-Enc 1.0 §5.4.2, 1.1 §5.5.2), used
//     for the X.509 bootstrap of WS-Trust, and the SHA-1 thumbprint key identifier of WSS
//     1.1 (KeyIdentifier of WSS SOAP Message Security 1.1 §7.3, X.509 Token Profile 1.1).
//
// # Namespace context
//
// The plaintext of a #Content or #Element EncryptedData is a fragment that is parsed again in
// the context where the EncryptedData sits (XML-Enc 1.0 §4.3 and its notes on serializing
// XML). Prefixes such as
// soap: or wsu: are normally declared on soap:Envelope, far above the encrypted content. The
// encrypting side here declares, on every top-level element of the plaintext, the namespaces
// that are in scope at the encrypted position (or only those the fragment uses, see
// EncryptOptions.OnlyUsedNamespaces), so the plaintext parses on its own. The decrypting side
// does not rely on that: it parses the plaintext inside a wrapper element that declares every
// namespace in scope at the EncryptedData's parent (xmlsec1 writes plaintext without any
// declarations and relies on exactly that), then removes the declarations that the new
// position makes redundant.
//
// # Security
//
// Every failure that depends on the decrypted bytes (CBC padding, GCM tag, plaintext that
// does not parse or uses an unbound prefix, a DOCTYPE, too deep nesting, a #Element plaintext
// that is not one element) returns the single sentinel ErrDecrypt with no further detail.
// That removes the error-text oracle, but not the timing of the XML parse or the peer's
// observable behaviour: AES-CBC is unauthenticated and XML Encryption with CBC is attackable
// by chosen ciphertexts (Jager and Somorovsky, CCS 2011). With the encrypt-before-sign
// protection order, verify the signature over the EncryptedData before calling Decrypt; with
// sign-before-encrypt, decryption necessarily comes first, so prefer AES-GCM. RSA PKCS#1 v1.5
// key transport (#rsa-1_5) is deliberately not supported.
//
// Structural problems that do not depend on the key (unknown algorithm, wrong key size,
// missing CipherValue, invalid base64) are reported with descriptive errors wrapping
// ErrUnsupportedAlgorithm, ErrKeySize or ErrMalformed.
package xenc

import "github.com/rspcheck/rspcheck/internal/wire/wsse"

// Namespaces.
const (
	NS   = wsse.NSEnc                         // XML Encryption 1.0, prefix xenc
	NS11 = "http://www.w3.org/2009/xmlenc11#" // XML Encryption 1.1, prefix xenc11
	NSDS = wsse.NSDS                          // XML Signature, prefix ds
)

// EncryptedData Type values (XML-Enc 1.0 §3.1, the Type attribute of EncryptedType).
const (
	TypeContent = NS + "Content"
	TypeElement = NS + "Element"
)

// Block encryption algorithms (XML-Enc 1.0 §5.2.2, XML-Enc 1.1 §5.2.4).
const (
	AES128CBC = NS + "aes128-cbc"
	AES192CBC = NS + "aes192-cbc"
	AES256CBC = NS + "aes256-cbc"
	AES128GCM = NS11 + "aes128-gcm"
	AES192GCM = NS11 + "aes192-gcm"
	AES256GCM = NS11 + "aes256-gcm"
)

// Key transport algorithms (XML-Enc 1.0 §5.4.2, XML-Enc 1.1 §5.5.2).
const (
	RSAOAEPMGF1P = NS + "rsa-oaep-mgf1p" // MGF1 with SHA-1, digest from ds:DigestMethod
	RSAOAEP      = NS11 + "rsa-oaep"     // digest from ds:DigestMethod, MGF from xenc11:MGF
)

// Digest algorithms accepted in ds:DigestMethod of an OAEP EncryptionMethod.
const (
	DigestSHA1   = NSDS + "sha1"
	DigestSHA256 = NS + "sha256"
	DigestSHA384 = "http://www.w3.org/2001/04/xmldsig-more#sha384"
	DigestSHA512 = NS + "sha512"
)

// Mask generation functions of xenc11:MGF (XML-Enc 1.1 §5.5.2); absent means MGF1SHA1.
const (
	MGF1SHA1   = NS11 + "mgf1sha1"
	MGF1SHA256 = NS11 + "mgf1sha256"
	MGF1SHA384 = NS11 + "mgf1sha384"
	MGF1SHA512 = NS11 + "mgf1sha512"
)

// ThumbprintSHA1 key identifier (WSS SOAP Message Security 1.1 §7.3, X.509 Token Profile 1.1).
const (
	ValueTypeThumbprintSHA1 = "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#ThumbprintSHA1"
	EncodingTypeBase64      = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)

// Limits applied by Decrypt.
const (
	// MaxPlaintextSize bounds what EncryptContent/EncryptElement accept; Decrypt refuses a
	// cipher value longer than this plus the algorithm's IV, padding and tag.
	MaxPlaintextSize = 4 << 20
	// MaxDepth bounds the element nesting of a decrypted fragment (the codec's default).
	MaxDepth = 100
)
