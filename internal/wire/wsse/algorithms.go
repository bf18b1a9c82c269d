package wsse

// Algorithm and type URIs used inside a wsse:Security header protected with SCT-derived keys
// (CONSTANTS §8, WCF strings [C]) plus the token-profile URIs of WSS 1.0/1.1.
const (
	// Signature methods (XML-DSig §6.3, RFC 4051).
	AlgHMACSHA1   = "http://www.w3.org/2000/09/xmldsig#hmac-sha1"
	AlgHMACSHA256 = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"
	AlgRSASHA1    = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
	AlgRSASHA256  = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"

	// Canonicalization (Exclusive XML Canonicalization 1.0) and its InclusiveNamespaces
	// element namespace, which is the algorithm URI itself.
	AlgExcC14N             = "http://www.w3.org/2001/10/xml-exc-c14n#"
	AlgExcC14NWithComments = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
	NSExcC14N              = AlgExcC14N

	// Digests.
	AlgSHA1   = "http://www.w3.org/2000/09/xmldsig#sha1"
	AlgSHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"

	// Block encryption (XML-Enc §5.2; AES-GCM from XML-Enc 1.1 §5.2.4).
	AlgAES128CBC = "http://www.w3.org/2001/04/xmlenc#aes128-cbc"
	AlgAES192CBC = "http://www.w3.org/2001/04/xmlenc#aes192-cbc"
	AlgAES256CBC = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"
	AlgAES256GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm"

	// Key transport and key wrap (XML-Enc §5.4, §5.6).
	AlgRSAOAEPMGF1P = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"
	AlgKWAES256     = "http://www.w3.org/2001/04/xmlenc#kw-aes256"

	// STR-Transform (WSS 1.1 §8.3): signs the token an STR points at instead of the STR.
	AlgSTRTransform = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#STR-Transform"

	// xenc:EncryptedData/@Type values (XML-Enc §3.5).
	EncTypeElement = "http://www.w3.org/2001/04/xmlenc#Element"
	EncTypeContent = "http://www.w3.org/2001/04/xmlenc#Content"
)

// Token-profile URIs (WSS X.509 Token Profile 1.0/1.1, WSS 1.1 §7.3, §8.4).
const (
	ValueTypeX509v3           = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
	ValueTypeThumbprintSHA1   = "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#ThumbprintSHA1"
	ValueTypeEncryptedKey     = "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#EncryptedKey"
	ValueTypeEncryptedKeySHA1 = "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#EncryptedKeySHA1"
	EncodingBase64Binary      = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)

// digestBits is the output size in bits of the hash behind each HMAC signature method, for
// the HMACOutputLength rule.
var digestBits = map[string]int{
	AlgHMACSHA1:   160,
	AlgHMACSHA256: 256,
}
