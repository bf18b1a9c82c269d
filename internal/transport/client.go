package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/soap"
)

// Defaults of the Client.
const (
	DefaultMaxResponseSize = 4 << 20
	DefaultTimeout         = 30 * time.Second
	// DefaultMaxIdleConnsPerHost keeps a connection per concurrent sequence alive: the peers
	// run 16 and more sequences against one endpoint, and net/http's default of 2 would make
	// every other request open a new connection.
	DefaultMaxIdleConnsPerHost = 64
)

// ErrResponseTooLarge is returned when a response body exceeds Client.MaxResponseSize.
var ErrResponseTooLarge = errors.New("transport: response exceeds the size limit")

var (
	sharedOnce sync.Once
	shared     *http.Transport
)

// SharedTransport is the process-wide keep-alive http.Transport the Client uses by default.
// Compression is off so that what the Client returns is the exact bytes on the wire (traces
// and signatures need them); redirects are never followed (see Client).
func SharedTransport() *http.Transport {
	sharedOnce.Do(func() { shared = NewHTTPTransport() })
	return shared
}

// NewHTTPTransport returns a fresh transport with the settings of SharedTransport, for callers
// that need their own connection pool (tests counting connections, a Tap in front of it).
func NewHTTPTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   DefaultMaxIdleConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
		// A secured envelope is 3-5 KiB: with the default 4 KiB buffers the request line,
		// headers and body leave in two writes and the response arrives in two reads.
		WriteBufferSize: 16 << 10,
		ReadBufferSize:  16 << 10,
	}
}

// Response is what came back for one POST.
type Response struct {
	// Status is 200 (an envelope), 202 (Accepted; Body normally empty) or, for a fault, 500
	// (or 400, which SOAP 1.2 Part 2 §7.5.2.2 maps env:Sender faults to).
	Status      int
	ContentType string
	Body        []byte
	Header      http.Header
}

// IsFault reports whether the response is a fault by its status. Only the envelope can say for
// sure (WS-I Basic Profile 1.1 R1107: a receiver must look at the Body, not the status).
func (r *Response) IsFault() bool {
	return (r.Status == http.StatusInternalServerError || r.Status == http.StatusBadRequest) && len(r.Body) > 0
}

// StatusError is an HTTP status the binding does not expect (anything but 200, 202, and 500 or
// 400 carrying a SOAP envelope): 404, 405, 413, 415, 503, a redirect, ...
type StatusError struct {
	URL         string
	Status      int
	ContentType string
	Snippet     string // the start of the body, for the error message
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("transport: POST %s: HTTP %d %s", e.URL, e.Status, http.StatusText(e.Status))
	if e.Snippet != "" {
		s += fmt.Sprintf(" (%s: %q)", e.ContentType, e.Snippet)
	}
	return s
}

// Client posts SOAP envelopes. The zero value is usable; it shares SharedTransport.
type Client struct {
	// RoundTripper sends the requests (nil = SharedTransport()); a Tap goes here.
	RoundTripper http.RoundTripper
	// MaxResponseSize bounds a response body (0 = DefaultMaxResponseSize).
	MaxResponseSize int64
	// Timeout bounds a request whose context has no deadline (0 = DefaultTimeout; < 0 none).
	Timeout time.Duration
	// Header holds extra request headers (e.g. for a SUT behind a gateway).
	Header http.Header

	once sync.Once
	hc   *http.Client
}

// NewClient returns a Client that sends through rt (nil = SharedTransport()).
func NewClient(rt http.RoundTripper) *Client { return &Client{RoundTripper: rt} }

func (c *Client) httpClient() *http.Client {
	c.once.Do(func() {
		rt := c.RoundTripper
		if rt == nil {
			rt = SharedTransport()
		}
		c.hc = &http.Client{
			Transport: rt,
			// A SOAP request is not re-sent elsewhere behind the sender's back: the 3xx is
			// returned to the caller as a StatusError.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	})
	return c.hc
}

// Post sends body, an envelope of version v, to url with the binding's headers and returns the
// response: 200 with an envelope, 202 with an empty body, or a SOAP fault with status 500 (or
// 400) — a fault is a Response, not an error. Other statuses are a *StatusError. The context
// bounds the whole exchange, body included.
func (c *Client) Post(ctx context.Context, url string, v soap.Version, action string, body []byte) (*Response, error) {
	if _, ok := ctx.Deadline(); !ok && c.Timeout >= 0 {
		t := c.Timeout
		if t == 0 {
			t = DefaultTimeout
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("transport: %w", err)
	}
	for k, vs := range c.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	req.Header.Set("Content-Type", FormatContentType(v, action))
	if v == soap.V11 {
		// SOAP 1.1 §6.1.1: "An HTTP client MUST use this header field when issuing a SOAP
		// HTTP Request."
		req.Header.Set(HeaderSOAPAction, FormatSOAPAction(action))
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, fmt.Errorf("transport: %w", err)
	}
	defer resp.Body.Close()
	limit := c.MaxResponseSize
	if limit <= 0 {
		limit = DefaultMaxResponseSize
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%w: POST %s: %d bytes announced, limit %d", ErrResponseTooLarge, url, resp.ContentLength, limit)
	}
	data, err := readBody(io.LimitReader(resp.Body, limit+1), resp.ContentLength, limit)
	if err != nil {
		return nil, fmt.Errorf("transport: POST %s: reading the response: %w", url, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: POST %s: more than %d bytes", ErrResponseTooLarge, url, limit)
	}
	out := &Response{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: data, Header: resp.Header}
	switch {
	case out.Status == http.StatusOK, out.Status == http.StatusAccepted:
		return out, nil
	case (out.Status == http.StatusInternalServerError || out.Status == http.StatusBadRequest) && isSOAP(out.ContentType) && len(data) > 0:
		return out, nil
	}
	return nil, &StatusError{URL: url, Status: out.Status, ContentType: out.ContentType, Snippet: snippet(data)}
}

func isSOAP(contentType string) bool {
	_, err := ParseContentType(contentType)
	return err == nil
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
