package rm

import (
	"slices"
	"time"
)

// TokenGone ends every sequence bound to the SCT token, which was cancelled (WS-SC §8): no
// message of those sequences can be protected or verified any more, and every one must be
// (RM-STR-008). A sequence whose TerminateSequence was sent with every message acknowledged
// ends completed — only the TerminateSequenceResponse is missing, and the peer cancels the
// SCT once it has answered it, so the answer may arrive after the token is gone and cannot
// be verified. Any other sequence ends failed, its unacknowledged messages discarded.
// Sequences still being created with the token end failed too.
func (s *Source) TokenGone(token string, now time.Time) []Action {
	var o out
	for _, id := range boundTo(s.seqs, token) {
		q := s.seqs[id]
		why := EndFailed
		if q.phase == phTerminating && len(q.msgs) == 0 {
			why = EndCompleted
		}
		o.do(Note{Seq: id, Text: "the sequence's SCT was cancelled: the sequence ends " + why.String()})
		s.end(&o, q, why, nil)
	}
	for _, ref := range boundTo(s.pending, token) {
		s.end(&o, s.pending[ref], EndFailed, nil)
	}
	return o.actions()
}

// boundTo lists, sorted, the keys of the sequences in m bound to token.
func boundTo(m map[string]*sseq, token string) []string {
	var keys []string
	for k, q := range m {
		if q.token == token {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
