package rm

import (
	"sort"

	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
)

// Ranges is a set of message numbers kept as sorted, disjoint, non-adjacent inclusive ranges:
// memory is O(gaps), not O(messages). A sequence received in order is one range however long it
// is. The zero value is the empty set.
//
// WS-RM 1.1 §3.9 (RM-ACK-003): an acknowledgement lists every number received and none that
// was not, as non-overlapping AcknowledgementRange elements; Ranges produces exactly that form.
type Ranges struct {
	r []wsrm.AckRange
}

// RangesOf builds a set from arbitrary (possibly overlapping, unsorted) ranges. Ranges with
// Lower 0 or Lower > Upper are ignored (they hold no message number).
func RangesOf(rs []wsrm.AckRange) Ranges {
	var s Ranges
	for _, r := range rs {
		if r.Lower == 0 || r.Lower > r.Upper {
			continue
		}
		s.AddRange(r.Lower, r.Upper)
	}
	return s
}

// search returns the index of the first range whose Upper+1 >= n, i.e. the first range that
// contains n, is adjacent below it, or lies after it.
func (s *Ranges) search(n uint64) int {
	return sort.Search(len(s.r), func(i int) bool { return s.r[i].Upper+1 >= n })
}

// Contains reports whether n is in the set.
func (s *Ranges) Contains(n uint64) bool {
	i := s.search(n)
	return i < len(s.r) && s.r[i].Lower <= n && n <= s.r[i].Upper
}

// Add inserts n (n >= 1) and reports whether it was new. Appending the next number in order
// is O(1); otherwise O(log gaps) to find the place plus O(gaps) to insert a new range.
func (s *Ranges) Add(n uint64) bool {
	if n == 0 {
		return false
	}
	if k := len(s.r); k > 0 && s.r[k-1].Upper+1 == n {
		s.r[k-1].Upper = n
		return true
	}
	i := s.search(n)
	if i < len(s.r) {
		r := &s.r[i]
		switch {
		case r.Lower <= n && n <= r.Upper:
			return false
		case r.Upper+1 == n:
			r.Upper = n
			if i+1 < len(s.r) && s.r[i+1].Lower == n+1 {
				r.Upper = s.r[i+1].Upper
				s.r = append(s.r[:i+1], s.r[i+2:]...)
			}
			return true
		case r.Lower == n+1:
			r.Lower = n
			return true
		}
	}
	s.r = append(s.r, wsrm.AckRange{})
	copy(s.r[i+1:], s.r[i:])
	s.r[i] = wsrm.AckRange{Lower: n, Upper: n}
	return true
}

// AddRange inserts lo..hi (1 <= lo <= hi), merging with overlapping and adjacent ranges.
func (s *Ranges) AddRange(lo, hi uint64) {
	if lo == 0 || lo > hi {
		return
	}
	i := s.search(lo)
	j := sort.Search(len(s.r), func(k int) bool { return s.r[k].Lower > hi+1 })
	if i == j {
		s.r = append(s.r, wsrm.AckRange{})
		copy(s.r[i+1:], s.r[i:])
		s.r[i] = wsrm.AckRange{Lower: lo, Upper: hi}
		return
	}
	merged := wsrm.AckRange{Lower: min(lo, s.r[i].Lower), Upper: max(hi, s.r[j-1].Upper)}
	s.r[i] = merged
	s.r = append(s.r[:i+1], s.r[j:]...)
}

// Ranges returns a copy of the ranges in ascending order (nil when empty).
func (s *Ranges) Ranges() []wsrm.AckRange {
	if len(s.r) == 0 {
		return nil
	}
	return append([]wsrm.AckRange(nil), s.r...)
}

// Len is the number of ranges (gaps + 1 for a non-empty set).
func (s *Ranges) Len() int { return len(s.r) }

// Empty reports whether the set holds no number.
func (s *Ranges) Empty() bool { return len(s.r) == 0 }

// Max is the highest number in the set, 0 when empty.
func (s *Ranges) Max() uint64 {
	if len(s.r) == 0 {
		return 0
	}
	return s.r[len(s.r)-1].Upper
}

// Count is the number of message numbers in the set.
func (s *Ranges) Count() uint64 {
	var n uint64
	for _, r := range s.r {
		n += r.Upper - r.Lower + 1
	}
	return n
}

// Prefix is the largest n such that 1..n are all in the set (0 when 1 is missing): the
// position of the first gap minus one.
func (s *Ranges) Prefix() uint64 {
	if len(s.r) == 0 || s.r[0].Lower != 1 {
		return 0
	}
	return s.r[0].Upper
}

// Covers reports whether every number of s is also in o (s ⊆ o).
func (s *Ranges) Covers(o *Ranges) bool {
	for _, r := range s.r {
		i := o.search(r.Lower)
		if i >= len(o.r) || o.r[i].Lower > r.Lower || o.r[i].Upper < r.Upper {
			return false
		}
	}
	return true
}

// Uncovered returns the parts of lo..hi that are not in the set, in ascending order.
func (s *Ranges) Uncovered(lo, hi uint64) []wsrm.AckRange {
	if lo == 0 || lo > hi {
		return nil
	}
	var out []wsrm.AckRange
	next := lo
	for i := s.search(lo); i < len(s.r) && s.r[i].Lower <= hi; i++ {
		r := s.r[i]
		if r.Lower > next {
			out = append(out, wsrm.AckRange{Lower: next, Upper: r.Lower - 1})
		}
		if r.Upper >= hi {
			return out
		}
		next = max(next, r.Upper+1)
	}
	return append(out, wsrm.AckRange{Lower: next, Upper: hi})
}

// Equal reports whether both sets hold the same numbers.
func (s *Ranges) Equal(o *Ranges) bool {
	if len(s.r) != len(o.r) {
		return false
	}
	for i := range s.r {
		if s.r[i] != o.r[i] {
			return false
		}
	}
	return true
}
