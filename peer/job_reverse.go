package peer

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/rspcheck/rspcheck/internal/rm"
	"github.com/rspcheck/rspcheck/internal/trace"
)

// reverseMeta is what a stored duplex job says of its reverse sequences (job.go): for each
// forward sequence its reverse sequence and how that ended, and the replies delivered.
type reverseMeta struct {
	records map[string]reverseRecord // forward sequence ->
	replies []trace.Delivery         // by reverse sequence, then number
}

// readReverseMeta reads the reverse sequences' records from a stored job's metadata.
func readReverseMeta(meta map[string][]byte) (*reverseMeta, error) {
	r := &reverseMeta{records: map[string]reverseRecord{}}
	for key, v := range meta {
		switch {
		case strings.HasPrefix(key, metaReverse):
			var rec reverseRecord
			fwd := strings.TrimPrefix(key, metaReverse)
			if err := json.Unmarshal(v, &rec); err != nil || rec.Seq == "" || fwd == "" {
				return nil, fmt.Errorf("initiator: stored reverse sequence %q is unreadable", key)
			}
			if rec.Ended != "" {
				if _, ok := parseEndReason(rec.Ended); !ok {
					return nil, fmt.Errorf("initiator: stored reverse sequence %q: unknown end %q", key, rec.Ended)
				}
			}
			r.records[fwd] = rec
		case strings.HasPrefix(key, metaReply):
			rest := strings.TrimPrefix(key, metaReply)
			i := strings.LastIndexByte(rest, '/')
			var n uint64
			var err error
			if i > 0 {
				n, err = strconv.ParseUint(rest[i+1:], 10, 64)
			}
			if i <= 0 || err != nil || n == 0 || len(v) != 64 {
				return nil, fmt.Errorf("initiator: stored reply %q is unreadable", key)
			}
			r.replies = append(r.replies, trace.Delivery{Sequence: rest[:i], MessageNumber: n, SHA256: string(v)})
		}
	}
	slices.SortFunc(r.replies, func(a, b trace.Delivery) int {
		return cmp.Or(cmp.Compare(a.Sequence, b.Sequence), cmp.Compare(a.MessageNumber, b.MessageNumber))
	})
	return r, nil
}

// install puts the stored reverse sequences back into the initiator's bookkeeping (the live
// ones' Destination state was recovered by openStore). Caller holds in.mu; r may be nil.
func (r *reverseMeta) install(in *Initiator) {
	if r == nil {
		return
	}
	j := in.per.job
	for fwd, rec := range r.records {
		in.reverse[fwd] = rec.Seq
		j.revOf[rec.Seq] = fwd
		if why, ok := parseEndReason(rec.Ended); ok {
			in.revEnded[rec.Seq] = why
		}
	}
	in.replies = append(r.replies, in.replies...)
}

// parseEndReason is the inverse of rm.EndReason.String.
func parseEndReason(s string) (rm.EndReason, bool) {
	for why := rm.EndCompleted; why <= rm.EndIncomplete; why++ {
		if why.String() == s {
			return why, true
		}
	}
	return 0, false
}
