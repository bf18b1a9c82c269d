package trust

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wssec"
)

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

const endpoint = "http://svc.example/rm"

// profile is one version family under test.
type profile struct {
	name string
	p    codec.Profile
	v    wsc.Version
	soap soap.Version
	wsa  wsa.Version
}

var profiles = []profile{
	{"P11-soap12", codec.ProfileP11, wsc.V200512, soap.V12, wsa.V10},
	{"P11-soap11", codec.ProfileP11, wsc.V200512, soap.V11, wsa.V10},
	{"P05-soap12", codec.ProfileP05, wsc.V200502, soap.V12, wsa.V10},
	{"P05-wsa200408", codec.ProfileP05, wsc.V200502, soap.V11, wsa.V200408},
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// detRand is a deterministic, concurrency-safe byte stream (SHA-256 in counter mode).
type detRand struct {
	mu  sync.Mutex
	ctr uint64
	buf []byte
}

func (r *detRand) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.buf) < len(p) {
		r.ctr++
		h := sha256.Sum256([]byte{byte(r.ctr), byte(r.ctr >> 8), byte(r.ctr >> 16), byte(r.ctr >> 24)})
		r.buf = append(r.buf, h[:]...)
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// rig is a Client wired in memory to an Issuer. Every message in either direction is
// serialized, decoded and structurally checked against the profile.
type rig struct {
	t      testing.TB
	pr     profile
	clk    *clock
	store  *token.Store
	issuer *Issuer
	client *Client
	// mutate, when set, changes the issuer's response envelope before it is encoded (written
	// with AllowIllegal), to test the client's refusals.
	mutate func(env *codec.Envelope)
	// before, when set, changes the request tree before the issuer decodes it.
	before func(doc *etree.Document)
	// requestor, when set, verifies the bootstrap of a request and names the requestor.
	requestor func(m *codec.Message) (*x509.Certificate, error)
	// respond, when set, secures the response tree (the issuer's bootstrap signature).
	respond func(doc *etree.Document)

	mu       sync.Mutex
	calls    map[string]int // by action
	messages []*codec.Message
	lastErr  error // the issuer's last *Fault
}

func newRig(t testing.TB, pr profile, icfg IssuerConfig, ccfg ClientConfig) *rig {
	t.Helper()
	r := &rig{t: t, pr: pr, clk: &clock{t: t0}, calls: map[string]int{}}
	r.store = token.NewStore(r.clk.Now)
	icfg.Store, icfg.Now = r.store, r.clk.Now
	if icfg.Rand == nil {
		icfg.Rand = &detRand{ctr: 1 << 20}
	}
	is, err := NewIssuer(icfg)
	if err != nil {
		t.Fatal(err)
	}
	r.issuer = is
	ccfg.Caller = CallerFunc(r.call)
	ccfg.Version, ccfg.SOAP, ccfg.Addressing, ccfg.Now = pr.v, pr.soap, pr.wsa, r.clk.Now
	if ccfg.Rand == nil {
		ccfg.Rand = &detRand{}
	}
	c, err := NewClient(ccfg)
	if err != nil {
		t.Fatal(err)
	}
	r.client = c
	return r
}

func serialize(t testing.TB, doc *etree.Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := doc.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// decodeChecked decodes raw and requires no structural problem in the profile.
func (r *rig) decodeChecked(raw []byte, what string) *codec.Message {
	r.t.Helper()
	m, err := codec.Decode(raw, codec.Options{})
	if err != nil {
		r.t.Fatalf("%s: decode: %v\n%s", what, err, raw)
	}
	if ps := m.Check(r.pr.p); len(ps) > 0 {
		r.t.Errorf("%s violates the structural rules of %s:\n%v\n%s", what, r.pr.p, codec.Problems(ps), raw)
	}
	r.mu.Lock()
	r.messages = append(r.messages, m)
	r.mu.Unlock()
	return m
}

func (r *rig) call(ctx context.Context, action string, doc *etree.Document) (*codec.Message, error) {
	r.mu.Lock()
	r.calls[action]++
	r.mu.Unlock()
	if r.before != nil {
		r.before(doc)
	}
	m := r.decodeChecked(serialize(r.t, doc), "request "+action)
	req := r.issuer.Check(m, wssec.CheckOptions{})
	if r.requestor != nil {
		cert, err := r.requestor(m)
		if err != nil {
			r.t.Errorf("bootstrap of the request: %v", err)
		}
		req.Requestor = cert
	}
	env, err := r.issuer.Handle(req)
	r.mu.Lock()
	r.lastErr = err
	r.mu.Unlock()
	opt := codec.Options{}
	if r.mutate != nil {
		r.mutate(env)
		opt.AllowIllegal = true
	}
	rdoc, encErr := codec.Build(env, opt)
	if encErr != nil {
		r.t.Fatalf("encode response: %v", encErr)
	}
	if r.respond != nil {
		r.respond(rdoc)
	}
	out := serialize(r.t, rdoc)
	if r.mutate != nil {
		return codec.Decode(out, codec.Options{})
	}
	return r.decodeChecked(out, "response to "+action), nil
}

func (r *rig) count(action string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[action]
}

// seq returns n bytes first, first+1, ...
func seq(first byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = first + byte(i)
	}
	return b
}
