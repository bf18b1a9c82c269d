package transport

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/rspcheck/rspcheck/internal/wire/soap"
)

func env12(body string) string {
	return `<s:Envelope xmlns:s="` + soap.NS12 + `"><s:Body>` + body + `</s:Body></s:Envelope>`
}

func env11(body string) string {
	return `<s:Envelope xmlns:s="` + soap.NS11 + `"><s:Body>` + body + `</s:Body></s:Envelope>`
}

func envOf(v soap.Version, body string) string {
	if v == soap.V11 {
		return env11(body)
	}
	return env12(body)
}

// sink is a Serve function that records what it receives, in order, and answers with reply.
type sink struct {
	mu    sync.Mutex
	got   []*Request
	reply func(*Request) (*Reply, error)
}

func (s *sink) serve(_ context.Context, r *Request) (*Reply, error) {
	s.mu.Lock()
	s.got = append(s.got, r)
	s.mu.Unlock()
	if s.reply == nil {
		return nil, nil
	}
	return s.reply(r)
}

func (s *sink) bodies() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.got))
	for i, r := range s.got {
		out[i] = string(r.Body)
	}
	return out
}

func (s *sink) req(i int) *Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.got[i]
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.got)
}

// echo answers every request with its own body.
func echo(r *Request) (*Reply, error) { return &Reply{Body: r.Body}, nil }

// newSink starts an httptest server whose Handler feeds s (wrapped by wrap, when set).
func newSink(t testing.TB, s *sink, wrap func(http.Handler) http.Handler) *httptest.Server {
	t.Helper()
	var h http.Handler = &Handler{Serve: s.serve}
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// rawPost posts body with the given headers through a fresh transport.
func rawPost(t *testing.T, url string, header map[string]string, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	tr := NewHTTPTransport()
	defer tr.CloseIdleConnections()
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp, b.String()
}
