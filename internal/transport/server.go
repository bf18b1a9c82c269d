package transport

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Timeouts of a Server. A zero field takes its default; a negative one means no limit.
type Timeouts struct {
	ReadHeader time.Duration // default 10s: slow-header clients (Slowloris)
	Read       time.Duration // default 60s: whole request, body included
	Write      time.Duration // default 60s: from the end of the request headers to the end of the response
	Idle       time.Duration // default 120s: keep-alive connection waiting for the next request
}

// DefaultTimeouts are the Server's timeouts unless WithTimeouts says otherwise.
var DefaultTimeouts = Timeouts{ReadHeader: 10 * time.Second, Read: time.Minute, Write: time.Minute, Idle: 2 * time.Minute}

func pick(v, def time.Duration) time.Duration {
	switch {
	case v < 0:
		return 0
	case v == 0:
		return def
	}
	return v
}

// ServerOption configures NewServer.
type ServerOption func(*http.Server)

// WithTimeouts sets the server's timeouts.
func WithTimeouts(t Timeouts) ServerOption {
	return func(s *http.Server) {
		s.ReadHeaderTimeout = pick(t.ReadHeader, DefaultTimeouts.ReadHeader)
		s.ReadTimeout = pick(t.Read, DefaultTimeouts.Read)
		s.WriteTimeout = pick(t.Write, DefaultTimeouts.Write)
		s.IdleTimeout = pick(t.Idle, DefaultTimeouts.Idle)
	}
}

// WithConnState observes connection state changes (tests count new connections with it).
func WithConnState(f func(net.Conn, http.ConnState)) ServerOption {
	return func(s *http.Server) { s.ConnState = f }
}

// Server is an HTTP server for one handler: it is listening when NewServer returns, so that
// its address (":0" picks a free port) can be printed before the first request arrives.
type Server struct {
	srv  *http.Server
	ln   net.Listener
	done chan struct{}
	mu   sync.Mutex
	err  error
}

// NewServer listens on addr and serves h in the background until Shutdown or Close.
func NewServer(addr string, h http.Handler, opts ...ServerOption) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: h, MaxHeaderBytes: 64 << 10}
	WithTimeouts(Timeouts{})(srv)
	for _, o := range opts {
		o(srv)
	}
	s := &Server{srv: srv, ln: ln, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.mu.Lock()
			s.err = err
			s.mu.Unlock()
		}
	}()
	return s, nil
}

// Addr is the bound address.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// URL is "http://host:port" of the bound address; an unspecified host (":8080", "0.0.0.0",
// "[::]") is reported as 127.0.0.1, which the local machine can always reach. Peers in a
// container print their external name themselves.
func (s *Server) URL() string {
	host, port := "127.0.0.1", ""
	if ta, ok := s.ln.Addr().(*net.TCPAddr); ok {
		port = strconv.Itoa(ta.Port)
		if !ta.IP.IsUnspecified() {
			host = ta.IP.String()
		}
	}
	return "http://" + net.JoinHostPort(host, port)
}

// Shutdown stops accepting connections, waits for in-flight requests until ctx ends, then
// closes what is left (net/http Server.Shutdown). It returns the serve error, if any.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if err != nil {
		_ = s.srv.Close()
	}
	<-s.done
	if e := s.Err(); e != nil {
		return e
	}
	return err
}

// Close closes the listener and every connection at once.
func (s *Server) Close() error {
	err := s.srv.Close()
	<-s.done
	return err
}

// Done is closed when the server has stopped serving.
func (s *Server) Done() <-chan struct{} { return s.done }

// Err is the error that stopped the server early (nil after a Shutdown or Close).
func (s *Server) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}
