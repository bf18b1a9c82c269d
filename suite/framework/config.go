package framework

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/peer"
)

// Role is the role the SUT plays.
type Role string

// The SUT roles.
const (
	Responder Role = "responder" // the SUT is the RM Destination (and SCT issuer); the suite initiates
	Initiator Role = "initiator" // the SUT is the RM Source; the suite responds
)

// Config is what a run is pointed at. Set it with Configure before the specs run.
type Config struct {
	Profile peer.Profile
	SOAP    soap.Version
	// Roles are the SUT roles whose specs run: both for the embedded peers; the descriptor's
	// role for an external SUT.
	Roles []Role
	// SUT describes an external system under test; nil = the embedded reference peers.
	SUT *SUT
	// Listen is where the scripted responder listens for an external SUT initiator
	// ("127.0.0.1:0" when empty).
	Listen string
	// Strict fails SHOULD and MAY deviations.
	Strict bool
	// Misbehave are knobs of the embedded reference peers (the suite's self-validation: each
	// knob must make named assertions fail).
	Misbehave []string
	// SpecTimeout bounds one spec (30 s when zero).
	SpecTimeout time.Duration
	// RunSUT, when set, runs an external SUT initiator once against endpoint instead of the
	// descriptor's run command (a container: cmd/rspcheck sets it); vars are {messages},
	// {sequences}, {size} and, for the two runs of a recovery spec, {state}: a host directory
	// that must hold the SUT's state across them. When ctx ends the SUT is killed (the crash).
	// It returns the SUT's output and its failure.
	RunSUT func(ctx context.Context, endpoint string, vars map[string]string) (string, error)
	// RestartSUT, when set, restarts an external SUT responder instead of the descriptor's
	// restart command and returns its endpoint afterwards (a container's mapped port can change).
	RestartSUT func(ctx context.Context) (string, error)
}

var (
	cfgMu sync.RWMutex
	cfg   = Config{Roles: []Role{Responder, Initiator}}
)

// Configure sets the run's configuration.
func Configure(c Config) error {
	if c.SUT != nil {
		if err := c.SUT.Check(); err != nil {
			return err
		}
		c.Roles = []Role{c.SUT.Role}
		c.Profile, c.SOAP = c.SUT.profile, c.SUT.soap
	}
	if len(c.Roles) == 0 {
		c.Roles = []Role{Responder, Initiator}
	}
	for _, r := range c.Roles {
		if r != Responder && r != Initiator {
			return fmt.Errorf("unknown role %q (want responder or initiator)", r)
		}
	}
	if c.SpecTimeout <= 0 {
		c.SpecTimeout = 30 * time.Second
	}
	cfgMu.Lock()
	cfg = c
	cfgMu.Unlock()
	return nil
}

// Current returns the run's configuration.
func Current() Config {
	cfgMu.RLock()
	defer cfgMu.RUnlock()
	return cfg
}

// runs reports whether specs for a SUT in role r run.
func (c Config) runs(r Role) bool {
	for _, x := range c.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Embedded reports whether the SUT is the embedded reference peers.
func (c Config) Embedded() bool { return c.SUT == nil }
