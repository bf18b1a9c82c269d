package assertions

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Level is the strength of a requirement.
type Level string

// The levels, strongest first.
const (
	MUST   Level = "MUST"
	SHOULD Level = "SHOULD"
	MAY    Level = "MAY"
	INFO   Level = "INFO" // observed behaviour a peer must tolerate or reproduce; never fails a run
)

// Levels lists the levels, strongest first.
var Levels = []Level{MUST, SHOULD, MAY, INFO}

// Role is a party an assertion binds.
type Role string

// The roles.
const (
	Initiator Role = "initiator" // RM Source and security initiator (token requester)
	Responder Role = "responder" // RM Destination
	Issuer    Role = "issuer"    // the STS answering RST/SCT (normally the responder endpoint)
)

// Roles lists the roles in catalogue order.
var Roles = []Role{Initiator, Responder, Issuer}

// Phase is the part of the suite an assertion belongs to; the suite has one package per phase.
type Phase string

// The phases, in the order of a sequence's life.
const (
	Issuance  Phase = "issuance"  // SCT issuance, amend, renew, cancel (WS-Trust/WS-SC)
	Establish Phase = "establish" // CreateSequence scoped to the SCT and its response
	Transfer  Phase = "transfer"  // application messages, acks, delivery assurances, WS-A, MakeConnection
	Security  Phase = "security"  // derived keys, references, the wsse:Security header
	Closure   Phase = "closure"   // CloseSequence, TerminateSequence, RM faults
	Recovery  Phase = "recovery"  // persistence, restart, SCT lifetime coupling
)

// Phases lists the phases in the order of a sequence's life.
var Phases = []Phase{Issuance, Establish, Transfer, Security, Closure, Recovery}

// The profiles an assertion can apply to.
const (
	P11 = "P11" // WS-RM 1.1/1.2 + WS-SC 1.3/WS-Trust 1.3 + WS-Addressing 1.0
	P05 = "P05" // WS-RM 2005/02 + WS-SC/WS-Trust 2005/02 + WS-Addressing 1.0 or 2004/08
)

// Assertion is one catalogue entry.
type Assertion struct {
	ID    string `yaml:"id" json:"id"`
	Title string `yaml:"title" json:"title"`
	// Spec is the primary source with its version, e.g. "WS-SC 1.3", "WS-RM 2005/02",
	// "WS-I RSP 1.0", or a vendor ("WCF", "Metro", "IBM WebSphere") when no standard is cited.
	Spec string `yaml:"spec" json:"spec"`
	// Versions are the versions of Spec's family the assertion applies to, derived from
	// Profiles (e.g. WS-RM: P11 = 1.1 and 1.2, P05 = 2005/02); empty for vendor sources.
	Versions []string `yaml:"versions,omitempty,flow" json:"versions,omitempty"`
	// Section is the section (or requirement number) of Spec cited, e.g. "6.1, 3.4", "R2305".
	Section string `yaml:"section,omitempty" json:"section,omitempty"`
	// Source is the full citation of the catalogue, all sources with their evidence tags.
	Source string `yaml:"source" json:"source"`
	// Evidence holds the evidence tags: S schema seen, C implementation or vendor document
	// seen, R recalled from the spec (unconfirmed wording), U unconfirmed in substance.
	Evidence  []string `yaml:"evidence,flow" json:"evidence"`
	Level     Level    `yaml:"level" json:"level"`
	LevelText string   `yaml:"level_text,omitempty" json:"level_text,omitempty"` // the source's wording when it says more than Level
	// Profile is set when Level comes from a vendor or WS-I profile, not from the base spec.
	Profile  bool   `yaml:"profile,omitempty" json:"profile,omitempty"`
	Roles    []Role `yaml:"roles,flow" json:"roles"`
	RoleText string `yaml:"role_text,omitempty" json:"role_text,omitempty"` // the source's wording when it says more than Roles
	Phase    Phase  `yaml:"phase" json:"phase"`
	// Requirement is what must hold, paraphrased.
	Requirement string `yaml:"requirement" json:"requirement"`
	// Positive and Negative are the test ideas: conforming cases to send or observe, and
	// violating cases with what to observe.
	Positive []string `yaml:"positive,omitempty" json:"positive,omitempty"`
	Negative []string `yaml:"negative,omitempty" json:"negative,omitempty"`
	TestNote string   `yaml:"test_note,omitempty" json:"test_note,omitempty"`
	// Fault is the expected fault in words; FaultCodes the QNames it names (e.g.
	// "wsrm:CreateSequenceRefused"), any of which a test may accept.
	Fault      string   `yaml:"fault,omitempty" json:"fault,omitempty"`
	FaultCodes []string `yaml:"fault_codes,omitempty,flow" json:"fault_codes,omitempty"`
	Note       string   `yaml:"note,omitempty" json:"note,omitempty"`
	Profiles   []string `yaml:"profiles,flow" json:"profiles"`
	// Testable is false for notes that describe targets rather than checkable requirements,
	// and for requirements the suite cannot exercise (Untested says why).
	Testable bool `yaml:"testable" json:"testable"`
	// Untested, set on a requirement that is checkable in principle but that the suite cannot
	// exercise, says why (e.g. it needs a protocol neither the reference peers nor the suite
	// implement, or it is read from WSDL/policy, which the suite does not read). Such an entry
	// has Testable false, so no spec is required for it (CheckUsage).
	Untested string   `yaml:"untested,omitempty" json:"untested,omitempty"`
	SeeAlso  []string `yaml:"see_also,omitempty,flow" json:"see_also,omitempty"`
}

