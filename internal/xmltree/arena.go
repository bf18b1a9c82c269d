package xmltree

// Arena hands out values from shared chunks: one allocation for many elements, texts,
// attributes, child slices or small decoded values. A chunk lives as long as any value in it,
// so chunks are small (at most MaxChunk values) and a slice of more than a quarter of that
// gets its own allocation. The zero value is ready to use. Used by the parser
// (internal/xmlparse), the Builder and the decoder (internal/codec).
//
// Every slice handed out has its capacity capped where the next value begins (a three-index
// slice): appending beyond it reallocates instead of overwriting a neighbour. Extend grows the
// latest slice in place when its chunk has room — a parser knows each slice's length when it
// cuts it, a builder only learns it as children and attributes arrive.
type Arena[T any] struct {
	chunk  []T // the current chunk; chunk[:used] is handed out
	used   int
	lastAt int // where in chunk the latest slice begins; -1 after one() or a new chunk
	next   int // size of the next chunk
}

// MaxChunk is the most values one chunk of an Arena holds.
const MaxChunk = 512

const minChunk = 8

// One returns a pointer to a zero value.
func (a *Arena[T]) One() *T {
	if a.used == len(a.chunk) {
		a.grow(1)
	}
	t := &a.chunk[a.used]
	a.used++
	a.lastAt = -1
	return t
}

// Slice returns an empty slice with room for exactly n values (zero values: s[:n] reads
// zeros).
func (a *Arena[T]) Slice(n int) []T {
	if n == 0 {
		return make([]T, 0) // empty, not nil, as etree makes them; allocates nothing
	}
	if n > len(a.chunk)-a.used {
		if n > MaxChunk/4 {
			return make([]T, 0, n)
		}
		a.grow(n)
	}
	s := a.chunk[a.used : a.used : a.used+n]
	a.lastAt = a.used
	a.used += n
	return s
}

// Extend returns s, with its values, with room for n values (n > cap(s)). When s is the
// latest slice handed out and its chunk has room, its capacity grows in place (the values
// after it were never handed out); otherwise its values move to a new slice and the old one
// is left unused in its chunk.
func (a *Arena[T]) Extend(s []T, n int) []T {
	if c := cap(s); c > 0 && a.lastAt >= 0 && a.lastAt+c == a.used && a.lastAt+n <= len(a.chunk) &&
		&a.chunk[a.lastAt] == &s[:1][0] {
		a.used = a.lastAt + n
		return a.chunk[a.lastAt : a.lastAt+len(s) : a.lastAt+n]
	}
	return append(a.Slice(n), s...)
}

// Reserve makes the next chunk at least n values long (up to the largest chunk); before the
// first value is handed out, the first chunk: a caller that can count what follows sizes it.
func (a *Arena[T]) Reserve(n int) {
	a.next = max(a.next, min(n, MaxChunk))
}

func (a *Arena[T]) grow(n int) {
	size := min(max(a.next, n, minChunk), MaxChunk)
	a.chunk = make([]T, max(size, n))
	a.used = 0
	a.lastAt = -1
	a.next = size * 2
}
