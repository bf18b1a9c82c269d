package store

import (
	"cmp"
	"slices"

	"github.com/rspcheck/rspcheck/internal/rm"
)

// Sort puts every list of s in its canonical order: states by identifier, messages by
// (identifier, number) — the order of rm's Snapshot methods — orphans by (role, identifier,
// number), tokens by Identifier. Implementations that do not read in key order call it.
func (s *Snapshot) Sort() {
	slices.SortFunc(s.Sources, func(a, b rm.SourceState) int { return cmp.Compare(a.Seq, b.Seq) })
	slices.SortFunc(s.Destinations, func(a, b rm.DestinationState) int { return cmp.Compare(a.Seq, b.Seq) })
	byNumber := func(a, b rm.StoredMessage) int {
		return cmp.Or(cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.Number, b.Number))
	}
	slices.SortFunc(s.SourceMessages, byNumber)
	slices.SortFunc(s.DestinationMessages, byNumber)
	slices.SortFunc(s.Orphans, func(a, b MessageRef) int {
		return cmp.Or(cmp.Compare(a.Role, b.Role), cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.Number, b.Number))
	})
	slices.SortFunc(s.Tokens, func(a, b TokenRecord) int { return cmp.Compare(a.Identifier, b.Identifier) })
}

// AddMessage files a stored message of (role, seq) under the role's messages, or under
// Orphans when hasState is false.
func (s *Snapshot) AddMessage(role rm.Role, m rm.StoredMessage, hasState bool) {
	switch {
	case !hasState:
		s.Orphans = append(s.Orphans, MessageRef{Role: role, Seq: m.Seq, Number: m.Number, Size: len(m.Payload)})
	case role == rm.RoleSource:
		s.SourceMessages = append(s.SourceMessages, m)
	default:
		s.DestinationMessages = append(s.DestinationMessages, m)
	}
}
