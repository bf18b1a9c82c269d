package framework

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/rspcheck/rspcheck/internal/token"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/peer"
)

// SUT is a SUT descriptor (QUIC interop runner style): what the product is, where it is, how
// the suite obtains an SCT for it, what it declares it supports, and which assertions it is
// expected to fail.
//
//	product: gSOAP
//	version: 2.8.124
//	role: responder                     # or initiator
//	endpoint: http://127.0.0.1:8080/rm  # responder role
//	profile: p11                        # or p05
//	soap: "1.2"
//	sct:
//	  issuance: ws-trust                # or provisioned (identifier + secret_b64)
//	capabilities: [derived-keys, offer, close, addressable-acks-to, issuance, cancel, renew, restart]
//	restart: ["docker", "restart", "sut"]          # how to restart the SUT (recovery phase)
//	run: ["my-client", "--to", "{endpoint}", "--messages", "{messages}", "--data", "{state}"]   # initiator role
//	baseline: {RM-CS-004: "no duplex support"}
//	container:                          # instead of endpoint/run: rspcheck starts the SUT itself
//	  build: ./image                    # Dockerfile directory (or rsppeer / gsoap: the project's images)
//	  image: acme/rm:1.0                # the tag it is built as (or an image already present locally)
//	  env: {ROLE: server}               # initiator: values may use {endpoint} {messages} {sequences} {size}
//	  port: 8080                        # responder: container port of the SOAP endpoint
//	  path: /rm                         # responder: endpoint path
//	  health: http                      # responder readiness: http (GET /healthz) or port
//	  data: /data                       # kept on a volume across restarts (recovery phase)
type SUT struct {
	Product      string            `yaml:"product"`
	Version      string            `yaml:"version"`
	Role         Role              `yaml:"role"`
	Endpoint     string            `yaml:"endpoint"`
	Profile      string            `yaml:"profile"`
	SOAP         string            `yaml:"soap"`
	SCT          SCTSource         `yaml:"sct"`
	Capabilities []Capability      `yaml:"capabilities"`
	Restart      []string          `yaml:"restart"`
	Run          []string          `yaml:"run"`
	Baseline     map[string]string `yaml:"baseline"`
	// Misbehave configures embedded reference peers used as a SUT (the containers' and the
	// self-validation's way to run a knob); ignored for external products.
	Misbehave []string `yaml:"misbehave"`
	// Container, when set, makes rspcheck run build and start the SUT as a container (the
	// container/ package): a responder's endpoint and an initiator's run come from it.
	Container *ContainerSpec `yaml:"container"`
	// Application, for a SUT responder, is the shape of the application messages its
	// application accepts (action and Body template); default: the reference peers' ones.
	Application *Application `yaml:"application"`

	// File is where the descriptor was read from (for messages).
	File    string       `yaml:"-"`
	profile peer.Profile `yaml:"-"`
	soap    soap.Version `yaml:"-"`
}

// ContainerSpec is the container of a SUT (see SUT).
type ContainerSpec struct {
	Build  string            `yaml:"build"`
	Image  string            `yaml:"image"`
	Env    map[string]string `yaml:"env"`
	Args   []string          `yaml:"args"`
	Port   string            `yaml:"port"`
	Path   string            `yaml:"path"`
	Health string            `yaml:"health"`
	// Data is a directory in the container kept on a volume across restarts (the SUT's state
	// directory): with it and CapRestart, the recovery phase runs against the container.
	Data string `yaml:"data"`
}

// The project's own images, as container.build values.
const (
	BuildRsppeer = "rsppeer"
	BuildGSOAP   = "gsoap"
)

// SCTSource says how the suite obtains the SCT for a SUT.
type SCTSource struct {
	// Issuance is "ws-trust" (the SUT issues SCTs: RST/SCT to its endpoint, or to Issuer when
	// set) or "provisioned" (Identifier and SecretB64 agreed out of band).
	Issuance   string `yaml:"issuance"`
	Issuer     string `yaml:"issuer"`
	Identifier string `yaml:"identifier"`
	SecretB64  string `yaml:"secret_b64"`
	// Attach puts the wsc:SecurityContextToken into the Security header of every message the
	// suite sends (referenced locally, "#id") instead of naming it by its Identifier: for a SUT
	// that resolves only attached tokens (gSOAP).
	Attach bool `yaml:"attach"`
}

// attachSCT reports whether the suite attaches the SCT to its messages (SCTSource.Attach).
func (s *SUT) attachSCT() bool { return s != nil && s.SCT.Attach }

// Capability is an optional feature a SUT declares. Specs that need one a SUT does not declare
// are skipped as "unsupported".
type Capability string

// The capabilities specs ask for.
const (
	CapIssuance      Capability = "issuance" // answers RST/SCT (WS-Trust)
	CapRenew         Capability = "renew"    // answers RST/SCT/Renew
	CapCancel        Capability = "cancel"   // answers RST/SCT/Cancel
	CapDerivedKeys   Capability = "derived-keys"
	CapOffer         Capability = "offer" // accepts Offers (duplex)
	CapClose         Capability = "close" // CloseSequence (1.1)
	CapAddressableAT Capability = "addressable-acks-to"
	CapRestart       Capability = "restart"    // the suite can restart it (recovery phase)
	CapObservable    Capability = "observable" // the suite can see what it delivered (embedded only)
	// CapX509Bootstrap: the issuance is protected with X.509 certificates (SC-ISS-014). For an
	// external SUT the suite has no certificate material, so the specs that need it are
	// skipped as unsupported there.
	CapX509Bootstrap Capability = "x509-bootstrap"
	// CapAmend: the issuer answers RST/SCT/Amend (SC-AMD-001); the reference issuer does not.
	CapAmend Capability = "amend"
	// CapSignatureConfirmation: the SUT's policy requires wsse11:SignatureConfirmation in
	// responses (WSS-006); the reference peers' policy does not.
	CapSignatureConfirmation Capability = "signature-confirmation"
)

