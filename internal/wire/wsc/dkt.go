package wsc

import (
	"math/bits"

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
)

// DerivedKeyToken is wsc:DerivedKeyToken (WS-SC 1.3 §7): the parameters from which both
// parties derive the same key from a source token (here the SCT). Children, in XSD order:
// wsse:SecurityTokenReference?, Properties?, (Generation | Offset)?, Length?, Label?, Nonce?.
// Pointers and nil slices mean "absent"; Derivation applies the defaults.
type DerivedKeyToken struct {
	V  Version
	ID string // wsu:Id, referenced from ds:KeyInfo and xenc:KeyInfo
	// Algorithm is the key-derivation URI as written; "" means the default, P_SHA1 of V.
	Algorithm  string
	STR        *wsse.SecurityTokenReference
	Properties []wire.Any // children of wsc:Properties; non-nil empty = an empty element
	Generation *uint64
	Offset     *uint64
	Length     *uint64
	Label      *string
	// Nonce is the base64-decoded wsc:Nonce, nil when absent.
	Nonce []byte
	// Extra holds children the closed XSD content model does not allow (kept so that nothing
	// read is lost; Validate reports them).
	Extra []wire.Any
}

// Derivation returns the effective derivation inputs with the defaults of CONSTANTS §6 and
// WS-SC 1.3 §7: label = Label or DefaultLabel (UTF-8); length = Length or DefaultLength;
// offset = Offset, or Generation × length, or 0. ok is false when Generation × length
// overflows.
func (d *DerivedKeyToken) Derivation() (label []byte, offset, length uint64, ok bool) {
	label = []byte(DefaultLabel)
	if d.Label != nil {
		label = []byte(*d.Label)
	}
	length = DefaultLength
	if d.Length != nil {
		length = *d.Length
	}
	switch {
	case d.Offset != nil:
		offset = *d.Offset
	case d.Generation != nil:
		hi, lo := bits.Mul64(*d.Generation, length)
		if hi != 0 {
			return label, 0, length, false
		}
		offset = lo
	}
	return label, offset, length, true
}

// Validate checks the rules of a DKT.
//
//   - SC-DKT-001 (WS-SC 1.3 §7, FLOW M3): the DKT names its source token with an STR. The XSD
//     makes the STR optional ("the recipient can tell the key from context" [R]); in this
//     suite's flow the source is always the SCT and must be named.
//   - WS-SC 1.3 §7 / XSD choice: Generation and Offset are alternatives, never both (SC-DKT-003).
//   - WS-SC 1.3 §7: Algorithm defaults to P_SHA1; the only algorithm defined is P_SHA1 of the
//     same version, and an unknown one must not be guessed at (SC-DKT-004).
//   - SC-REF-001: an STR that points at an SCT uses the SCT token type of the same version.
//   - XSD DerivedKeyTokenType: a closed sequence, no extension elements.
//
// Nonce: WS-SC leaves wsc:Nonce optional (CONSTANTS §6: optionality [U]; no evidence that it is
// required), so a missing nonce is not a violation here. Emitters always write one (WCF: 16
// octets); freshness and presence are judged by the SC-DKT-005 rules above this layer.
func (d *DerivedKeyToken) Validate() error {
	var vs wire.Violations
	if d.STR == nil {
		vs = append(vs, wire.Violationf([]string{"SecurityTokenReference"},
			"wsc:DerivedKeyToken must name its source token with a wsse:SecurityTokenReference (SC-DKT-001, WS-SC 1.3 §7)"))
	} else {
		vs = append(vs, wsse.Prefixed(d.STR.Validate(), "SecurityTokenReference")...)
		if r := d.STR.Reference; r != nil {
			if rv, kind, ok := VersionOfTokenType(r.ValueType); ok && kind == TokenSCT && rv != d.V {
				vs = append(vs, wire.Violationf([]string{"SecurityTokenReference", "Reference"},
					"ValueType %q is the WS-SC %s SCT type inside a WS-SC %s DerivedKeyToken: versions must not be mixed (SC-REF-001, SC-ISS-002)", r.ValueType, rv, d.V))
			}
		}
	}
	if d.Offset != nil && d.Generation != nil {
		vs = append(vs, wire.Violationf([]string{"Offset"}, "wsc:Offset and wsc:Generation are alternatives and must not both appear (WS-SC 1.3 §7, SC-DKT-003)"))
	}
	if d.Algorithm != "" && d.Algorithm != d.V.PSHA1() {
		reason := "unknown key-derivation algorithm %q: WS-SC %s defines only P_SHA1 (%s) (WS-SC 1.3 §7, SC-DKT-004)"
		for _, o := range Versions {
			if o != d.V && d.Algorithm == o.PSHA1() {
				reason = "%q is the P_SHA1 URI of the other WS-SC version; WS-SC %s uses %s (versions must not be mixed, SC-ISS-002)"
			}
		}
		vs = append(vs, wire.Violationf([]string{"Algorithm"}, reason, d.Algorithm, d.V, d.V.PSHA1()))
	}
	if _, _, _, ok := d.Derivation(); !ok {
		vs = append(vs, wire.Violationf([]string{"Generation"}, "Generation × Length overflows the key stream offset (WS-SC 1.3 §7)"))
	}
	for _, x := range d.Extra {
		vs = append(vs, wire.Violationf([]string{x.Name.Local}, "element %s is not allowed in wsc:DerivedKeyToken (closed XSD sequence, WS-SC 1.3 §7)", x.Name))
	}
	return vs.Err()
}
