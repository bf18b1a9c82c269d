// Package wsa is the WS-Addressing vocabulary in its two versions: WS-Addressing 1.0 (W3C
// Recommendation 2006, namespace http://www.w3.org/2005/08/addressing) and the 2004/08 member
// submission used by WCF's Addressing200408 (CONSTANTS §1, §2.8, §3).
package wsa

import "github.com/rspcheck/rspcheck/internal/wire"

// Version is a WS-Addressing version.
type Version int

const (
	V10     Version = iota // WS-Addressing 1.0
	V200408                // WS-Addressing 2004/08 member submission
)

// Namespaces.
const (
	NS10     = "http://www.w3.org/2005/08/addressing"
	NS200408 = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
)

func (v Version) String() string {
	if v == V200408 {
		return "2004/08"
	}
	return "1.0"
}

// Namespace of v.
func (v Version) Namespace() string {
	if v == V200408 {
		return NS200408
	}
	return NS10
}

// Anonymous is the anonymous address of v (CONSTANTS §3).
func (v Version) Anonymous() string {
	if v == V200408 {
		return "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
	}
	return "http://www.w3.org/2005/08/addressing/anonymous"
}

// None is the WS-Addressing 1.0 "none" address; 2004/08 has none.
func (v Version) None() string {
	if v == V200408 {
		return ""
	}
	return "http://www.w3.org/2005/08/addressing/none"
}

// Reply is the default RelationshipType.
func (v Version) Reply() string {
	if v == V200408 {
		return "http://schemas.xmlsoap.org/ws/2004/08/addressing/reply"
	}
	return "http://www.w3.org/2005/08/addressing/reply"
}

// FaultAction is the action of addressing faults (CONSTANTS §2.8).
func (v Version) FaultAction() string {
	if v == V200408 {
		return "http://schemas.xmlsoap.org/ws/2004/08/addressing/fault"
	}
	return "http://www.w3.org/2005/08/addressing/fault"
}

// SOAPFaultAction is the default action for other SOAP faults (CONSTANTS §2.8).
func (v Version) SOAPFaultAction() string {
	if v == V200408 {
		return "http://schemas.xmlsoap.org/ws/2004/08/addressing/fault"
	}
	return "http://www.w3.org/2005/08/addressing/soap/fault"
}

// Unspecified is the RelatesTo value used when a request had no MessageID (WS-A 1.0).
const Unspecified = "http://www.w3.org/2005/08/addressing/unspecified"

// VersionOf maps a namespace to its version.
func VersionOf(ns string) (Version, bool) {
	switch ns {
	case NS10:
		return V10, true
	case NS200408:
		return V200408, true
	}
	return 0, false
}

// EPR is an endpoint reference (WS-A 1.0 Core §2.1): Address, ReferenceParameters, Metadata;
// 2004/08 also has ReferenceProperties, PortType and ServiceName, kept as Extra.
type EPR struct {
	Address             string
	ReferenceParameters []wire.Any
	Metadata            []wire.Any
	Extra               []wire.Any
}

// IsAnonymous reports whether the EPR's address is the anonymous URI of either version.
func (e *EPR) IsAnonymous() bool {
	return e != nil && (e.Address == V10.Anonymous() || e.Address == V200408.Anonymous())
}

// Validate checks that the EPR has an address (WS-A 1.0 Core §2.1: Address is required).
func (e *EPR) Validate() error {
	if e.Address == "" {
		return wire.Violationf([]string{"Address"}, "an endpoint reference must have a non-empty wsa:Address (WS-Addressing 1.0 Core §2.1)")
	}
	return nil
}

// RelatesTo is one wsa:RelatesTo header.
type RelatesTo struct {
	URI              string
	RelationshipType string // empty = reply
}

// Headers are the message addressing properties of one message (WS-A 1.0 Core §3).
type Headers struct {
	Version   Version
	To        string
	Action    string
	MessageID string
	From      *EPR
	ReplyTo   *EPR
	FaultTo   *EPR
	RelatesTo []RelatesTo
}

// Header local names.
const (
	To        = "To"
	Action    = "Action"
	MessageID = "MessageID"
	From      = "From"
	ReplyTo   = "ReplyTo"
	FaultTo   = "FaultTo"
	Relates   = "RelatesTo"
)

// IsHeader reports whether local is one of the addressing header names.
func IsHeader(local string) bool {
	switch local {
	case To, Action, MessageID, From, ReplyTo, FaultTo, Relates:
		return true
	}
	return false
}

// ReplyTarget is where a reply goes: ReplyTo, or anonymous when absent (WS-A 1.0 Core §3.4).
func (h *Headers) ReplyTarget() string {
	if h.ReplyTo == nil {
		if h.Version == V200408 {
			return ""
		}
		return h.Version.Anonymous()
	}
	return h.ReplyTo.Address
}

// RelatesToReply returns the RelatesTo value with the reply relationship, if any.
func (h *Headers) RelatesToReply() (string, bool) {
	for _, r := range h.RelatesTo {
		if r.RelationshipType == "" || r.RelationshipType == h.Version.Reply() {
			return r.URI, true
		}
	}
	return "", false
}
