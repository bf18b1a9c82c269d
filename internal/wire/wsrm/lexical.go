package wsrm

import (
	"net/url"
	"regexp"
)

// xs:duration lexical form (XML Schema Part 2 §3.2.6.1): -?P(nY)?(nM)?(nD)?(T(nH)?(nM)?(n(.n)?S)?)?
// with at least one component and no dangling T.
var durationRE = regexp.MustCompile(`^-?P(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$`)

// ValidDuration reports whether s is a lexically valid xs:duration.
func ValidDuration(s string) bool {
	if !durationRE.MatchString(s) || s == "P" || s == "-P" {
		return false
	}
	n := len(s)
	return s[n-1] != 'T'
}

// AbsoluteURI reports whether s is an absolute URI (has a scheme). Sequence identifiers are
// xs:anyURI and the spec requires absolute URIs (WS-RM 1.1 §3.4, §3.5).
func AbsoluteURI(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme != ""
}
