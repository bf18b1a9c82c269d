package seed

import (
	"regexp"
	"slices"
	"strings"

	"github.com/rspcheck/rspcheck/internal/assertions"
)

// groupPhase maps the lettered sections of ASSERTIONS.md onto the suite's phases. Section (i)
// (WS-Addressing) is about how messages are addressed and correlated: transfer. (k) and (l)
// are handled entry by entry (rspRows, rspNotes) or default to establish.
var groupPhase = map[string]assertions.Phase{
	"a": assertions.Issuance,
	"b": assertions.Security,
	"c": assertions.Establish,
	"d": assertions.Transfer,
	"e": assertions.Transfer,
	"f": assertions.Closure,
	"g": assertions.Transfer,
	"h": assertions.Recovery,
	"i": assertions.Transfer,
	"j": assertions.Transfer,
	"l": assertions.Establish,
}

var (
	levelWordRe = regexp.MustCompile(`\b(MUST|SHOULD|MAY|INFO|PROFILE)\b`)
	// a level qualified by one of these words is a vendor's or the WS-I profile's, not the
	// base spec's ("MUST (profile)", "MUST (WCF profile)", "MUST (RSP)", "MUST (accept, WCF)")
	profileQualRe = regexp.MustCompile(`profile|RSP|WCF`)
)

// mapLevel reads a Level text such as "MAY (send) / MUST (accept, WCF)": the parts separated
// by "/" or ";" outside parentheses each name a level; the strongest wins. PROFILE is the
// level of a vendor profile requirement (the WCF protocol documents' R-numbered
// requirements, which are MUSTs) and sets profile, as does a profile qualifier on the part
// that wins.
func mapLevel(text string) (assertions.Level, bool) {
	rank := map[string]int{"MUST": 4, "PROFILE": 4, "SHOULD": 3, "MAY": 2, "INFO": 1}
	best, bestRank, profile := "", 0, false
	for _, part := range splitTop(text, "/;") {
		w := levelWordRe.FindString(part)
		if w == "" || rank[w] <= bestRank {
			continue
		}
		best, bestRank = w, rank[w]
		profile = w == "PROFILE" || profileQualRe.MatchString(part)
	}
	switch best {
	case "", "PROFILE":
		if best == "" {
			return "", false
		}
		return assertions.MUST, true
	}
	return assertions.Level(best), profile
}

