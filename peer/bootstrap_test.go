package peer

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/trace"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wst"
	"github.com/rspcheck/rspcheck/internal/xmlsec/pki"
)

var (
	testPKIOnce              sync.Once
	testCA                   *pki.CA
	initiatorID, responderID *pki.Identity
	strangerID               *pki.Identity
	testPKIErr               error
)

func bootstrapPKI(t *testing.T) {
	t.Helper()
	testPKIOnce.Do(func() {
		now := time.Now()
		if testCA, testPKIErr = pki.NewCA("rspcheck test CA", now); testPKIErr != nil {
			return
		}
		if initiatorID, testPKIErr = testCA.Issue("initiator", nil, now); testPKIErr != nil {
			return
		}
		if responderID, testPKIErr = testCA.Issue("sts", nil, now); testPKIErr != nil {
			return
		}
		other, err := pki.NewCA("other CA", now)
		if err != nil {
			testPKIErr = err
			return
		}
		strangerID, testPKIErr = other.Issue("initiator", nil, now)
	})
	if testPKIErr != nil {
		t.Fatal(testPKIErr)
	}
}

// TestX509BootstrapRun: with the X.509 bootstrap (SC-ISS-014) the RST and the RSTR are signed
// with the parties' certificates and no entropy travels in the clear; the run completes.
func TestX509BootstrapRun(t *testing.T) {
	bootstrapPKI(t)
	for _, p := range []Profile{P11, P05} {
		t.Run(p.String(), func(t *testing.T) {
			pr := newPair(t, p, soap.V12,
				ResponderConfig{Bootstrap: &Bootstrap{Identity: responderID, Roots: testCA.Pool(), PeerName: "initiator"}},
				InitiatorConfig{Bootstrap: &Bootstrap{Identity: initiatorID, Roots: testCA.Pool(), Peer: responderID.Cert, PeerName: "sts"}})
			sum, err := pr.run(t, Plan{Messages: 6, Sequences: 2, Size: 30}, 20*time.Second)
			if err != nil {
				t.Fatalf("run: %v (%s)", err, sum)
			}
			if err := trace.Verify(pr.resp.Delivered(), sum.Expect); err != nil {
				t.Error(err)
			}
			issue := pr.cap.messages(func(m *codec.Message) bool {
				switch m.Payload.(type) {
				case *wst.RequestSecurityToken, *wst.RequestSecurityTokenResponse, *wst.RequestSecurityTokenResponseCollection:
					return strings.HasSuffix(m.Addressing.Action, "/SCT") || strings.Contains(m.Addressing.Action, "RSTR")
				}
				return false
			})
			if len(issue) < 2 {
				t.Fatalf("%d issuance messages captured", len(issue))
			}
			for _, m := range issue[:2] {
				raw := string(m.Raw())
				if !strings.Contains(raw, "BinarySecurityToken") || strings.Contains(raw, "BinarySecret") {
					t.Errorf("issuance message not X.509-protected or entropy in the clear:\n%.600s", raw)
				}
			}
		})
	}
}

// TestX509BootstrapRefusals: a responder that requires the bootstrap refuses an unprotected
// RST and one signed by a certificate from another CA (wst:FailedAuthentication); an
// initiator refuses an RSTR signed by someone other than the named issuer.
func TestX509BootstrapRefusals(t *testing.T) {
	bootstrapPKI(t)
	resp := ResponderConfig{Bootstrap: &Bootstrap{Identity: responderID, Roots: testCA.Pool()}}
	for name, icfg := range map[string]InitiatorConfig{
		"unprotected": {},
		"stranger":    {Bootstrap: &Bootstrap{Identity: strangerID, Roots: testCA.Pool(), Peer: responderID.Cert}},
		"wrong-issuer-name": {Bootstrap: &Bootstrap{Identity: initiatorID, Roots: testCA.Pool(), Peer: responderID.Cert,
			PeerName: "someone-else"}},
	} {
		t.Run(name, func(t *testing.T) {
			pr := newPair(t, P11, soap.V12, resp, icfg)
			_, err := pr.run(t, Plan{Messages: 1}, 10*time.Second)
			if err == nil || !strings.Contains(err.Error(), "obtain SCT") {
				t.Fatalf("run: %v", err)
			}
			if name != "wrong-issuer-name" && !strings.Contains(err.Error(), "FailedAuthentication") {
				t.Errorf("want wst:FailedAuthentication, got %v", err)
			}
			if n := len(pr.resp.Delivered()); n != 0 {
				t.Errorf("%d messages delivered without an SCT", n)
			}
		})
	}
}
