package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/rspcheck/rspcheck/internal/wire/soap"
)

// DefaultMaxRequestSize is the largest request body the Handler reads (issue #4: 4 MiB).
const DefaultMaxRequestSize = 4 << 20

// Request is one SOAP message received over HTTP.
type Request struct {
	Version soap.Version // from the Content-Type
	// Action is the SOAP 1.2 action parameter or the SOAP 1.1 SOAPAction header, unquoted;
	// "" when absent. WS-Addressing 1.0 SOAP Binding §4 / §5 require it to equal wsa:Action
	// when present; comparing them is the peer's job (the transport does not decode headers).
	Action string
	// ActionPresent tells an absent SOAPAction from an empty one ("") in SOAP 1.1, where
	// §6.1.1 says "An HTTP client MUST use this header field"; for SOAP 1.2 it is Action != "".
	ActionPresent bool
	ContentType   string // as received
	Body          []byte // the exact envelope bytes
	RemoteAddr    string
	Path          string
	Header        http.Header
}

// Reply is what Serve answers.
type Reply struct {
	// Body is the envelope to return on the HTTP response (the back-channel); nil means
	// nothing rides on it: 202 Accepted with an empty body.
	Body []byte
	// Fault marks Body as a SOAP fault: the status becomes 500 (SOAP 1.1 §6.2 "the SOAP HTTP
	// server MUST issue an HTTP 500 ... response"; SOAP 1.2 Part 2 §7.5.2.2).
	Fault bool
	// Status overrides the status derived from Body and Fault when non-zero, e.g. 400 for a
	// SOAP 1.2 env:Sender fault (SOAP 1.2 Part 2 §7.5.2.2).
	Status int
	// Action is written as the action parameter of a SOAP 1.2 response's Content-Type.
	Action string
}

// Handler is the http.Handler in front of a peer. Only POST is served (405 otherwise, with
// Allow: POST, RFC 9110 §15.5.6). Mount Health in front of it for GET /healthz.
type Handler struct {
	// Serve handles one request. A nil Reply (or a Reply with a nil Body) is answered 202.
	// An error is answered with a generic env:Receiver fault (500) whose reason never
	// repeats the error, and reported to OnError.
	Serve func(ctx context.Context, req *Request) (*Reply, error)
	// MaxRequestSize bounds the request body (0 = DefaultMaxRequestSize). Larger requests
	// are answered 413 without reading the rest, and the connection is closed.
	MaxRequestSize int64
	// OnError, when set, learns about failed Serve calls and unreadable requests.
	OnError func(req *Request, err error)
}

func (h *Handler) maxSize() int64 {
	if h.MaxRequestSize > 0 {
		return h.MaxRequestSize
	}
	return DefaultMaxRequestSize
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// SOAP 1.2 Part 2 §7.4: the SOAP request-response MEP uses POST. SOAP 1.1 §6.1 likewise.
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		plain(w, http.StatusMethodNotAllowed, "SOAP messages are sent with POST")
		return
	}
	ct, err := ParseContentType(r.Header.Get("Content-Type"))
	if err != nil {
		plain(w, http.StatusUnsupportedMediaType, err.Error())
		return
	}
	limit := h.maxSize()
	if r.ContentLength > limit {
		// Refuse on the declared length, before reading the body; the unread body makes
		// keeping the connection pointless.
		w.Header().Set("Connection", "close")
		if r.Header.Get("Expect") == "" {
			// Reading one byte through a zero-limit MaxBytesReader marks the response as
			// "request too large" in net/http, which then half-closes the connection and
			// lingers before closing it, so that the client reads the 413 instead of a
			// reset. (With Expect: 100-continue nothing is read: the body never comes.)
			_, _ = http.MaxBytesReader(w, r.Body, 0).Read(make([]byte, 1))
		}
		plain(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request of %d bytes exceeds the limit of %d bytes", r.ContentLength, limit))
		return
	}
	body, err := readBody(http.MaxBytesReader(w, r.Body, limit), r.ContentLength, limit)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) { // chunked body: MaxBytesReader stops at the limit
			plain(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request exceeds the limit of %d bytes", limit))
			return
		}
		h.report(nil, fmt.Errorf("transport: reading request from %s: %w", r.RemoteAddr, err))
		plain(w, http.StatusBadRequest, "could not read the request body")
		return
	}
	req := &Request{Version: ct.Version, ContentType: r.Header.Get("Content-Type"), Body: body,
		RemoteAddr: r.RemoteAddr, Path: r.URL.Path, Header: r.Header}
	if ct.Version == soap.V11 {
		vals, present := r.Header[http.CanonicalHeaderKey(HeaderSOAPAction)]
		req.ActionPresent = present
		if present && len(vals) > 0 {
			req.Action = ParseSOAPAction(vals[0])
		}
	} else {
		req.Action, req.ActionPresent = ct.Action, ct.Action != ""
	}
	if space, local, ok := rootName(body); ok && (space != ct.Version.Namespace() || local != "Envelope") {
		writeEnvelope(w, http.StatusInternalServerError, FormatContentType(soap.V11, ""), []byte(versionMismatchFault))
		return
	}
	reply, err := (*Reply)(nil), errors.New("transport: Handler without Serve")
	if h.Serve != nil {
		reply, err = h.Serve(r.Context(), req)
	}
	if err != nil {
		h.report(req, err)
		writeEnvelope(w, http.StatusInternalServerError, FormatContentType(ct.Version, ""), receiverFault(ct.Version))
		return
	}
	if reply == nil || reply.Body == nil {
		status := http.StatusAccepted
		if reply != nil && reply.Status != 0 {
			status = reply.Status
		}
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(status)
		return
	}
	status := http.StatusOK
	if reply.Fault {
		status = http.StatusInternalServerError
	}
	if reply.Status != 0 {
		status = reply.Status
	}
	writeEnvelope(w, status, FormatContentType(ct.Version, reply.Action), reply.Body)
}

func (h *Handler) report(req *Request, err error) {
	if h.OnError != nil {
		h.OnError(req, err)
	}
}

func writeEnvelope(w http.ResponseWriter, status int, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func plain(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}

// Health answers GET (and HEAD) /healthz with 200 "ok" and passes everything else to next,
// for container wait strategies and `rsppeer` supervision.
func Health(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			_, _ = io.WriteString(w, "ok")
			return
		}
		next.ServeHTTP(w, r)
	})
}