// splitTop splits s at any of seps that are not inside parentheses.
func splitTop(s, seps string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')':
			depth--
		case depth == 0 && strings.ContainsRune(seps, r):
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

var roleWordRe = regexp.MustCompile(`\b(RMS|RMD|STS|INIT|ANY)\b`)

// mapRoles: RMS and INIT are the initiator, RMD the responder, STS the issuer, ANY both
// initiator and responder; no role named (the PEER notes) means both.
func mapRoles(text string) []assertions.Role {
	have := map[assertions.Role]bool{}
	for _, w := range roleWordRe.FindAllString(text, -1) {
		switch w {
		case "RMS", "INIT":
			have[assertions.Initiator] = true
		case "RMD":
			have[assertions.Responder] = true
		case "STS":
			have[assertions.Issuer] = true
		case "ANY":
			have[assertions.Initiator], have[assertions.Responder] = true, true
		}
	}
	if len(have) == 0 {
		have[assertions.Initiator], have[assertions.Responder] = true, true
	}
	var out []assertions.Role
	for _, r := range assertions.Roles {
		if have[r] {
			out = append(out, r)
		}
	}
	return out
}

// standards are the specification families a citation may name, most specific first; the
// version is the first group.
var standards = []struct {
	family string
	re     *regexp.Regexp
}{
	{"WS-I RSP", regexp.MustCompile(`WS-I RSP (\d\.\d)?`)},
	{"WS-RM Policy", regexp.MustCompile(`WS-RM Policy (\d\.\d|2005/02)?`)},
	{"WS-RM", regexp.MustCompile(`WS-RM (\d\.\d|2005/02)?`)},
	{"WS-SC", regexp.MustCompile(`WS-SC (\d\.\d|2005/02)?`)},
	{"WS-Trust", regexp.MustCompile(`WS-Trust(?: (\d\.\d|2005/02))?`)},
	{"WSS", regexp.MustCompile(`WSS (?:SOAP Message Security )?(\d\.\d)?`)},
	{"WS-Addressing", regexp.MustCompile(`WS-Addressing (\d\.\d|2004/08)?`)},
	{"WS-MC", regexp.MustCompile(`WS-(?:MakeConnection|MC) (\d\.\d)?`)},
}

var vendors = []struct {
	name string
	re   *regexp.Regexp
}{
	{"WCF", regexp.MustCompile(`(?i)\bWCF\b|dotnet/wcf`)},
	{"Metro", regexp.MustCompile(`(?i)\bmetro`)},
	{"CXF", regexp.MustCompile(`(?i)\bcxf\b`)},
	{"IBM WebSphere", regexp.MustCompile(`\bIBM\b`)},
}

// familyDefault is the spec an ID prefix stands for when its citation names only an XSD or
// other entries ("derived from WSS-002 and RM-STR-008").
var familyDefault = []struct{ prefix, spec string }{
	{"RM-", "WS-RM 1.1"}, {"SC-", "WS-SC 1.3"}, {"WSS-", "WSS 1.1"}, {"WSA-", "WS-Addressing 1.0"}, {"MC-", "WS-MC 1.1"},
}

var (
	parenRe   = regexp.MustCompile(`\([^()]*\)|\[[^\]]*\]`)
	sectionRe = regexp.MustCompile(`§(\d+(?:\.\d+)*)(?:\s*[–-]\s*§?(\d+(?:\.\d+)*))?`)
	reqNumRe  = regexp.MustCompile(`\b[RB]\d{4}(?:[–-][RB]\d{4})?\b`)
)

// citation picks the primary source of a Src text: the first standard cited with a version
// (then without one; the leftmost in its segment), else an XSD of the entry's own family, else a vendor, else the entry's
// own family; and the sections (or requirement numbers) it cites.
func citation(id, src string) (spec, section string) {
	segs := splitTop(src, ";")
	for _, needVersion := range []bool{true, false} {
		for _, seg := range segs {
			var best []int
			family := ""
			for _, st := range standards {
				m := st.re.FindStringSubmatchIndex(seg)
				if m == nil || (needVersion && m[2] < 0) || (best != nil && m[0] >= best[0]) {
					continue
				}
				best, family = m, st.family
			}
			if best == nil {
				continue
			}
			spec = family
			if best[2] >= 0 {
				spec += " " + seg[best[2]:best[3]]
			}
			return spec, sectionsOf(seg[best[1]:])
		}
	}
	family := ""
	for _, f := range familyDefault {
		if strings.HasPrefix(id, f.prefix) {
			family = f.spec
		}
	}
	for _, seg := range segs {
		if strings.Contains(seg, "XSD") && family != "" {
			return family, "XSD"
		}
	}
	for _, seg := range segs {
		for _, v := range vendors {
			if loc := v.re.FindStringIndex(seg); loc != nil {
				return v.name, sectionsOf(seg[loc[1]:])
			}
		}
	}
	return family, "" // "derived from ..." other entries
}

// sectionsOf lists the §-sections (or R/B requirement numbers) cited at the start of a
// citation segment: up to the next standard it names, parentheses and evidence tags removed.
func sectionsOf(rest string) string {
	rest = parenRe.ReplaceAllString(rest, "")
	for _, st := range standards {
		if loc := st.re.FindStringIndex(rest); loc != nil {
			rest = rest[:loc[0]]
		}
	}
	var out []string
	for _, m := range sectionRe.FindAllStringSubmatch(rest, -1) {
		s := m[1]
		if m[2] != "" {
			s += "–" + m[2]
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		out = reqNumRe.FindAllString(rest, -1)
	}
	if len(out) == 0 && strings.Contains(rest, "XSD") {
		return "XSD"
	}
	return strings.Join(out, ", ")
}

var (
	titleP11Re = regexp.MustCompile(`\(1\.\d(?:/1\.\d)? only\)|\(1\.1/1\.2\)$`)
	bothProf   = []string{assertions.P11, assertions.P05}
	onlyP11    = []string{assertions.P11}
	onlyP05    = []string{assertions.P05}
)

// profileOverrides fix the profiles of entries whose wording does not say that the message,
// header or fault they are about exists in one version only. Each reason names where that is
// stated.
var profileOverrides = map[string][]string{
	// CONSTANTS.md: "No CloseSequence/CloseSequenceResponse exist in 2005/02"; LastMsgNumber
	// is their child.
	"RM-CL-001": onlyP11, "RM-CL-002": onlyP11, "RM-CL-003": onlyP11, "RM-CL-004": onlyP11,
	"RM-CL-005": onlyP11, "RM-TS-004": onlyP11,
	// CONSTANTS.md: "No SequenceClosed/WSRMRequired in 2005/02".
	"RM-SEQ-005": onlyP11, "RM-FLT-005": onlyP11,
	// CONSTANTS.md: UsesSequenceSTR and UsesSequenceSSL are 1.1 only; RM-POL-002: no
	// SequenceSTR in the 2005/02 policy assertion.
	"RM-STR-004": onlyP11, "RM-STR-012": onlyP11, "RM-STR-013": onlyP11,
	// CONSTANTS.md schema outline: IncompleteSequenceBehavior only in the 1.1 Offer and
	// CreateSequenceResponse.
	"RM-CS-006": onlyP11, "RM-DA-006": onlyP11, "RM-CSR-004": onlyP11,
	// WS-MakeConnection 1.1 is a companion of WS-RM 1.1 (its fault action is .../200702/fault).
	"MC-001": onlyP11, "MC-002": onlyP11, "MC-003": onlyP11,
	// PEER-MET-001 says 200702; PEER-IBM-001 says WS-RM 1.1 + WS-SC 1.3.
	"PEER-MET-001": onlyP11, "PEER-IBM-001": onlyP11,
}

// profilesOf reads the profiles from an entry's wording: "(1.1/1.2 only)", "(1.3 only)" or a
// "(1.1/1.2)" title and "(1.1 only)" in the rule mean P11; a title starting "2005/02" or a
// level "(P05)" means P05; a title naming one profile means that one; otherwise both.
func profilesOf(id, title, level, rule string) []string {
	if p, ok := profileOverrides[id]; ok {
		return slices.Clone(p)
	}
	hasP11, hasP05 := strings.Contains(title, "P11"), strings.Contains(title, "P05")
	switch {
	case titleP11Re.MatchString(title), hasP11 && !hasP05, strings.Contains(rule, "(1.1 only)"):
		return slices.Clone(onlyP11)
	case strings.HasPrefix(title, "2005/02"), strings.Contains(level, "(P05)"), hasP05 && !hasP11:
		return slices.Clone(onlyP05)
	}
	return slices.Clone(bothProf)
}

// versionsOf lists the versions of a spec's family that the profiles cover; a spec cited
// with a version outside the profile scheme (WSS 1.1, WS-MC 1.1, WS-I RSP 1.0) keeps its
// own; vendors have none.
func versionsOf(spec string, profiles []string) []string {
	family, version := spec, ""
	for _, st := range standards {
		if rest, ok := strings.CutPrefix(spec, st.family); ok {
			family, version = st.family, strings.TrimSpace(rest)
			break
		}
	}
	var p11, p05 []string
	switch family {
	case "WS-RM", "WS-RM Policy":
		p11, p05 = []string{"1.1", "1.2"}, []string{"2005/02"}
	case "WS-SC", "WS-Trust":
		p11, p05 = []string{"1.3"}, []string{"2005/02"}
	case "WS-Addressing":
		p11, p05 = []string{"1.0"}, []string{"1.0", "2004/08"}
	default:
		if version != "" {
			return []string{version}
		}
		return nil
	}
	var out []string
	for _, p := range profiles {
		vs := p11
		if p == assertions.P05 {
			vs = p05
		}
		for _, v := range vs {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// rspRows gives what the (k) table does not say about each confirmed WS-I RSP requirement:
// who it binds, its phase, and the headed entry that tests the same behaviour.
var rspRows = map[string]struct {
	roles   []assertions.Role
	phase   assertions.Phase
	seeAlso []string
}{
	"RSP-R0010": {[]assertions.Role{assertions.Initiator}, assertions.Establish, []string{"RM-CSR-003", "RSP-R0011"}},
	"RSP-R0011": {[]assertions.Role{assertions.Responder}, assertions.Establish, []string{"RM-CSR-002", "RM-CSR-003", "RSP-R0010"}},
	// R0540 and the MakeConnection requirements are about messages on an established
	// sequence, as their twins RM-AR-002 and MC-001 (phase transfer).
	"RSP-R0540": {[]assertions.Role{assertions.Initiator, assertions.Responder}, assertions.Transfer, []string{"RM-AR-002"}},
	"RSP-R2100": {[]assertions.Role{assertions.Initiator}, assertions.Transfer, []string{"MC-001"}},
	"RSP-R2101": {[]assertions.Role{assertions.Initiator}, assertions.Transfer, []string{"MC-001"}},
	"RSP-R2102": {[]assertions.Role{assertions.Responder}, assertions.Transfer, []string{"MC-001"}},
	"RSP-R2103": {[]assertions.Role{assertions.Responder}, assertions.Transfer, []string{"MC-001"}},
}

var rspLevelRe = regexp.MustCompile(`(?i)\b(must|should|may)\b`)

// rspRow maps a row of the (k) table: a WS-I profile requirement (profile level) at the
// level its wording states: "may" MAY, "should" SHOULD, otherwise ("must", "do not",
// "contains", "answers") MUST.
func rspRow(id, content, ev string) assertions.Assertion {
	level := assertions.MUST
	if m := rspLevelRe.FindString(content); m != "" {
		level = assertions.Level(strings.ToUpper(m))
	}
	num := strings.TrimPrefix(id, "RSP-")
	row := rspRows[id]
	roles := row.roles
	if len(roles) == 0 {
		roles = mapRoles("")
	}
	phase := row.phase
	if phase == "" {
		phase = assertions.Establish
	}
	a := assertions.Assertion{
		ID:          id,
		Title:       strings.TrimSuffix(content, "."),
		Spec:        "WS-I RSP 1.0",
		Section:     num,
		Source:      "WS-I RSP 1.0 " + num + "; " + ev,
		Evidence:    evidence(ev),
		Level:       level,
		Profile:     true,
		Roles:       roles,
		Phase:       phase,
		Requirement: content,
		Profiles:    slices.Clone(onlyP11), // WS-I RSP 1.0 profiles WS-RM 1.1, WS-MC 1.1 and WS-SC 1.3
		Testable:    true,
		SeeAlso:     slices.Clone(row.seeAlso),
	}
	a.Versions = versionsOf(a.Spec, a.Profiles)
	return a
}

// rspNotePhase places the unnumbered RSP notes next to the entries they summarise.
var rspNotePhase = map[string]assertions.Phase{
	"RSP-UNC-01": assertions.Establish, // STR in CreateSequence
	"RSP-UNC-02": assertions.Security,  // every RM message signed with the SCT
	"RSP-UNC-03": assertions.Recovery,  // SCT lifetime vs sequence lifetime
	"RSP-UNC-04": assertions.Security,  // derived keys and references
	"RSP-UNC-05": assertions.Establish, // the profile's own test assertions
}

var noteTitleEnd = regexp.MustCompile(` \(| — |; `)

// rspNote maps an unnumbered RSP note: a design target, INFO, not testable as a requirement.
func rspNote(id, text string) assertions.Assertion {
	title := text
	if loc := noteTitleEnd.FindStringIndex(title); loc != nil {
		title = title[:loc[0]]
	}
	title = strings.TrimSuffix(title, ".")
	if title != "" {
		title = strings.ToUpper(title[:1]) + title[1:]
	}
	phase := rspNotePhase[id]
	if phase == "" {
		phase = assertions.Establish
	}
	return assertions.Assertion{
		ID:          id,
		Title:       title,
		Spec:        "WS-I RSP 1.0",
		Versions:    []string{"1.0"},
		Source:      "WS-I RSP 1.0, requirement number unknown: a design target, not a quotable requirement [U]",
		Evidence:    []string{"U"},
		Level:       assertions.INFO,
		Profile:     true,
		Roles:       mapRoles(text),
		Phase:       phase,
		Requirement: text,
		Profiles:    slices.Clone(onlyP11),
		Testable:    false,
	}
}

// resolveMentions expands "PREFIX-*" mentions and drops those of IDs the catalogue lacks.
func resolveMentions(list []assertions.Assertion) {
	ids := make(map[string]bool, len(list))
	for _, a := range list {
		ids[a.ID] = true
	}
	for i := range list {
		var out []string
		add := func(id string) {
			if ids[id] && id != list[i].ID && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
		for _, m := range list[i].SeeAlso {
			if prefix, ok := strings.CutSuffix(m, "*"); ok {
				for _, a := range list {
					if strings.HasPrefix(a.ID, prefix) {
						add(a.ID)
					}
				}
				continue
			}
			add(m)
		}
		list[i].SeeAlso = out
	}
	// the RSP rows and the headed entries testing the same behaviour point at each other
	pos := make(map[string]int, len(list))
	for i, a := range list {
		pos[a.ID] = i
	}
	for _, a := range list {
		if _, row := rspRows[a.ID]; !row {
			continue
		}
		for _, t := range a.SeeAlso {
			if j, ok := pos[t]; ok && !strings.HasPrefix(t, "RSP-") && !slices.Contains(list[j].SeeAlso, a.ID) {
				list[j].SeeAlso = append(list[j].SeeAlso, a.ID)
			}
		}
	}
}

// Reasons why a requirement is not exercised by the suite.
const (
	needsMakeConnection = "needs WS-MakeConnection (wsmc:MakeConnection polls, MessagePending, the MC anonymous URI), implemented by neither the reference peers nor the suite"
	needsPolicy         = "needs the endpoint's WS-Policy (WSDL policy attachment), which the suite neither reads nor publishes: it is configured by the SUT descriptor instead"
)

// untested are the requirements checkable in principle that the suite cannot exercise: they
// stay in the catalogue with the reason (Assertion.Untested) and testable: false, so that no
// spec is required for them. Remove an entry when the suite learns to drive it.
var untested = map[string]string{
	"MC-001": needsMakeConnection, "MC-002": needsMakeConnection, "MC-003": needsMakeConnection,
	"RSP-R2100": needsMakeConnection, "RSP-R2101": needsMakeConnection,
	"RSP-R2102": needsMakeConnection, "RSP-R2103": needsMakeConnection,
	"RM-POL-001": needsPolicy + " (the RMAssertion structure is a policy document)",
	"RM-POL-002": needsPolicy + " (the 2005/02 RMAssertion and its timing parameters are a policy document)",
	"RM-STR-012": needsPolicy + " (the wsrmp:SequenceSTR assertion; the STR rules it implies are RM-STR-001..008, which are tested)",
}

// markUntested sets Testable false and the reason on the untested entries.
func markUntested(list []assertions.Assertion) {
	for i := range list {
		if why, ok := untested[list[i].ID]; ok {
			list[i].Testable, list[i].Untested = false, why
		}
	}
}
