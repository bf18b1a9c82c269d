package wsse

import (
	"fmt"
	"strings"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire"
)

// ParseDateTime reads an xs:dateTime as used by wsu:Created and wsu:Expires (and by
// wst:Lifetime, which reuses them). A value without a time zone is read as UTC; use IsUTC to
// tell whether the zone was written.
func ParseDateTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse("2006-01-02T15:04:05.999999999Z07:00", s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not an xs:dateTime", s)
}

// IsUTC reports whether an xs:dateTime is written in UTC: with a "Z" or a zero offset.
func IsUTC(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasSuffix(s, "Z") || strings.HasSuffix(s, "+00:00") || strings.HasSuffix(s, "-00:00")
}

// parseTimes parses a Created/Expires pair; an absent value gives the zero time.
func parseTimes(created, expires string) (c, e time.Time, err error) {
	if created != "" {
		if c, err = ParseDateTime(created); err != nil {
			return c, e, fmt.Errorf("Created: %w", err)
		}
	}
	if expires != "" {
		if e, err = ParseDateTime(expires); err != nil {
			return c, e, fmt.Errorf("Expires: %w", err)
		}
	}
	return c, e, nil
}

// ValidateTimes checks a Created/Expires pair: each present value is an xs:dateTime (in UTC
// when utc is set) and Expires is later than Created. spec names the rule's source.
func ValidateTimes(created, expires string, utc bool, spec string) wire.Violations {
	var vs wire.Violations
	var c, e time.Time
	var okC, okE bool
	for _, x := range []struct {
		name, val string
		t         *time.Time
		ok        *bool
	}{{"Created", created, &c, &okC}, {"Expires", expires, &e, &okE}} {
		if x.val == "" {
			continue
		}
		t, err := ParseDateTime(x.val)
		if err != nil {
			vs = append(vs, wire.Violationf([]string{x.name}, "%v (%s)", err, spec))
			continue
		}
		*x.t, *x.ok = t, true
		if utc && !IsUTC(x.val) {
			vs = append(vs, wire.Violationf([]string{x.name}, "%q is not in UTC; times must be UTC (%s)", x.val, spec))
		}
	}
	if okC && okE && !e.After(c) {
		vs = append(vs, wire.Violationf([]string{"Expires"}, "Expires %s is not later than Created %s (%s)", expires, created, spec))
	}
	return vs
}
