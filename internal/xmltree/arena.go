package xmltree

// arena hands out values from shared chunks: one allocation for many elements, texts,
// attributes or child slices. A chunk lives as long as any value in it. It follows the arena
// of internal/xmlparse/parse.go, plus extend: a parser knows each slice's length when it cuts
// it, a builder only learns it as children and attributes arrive.
type arena[T any] struct {
	chunk  []T // the current chunk; chunk[:used] is handed out
	used   int
	lastAt int // where in chunk the latest slice begins; -1 after one() or a new chunk
	next   int // size of the next chunk
}

const minChunk, maxChunk = 8, 512

func (a *arena[T]) one() *T {
	if a.used == len(a.chunk) {
		a.grow(1)
	}
	t := &a.chunk[a.used]
	a.used++
	a.lastAt = -1
	return t
}

// slice returns an empty slice with room for exactly n values. Its capacity ends where the
// next value handed out begins (a three-index slice), so appending beyond it reallocates
// instead of overwriting a neighbour.
func (a *arena[T]) slice(n int) []T {
	if n == 0 {
		return make([]T, 0) // empty, not nil, as etree makes them; allocates nothing
	}
	if n > len(a.chunk)-a.used {
		if n > maxChunk/4 {
			return make([]T, 0, n)
		}
		a.grow(n)
	}
	s := a.chunk[a.used : a.used : a.used+n]
	a.lastAt = a.used
	a.used += n
	return s
}

// extend returns s, with its values, with room for n values (n > cap(s)). When s is the
// latest slice handed out and its chunk has room, its capacity grows in place (the values
// after it were never handed out); otherwise its values move to a new slice and the old one
// is left unused in its chunk.
func (a *arena[T]) extend(s []T, n int) []T {
	if c := cap(s); c > 0 && a.lastAt >= 0 && a.lastAt+c == a.used && a.lastAt+n <= len(a.chunk) &&
		&a.chunk[a.lastAt] == &s[:1][0] {
		a.used = a.lastAt + n
		return a.chunk[a.lastAt : a.lastAt+len(s) : a.lastAt+n]
	}
	return append(a.slice(n), s...)
}

// reserve makes the next chunk at least n values long (before the first one is cut, the
// first chunk).
func (a *arena[T]) reserve(n int) {
	a.next = max(a.next, min(n, maxChunk))
}

func (a *arena[T]) grow(n int) {
	size := min(max(a.next, n, minChunk), maxChunk)
	a.chunk = make([]T, max(size, n))
	a.used = 0
	a.lastAt = -1
	a.next = size * 2
}
