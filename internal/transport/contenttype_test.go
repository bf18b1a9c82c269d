package transport

import (
	"errors"
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/internal/wire/soap"
)

func TestParseContentType(t *testing.T) {
	for _, tc := range []struct {
		in      string
		version soap.Version
		action  string
		charset string
		err     error
	}{
		{in: "application/soap+xml; charset=utf-8; action=\"urn:a\"", version: soap.V12, action: "urn:a", charset: "utf-8"},
		{in: "Application/SOAP+XML;Charset=UTF-8;ACTION=\"http://x/y?z=1;2\"", version: soap.V12, action: "http://x/y?z=1;2", charset: "utf-8"},
		{in: "application/soap+xml;action=http://docs.oasis-open.org/ws-rx/wsrm/200702/CreateSequence", version: soap.V12, action: "http://docs.oasis-open.org/ws-rx/wsrm/200702/CreateSequence"},
		{in: "application/soap+xml; action = \"urn:a\\\"b\" ; charset=utf-8;", version: soap.V12, action: `urn:a"b`, charset: "utf-8"},
		{in: "application/soap+xml; type=\"x;y\"; action=\"urn:after\"", version: soap.V12, action: "urn:after"},
		{in: "application/soap+xml; action=\"urn:first\"; action=\"urn:second\"", version: soap.V12, action: "urn:first"},
		{in: "application/soap+xml; action=\"unterminated", version: soap.V12, action: "unterminated"},
		{in: "application/soap+xml; novalue; action=\"urn:a\"", version: soap.V12, action: "urn:a"},
		{in: "text/xml; charset=\"utf-8\"", version: soap.V11, charset: "utf-8"},
		{in: "  TEXT/XML  ", version: soap.V11},
		{in: "text/xml; charset=us-ascii", version: soap.V11, charset: "us-ascii"},
		{in: "", err: ErrNoContentType},
		{in: "application/json", err: ErrUnsupportedMediaType},
		{in: "application/xml; charset=utf-8", err: ErrUnsupportedMediaType},
		{in: "multipart/related; type=\"application/xop+xml\"", err: ErrUnsupportedMediaType},
		{in: "text/xml; charset=iso-8859-1", err: ErrUnsupportedMediaType},
		{in: "application/soap+xml; charset=utf-16", err: ErrUnsupportedMediaType},
	} {
		ct, err := ParseContentType(tc.in)
		if !errors.Is(err, tc.err) {
			t.Errorf("%q: err = %v, want %v", tc.in, err, tc.err)
			continue
		}
		if err != nil {
			continue
		}
		if ct.Version != tc.version || ct.Action != tc.action || ct.Charset != tc.charset {
			t.Errorf("%q: got version %v action %q charset %q, want %v %q %q", tc.in, ct.Version, ct.Action, ct.Charset, tc.version, tc.action, tc.charset)
		}
	}
}

func TestFormatContentType(t *testing.T) {
	if got, want := FormatContentType(soap.V12, "urn:a"), `application/soap+xml; charset=utf-8; action="urn:a"`; got != want {
		t.Errorf("1.2: %q, want %q", got, want)
	}
	if got, want := FormatContentType(soap.V12, ""), `application/soap+xml; charset=utf-8`; got != want {
		t.Errorf("1.2 without action: %q, want %q", got, want)
	}
	if got, want := FormatContentType(soap.V11, "urn:a"), `text/xml; charset=utf-8`; got != want {
		t.Errorf("1.1: %q, want %q (the action goes in SOAPAction)", got, want)
	}
	for _, a := range []string{"urn:a", `with "quotes" and \ backslash`, "x;y=z", " spaces "} {
		ct, err := ParseContentType(FormatContentType(soap.V12, a))
		if err != nil || ct.Action != a {
			t.Errorf("round trip of %q: %q, %v", a, ct.Action, err)
		}
		if got := ParseSOAPAction(FormatSOAPAction(a)); got != a {
			t.Errorf("SOAPAction round trip of %q: %q", a, got)
		}
	}
}

func TestParseSOAPAction(t *testing.T) {
	for in, want := range map[string]string{
		`"urn:a"`:       "urn:a",
		` "urn:a" `:     "urn:a",
		`""`:            "",
		`urn:unquoted`:  "urn:unquoted",
		`"esc\"aped"`:   `esc"aped`,
		``:              "",
		`"unterminated`: "unterminated",
	} {
		if got := ParseSOAPAction(in); got != want {
			t.Errorf("ParseSOAPAction(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRootName(t *testing.T) {
	for _, tc := range []struct {
		in, space, local string
		ok               bool
	}{
		{in: env12("<x/>"), space: soap.NS12, local: "Envelope", ok: true},
		{in: "\xef\xbb\xbf" + `<?xml version="1.0"?><!-- c --><s:Envelope xmlns:s="` + soap.NS11 + `"/>`, space: soap.NS11, local: "Envelope", ok: true},
		{in: `<?xml version="1.0" encoding="ISO-8859-1"?><Envelope/>`, local: "Envelope", ok: true},
		{in: `<a:Envelope xmlns:a="urn:other">`, space: "urn:other", local: "Envelope", ok: true},
		{in: `not xml`, ok: false},
		{in: ``, ok: false},
	} {
		space, local, ok := rootName([]byte(tc.in))
		if ok != tc.ok || space != tc.space || local != tc.local {
			t.Errorf("%q: %q %q %v", clip(tc.in, 40), space, local, ok)
		}
	}
}

func FuzzParseContentType(f *testing.F) {
	for _, s := range []string{
		`application/soap+xml; charset=utf-8; action="urn:a"`, `text/xml`, `text/xml;;;`, `a/b; x="\`,
		`application/soap+xml; action="a\"b"; charset=UTF-8`, `application/soap+xml;action=`, `;=;=";"`,
	} {
		f.Add(s, "urn:x")
	}
	f.Fuzz(func(t *testing.T, header, action string) {
		ct, err := ParseContentType(header)
		if err == nil {
			if ct.MediaType != MediaType11 && ct.MediaType != MediaType12 {
				t.Fatalf("accepted media type %q", ct.MediaType)
			}
			if (ct.MediaType == MediaType11) != (ct.Version == soap.V11) {
				t.Fatalf("media type %q with version %v", ct.MediaType, ct.Version)
			}
		}
		_ = ParseSOAPAction(header)
		// What we write, we read back: the action survives quoting (control characters,
		// which cannot be in a header, are dropped by quote).
		clean := strings.Map(func(r rune) rune {
			if (r < 0x20 && r != '\t') || r == 0x7f {
				return -1
			}
			return r
		}, action)
		if clean != action {
			return
		}
		got, err := ParseContentType(FormatContentType(soap.V12, action))
		if err != nil {
			t.Fatalf("own content type refused: %v", err)
		}
		if got.Action != action {
			t.Fatalf("action %q came back as %q", action, got.Action)
		}
		if back := ParseSOAPAction(FormatSOAPAction(action)); back != action {
			t.Fatalf("SOAPAction %q came back as %q", action, back)
		}
	})
}
