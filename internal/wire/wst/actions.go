package wst

// Action names the generic WS-Trust bindings' actions (WS-Trust 1.3 §3–§7; CONSTANTS §2.4,
// §2.7). The SCT bindings (.../RST/SCT...) are in package wsc.
type Action int

const (
	ActionRSTIssue Action = iota + 1
	ActionRSTRIssue
	ActionRSTRCIssueFinal // 1.3 only
	ActionRSTRenew
	ActionRSTRRenew
	ActionRSTRRenewFinal // 1.3 only
	ActionRSTCancel
	ActionRSTRCancel
	ActionRSTRCancelFinal // 1.3 only
	ActionRSTValidate
	ActionRSTRValidate
)

var actionPaths = map[Action]string{
	ActionRSTIssue:        "RST/Issue",
	ActionRSTRIssue:       "RSTR/Issue",
	ActionRSTRCIssueFinal: "RSTRC/IssueFinal",
	ActionRSTRenew:        "RST/Renew",
	ActionRSTRRenew:       "RSTR/Renew",
	ActionRSTRRenewFinal:  "RSTR/RenewFinal",
	ActionRSTCancel:       "RST/Cancel",
	ActionRSTRCancel:      "RSTR/Cancel",
	ActionRSTRCancelFinal: "RSTR/CancelFinal",
	ActionRSTValidate:     "RST/Validate",
	ActionRSTRValidate:    "RSTR/Validate",
}

func (a Action) String() string { return actionPaths[a] }

// final reports whether a is one of the 1.3-only "final response" actions.
func (a Action) final() bool {
	return a == ActionRSTRCIssueFinal || a == ActionRSTRRenewFinal || a == ActionRSTRCancelFinal
}

// Action is the wsa:Action URI of a in v, or "" when v has no such action.
func (v Version) Action(a Action) string {
	p, ok := actionPaths[a]
	if !ok || (a.final() && v == V200502) {
		return ""
	}
	return v.Namespace() + "/" + p
}

// ActionOf maps an action URI to its version and generic action.
func ActionOf(uri string) (Version, Action, bool) {
	for _, v := range Versions {
		for a := ActionRSTIssue; a <= ActionRSTRValidate; a++ {
			if u := v.Action(a); u != "" && u == uri {
				return v, a, true
			}
		}
	}
	return 0, 0, false
}
