package wsse

import "github.com/rspcheck/rspcheck/internal/wire"

// EncryptionMethod is xenc:EncryptionMethod (XML-Enc §3.2): the algorithm, optional KeySize
// (bits, 0 = absent) and OAEPparams, and for RSA-OAEP the ds:DigestMethod of the mask.
type EncryptionMethod struct {
	Algorithm    string
	KeySize      int
	OAEPParams   []byte
	DigestMethod string // ds:DigestMethod/@Algorithm, "" when absent
	Extra        []wire.Any
}

// EncryptedKey is xenc:EncryptedKey (XML-Enc §3.5.1): a key encrypted for a recipient, e.g.
// a proof key in a wst:RequestedProofToken or a key-wrapped body key in wsse:Security.
type EncryptedKey struct {
	ID               string
	Type             string
	Recipient        string
	EncryptionMethod *EncryptionMethod
	KeyInfo          *KeyInfo
	CipherValue      []byte
	// CipherReference is the xenc:CipherReference element when the cipher text is not inline.
	CipherReference *wire.Any
	Properties      *wire.Any // xenc:EncryptionProperties, kept as written
	ReferenceList   *ReferenceList
	CarriedKeyName  string
}

// EncryptedData is xenc:EncryptedData (XML-Enc §3.4): in the Body, inside a
// wsse11:EncryptedHeader, or in wsse:Security (an encrypted signature or token).
type EncryptedData struct {
	ID               string
	Type             string // EncTypeElement, EncTypeContent or another URI
	MimeType         string
	Encoding         string
	EncryptionMethod *EncryptionMethod
	KeyInfo          *KeyInfo
	CipherValue      []byte
	CipherReference  *wire.Any
	Properties       *wire.Any
}

// ReferenceList is xenc:ReferenceList (XML-Enc §3.6): the URIs of the data (and keys)
// encrypted with one key. In wsse:Security it announces encrypted parts (WSS 1.1 §9.4.2).
type ReferenceList struct {
	DataReferences []string
	KeyReferences  []string
}

// validateCipher checks the rules shared by EncryptedKey and EncryptedData.
//
// XML-Enc §3.3: CipherData holds either CipherValue or CipherReference (a choice). XML-Enc
// §3.2: EncryptionMethod/@Algorithm is required.
func validateCipher(m *EncryptionMethod, value []byte, ref *wire.Any) wire.Violations {
	var vs wire.Violations
	if m != nil && m.Algorithm == "" {
		vs = append(vs, wire.Violationf([]string{"EncryptionMethod"}, "EncryptionMethod requires an Algorithm (XML-Enc §3.2)"))
	}
	switch {
	case len(value) == 0 && ref == nil:
		vs = append(vs, wire.Violationf([]string{"CipherData"}, "CipherData holds neither a CipherValue nor a CipherReference (XML-Enc §3.3)"))
	case len(value) > 0 && ref != nil:
		vs = append(vs, wire.Violationf([]string{"CipherData"}, "CipherData holds both a CipherValue and a CipherReference; they are a choice (XML-Enc §3.3)"))
	}
	return vs
}

// Validate checks the cipher data, the method and the reference list.
func (e *EncryptedKey) Validate() error {
	vs := validateCipher(e.EncryptionMethod, e.CipherValue, e.CipherReference)
	if e.ReferenceList != nil {
		vs = append(vs, Prefixed(e.ReferenceList.Validate(), "ReferenceList")...)
	}
	if e.KeyInfo != nil {
		vs = append(vs, Prefixed(e.KeyInfo.Validate(), "KeyInfo")...)
	}
	return vs.Err()
}

// Validate checks the cipher data and the method.
func (e *EncryptedData) Validate() error {
	vs := validateCipher(e.EncryptionMethod, e.CipherValue, e.CipherReference)
	if e.KeyInfo != nil {
		vs = append(vs, Prefixed(e.KeyInfo.Validate(), "KeyInfo")...)
	}
	return vs.Err()
}

// Validate checks that the list names something.
//
// XML-Enc §3.6: ReferenceList holds one or more DataReference or KeyReference elements, each
// with a required URI.
func (r *ReferenceList) Validate() error {
	var vs wire.Violations
	if len(r.DataReferences)+len(r.KeyReferences) == 0 {
		vs = append(vs, wire.Violationf(nil, "xenc:ReferenceList must hold at least one DataReference or KeyReference (XML-Enc §3.6)"))
	}
	for _, u := range append(append([]string{}, r.DataReferences...), r.KeyReferences...) {
		if u == "" {
			vs = append(vs, wire.Violationf(nil, "a DataReference/KeyReference requires a URI (XML-Enc §3.6)"))
			break
		}
	}
	return vs.Err()
}
