package transport

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
)

func TestContentTypesBothVersions(t *testing.T) {
	for _, v := range []soap.Version{soap.V12, soap.V11} {
		t.Run(v.String(), func(t *testing.T) {
			s := &sink{reply: func(r *Request) (*Reply, error) {
				return &Reply{Body: r.Body, Action: "urn:reply"}, nil
			}}
			srv := newSink(t, s, nil)
			c := NewClient(nil)
			body := envOf(v, "<x>1</x>")
			resp, err := c.Post(context.Background(), srv.URL+"/rm", v, "urn:act", []byte(body))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != 200 || string(resp.Body) != body {
				t.Fatalf("status %d body %q", resp.Status, resp.Body)
			}
			r := s.req(0)
			if r.Version != v || r.Action != "urn:act" || !r.ActionPresent || r.Path != "/rm" || r.RemoteAddr == "" {
				t.Fatalf("request seen as %+v", r)
			}
			wantReq := `application/soap+xml; charset=utf-8; action="urn:act"`
			wantResp := `application/soap+xml; charset=utf-8; action="urn:reply"`
			if v == soap.V11 {
				wantReq, wantResp = "text/xml; charset=utf-8", "text/xml; charset=utf-8"
				if got := r.Header.Get("SOAPAction"); got != `"urn:act"` {
					t.Errorf("SOAPAction %q, want quoted", got)
				}
			} else if r.Header.Get("SOAPAction") != "" {
				t.Errorf("SOAP 1.2 request carries SOAPAction")
			}
			if r.ContentType != wantReq {
				t.Errorf("request Content-Type %q, want %q", r.ContentType, wantReq)
			}
			if resp.ContentType != wantResp {
				t.Errorf("response Content-Type %q, want %q", resp.ContentType, wantResp)
			}
		})
	}
}

func TestSOAP11MissingSOAPAction(t *testing.T) {
	s := &sink{}
	srv := newSink(t, s, nil)
	resp, _ := rawPost(t, srv.URL, map[string]string{"Content-Type": "text/xml"}, env11(""))
	if resp.StatusCode != 202 || s.req(0).ActionPresent || s.req(0).Action != "" {
		t.Fatalf("status %d, request %+v", resp.StatusCode, s.req(0))
	}
	resp, _ = rawPost(t, srv.URL, map[string]string{"Content-Type": "text/xml", "SOAPAction": `""`}, env11(""))
	if resp.StatusCode != 202 || !s.req(1).ActionPresent || s.req(1).Action != "" {
		t.Fatalf("empty SOAPAction: status %d, request %+v", resp.StatusCode, s.req(1))
	}
}

func TestOneWay202(t *testing.T) {
	srv := newSink(t, &sink{}, nil)
	resp, err := NewClient(nil).Post(context.Background(), srv.URL, soap.V12, "urn:oneway", []byte(env12("")))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusAccepted || len(resp.Body) != 0 || resp.IsFault() {
		t.Fatalf("status %d body %q", resp.Status, resp.Body)
	}
	if cl := resp.Header.Get("Content-Length"); cl != "0" {
		t.Errorf("Content-Length %q", cl)
	}
}

func TestFault500(t *testing.T) {
	for _, v := range []soap.Version{soap.V12, soap.V11} {
		fault := envOf(v, "<s:Fault>...</s:Fault>")
		srv := newSink(t, &sink{reply: func(*Request) (*Reply, error) { return &Reply{Body: []byte(fault), Fault: true}, nil }}, nil)
		resp, err := NewClient(nil).Post(context.Background(), srv.URL, v, "urn:x", []byte(envOf(v, "")))
		if err != nil {
			t.Fatalf("%v: a fault is a response, not an error: %v", v, err)
		}
		if resp.Status != 500 || !resp.IsFault() || string(resp.Body) != fault {
			t.Fatalf("%v: status %d body %q", v, resp.Status, resp.Body)
		}
	}
	// SOAP 1.2 Part 2 §7.5.2.2: env:Sender faults may come as 400.
	srv := newSink(t, &sink{reply: func(*Request) (*Reply, error) {
		return &Reply{Body: []byte(env12("<s:Fault/>")), Fault: true, Status: 400}, nil
	}}, nil)
	resp, err := NewClient(nil).Post(context.Background(), srv.URL, soap.V12, "", []byte(env12("")))
	if err != nil || resp.Status != 400 || !resp.IsFault() {
		t.Fatalf("400 fault: %v %+v", err, resp)
	}
}

