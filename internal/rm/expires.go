package rm

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// maxDuration caps parsed durations so that now+d never overflows time arithmetic (about 292
// years is time.Duration's limit; 200 years is "never" for any sequence).
const maxDuration = 200 * 365 * 24 * time.Hour

// ParseDuration reads an xs:duration (XML Schema Part 2 §3.2.6) as used by wsrm:Expires.
// Years count 365 days and months 30 days (the spec gives no calendar anchor for a relative
// expiry). "" and PT0S both mean 0, which WS-RM 1.1 §3.4 reads as "never expires". Values
// above 200 years are capped. A negative duration is returned as negative; callers refuse it.
func ParseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	if !wsrm.ValidDuration(s) {
		return 0, fmt.Errorf("rm: %q is not an xs:duration", s)
	}
	neg := s[0] == '-'
	body := strings.TrimPrefix(s, "-")[1:] // after "P"; the lexical form is known valid
	var total float64                      // seconds
	inTime := false
	for body != "" {
		if body[0] == 'T' {
			inTime = true
			body = body[1:]
			continue
		}
		i := strings.IndexAny(body, "YMDHS")
		f, err := strconv.ParseFloat(body[:i], 64)
		if err != nil {
			return 0, fmt.Errorf("rm: %q is not an xs:duration", s)
		}
		switch unit := body[i]; {
		case unit == 'Y':
			total += f * 365 * 86400
		case unit == 'M' && !inTime:
			total += f * 30 * 86400
		case unit == 'D':
			total += f * 86400
		case unit == 'H':
			total += f * 3600
		case unit == 'M':
			total += f * 60
		default: // 'S'
			total += f
		}
		body = body[i+1:]
	}
	d := maxDuration
	if total < maxDuration.Seconds() {
		d = time.Duration(math.Round(total * 1e9))
	}
	if neg {
		d = -d
	}
	return d, nil
}

// FormatDuration writes d as an xs:duration with day, hour, minute and second components
// (P1DT2H3M4.5S); 0 is PT0S.
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "PT0S"
	}
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	b.WriteByte('P')
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	if days > 0 {
		fmt.Fprintf(&b, "%dD", days)
	}
	if d == 0 {
		return b.String()
	}
	b.WriteByte('T')
	h := d / time.Hour
	d -= h * time.Hour
	m := d / time.Minute
	d -= m * time.Minute
	if h > 0 {
		fmt.Fprintf(&b, "%dH", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dM", m)
	}
	if d > 0 {
		sec := d / time.Second
		frac := d - sec*time.Second
		if frac == 0 {
			fmt.Fprintf(&b, "%dS", sec)
		} else {
			fs := strings.TrimRight(fmt.Sprintf("%09d", frac), "0")
			fmt.Fprintf(&b, "%d.%sS", sec, fs)
		}
	}
	return b.String()
}

// grantExpires applies WS-RM 1.1 §3.4 (RM-CS-003): the RM Destination may grant a shorter
// duration than requested but never a longer one. 0 means "never expires"; limit 0 means the
// destination imposes no limit.
func grantExpires(requested, limit time.Duration) time.Duration {
	if limit <= 0 {
		return requested
	}
	if requested == 0 || requested > limit {
		return limit
	}
	return requested
}
