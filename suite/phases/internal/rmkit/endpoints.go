package rmkit

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:staticcheck // Gomega's DSL
	"github.com/onsi/gomega/types"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/transport"
	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	. "github.com/rspcheck/rspcheck/suite/framework" //nolint:staticcheck // the spec DSL
)

// RefParamName is the reference parameter the suite puts on EPRs it gives the SUT.
var RefParamName = wire.QName{Space: "urn:rspcheck:test", Local: "Ref"}

// RefParams is an EPR's reference parameters: one rt:Ref with text v.
func RefParams(v string) []wire.Any {
	return []wire.Any{{Name: RefParamName, Prefix: "rt", Text: v}}
}

// RefParamHeader checks that m carries the reference parameter v as a header marked
// wsa:IsReferenceParameter="true" (WS-Addressing 1.0 SOAP Binding §2.3).
func RefParamHeader(m *Message, v string) error {
	for _, h := range m.Msg.HeaderNamed(RefParamName) {
		if h.El.Text() != v {
			continue
		}
		for _, a := range h.El.Attr {
			if a.Key == "IsReferenceParameter" && a.NamespaceURI() == wsa.NS10 && (a.Value == "true" || a.Value == "1") {
				return nil
			}
		}
		return fmt.Errorf("expected: header rt:Ref %q with wsa:IsReferenceParameter=\"true\"\nactual:   the header without that attribute (message %d)", v, m.N)
	}
	return fmt.Errorf("expected: header rt:Ref %q (the EPR's reference parameter) with wsa:IsReferenceParameter=\"true\"\nactual:   no such header (message %d, %s)", v, m.N, m.Action())
}

// BeOK succeeds for a nil error; the error's text (expected/actual) is the failure message.
func BeOK() types.GomegaMatcher { return okMatcher{} }

type okMatcher struct{}

func (okMatcher) Match(actual any) (bool, error) { return actual == nil, nil }
func (okMatcher) FailureMessage(actual any) string {
	if err, ok := actual.(error); ok {
		return err.Error()
	}
	return fmt.Sprintf("expected: no error\nactual:   %v", actual)
}
func (okMatcher) NegatedFailureMessage(any) string { return "expected: an error\nactual:   none" }

// Sink is an endpoint of the suite where the SUT sends messages (an addressable AcksTo);
// every message is recorded in the spec's Wire and answered 202.
type Sink struct {
	mu   sync.Mutex
	msgs []*Message
	ch   chan struct{}
}

// Listen starts a sink for this spec and returns its address.
func Listen(s *Spec) (*Sink, string) {
	k := &Sink{ch: make(chan struct{}, 64)}
	host := "127.0.0.1"
	if l := s.Config().Listen; l != "" {
		if h, _, err := net.SplitHostPort(l); err == nil && h != "" {
			host = h
		}
	}
	srv, err := transport.NewServer(net.JoinHostPort(host, "0"), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if m := s.Wire.Record(FromSUT, body); m != nil {
			k.mu.Lock()
			k.msgs = append(k.msgs, m)
			k.mu.Unlock()
			select {
			case k.ch <- struct{}{}:
			default:
			}
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(srv.Close)
	return k, srv.URL() + "/acks"
}

// Await returns the first message received carrying an acknowledgement of id, waiting up to d.
func (k *Sink) Await(id string, d time.Duration) *Message {
	deadline := time.After(d)
	for {
		k.mu.Lock()
		for _, m := range k.msgs {
			if m.Msg == nil {
				continue
			}
			for _, a := range codec.FindAll[*wsrm.SequenceAcknowledgement](m.Msg) {
				if a.Identifier == id {
					k.mu.Unlock()
					return m
				}
			}
		}
		k.mu.Unlock()
		select {
		case <-k.ch:
		case <-deadline:
			return nil
		}
	}
}

// CreateTo opens a sequence bound to tok with the given AcksTo (and ReplyTo, when set): the
// conforming CreateSequence of Client.CreateSequence, with EPRs the framework does not offer.
func CreateTo(ctx SpecContext, c *Client, tok token.Token, acksTo wsa.EPR, replyTo *wsa.EPR) *Seq {
	r := CreateRaw(ctx, c, tok, acksTo, replyTo)
	csr, ok := r.Msg.Payload.(*wsrm.CreateSequenceResponse)
	Expect(ok).To(BeTrue(), "expected: CreateSequenceResponse\nactual:   %s", Summary(r))
	return &Seq{ID: csr.Identifier, Token: tok, Next: 1}
}

// CreateRaw sends that CreateSequence and returns the response.
func CreateRaw(ctx SpecContext, c *Client, tok token.Token, acksTo wsa.EPR, replyTo *wsa.EPR) *Response {
	v := c.RM()
	h := c.Addressing(v.Action(wsrm.KindCreateSequence))
	if replyTo != nil {
		h.ReplyTo = replyTo
	}
	env := &codec.Envelope{SOAP: c.SOAP, Addressing: h,
		Body: []any{&wsrm.CreateSequence{V: v, AcksTo: acksTo, STR: tok.Reference(false)}}}
	if v == wsrm.V200702 {
		env.Headers = append(env.Headers, codec.Header{Value: &wsrm.UsesSequenceSTR{}, MustUnderstand: true})
	}
	r, err := c.Send(ctx, env, Protection{Token: &tok})
	Expect(err).NotTo(HaveOccurred())
	Expect(r.Message).NotTo(BeNil(), "expected: an answer to CreateSequence\nactual:   %s", Summary(r))
	Expect(r.Msg).NotTo(BeNil(), "expected: an answer to CreateSequence\nactual:   %s", Summary(r))
	return r
}
