// Package wsrm is the WS-ReliableMessaging vocabulary in its two versions: WS-RM 1.1/1.2
// (OASIS, namespace .../ws-rx/wsrm/200702) and WS-RM February 2005 (schemas.xmlsoap.org
// /ws/2005/02/rm, WCF's default). Element shapes follow the OASIS XSDs (CONSTANTS §10);
// actions and fault codes follow CONSTANTS §2.1, §2.2 and §9.
package wsrm

// Version is a WS-RM version.
type Version int

const (
	V200702 Version = iota // WS-RM 1.1 and 1.2 (same namespace)
	V200502                // WS-RM February 2005 ("1.0")
)

// Namespaces.
const (
	NS200702 = "http://docs.oasis-open.org/ws-rx/wsrm/200702"
	NS200502 = "http://schemas.xmlsoap.org/ws/2005/02/rm"
	// NSNetRM is WCF's private extension namespace (netrm:BufferRemaining).
	NSNetRM = "http://schemas.microsoft.com/ws/2006/05/rm"
)

// MaxMessageNumber is the largest message number (WS-RM 1.1 XSD MessageNumberType:
// xs:unsignedLong restricted to 1..9223372036854775807; WCF caps 2005/02 at the same value).
const MaxMessageNumber uint64 = 9223372036854775807

func (v Version) String() string {
	if v == V200502 {
		return "2005/02"
	}
	return "1.1"
}

// Namespace of v.
func (v Version) Namespace() string {
	if v == V200502 {
		return NS200502
	}
	return NS200702
}

// VersionOf maps a namespace to its version.
func VersionOf(ns string) (Version, bool) {
	switch ns {
	case NS200702:
		return V200702, true
	case NS200502:
		return V200502, true
	}
	return 0, false
}

// Kind names the protocol messages of WS-RM.
type Kind int

const (
	KindNone Kind = iota
	KindCreateSequence
	KindCreateSequenceResponse
	KindCloseSequence
	KindCloseSequenceResponse
	KindTerminateSequence
	KindTerminateSequenceResponse
	KindSequenceAcknowledgement
	KindAckRequested
	KindLastMessage
	KindFault
)

var kindNames = [...]string{
	KindNone:                      "",
	KindCreateSequence:            "CreateSequence",
	KindCreateSequenceResponse:    "CreateSequenceResponse",
	KindCloseSequence:             "CloseSequence",
	KindCloseSequenceResponse:     "CloseSequenceResponse",
	KindTerminateSequence:         "TerminateSequence",
	KindTerminateSequenceResponse: "TerminateSequenceResponse",
	KindSequenceAcknowledgement:   "SequenceAcknowledgement",
	KindAckRequested:              "AckRequested",
	KindLastMessage:               "LastMessage",
	KindFault:                     "fault",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(?)"
}

// Has reports whether message kind k exists in version v. WS-RM 2005/02 has no
// CloseSequence, no responses to Close/Terminate and no RM fault action; LastMessage exists
// only there (CONSTANTS §2.2).
func (v Version) Has(k Kind) bool {
	switch k {
	case KindCloseSequence, KindCloseSequenceResponse, KindTerminateSequenceResponse, KindFault:
		return v == V200702
	case KindLastMessage:
		return v == V200502
	case KindNone:
		return false
	}
	return true
}

// Action is the wsa:Action of message kind k in version v, or "" when k does not exist in v.
func (v Version) Action(k Kind) string {
	if v >= V200702 && v <= V200502 && k >= KindNone && k <= KindFault {
		return actions[v][k]
	}
	return ""
}

// actions holds every action URI, built once: Action and KindOfAction run for every
// message a peer sends or receives.
var actions = func() (t [V200502 + 1][KindFault + 1]string) {
	for v := V200702; v <= V200502; v++ {
		for k := KindCreateSequence; k <= KindFault; k++ {
			if v.Has(k) {
				t[v][k] = v.Namespace() + "/" + k.String()
			}
		}
	}
	return t
}()

// KindOfAction maps an action URI to its version and kind.
func KindOfAction(action string) (Version, Kind, bool) {
	for _, v := range []Version{V200702, V200502} {
		for k := KindCreateSequence; k <= KindFault; k++ {
			if a := actions[v][k]; a != "" && a == action {
				return v, k, true
			}
		}
	}
	return 0, KindNone, false
}

// BodyElement is the local name of the body element that carries kind k, or "" for kinds
// carried by headers only (acks, AckRequested, LastMessage) or faults.
func (k Kind) BodyElement() string {
	switch k {
	case KindCreateSequence, KindCreateSequenceResponse, KindCloseSequence, KindCloseSequenceResponse,
		KindTerminateSequence, KindTerminateSequenceResponse:
		return k.String()
	}
	return ""
}

// IncompleteSequenceBehavior values (WS-RM 1.1 §3.4; XSD IncompleteSequenceBehaviorType).
const (
	DiscardEntireSequence    = "DiscardEntireSequence"
	DiscardFollowingFirstGap = "DiscardFollowingFirstGap"
	NoDiscard                = "NoDiscard"
)

// ValidIncompleteSequenceBehavior reports whether s is one of the three values.
func ValidIncompleteSequenceBehavior(s string) bool {
	return s == DiscardEntireSequence || s == DiscardFollowingFirstGap || s == NoDiscard
}
