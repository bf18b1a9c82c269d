package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/soap"
)

func msg(i int) []byte { return []byte(env12(fmt.Sprintf("<m>%d</m>", i))) }

// side runs a tap test on the client side (RoundTripper) or the server side (Middleware).
type side struct {
	name   string
	client bool
}

var sides = []side{{"client", true}, {"server", false}}

// setup returns a client posting to a sink through tap on the chosen side.
func setup(t *testing.T, sd side, tap *Tap, s *sink) (*Client, string) {
	t.Helper()
	if sd.client {
		srv := newSink(t, s, nil)
		tr := NewHTTPTransport()
		t.Cleanup(tr.CloseIdleConnections)
		return NewClient(tap.RoundTripper(tr)), srv.URL
	}
	srv := newSink(t, s, tap.Middleware)
	tr := NewHTTPTransport()
	t.Cleanup(tr.CloseIdleConnections)
	return NewClient(tr), srv.URL
}

func post(c *Client, url string, i int) (*Response, error) {
	return c.Post(context.Background(), url, soap.V12, "urn:m", msg(i))
}

func TestTapDrop(t *testing.T) {
	for _, sd := range sides {
		t.Run(sd.name, func(t *testing.T) {
			s := &sink{reply: echo}
			tap := NewTap(1, Rule{Nth: []int{2}, Effect: DropRequest}, Rule{Nth: []int{4}, Effect: DropResponse})
			c, url := setup(t, sd, tap, s)
			var errs []error
			for i := 1; i <= 5; i++ {
				_, err := post(c, url, i)
				errs = append(errs, err)
			}
			if errs[0] != nil || errs[2] != nil || errs[4] != nil || errs[1] == nil || errs[3] == nil {
				t.Fatalf("errors %v", errs)
			}
			if sd.client && (!errors.Is(errs[1], ErrDroppedRequest) || !errors.Is(errs[3], ErrDroppedResponse)) {
				t.Fatalf("client side errors %v", errs)
			}
			// The dropped request never arrived; the one whose response was lost did.
			want := []string{string(msg(1)), string(msg(3)), string(msg(4)), string(msg(5))}
			if got := s.bodies(); !slices.Equal(got, want) {
				t.Fatalf("delivered %q", got)
			}
			st := tap.Stats()
			if st.Messages != 5 || st.DroppedRequests != 1 || st.DroppedResponses != 1 || st.Passed != 3 {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}

func TestTapDelay(t *testing.T) {
	for _, sd := range sides {
		for _, onResp := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/response=%v", sd.name, onResp), func(t *testing.T) {
				var deliveredAt atomic.Int64
				s := &sink{reply: func(r *Request) (*Reply, error) { deliveredAt.Store(time.Now().UnixNano()); return echo(r) }}
				tap := NewTap(1, Rule{Effect: Delay, Delay: 150 * time.Millisecond, OnResponse: onResp})
				c, url := setup(t, sd, tap, s)
				start := time.Now()
				resp, err := post(c, url, 1)
				if err != nil || string(resp.Body) != string(msg(1)) {
					t.Fatalf("%v %+v", err, resp)
				}
				if el := time.Since(start); el < 150*time.Millisecond {
					t.Fatalf("round trip took %v", el)
				}
				after := time.Unix(0, deliveredAt.Load()).Sub(start)
				if early := after < 100*time.Millisecond; early != onResp {
					t.Fatalf("delivered after %v; response delay=%v", after, onResp)
				}
				if tap.Stats().Delayed != 1 {
					t.Fatalf("stats %+v", tap.Stats())
				}
			})
		}
	}
}

func TestTapDuplicate(t *testing.T) {
	for _, sd := range sides {
		t.Run(sd.name, func(t *testing.T) {
			n := 0
			var mu sync.Mutex
			s := &sink{reply: func(r *Request) (*Reply, error) {
				mu.Lock()
				defer mu.Unlock()
				n++
				return &Reply{Body: []byte(env12(fmt.Sprintf("<reply>%d</reply>", n)))}, nil
			}}
			tap := NewTap(1, Rule{Action: "urn:m", Nth: []int{2}, Effect: Duplicate})
			c, url := setup(t, sd, tap, s)
			var replies []string
			for i := 1; i <= 3; i++ {
				resp, err := post(c, url, i)
				if err != nil {
					t.Fatal(err)
				}
				replies = append(replies, string(resp.Body))
			}
			want := []string{string(msg(1)), string(msg(2)), string(msg(2)), string(msg(3))}
			if got := s.bodies(); !slices.Equal(got, want) {
				t.Fatalf("delivered %q", got)
			}
			// The sender sees the first copy's response.
			if !strings.Contains(replies[1], "<reply>2</reply>") || !strings.Contains(replies[2], "<reply>4</reply>") {
				t.Fatalf("replies %q", replies)
			}
		})
	}
}

// waitHeld waits until n messages are held by tap.
func waitHeld(t *testing.T, tap *Tap, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		tap.mu.Lock()
		h := len(tap.held)
		tap.mu.Unlock()
		if h == n {
			return
		}
	}
	t.Fatalf("no message held")
}

