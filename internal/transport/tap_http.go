package transport

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
)

// actionOf is the action a request announces in its binding headers.
func actionOf(h http.Header) string {
	ct, _ := ParseContentType(h.Get("Content-Type"))
	if ct.MediaType == MediaType11 {
		return ParseSOAPAction(h.Get(HeaderSOAPAction))
	}
	return ct.Action
}

// readUpTo reads at most limit bytes of r; complete is false when r had more, in which case
// the returned bytes are the start of it.
func readUpTo(r io.Reader, limit int64) (b []byte, complete bool, err error) {
	if r == nil || r == http.NoBody {
		return nil, true, nil
	}
	b, err = io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(b)) > limit {
		return b, false, err
	}
	return b, true, err
}

// RoundTripper wraps next (nil = SharedTransport()) so that every request a Client sends goes
// through the Tap. DropRequest returns ErrDroppedRequest without sending; DropResponse sends,
// discards the response and returns ErrDroppedResponse; Duplicate sends twice, the second copy
// after the first response has arrived, and returns the first response; Reorder holds the
// request until another request through this Tap has had its response (or the hold ends).
func (t *Tap) RoundTripper(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = SharedTransport()
	}
	return &tapTransport{t: t, next: next}
}

type tapTransport struct {
	t    *Tap
	next http.RoundTripper
}

func (tt *tapTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	body, complete, err := readUpTo(req.Body, tt.t.maxBody())
	if req.Body != nil {
		defer req.Body.Close() // a RoundTripper must close the request body
	}
	if err != nil {
		return nil, err
	}
	if !complete {
		tt.t.mu.Lock()
		tt.t.stats.Unchecked++
		tt.t.mu.Unlock()
		r2 := req.Clone(req.Context())
		r2.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), req.Body))
		return tt.next.RoundTrip(r2)
	}
	ctx := req.Context()
	d := tt.t.decide(actionOf(req.Header), body)
	switch d.Effect {
	case DropRequest:
		return nil, ErrDroppedRequest
	case Reorder:
		tt.t.hold(ctx, d.wait)
	case Delay:
		if d.onRequest() {
			if err := sleep(ctx, d.wait); err != nil {
				return nil, err
			}
		}
	case Corrupt, Truncate:
		if d.onRequest() {
			body = d.mutate(body)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	resp, err := tt.send(req, body)
	if d.Effect != Reorder && err == nil {
		defer tt.t.releaseHeld()
	}
	if err != nil {
		return nil, err
	}
	switch d.Effect {
	case DropResponse:
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, ErrDroppedResponse
	case Duplicate:
		if err := buffer(resp, tt.t.maxBody(), nil); err != nil {
			return nil, err
		}
		if dup, err := tt.send(req, body); err == nil {
			_, _ = io.Copy(io.Discard, dup.Body)
			dup.Body.Close()
		}
	case Delay:
		if d.onResponse {
			if err := buffer(resp, tt.t.maxBody(), nil); err != nil {
				return nil, err
			}
			if err := sleep(ctx, d.wait); err != nil {
				return nil, err
			}
		}
	case Corrupt, Truncate:
		if d.onResponse {
			if err := buffer(resp, tt.t.maxBody(), d.mutate); err != nil {
				return nil, err
			}
		}
	}
	return resp, nil
}

func (tt *tapTransport) send(req *http.Request, body []byte) (*http.Response, error) {
	r2 := req.Clone(req.Context())
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	r2.ContentLength = int64(len(body))
	return tt.next.RoundTrip(r2)
}

// buffer reads resp's body into memory (applying f to it when set) so that the connection is
// free before the Tap goes on.
func buffer(resp *http.Response, limit int64, f func([]byte) []byte) error {
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	resp.Body.Close()
	if err != nil {
		return err
	}
	if f != nil {
		b = f(b)
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	resp.ContentLength = int64(len(b))
	resp.Header.Set("Content-Length", strconv.Itoa(len(b)))
	return nil
}

// Middleware puts the Tap in front of a receiving handler. DropRequest closes the connection
// without delivering or answering (the sender sees a transport error); DropResponse delivers,
// then closes the connection instead of answering; Duplicate delivers twice, answering with
// the first response; Reorder holds the request until another request has been delivered (or
// the hold ends). Requests other than POST pass untouched and are not counted.
func (t *Tap) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		body, complete, err := readUpTo(r.Body, t.maxBody())
		if err != nil {
			panic(http.ErrAbortHandler) // the sender went away mid-body
		}
		if !complete {
			t.mu.Lock()
			t.stats.Unchecked++
			t.mu.Unlock()
			r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
			next.ServeHTTP(w, r)
			return
		}
		ctx := r.Context()
		d := t.decide(actionOf(r.Header), body)
		switch d.Effect {
		case DropRequest:
			// http.ErrAbortHandler: net/http closes the connection without a response.
			panic(http.ErrAbortHandler)
		case Reorder:
			t.hold(ctx, d.wait)
		case Delay:
			if d.onRequest() && sleep(ctx, d.wait) != nil {
				panic(http.ErrAbortHandler)
			}
		case Corrupt, Truncate:
			if d.onRequest() {
				body = d.mutate(body)
			}
		}
		deliver := func(w http.ResponseWriter) {
			r2 := r.Clone(ctx)
			r2.Body = io.NopCloser(bytes.NewReader(body))
			r2.ContentLength = int64(len(body))
			r2.TransferEncoding = nil
			r2.Header.Set("Content-Length", strconv.Itoa(len(body)))
			next.ServeHTTP(w, r2)
		}
		if d.Effect == DropResponse || (d.onResponse && (d.Effect == Delay || d.Effect == Corrupt || d.Effect == Truncate)) {
			rec := &recorder{header: http.Header{}}
			deliver(rec)
			t.releaseHeld()
			if d.Effect == DropResponse {
				panic(http.ErrAbortHandler)
			}
			if d.Effect == Delay && sleep(ctx, d.wait) != nil {
				panic(http.ErrAbortHandler)
			}
			rec.flush(w, d.mutate)
			return
		}
		deliver(w)
		if d.Effect != Reorder {
			t.releaseHeld()
		}
		if d.Effect == Duplicate {
			deliver(&recorder{header: http.Header{}})
		}
	})
}

// recorder buffers a response.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(s int) {
	if r.status == 0 {
		r.status = s
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

func (r *recorder) flush(w http.ResponseWriter, f func([]byte) []byte) {
	b := f(r.body.Bytes())
	for k, v := range r.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	if r.status == 0 {
		r.status = http.StatusOK
	}
	w.WriteHeader(r.status)
	_, _ = w.Write(b)
}
