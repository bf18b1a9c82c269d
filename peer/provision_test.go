package peer

import (
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/internal/token"
)

func TestParseProvisioned(t *testing.T) {
	const secret = "cnNwY2hlY2stcHJvdmlzaW9uZWQtdGVzdC1rZXkhIQ==" // 31 octets
	tok, err := ParseProvisioned("urn:uuid:1=" + secret)
	if err != nil || tok.Identifier != "urn:uuid:1" || len(tok.Secret) != 31 {
		t.Fatalf("got %v, %v", tok, err)
	}
	for _, c := range []struct{ in, want string }{
		{"urn:uuid:1", "want IDENTIFIER=BASE64SECRET"},
		{"=" + secret, "want IDENTIFIER=BASE64SECRET"},
		{"urn:uuid:1=not base64!", "not base64"},
		{"urn:uuid:1=c2hvcnQ=", "too short"},
	} {
		_, err := ParseProvisioned(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: expected an error containing %q, got %v", c.in, c.want, err)
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("%q: the error shows the secret: %v", c.in, err)
		}
	}
	if _, err := NewResponder(ResponderConfig{Provisioned: []token.Token{{Identifier: "not a uri", Secret: make([]byte, 32)}}}); err == nil ||
		!strings.Contains(err.Error(), "absolute URI") {
		t.Errorf("a provisioned SCT with a relative identifier: %v", err)
	}
}
