package wsse

import (
	"fmt"
	"reflect"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire"
)

// Security is the wsse:Security header (WSS 1.1 §5). Its attributes (mustUnderstand, role)
// belong to the SOAP header block and are kept by the codec's Header.
//
// Items are the element children in document order, one entry per child element: *Timestamp,
// *BinarySecurityToken, *SecurityTokenReference, *Signature, *EncryptedKey, *ReferenceList,
// *EncryptedData, *SignatureConfirmation, the wsc tokens (*wsc.SecurityContextToken,
// *wsc.DerivedKeyToken — Items is []any because package wsc imports this one), and wire.Any
// for anything else. Keeping the 1:1 mapping lets signature verification go from an item to
// the exact element that was received.
type Security struct {
	Items []any
}

// ItemsOf returns the items of s that have type T, in order.
func ItemsOf[T any](s *Security) []T {
	var out []T
	for _, it := range s.Items {
		if v, ok := it.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// Timestamp returns the first wsu:Timestamp of s, or nil.
func (s *Security) Timestamp() *Timestamp {
	if ts := ItemsOf[*Timestamp](s); len(ts) > 0 {
		return ts[0]
	}
	return nil
}

type validator interface{ Validate() error }

// Validate checks every item that has rules of its own, and the rules of the header itself.
//
// WSS 1.1 §10 [R]: a wsse:Security header carries at most one wsu:Timestamp.
func (s *Security) Validate() error {
	var vs wire.Violations
	timestamps := 0
	seen := map[string]int{} // occurrences so far per element name: paths use "Name[n]" = n-th of that name
	for _, it := range s.Items {
		name := itemName(it)
		n := seen[name]
		seen[name] = n + 1
		if _, ok := it.(*Timestamp); ok {
			timestamps++
			if timestamps == 2 {
				vs = append(vs, wire.Violationf([]string{fmt.Sprintf("Timestamp[%d]", n)},
					"a wsse:Security header must not carry more than one wsu:Timestamp (WSS 1.1 §10)"))
			}
		}
		v, ok := it.(validator)
		if !ok || isNilPointer(it) {
			continue
		}
		if err := v.Validate(); err != nil {
			vs = append(vs, Prefixed(err, fmt.Sprintf("%s[%d]", name, n))...)
		}
	}
	return vs.Err()
}

// Prefixed returns the violations of a nested value's Validate error, placed below path p
// (for use by the other wire packages too).
func Prefixed(err error, p ...string) wire.Violations {
	if err == nil {
		return nil
	}
	switch e := err.(type) {
	case wire.Violations:
		return e.Prefix(p...)
	case *wire.Violation:
		return wire.Violations{e}.Prefix(p...)
	}
	return wire.Violations{wire.Violationf(p, "%v", err)}
}

// itemName is the element name of an item, for violation paths.
func itemName(it any) string {
	if a, ok := it.(wire.Any); ok {
		return a.Name.Local
	}
	t := reflect.TypeOf(it)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return !rv.IsValid() || (rv.Kind() == reflect.Pointer && rv.IsNil())
}

// Timestamp is wsu:Timestamp (WSS 1.1 §10): Created?, Expires?, then elements of other
// namespaces. Times are kept as written; use Times to read them.
type Timestamp struct {
	ID      string // wsu:Id
	Created string
	Expires string
	Extra   []wire.Any
}

// Times parses Created and Expires (zero time for an absent one).
func (t *Timestamp) Times() (created, expires time.Time, err error) {
	return parseTimes(t.Created, t.Expires)
}

// Validate checks the time values.
//
// WSS 1.1 §10 [R]: Created and Expires are each optional and appear at most once; times are
// xsd:dateTime values and MUST be in UTC. Expires after Created follows from their meaning.
// Created is not required by WSS (the WS-I Basic Security Profile requires it: left to the
// profile rules).
func (t *Timestamp) Validate() error {
	return ValidateTimes(t.Created, t.Expires, true, "WSS 1.1 §10").Err()
}

// BinarySecurityToken is wsse:BinarySecurityToken (WSS 1.1 §6.3), e.g. an X.509 certificate
// (ValueType ValueTypeX509v3). Value holds the decoded bytes when EncodingType is Base64Binary
// or absent, else the text as written.
type BinarySecurityToken struct {
	ID           string
	ValueType    string
	EncodingType string
	Value        []byte
}

// Validate checks that the token carries a value.
func (b *BinarySecurityToken) Validate() error {
	if len(b.Value) == 0 {
		return wire.Violationf(nil, "wsse:BinarySecurityToken carries no token data (WSS 1.1 §6.3)")
	}
	return nil
}

// SignatureConfirmation is wsse11:SignatureConfirmation (WSS 1.1 §8.5). Value is the
// ds:SignatureValue being confirmed; nil means the attribute is absent (the request was not
// signed). The XSD marks Value required; the WSS 1.1 text makes it optional.
type SignatureConfirmation struct {
	ID    string
	Value []byte
}

// EncryptedHeader is wsse11:EncryptedHeader (WSS 1.1 §9.3): a SOAP header block replaced by
// its encryption. SOAP attributes are kept by the codec's Header.
type EncryptedHeader struct {
	Data EncryptedData
}

// Validate checks the encrypted data.
func (e *EncryptedHeader) Validate() error {
	return Prefixed(e.Data.Validate(), "EncryptedData").Err()
}
