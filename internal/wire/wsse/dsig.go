package wsse

import (
	"fmt"

	"github.com/rspcheck/rspcheck/internal/wire"
)

// Signature is ds:Signature (XML-DSig §4.1) as used inside wsse:Security (WSS 1.1 §8):
// SignedInfo, SignatureValue, KeyInfo?, Object*. Verification works on the received elements
// (see codec.SecurityItemElement); this value is the readable view.
type Signature struct {
	ID               string
	SignedInfo       SignedInfo
	SignatureValue   []byte
	SignatureValueID string
	KeyInfo          *KeyInfo
	Objects          []wire.Any
}

// SignedInfo is ds:SignedInfo (XML-DSig §4.3).
type SignedInfo struct {
	ID                     string
	CanonicalizationMethod CanonicalizationMethod
	SignatureMethod        SignatureMethod
	References             []DSReference
}

// CanonicalizationMethod is ds:CanonicalizationMethod (XML-DSig §4.3.1) with the optional
// ec:InclusiveNamespaces of Exclusive C14N (Exc-C14N §3). HasInclusive tells an
// InclusiveNamespaces element with an empty PrefixList from none.
type CanonicalizationMethod struct {
	Algorithm         string
	InclusivePrefixes []string
	HasInclusive      bool
	Extra             []wire.Any
}

// SignatureMethod is ds:SignatureMethod (XML-DSig §4.3.2); HMACOutputLength truncates an HMAC.
type SignatureMethod struct {
	Algorithm        string
	HMACOutputLength *int
	Extra            []wire.Any
}

// DSReference is ds:Reference (XML-DSig §4.3.3), named so to keep it apart from wsse:Reference.
// In WSS the URI is "#" + a wsu:Id.
type DSReference struct {
	ID           string
	URI          string
	Type         string
	Transforms   []Transform
	DigestMethod string // ds:DigestMethod/@Algorithm
	DigestValue  []byte
}

// Transform is ds:Transform (XML-DSig §4.3.3.4). For Exclusive C14N the InclusiveNamespaces
// PrefixList is read out; other parameters (e.g. the wsse:TransformationParameters of an
// STR-Transform) are kept in Params.
type Transform struct {
	Algorithm         string
	InclusivePrefixes []string
	HasInclusive      bool
	Params            []wire.Any
}

// KeyInfo is ds:KeyInfo (XML-DSig §4.4). In WSS it carries a wsse:SecurityTokenReference
// (WSS 1.1 §8.2); anything else is kept in Other.
type KeyInfo struct {
	ID    string
	STR   *SecurityTokenReference
	Other []wire.Any
}

// Validate checks the STR when there is one.
func (k *KeyInfo) Validate() error {
	if k.STR == nil && len(k.Other) == 0 {
		return wire.Violationf(nil, "ds:KeyInfo is empty (XML-DSig §4.4: it identifies the key)")
	}
	if k.STR != nil {
		return Prefixed(k.STR.Validate(), "SecurityTokenReference").Err()
	}
	return nil
}

// Validate checks the rules of a signature the XSD leaves open or that are easy to break when
// building one by hand.
//
// XML-DSig §4.3: SignedInfo holds one or more References, and names the canonicalization and
// signature algorithms (required attributes). §4.3.3: every Reference has a DigestMethod and
// a DigestValue. §4.2: SignatureValue holds the value. XML-DSig 2nd ed. §6.3.1 (CVE-2009-0217
// fix): HMACOutputLength must not be below 80 nor below half the hash output.
func (s *Signature) Validate() error {
	var vs wire.Violations
	si := &s.SignedInfo
	if si.CanonicalizationMethod.Algorithm == "" {
		vs = append(vs, wire.Violationf([]string{"SignedInfo", "CanonicalizationMethod"}, "CanonicalizationMethod requires an Algorithm (XML-DSig §4.3.1)"))
	}
	if si.SignatureMethod.Algorithm == "" {
		vs = append(vs, wire.Violationf([]string{"SignedInfo", "SignatureMethod"}, "SignatureMethod requires an Algorithm (XML-DSig §4.3.2)"))
	}
	if n := si.SignatureMethod.HMACOutputLength; n != nil {
		min := 80
		if half := digestBits[si.SignatureMethod.Algorithm] / 2; half > min {
			min = half
		}
		if *n < min {
			vs = append(vs, wire.Violationf([]string{"SignedInfo", "SignatureMethod", "HMACOutputLength"},
				"HMACOutputLength %d is below %d bits: a truncated HMAC must keep at least 80 bits and half the hash (XML-DSig 2nd ed. §6.3.1)", *n, min))
		}
	}
	if len(si.References) == 0 {
		vs = append(vs, wire.Violationf([]string{"SignedInfo"}, "SignedInfo must hold at least one ds:Reference (XML-DSig §4.3)"))
	}
	for i, r := range si.References {
		at := []string{"SignedInfo", fmt.Sprintf("Reference[%d]", i)}
		if r.DigestMethod == "" {
			vs = append(vs, wire.Violationf(at, "Reference %q has no DigestMethod (XML-DSig §4.3.3)", r.URI))
		}
		if len(r.DigestValue) == 0 {
			vs = append(vs, wire.Violationf(at, "Reference %q has no DigestValue (XML-DSig §4.3.3)", r.URI))
		}
		for j, t := range r.Transforms {
			if t.Algorithm == "" {
				vs = append(vs, wire.Violationf(append(at, fmt.Sprintf("Transform[%d]", j)), "Transform requires an Algorithm (XML-DSig §4.3.3.4)"))
			}
		}
	}
	if len(s.SignatureValue) == 0 {
		vs = append(vs, wire.Violationf([]string{"SignatureValue"}, "SignatureValue is empty (XML-DSig §4.2)"))
	}
	if s.KeyInfo != nil {
		vs = append(vs, Prefixed(s.KeyInfo.Validate(), "KeyInfo")...)
	}
	return vs.Err()
}
