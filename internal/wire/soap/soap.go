// Package soap is the SOAP 1.1 / SOAP 1.2 envelope vocabulary: versions, namespaces, content
// types, and faults (code, subcodes, reason, detail).
package soap

import "github.com/rspcheck/rspcheck/internal/wire"

// Version is a SOAP version.
type Version int

const (
	V12 Version = iota // SOAP 1.2 (W3C Recommendation 2003, 2nd ed. 2007)
	V11                // SOAP 1.1 (W3C Note 2000)
)

// Namespaces of the envelope.
const (
	NS11 = "http://schemas.xmlsoap.org/soap/envelope/"
	NS12 = "http://www.w3.org/2003/05/soap-envelope"
)

func (v Version) String() string {
	if v == V11 {
		return "1.1"
	}
	return "1.2"
}

// Namespace is the envelope namespace of v.
func (v Version) Namespace() string {
	if v == V11 {
		return NS11
	}
	return NS12
}

// ContentType is the HTTP media type of v (SOAP 1.2 Part 2 §7.1.4; SOAP 1.1 §6.1.1).
func (v Version) ContentType() string {
	if v == V11 {
		return "text/xml"
	}
	return "application/soap+xml"
}

// VersionOf maps an envelope namespace to its version.
func VersionOf(ns string) (Version, bool) {
	switch ns {
	case NS12:
		return V12, true
	case NS11:
		return V11, true
	}
	return 0, false
}

// Header block attributes (SOAP 1.2 Part 1 §5.2; SOAP 1.1 §4.2).
const (
	AttrMustUnderstand = "mustUnderstand"
	AttrRole12         = "role"  // SOAP 1.2
	AttrActor11        = "actor" // SOAP 1.1
)

// Code is the class of a fault: the SOAP 1.2 env:Code/env:Value, or the SOAP 1.1 faultcode
// when no WS-* subcode replaces it.
type Code int

const (
	Sender Code = iota
	Receiver
	MustUnderstand
	VersionMismatch
	DataEncodingUnknown
)

var codeNames = [...][2]string{
	Sender:              {"Sender", "Client"},
	Receiver:            {"Receiver", "Server"},
	MustUnderstand:      {"MustUnderstand", "MustUnderstand"},
	VersionMismatch:     {"VersionMismatch", "VersionMismatch"},
	DataEncodingUnknown: {"DataEncodingUnknown", "DataEncodingUnknown"},
}

func (c Code) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c][0]
	}
	return "Code(?)"
}

// QName is the code as a qualified name in envelope version v.
func (c Code) QName(v Version) wire.QName {
	if int(c) >= len(codeNames) {
		return wire.QName{}
	}
	if v == V11 {
		return wire.QName{Space: NS11, Local: codeNames[c][1]}
	}
	return wire.QName{Space: NS12, Local: codeNames[c][0]}
}

// CodeOf maps an envelope-namespace code QName back to a Code.
func CodeOf(q wire.QName) (Code, bool) {
	for i, n := range codeNames {
		if (q.Space == NS12 && q.Local == n[0]) || (q.Space == NS11 && q.Local == n[1]) {
			return Code(i), true
		}
	}
	return 0, false
}
