package wsc

import "github.com/rspcheck/rspcheck/internal/wire"

// SecurityContextToken is wsc:SecurityContextToken (WS-SC 1.3 §3): Identifier, Instance?,
// then any elements (e.g. WCF's cookie). The token names a shared context; it never carries
// the key.
type SecurityContextToken struct {
	V  Version
	ID string // wsu:Id, for message-specific references ("#id")
	// Identifier is the absolute URI that names the context (e.g. urn:uuid:...); STRs that
	// reference the SCT outside its own message use it verbatim as their URI.
	Identifier string
	// Instance distinguishes re-keyed instances of the same context (renewal); "" = absent.
	Instance string
	Extra    []wire.Any
}

// Validate checks the Identifier.
//
// WS-SC 1.3 §3 [R]: wsc:Identifier is required and identifies the context by an absolute URI.
func (s *SecurityContextToken) Validate() error {
	switch {
	case s.Identifier == "":
		return wire.Violationf([]string{"Identifier"}, "wsc:SecurityContextToken requires a wsc:Identifier (WS-SC 1.3 §3)")
	case !absoluteURI(s.Identifier):
		return wire.Violationf([]string{"Identifier"}, "context identifier %q is not an absolute URI (WS-SC 1.3 §3)", s.Identifier)
	}
	return nil
}
