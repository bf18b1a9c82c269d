package codec

import (
	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire"
)

// readFunc decodes one element into a typed value. It records problems through d and
// returns nil when the element cannot be represented.
type readFunc func(d *decoder, el *etree.Element) any

// Readers of header blocks and body elements, by qualified name. Each vocabulary file of this
// package registers its elements in init.
var (
	headerReaders = map[wire.QName]readFunc{}
	bodyReaders   = map[wire.QName]readFunc{}
)

func registerHeader(q wire.QName, f readFunc) { headerReaders[q] = f }
func registerBody(q wire.QName, f readFunc)   { bodyReaders[q] = f }

// writeFunc appends the XML form of a typed value to parent. AllowIllegal has already been
// handled by the caller.
type writeFunc func(w *writer, parent *etree.Element, v any) *etree.Element

// writers by Go type name of the value (set in init of each vocabulary file).
var writers = map[string]writeFunc{}

func registerWriter(v any, f writeFunc) { writers[typeKey(v)] = f }