// EmbeddedCapabilities are what the reference peers support.
var EmbeddedCapabilities = []Capability{CapIssuance, CapRenew, CapCancel, CapDerivedKeys, CapOffer, CapClose,
	CapAddressableAT, CapRestart, CapObservable, CapX509Bootstrap}

// KnownCapabilities are every capability a descriptor may declare: the embedded peers' and
// the optional features they do not implement.
var KnownCapabilities = append(append([]Capability(nil), EmbeddedCapabilities...), CapAmend, CapSignatureConfirmation)

// LoadSUT reads a descriptor; errors name the file (and, for YAML errors, the line).
func LoadSUT(file string) (*SUT, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return ParseSUT(data, file)
}

// ParseSUT reads a descriptor from data; file names it in errors and anchors relative paths.
func ParseSUT(data []byte, file string) (*SUT, error) {
	var s SUT
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	s.File = file
	// Relative paths in commands are relative to the descriptor.
	base := filepath.Dir(file)
	for _, cmd := range [][]string{s.Restart, s.Run} {
		if len(cmd) > 0 && strings.HasPrefix(cmd[0], "./") {
			cmd[0] = filepath.Join(base, cmd[0])
		}
	}
	if c := s.Container; c != nil && c.Build != "" && c.Build != BuildRsppeer && c.Build != BuildGSOAP && !filepath.IsAbs(c.Build) {
		c.Build = filepath.Join(base, c.Build)
	}
	if err := s.Check(); err != nil {
		return nil, err
	}
	return &s, nil
}

// Check validates the descriptor.
func (s *SUT) Check() error {
	var errs []error
	bad := func(f string, a ...any) { errs = append(errs, fmt.Errorf(f, a...)) }
	if c := s.Container; c != nil {
		if c.Build == "" && c.Image == "" {
			bad("container: needs build (a Dockerfile directory, rsppeer or gsoap) or image")
		}
		if c.Build != "" && c.Build != BuildRsppeer && c.Build != BuildGSOAP && c.Image == "" {
			bad("container.image: the tag to build %s as (repository:tag) is required", c.Build)
		}
		switch c.Health {
		case "", "http", "port":
		default:
			bad("container.health: %q (want http or port)", c.Health)
		}
	}
	switch s.Role {
	case Responder:
		if u, err := url.Parse(s.Endpoint); s.Container == nil && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
			bad("endpoint: %q is not an http(s) URL", s.Endpoint)
		}
	case Initiator:
		if len(s.Run) == 0 && s.Container == nil {
			bad("run: an initiator SUT needs the command (or the container) that makes it run against {endpoint}")
		}
	default:
		bad("role: %q (want responder or initiator)", s.Role)
	}
	var err error
	if s.profile, err = peer.ParseProfile(s.Profile); err != nil {
		bad("profile: %v", err)
	}
	if s.soap, err = peer.ParseSOAP(s.SOAP); err != nil {
		bad("soap: %v", err)
	}
	switch s.SCT.Issuance {
	case "", "ws-trust":
	case "provisioned":
		if s.SCT.Identifier == "" {
			bad("sct.identifier: required when issuance is provisioned")
		}
		if b, err := base64.StdEncoding.DecodeString(s.SCT.SecretB64); err != nil || len(b) < 16 {
			bad("sct.secret_b64: not base64 of at least 16 octets")
		}
	default:
		bad("sct.issuance: %q (want ws-trust or provisioned)", s.SCT.Issuance)
	}
	if s.Application != nil {
		if err := s.Application.check(); err != nil {
			bad("%v", err)
		}
	}
	for _, c := range s.Capabilities {
		if !knownCapability(c) {
			bad("capabilities: unknown %q", c)
		}
	}
	if len(errs) > 0 {
		name := s.File
		if name == "" {
			name = "SUT descriptor"
		}
		return fmt.Errorf("%s: %w", name, errors.Join(errs...))
	}
	return nil
}

func knownCapability(c Capability) bool {
	for _, k := range KnownCapabilities {
		if c == k {
			return true
		}
	}
	return false
}

// ProvisionedToken is the SCT agreed out of band (ok = false unless sct.issuance is
// provisioned); Check has validated the secret.
func (s *SUT) ProvisionedToken() (tok token.Token, ok bool) {
	if s == nil || s.SCT.Issuance != "provisioned" {
		return token.Token{}, false
	}
	secret, err := base64.StdEncoding.DecodeString(s.SCT.SecretB64)
	if err != nil {
		return token.Token{}, false
	}
	return token.Token{Identifier: s.SCT.Identifier, Secret: secret, Version: s.profile.SC()}, true
}

// Has reports whether the SUT declares c (the embedded peers: EmbeddedCapabilities).
func (s *SUT) Has(c Capability) bool {
	if s == nil {
		return slices.Contains(EmbeddedCapabilities, c)
	}
	for _, x := range s.Capabilities {
		if x == c {
			return true
		}
	}
	return c == CapRestart && len(s.Restart) > 0
}

// application is the SUT's application message shape (nil: the reference peers').
func (s *SUT) application() *Application {
	if s == nil || s.Application == nil || s.Application.tmpl == nil {
		return nil
	}
	return s.Application
}
