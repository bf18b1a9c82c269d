package codec

import (
	"fmt"
	"strings"

	"github.com/beevik/etree"
)

// Version families (CONSTANTS §1; DESIGN "Versions": a sequence never mixes versions).
// Every namespace, and every URI that lives under one of the versioned trees (actions, token
// types, request types, algorithms), is evidence for one family.
var familyRoots = []struct {
	prefix string
	family Profile
	what   string
}{
	{"http://docs.oasis-open.org/ws-rx/wsrm/200702", ProfileP11, "WS-RM 1.1"},
	{"http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512", ProfileP11, "WS-SC 1.3"},
	{"http://docs.oasis-open.org/ws-sx/ws-trust/200512", ProfileP11, "WS-Trust 1.3"},
	{"http://schemas.xmlsoap.org/ws/2005/02/rm", ProfileP05, "WS-RM 2005/02"},
	{"http://schemas.xmlsoap.org/ws/2005/02/sc", ProfileP05, "WS-SC 2005/02"},
	{"http://schemas.xmlsoap.org/ws/2005/02/trust", ProfileP05, "WS-Trust 2005/02"},
	{"http://schemas.xmlsoap.org/ws/2004/08/addressing", ProfileP05, "WS-Addressing 2004/08"},
}

func familyOf(s string) (Profile, string, bool) {
	if !strings.HasPrefix(s, "http://") {
		return 0, "", false
	}
	for _, r := range familyRoots {
		if !strings.HasPrefix(s, r.prefix) {
			continue
		}
		// The root itself, or a URI below it ("/..." or "#...").
		if rest := s[len(r.prefix):]; rest == "" || rest[0] == '/' || rest[0] == '#' {
			return r.family, r.what, true
		}
	}
	return 0, "", false
}

func init() { messageRules = append(messageRules, ruleFamily) }

// quotesProblem reports whether el quotes the offending value of a WS-Addressing fault (the
// wsa:Action inside wsa:ProblemAction, or wsa:ProblemIRI): a fault that names another
// profile's action does not mix the families itself.
func quotesProblem(el *etree.Element) bool {
	if el.Tag == "ProblemIRI" {
		return true
	}
	p := el.Parent()
	return p != nil && p.Tag == "ProblemAction" && strings.Contains(p.NamespaceURI(), "addressing")
}

// ruleFamily reports elements whose namespace, or whose URI-valued text or attributes, belong
// to another version family than the message (or than the profile asked for).
// ASSERTIONS SC-ISS-002: versions must not be mixed inside one exchange.
func ruleFamily(m *Message, p Profile) []Problem {
	type evidence struct {
		el     *etree.Element
		family Profile
		what   string
	}
	var ev []evidence
	count := map[Profile]int{}
	visit := func(el *etree.Element, s string) {
		if f, what, ok := familyOf(s); ok {
			ev = append(ev, evidence{el, f, what})
			count[f]++
		}
	}
	for _, root := range []*etree.Element{m.Header, m.Body} {
		if root == nil {
			continue
		}
		walk(root, func(el *etree.Element) {
			visit(el, el.NamespaceURI())
			for _, a := range el.Attr {
				if a.Space != "xmlns" && a.Key != "xmlns" {
					visit(el, a.Value)
				}
			}
			if t := strings.TrimSpace(el.Text()); len(el.ChildElements()) == 0 && strings.HasPrefix(t, "http") && !quotesProblem(el) {
				visit(el, t)
			}
		})
	}
	want, why := p, "the profile is "+p.String()
	if p == ProfileAuto {
		// The family most of the message belongs to; the rest is the mixture.
		want = ProfileP11
		if count[ProfileP05] > count[ProfileP11] {
			want = ProfileP05
		}
		why = fmt.Sprintf("the rest of the message is %s", want)
	}
	var out []Problem
	seen := map[*etree.Element]bool{}
	for _, e := range ev {
		if e.family == want || seen[e.el] {
			continue
		}
		seen[e.el] = true
		out = append(out, m.problemAt(e.el, fmt.Sprintf("%s belongs to profile %s but %s: version families must not be mixed (SC-ISS-002)", e.what, e.family, why)))
		if len(out) == 3 {
			break // the first few suffice to point at the mixture
		}
	}
	return out
}

// walk visits el and its descendants in document order without recursion.
func walk(el *etree.Element, f func(*etree.Element)) {
	stack := []*etree.Element{el}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		f(e)
		kids := e.ChildElements()
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, kids[i])
		}
	}
}
