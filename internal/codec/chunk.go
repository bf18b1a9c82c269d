package codec

import "unsafe"

// chunk hands out small slices cut from shared backing arrays, so that the many small values
// of one message (decoded DigestValues and SignatureValues, the Transforms of each
// ds:Reference) cost one allocation per array instead of one each. Each slice has its
// capacity capped at its length (a three-index slice): appending to it reallocates instead
// of overwriting a neighbour. An array stays alive as long as any slice of it, so arrays are
// small (chunkBytes) and a value larger than a quarter of one gets its own allocation.
type chunk[T any] struct {
	free []T // the unused tail of the current backing array
}

const chunkBytes = 512

// perChunk is the number of values of T in one backing array (at least 4).
func (c *chunk[T]) perChunk() int {
	var zero T
	return max(chunkBytes/max(int(unsafe.Sizeof(zero)), 1), 4)
}

// take returns a slice of n zero values with capacity n.
func (c *chunk[T]) take(n int) []T {
	if n == 0 || n > c.perChunk()/4 && n > len(c.free) {
		return make([]T, n) // n == 0: empty but not nil, without allocating
	}
	if n > len(c.free) {
		c.free = make([]T, c.perChunk())
	}
	s := c.free[:n:n]
	c.free = c.free[n:]
	return s
}

// reserve makes the next n values come from one backing array, when the caller knows how
// many will follow (one Transform per ds:Reference).
func (c *chunk[T]) reserve(n int) {
	if n > len(c.free) {
		c.free = make([]T, n)
	}
}
