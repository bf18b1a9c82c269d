package c14n

import "github.com/rspcheck/rspcheck/internal/codec"

// NormalizeInput applies the XML 1.0 parser normalizations etree omits (see
// codec.NormalizeInput, where the codec applies it to every message it decodes).
func NormalizeInput(src []byte) []byte { return codec.NormalizeInput(src) }
