package framework

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2" //nolint:staticcheck // Ginkgo's DSL
	"github.com/onsi/gomega"

	"github.com/rspcheck/rspcheck/internal/assertions"
)

// Report entry names the runner reads back (suite/runner).
const (
	EntryWire      = "rspcheck-wire"      // JSON []report.WireMessage
	EntryNonStrict = "rspcheck-nonstrict" // a SHOULD/MAY deviation that passed (not strict)
	EntryInfo      = "rspcheck-info"      // what an INFO assertion observed
	EntryObserved  = "rspcheck-observed"  // free-form observation of a passing spec
	// UnsupportedPrefix starts the Skip message of a spec whose feature the SUT does not
	// declare (verdict skipped-unsupported).
	UnsupportedPrefix = "unsupported: "
	// NotApplicablePrefix starts the Skip message of a spec that does not apply (profile).
	NotApplicablePrefix = "not applicable: "
	// InconclusivePrefix starts the Skip message of a spec whose precondition the SUT did not
	// meet (e.g. no sequence was ever created): another assertion judges that failure.
	InconclusivePrefix = "inconclusive: "
)

var (
	regMu sync.Mutex
	used  = map[string]bool{} // "ID sut-role"
	ids   []string
)

// Registered returns the assertion IDs that specs were written for (each once), for the
// catalogue usage check.
func Registered() []string {
	regMu.Lock()
	defer regMu.Unlock()
	return slices.Clone(ids)
}

// Spec is what a spec body works with.
type Spec struct {
	ID        string
	Assertion assertions.Assertion
	// Role is the role the SUT plays in this spec.
	Role Role
	Wire *Wire
	cfg  Config
	ctx  context.Context
}

// Config is the run's configuration.
func (s *Spec) Config() Config { return s.cfg }

// Require skips the spec as unsupported when the SUT does not declare capability c.
func (s *Spec) Require(c Capability) {
	if !s.cfg.SUT.Has(c) {
		Skip(UnsupportedPrefix + string(c) + " is not declared by the SUT")
	}
}

// RequireWSTrust skips the spec as unsupported when the SUT obtains its SCT out of band
// (sct.issuance: provisioned): it then sends and answers no WS-Trust messages.
func (s *Spec) RequireWSTrust() {
	if _, ok := s.cfg.SUT.ProvisionedToken(); ok {
		Skip(UnsupportedPrefix + "the SUT's SCT is provisioned out of band (sct.issuance: provisioned): no WS-Trust exchange")
	}
}

// Precondition skips the spec as inconclusive unless ok: the behaviour under test could not
// be reached (another assertion judges why). Never use it for the behaviour itself.
func (s *Spec) Precondition(ok bool, format string, args ...any) { Precondition(ok, format, args...) }

// Precondition is Spec.Precondition for helpers that hold no Spec.
func Precondition(ok bool, format string, args ...any) {
	if !ok {
		Skip(InconclusivePrefix + fmt.Sprintf(format, args...))
	}
}

// Observe records what a passing spec saw (shown in the report's message).
func (s *Spec) Observe(format string, args ...any) {
	AddReportEntry(EntryObserved, fmt.Sprintf(format, args...), ReportEntryVisibilityNever)
}

// Assert writes the spec of catalogue assertion id for a SUT in role: the labels id:,
// spec:, phase:, level:, role: (and sut:ROLE) come from the catalogue; the body runs with a
// fresh Wire; the level decides the verdict of a failed expectation. Unknown IDs and a second
// spec for the same (id, role) are programming errors and stop the suite's construction.
// Specs for a role the run does not target are not registered.
func Assert(id string, role Role, body func(ctx SpecContext, s *Spec)) bool {
	c := Current()
	cat := assertions.MustLoad()
	a, ok := cat.Get(id)
	if !ok {
		panic(fmt.Sprintf("framework.Assert: unknown assertion ID %q", id))
	}
	key := id + " " + string(role)
	regMu.Lock()
	if used[key] {
		regMu.Unlock()
		panic(fmt.Sprintf("framework.Assert: a second spec for %s with a %s SUT", id, role))
	}
	used[key] = true
	if !slices.Contains(ids, id) {
		ids = append(ids, id)
	}
	regMu.Unlock()
	if !c.runs(role) {
		return false
	}
	labels := append(cat.Labels(id), "sut:"+string(role))
	text := fmt.Sprintf("[%s] %s (%s SUT)", id, a.Title, role)
	return It(text, Label(labels...), SpecTimeout(c.SpecTimeout), func(ctx SpecContext) {
		runSpec(ctx, c, a, role, body)
	})
}

func runSpec(ctx SpecContext, c Config, a assertions.Assertion, role Role, body func(SpecContext, *Spec)) {
	if len(a.Profiles) > 0 && !slices.Contains(a.Profiles, strings.ToUpper(c.Profile.String())) {
		Skip(NotApplicablePrefix + "the assertion is for " + strings.Join(a.Profiles, ", "))
	}
	w, err := NewWire(c.Profile.Codec())
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	s := &Spec{ID: a.ID, Assertion: a, Role: role, Wire: w, cfg: c, ctx: ctx}
	defer func() {
		if b, err := json.Marshal(w.Report()); err == nil {
			AddReportEntry(EntryWire, string(b), ReportEntryVisibilityNever)
		}
	}()
	switch a.Level {
	case assertions.MUST:
		body(ctx, s)
	case assertions.INFO:
		if err := gomega.InterceptGomegaFailure(func() { body(ctx, s) }); err != nil {
			AddReportEntry(EntryInfo, err.Error(), ReportEntryVisibilityNever)
		}
	default: // SHOULD, MAY: a deviation is a NON-STRICT entry, a failure under --strict
		if err := gomega.InterceptGomegaFailure(func() { body(ctx, s) }); err != nil {
			if c.Strict {
				Fail(fmt.Sprintf("%s deviation (--strict):\n%s", a.Level, err))
			}
			AddReportEntry(EntryNonStrict, err.Error(), ReportEntryVisibilityNever)
		}
	}
}
