package rm

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, true},
		{"PT0S", 0, true},
		{"PT1H", time.Hour, true},
		{"PT1H30M", 90 * time.Minute, true},
		{"P1D", 24 * time.Hour, true},
		{"P1DT1S", 24*time.Hour + time.Second, true},
		{"PT1.5S", 1500 * time.Millisecond, true},
		{"P1M", 30 * 24 * time.Hour, true},
		{"P1Y", 365 * 24 * time.Hour, true},
		{"P1000Y", maxDuration, true},
		{"-PT5S", -5 * time.Second, true},
		{"P", 0, false},
		{"PT", 0, false},
		{"1H", 0, false},
		{"PT1.5M", 0, false},
		{"P1H", 0, false},
		{"PT1S1M", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                    "PT0S",
		time.Hour:                            "PT1H",
		90 * time.Minute:                     "PT1H30M",
		24 * time.Hour:                       "P1D",
		26*time.Hour + 1500*time.Millisecond: "P1DT2H1.5S",
		-time.Second:                         "-PT1S",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q want %q", d, got, want)
		}
		if back, err := ParseDuration(FormatDuration(d)); err != nil || back != d {
			t.Errorf("round trip %v: %v %v", d, back, err)
		}
	}
}

// RM-CS-003: shorten, never lengthen.
func TestGrantExpires(t *testing.T) {
	tests := []struct{ req, limit, want time.Duration }{
		{0, 0, 0},
		{time.Hour, 0, time.Hour},
		{time.Hour, 2 * time.Hour, time.Hour},
		{2 * time.Hour, time.Hour, time.Hour},
		{0, time.Hour, time.Hour}, // "never" requested: any finite grant is shorter
	}
	for _, tt := range tests {
		if got := grantExpires(tt.req, tt.limit); got != tt.want {
			t.Errorf("grant(%v, %v) = %v want %v", tt.req, tt.limit, got, tt.want)
		}
		if tt.req > 0 && grantExpires(tt.req, tt.limit) > tt.req {
			t.Errorf("granted more than requested")
		}
	}
}
