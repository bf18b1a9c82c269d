package codec

// Defaults for Options.
const (
	DefaultMaxSize  = 4 << 20 // 4 MiB, the peers' request size limit
	DefaultMaxDepth = 100
)

// Options tune decoding and encoding. The zero value is usable.
type Options struct {
	// MaxSize is the largest accepted message in bytes (0 = DefaultMaxSize).
	MaxSize int
	// MaxDepth is the deepest accepted element nesting (0 = DefaultMaxDepth).
	MaxDepth int
	// AllowIllegal makes Encode write values that break the rules (for negative tests).
	AllowIllegal bool
}

func (o Options) maxSize() int {
	if o.MaxSize > 0 {
		return o.MaxSize
	}
	return DefaultMaxSize
}

func (o Options) maxDepth() int {
	if o.MaxDepth > 0 {
		return o.MaxDepth
	}
	return DefaultMaxDepth
}