// HasRole reports whether the assertion binds r.
func (a Assertion) HasRole(r Role) bool { return slices.Contains(a.Roles, r) }

// File is the layout of catalogue.yaml.
type File struct {
	// Format is the version of this layout.
	Format     int         `yaml:"format"`
	Source     string      `yaml:"source"`
	Assertions []Assertion `yaml:"assertions"`
}

// Catalogue is a validated set of assertions. It is read-only once made.
type Catalogue struct {
	list  []Assertion
	index map[string]int
}

//go:embed catalogue.yaml
var catalogueYAML []byte

var load = sync.OnceValues(func() (*Catalogue, error) { return Parse(catalogueYAML) })

// Load returns the embedded catalogue, parsed and validated once per process.
func Load() (*Catalogue, error) { return load() }

// MustLoad is Load for initialisers and tests; it panics when the embedded catalogue is
// invalid, which a unit test rules out.
func MustLoad() *Catalogue {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// Parse decodes a catalogue in the catalogue.yaml layout (unknown fields are errors) and
// validates it.
func Parse(data []byte) (*Catalogue, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f File
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("assertions: %w", err)
	}
	return New(f.Assertions)
}

// New validates a list of assertions and makes a catalogue of it, in the given order.
func New(list []Assertion) (*Catalogue, error) {
	c := &Catalogue{list: slices.Clone(list), index: make(map[string]int, len(list))}
	var errs []error
	for i, a := range c.list {
		if j, dup := c.index[a.ID]; dup {
			errs = append(errs, fmt.Errorf("%s: duplicate ID (entries %d and %d)", a.ID, j+1, i+1))
			continue
		}
		c.index[a.ID] = i
		errs = append(errs, validate(a)...)
	}
	if len(c.list) == 0 {
		errs = append(errs, errors.New("no assertions"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("assertions: invalid catalogue:\n%w", err)
	}
	return c, nil
}

var idPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$`)

func validate(a Assertion) []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{a.ID}, args...)...))
	}
	if !idPattern.MatchString(a.ID) {
		bad("ID is not of the form PREFIX-...-NNN")
	}
	if strings.TrimSpace(a.Title) == "" {
		bad("empty title")
	}
	if strings.TrimSpace(a.Requirement) == "" {
		bad("empty requirement")
	}
	if strings.TrimSpace(a.Spec) == "" {
		bad("empty spec")
	}
	if !slices.Contains(Levels, a.Level) {
		bad("unknown level %q (want one of %v)", a.Level, Levels)
	}
	if !slices.Contains(Phases, a.Phase) {
		bad("unknown phase %q (want one of %v)", a.Phase, Phases)
	}
	if len(a.Roles) == 0 {
		bad("no roles")
	}
	for _, r := range a.Roles {
		if !slices.Contains(Roles, r) {
			bad("unknown role %q (want one of %v)", r, Roles)
		}
	}
	if len(a.Profiles) == 0 {
		bad("no profiles")
	}
	for _, p := range a.Profiles {
		if p != P11 && p != P05 {
			bad("unknown profile %q (want P11 or P05)", p)
		}
	}
	for _, e := range a.Evidence {
		if !strings.Contains("SCRU", e) || len(e) != 1 {
			bad("unknown evidence tag %q (want S, C, R or U)", e)
		}
	}
	for _, l := range labels(a) {
		if err := ValidateLabel(l); err != nil {
			bad("%v", err)
		}
	}
	return errs
}

// Get returns the assertion with the given ID.
func (c *Catalogue) Get(id string) (Assertion, bool) {
	i, ok := c.index[id]
	if !ok {
		return Assertion{}, false
	}
	return c.list[i], true
}

// Len is the number of assertions.
func (c *Catalogue) Len() int { return len(c.list) }

// All returns every assertion in catalogue order (a copy).
func (c *Catalogue) All() []Assertion { return slices.Clone(c.list) }

// ByPhase returns the assertions of one phase in catalogue order.
func (c *Catalogue) ByPhase(p Phase) []Assertion {
	return c.Filter(func(a Assertion) bool { return a.Phase == p })
}

// Filter returns the assertions for which keep is true, in catalogue order.
func (c *Catalogue) Filter(keep func(Assertion) bool) []Assertion {
	var out []Assertion
	for _, a := range c.list {
		if keep(a) {
			out = append(out, a)
		}
	}
	return out
}

// ParsePhase returns the phase named s (case-insensitive).
func ParsePhase(s string) (Phase, error) {
	for _, p := range Phases {
		if strings.EqualFold(s, string(p)) {
			return p, nil
		}
	}
	return "", fmt.Errorf("unknown phase %q (want one of %v)", s, Phases)
}

// ParseLevel returns the level named s (case-insensitive).
func ParseLevel(s string) (Level, error) {
	for _, l := range Levels {
		if strings.EqualFold(s, string(l)) {
			return l, nil
		}
	}
	return "", fmt.Errorf("unknown level %q (want one of %v)", s, Levels)
}