func TestServeErrorIsGenericReceiverFault(t *testing.T) {
	var reported atomic.Value
	h := &Handler{
		Serve:   func(context.Context, *Request) (*Reply, error) { return nil, errors.New("key 0xSECRET unusable") },
		OnError: func(_ *Request, err error) { reported.Store(err) },
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := NewClient(nil).Post(context.Background(), srv.URL, soap.V12, "", []byte(env12("")))
	if err != nil || resp.Status != 500 {
		t.Fatalf("%v %+v", err, resp)
	}
	if strings.Contains(string(resp.Body), "SECRET") {
		t.Fatalf("the error leaked onto the wire: %s", resp.Body)
	}
	m, err := codec.Decode(resp.Body, codec.Options{})
	if err != nil || m.Fault() == nil || m.Fault().Code != soap.Receiver || m.SOAP != soap.V12 {
		t.Fatalf("not a SOAP 1.2 Receiver fault: %v %s", err, resp.Body)
	}
	if reported.Load() == nil {
		t.Error("OnError not called")
	}
}

func TestMethodNotAllowedAndHealth(t *testing.T) {
	srv := httptest.NewServer(Health(&Handler{Serve: (&sink{}).serve}))
	defer srv.Close()
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		req, _ := http.NewRequest(m, srv.URL+"/rm", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 405 || resp.Header.Get("Allow") != "POST" {
			t.Errorf("%s: %d Allow=%q", m, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "ok" {
		t.Errorf("healthz: %d %q", resp.StatusCode, b)
	}
	_, err = NewClient(nil).Post(context.Background(), srv.URL+"/healthz", soap.V12, "", []byte(env12("")))
	if err != nil {
		t.Errorf("POST /healthz is a SOAP request like any other: %v", err)
	}
}

func TestUnsupportedMediaType(t *testing.T) {
	s := &sink{}
	srv := newSink(t, s, nil)
	for _, ct := range []string{"", "application/json", "application/xml", "text/xml; charset=iso-8859-1"} {
		resp, _ := rawPost(t, srv.URL, map[string]string{"Content-Type": ct}, env12(""))
		if resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("%q: %d", ct, resp.StatusCode)
		}
	}
	if s.count() != 0 {
		t.Errorf("Serve called %d times", s.count())
	}
	_, err := NewClient(nil).Post(context.Background(), srv.URL, soap.V12, "", nil)
	if err != nil {
		t.Fatalf("empty body reaches Serve: %v", err)
	}
}

func TestVersionMismatch(t *testing.T) {
	s := &sink{}
	srv := newSink(t, s, nil)
	for _, tc := range []struct {
		name string
		ct   string
		body string
	}{
		{"1.2 envelope as text/xml", "text/xml; charset=utf-8", env12("")},
		{"1.1 envelope as soap+xml", "application/soap+xml; charset=utf-8", env11("")},
		{"unknown envelope namespace", "application/soap+xml", `<s:Envelope xmlns:s="urn:nope"><s:Body/></s:Envelope>`},
		{"not an Envelope", "text/xml", `<Envelope2 xmlns="` + soap.NS11 + `"/>`},
	} {
		resp, body := rawPost(t, srv.URL, map[string]string{"Content-Type": tc.ct}, tc.body)
		if resp.StatusCode != 500 || resp.Header.Get("Content-Type") != "text/xml; charset=utf-8" {
			t.Errorf("%s: %d %q", tc.name, resp.StatusCode, resp.Header.Get("Content-Type"))
			continue
		}
		m, err := codec.Decode([]byte(body), codec.Options{})
		if err != nil {
			t.Fatalf("%s: fault does not decode: %v", tc.name, err)
		}
		f := m.Fault()
		if m.SOAP != soap.V11 || f == nil || f.Code != soap.VersionMismatch {
			t.Errorf("%s: not a SOAP 1.1 VersionMismatch fault: %s", tc.name, body)
		}
		if !strings.Contains(body, "Upgrade") || !strings.Contains(body, "SupportedEnvelope") {
			t.Errorf("%s: no env:Upgrade header", tc.name)
		}
	}
	if s.count() != 0 {
		t.Fatalf("Serve saw %d mismatched requests", s.count())
	}
	// Malformed XML is the peer's to report, with its own detail.
	resp, _ := rawPost(t, srv.URL, map[string]string{"Content-Type": "application/soap+xml"}, "<<<")
	if resp.StatusCode != 202 || s.count() != 1 {
		t.Fatalf("malformed body: %d, Serve calls %d", resp.StatusCode, s.count())
	}
}

// The two ways an acknowledgement travels (WSA-004): for an anonymous AcksTo it rides on the
// HTTP response of the request (200 with the envelope); for an addressable AcksTo the request
// is answered 202 and the ack is a new POST, with the Client, to the AcksTo endpoint.
func TestBackChannelAndAddressableAcksTo(t *testing.T) {
	acks := &sink{}
	acksTo, err := NewServer("127.0.0.1:0", &Handler{Serve: acks.serve})
	if err != nil {
		t.Fatal(err)
	}
	defer acksTo.Close()
	c := NewClient(nil)
	ack := env12("<wsrm:SequenceAcknowledgement/>")
	dest := newSink(t, &sink{reply: func(r *Request) (*Reply, error) {
		if string(r.Body) == env12("<anonymous/>") {
			return &Reply{Body: []byte(ack)}, nil
		}
		if _, err := c.Post(context.Background(), acksTo.URL()+"/acks", soap.V12, "urn:ack", []byte(ack)); err != nil {
			return nil, err
		}
		return nil, nil
	}}, nil)
	resp, err := c.Post(context.Background(), dest.URL, soap.V12, "urn:m", []byte(env12("<anonymous/>")))
	if err != nil || resp.Status != 200 || string(resp.Body) != ack {
		t.Fatalf("back-channel: %v %+v", err, resp)
	}
	resp, err = c.Post(context.Background(), dest.URL, soap.V12, "urn:m", []byte(env12("<addressable/>")))
	if err != nil || resp.Status != 202 || len(resp.Body) != 0 {
		t.Fatalf("addressable: %v %+v", err, resp)
	}
	if acks.count() != 1 || acks.req(0).Path != "/acks" || string(acks.req(0).Body) != ack {
		t.Fatalf("AcksTo endpoint got %d", acks.count())
	}
}
