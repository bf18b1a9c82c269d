package assertions

import (
	"errors"
	"fmt"
	"strings"
)

// Labels returns the Ginkgo labels of an assertion, or nil for an unknown ID:
//
//	id:RM-STR-005  spec:WS-RM-1.1  phase:establish  level:MUST  role:initiator  role:responder
//	profile:P11  profile:P05
//
// plus "profile-level" when the level is a profile's rather than the base spec's. Select
// with Ginkgo's set syntax, e.g. --label-filter='phase: containsAny establish && level:
// consistsOf MUST' (Ginkgo compares set values case-insensitively).
func (c *Catalogue) Labels(id string) []string {
	a, ok := c.Get(id)
	if !ok {
		return nil
	}
	return labels(a)
}

func labels(a Assertion) []string {
	out := []string{
		"id:" + a.ID,
		"spec:" + LabelValue(a.Spec),
		"phase:" + string(a.Phase),
		"level:" + string(a.Level),
	}
	for _, r := range a.Roles {
		out = append(out, "role:"+string(r))
	}
	for _, p := range a.Profiles {
		out = append(out, "profile:"+p)
	}
	if a.Profile {
		out = append(out, "profile-level")
	}
	return out
}

// labelForbidden are the characters Ginkgo refuses in labels (they are operators of its label
// filter language: and, or, not, set separator, grouping, regular expressions).
const labelForbidden = "&|!,()/"

// LabelValue turns free text (a spec name such as "WS-RM 2005/02") into a label value: runs
// of spaces and of characters Ginkgo refuses become one "-" ("WS-RM-2005-02").
func LabelValue(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.TrimSpace(s) {
		if r == ' ' || r == '\t' || r == ':' || strings.ContainsRune(labelForbidden, r) {
			dash = true
			continue
		}
		if dash && b.Len() > 0 {
			b.WriteByte('-')
		}
		dash = false
		b.WriteRune(r)
	}
	return b.String()
}

// ValidateLabel applies Ginkgo v2's rules for a label (types.ValidateAndCleanupLabel): not
// empty, none of the characters & | ! , ( ) /, not starting with ':', and a key:value label has
// a non-empty value. It also refuses surrounding white space, which Ginkgo would trim.
func ValidateLabel(l string) error {
	switch {
	case l == "" || strings.TrimSpace(l) == "":
		return errors.New("empty label")
	case strings.TrimSpace(l) != l:
		return fmt.Errorf("label %q has surrounding white space", l)
	case strings.ContainsAny(l, labelForbidden):
		return fmt.Errorf("label %q contains one of %q", l, labelForbidden)
	case l[0] == ':':
		return fmt.Errorf("label %q starts with ':'", l)
	}
	if k, v, ok := strings.Cut(l, ":"); ok && (k == "" || v == "") {
		return fmt.Errorf("label %q has an empty key or value", l)
	}
	return nil
}