func TestTapReorder(t *testing.T) {
	for _, sd := range sides {
		t.Run(sd.name, func(t *testing.T) {
			s := &sink{reply: echo}
			tap := NewTap(1, Rule{Nth: []int{1}, Effect: Reorder, Delay: 5 * time.Second})
			c, url := setup(t, sd, tap, s)
			first := make(chan error, 1)
			go func() { _, err := post(c, url, 1); first <- err }()
			waitHeld(t, tap, 1)
			if _, err := post(c, url, 2); err != nil {
				t.Fatal(err)
			}
			if err := <-first; err != nil {
				t.Fatal(err)
			}
			if got, want := s.bodies(), []string{string(msg(2)), string(msg(1))}; !slices.Equal(got, want) {
				t.Fatalf("delivered %q, want 2 before 1", got)
			}
			if st := tap.Stats(); st.Reordered != 1 || st.HoldTimeouts != 0 {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}

func TestTapReorderHoldTimeout(t *testing.T) {
	s := &sink{reply: echo}
	tap := NewTap(1, Rule{Effect: Reorder, Delay: 50 * time.Millisecond})
	c, url := setup(t, sides[0], tap, s)
	start := time.Now()
	if _, err := post(c, url, 1); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 50*time.Millisecond || s.count() != 1 {
		t.Fatalf("alone, a held message is released after the hold: %v, %d", el, s.count())
	}
	if st := tap.Stats(); st.HoldTimeouts != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestTapCorruptAndTruncate(t *testing.T) {
	for _, sd := range sides {
		t.Run(sd.name, func(t *testing.T) {
			// A raw handler: a flipped bit in the document element would otherwise be
			// answered with a VersionMismatch fault by the Handler.
			s := &sink{}
			var raw http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				_, _ = s.serve(r.Context(), &Request{Body: b})
				writeEnvelope(w, 200, FormatContentType(soap.V12, ""), b)
			})
			tap := NewTap(3, Rule{Nth: []int{1}, Effect: Corrupt}, Rule{Nth: []int{2}, Effect: Truncate},
				Rule{Nth: []int{3}, Effect: Corrupt, OnResponse: true})
			tr := NewHTTPTransport()
			t.Cleanup(tr.CloseIdleConnections)
			c := NewClient(tap.RoundTripper(tr))
			if !sd.client {
				raw, c = tap.Middleware(raw), NewClient(tr)
			}
			srv := httptest.NewServer(raw)
			defer srv.Close()
			url := srv.URL
			for i := 1; i <= 3; i++ {
				resp, err := post(c, url, i)
				if err != nil {
					t.Fatal(err)
				}
				if i == 3 && oneBitOff(resp.Body, msg(3)) < 0 {
					t.Errorf("response not corrupted by one bit: %q", resp.Body)
				}
			}
			got := s.bodies()
			if at := oneBitOff([]byte(got[0]), msg(1)); at < 0 {
				t.Errorf("request 1 not corrupted by one bit: %q", got[0])
			}
			if !(len(got[1]) < len(msg(2)) && bytes.HasPrefix(msg(2), []byte(got[1]))) {
				t.Errorf("request 2 not truncated: %q", got[1])
			}
			if got[2] != string(msg(3)) {
				t.Errorf("request 3 changed: %q", got[2])
			}
			d := tap.Decisions()
			if len(d) != 3 || d[0].Effect != Corrupt || d[1].Effect != Truncate || !strings.HasPrefix(d[2].Detail, "response byte") {
				t.Errorf("decisions %+v", d)
			}
		})
	}
}

// oneBitOff returns the index of the only differing byte of a and b when they differ in
// exactly one bit, else -1.
func oneBitOff(a, b []byte) int {
	if len(a) != len(b) {
		return -1
	}
	at := -1
	for i := range a {
		if x := a[i] ^ b[i]; x != 0 {
			if at >= 0 || x&(x-1) != 0 {
				return -1
			}
			at = i
		}
	}
	return at
}

func TestTapDeterministic(t *testing.T) {
	run := func(seed uint64) []Decision {
		s := &sink{reply: echo}
		tap := NewTap(seed,
			Rule{Prob: 0.1, Effect: DropRequest},
			Rule{Prob: 0.1, Effect: Duplicate},
			Rule{Prob: 0.2, Effect: Corrupt},
			Rule{Action: "urn:other", Effect: Truncate},
		)
		c, url := setup(t, sides[0], tap, s)
		for i := 1; i <= 100; i++ {
			_, _ = post(c, url, i)
		}
		return tap.Decisions()
	}
	key := func(ds []Decision) string {
		var b strings.Builder
		for _, d := range ds {
			fmt.Fprintf(&b, "%d:%v:%s ", d.N, d.Effect, d.Detail)
		}
		return b.String()
	}
	a, b, c := key(run(42)), key(run(42)), key(run(43))
	if a != b {
		t.Fatalf("same seed, different faults:\n%s\n%s", a, b)
	}
	if a == c {
		t.Fatalf("different seeds, same faults: %s", a)
	}
	if !strings.Contains(a, "drop-request") || !strings.Contains(a, "duplicate") || !strings.Contains(a, "corrupt") || strings.Contains(a, "truncate") {
		t.Fatalf("decisions %s", a)
	}
}

func TestTapActionAndLimit(t *testing.T) {
	s := &sink{reply: echo}
	tap := NewTap(1, Rule{Action: "urn:ack", Limit: 2, Effect: DropRequest},
		Rule{Match: func(m Message) bool { return bytes.Contains(m.Body, []byte("<m>7</m>")) }, Effect: DropRequest})
	c, url := setup(t, sides[0], tap, s)
	dropped := 0
	for i := 1; i <= 8; i++ {
		action := "urn:m"
		if i%2 == 0 {
			action = "urn:ack"
		}
		if _, err := c.Post(context.Background(), url, soap.V11, action, []byte(env11(fmt.Sprintf("<m>%d</m>", i)))); errors.Is(err, ErrDroppedRequest) {
			dropped++
		}
	}
	// urn:ack messages 2 and 4 (Limit 2), and message 7 by content; SOAP 1.1 reads SOAPAction.
	if dropped != 3 || s.count() != 5 {
		t.Fatalf("dropped %d, delivered %d", dropped, s.count())
	}
}

func TestTapConcurrent(t *testing.T) {
	s := &sink{reply: echo}
	rules := []Rule{
		{Prob: 0.05, Effect: Delay, Delay: time.Millisecond},
		{Prob: 0.05, Effect: Duplicate},
		{Prob: 0.05, Effect: Corrupt},
		{Prob: 0.05, Effect: Reorder, Delay: 20 * time.Millisecond},
		{Prob: 0.05, Effect: DropResponse},
	}
	serverTap, clientTap := NewTap(7, rules...), NewTap(8, rules...)
	srv := newSink(t, s, serverTap.Middleware)
	tr := NewHTTPTransport()
	defer tr.CloseIdleConnections()
	c := NewClient(clientTap.RoundTripper(tr))
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := range 20 {
				_, _ = post(c, srv.URL, w*100+i)
			}
		})
	}
	wg.Wait()
	cs, ss := clientTap.Stats(), serverTap.Stats()
	if cs.Messages != 320 {
		t.Fatalf("client tap saw %d", cs.Messages)
	}
	if sum := cs.Passed + cs.Delayed + cs.Duplicated + cs.Corrupted + cs.Reordered + cs.DroppedResponses; sum != cs.Messages {
		t.Fatalf("client stats do not add up: %+v", cs)
	}
	if ss.Messages < 320-cs.DroppedRequests || ss.Messages > 320+cs.Duplicated {
		t.Fatalf("server tap saw %d (client stats %+v)", ss.Messages, cs)
	}
	t.Logf("client %+v\nserver %+v", cs, ss)
}
