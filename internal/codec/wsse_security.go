package codec

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
)

// securityItems are the readers of wsse:Security children by qualified name (filled by the
// wsse_*.go and wsc.go files). A child without a reader, or whose reader gives up, becomes a
// wire.Any, so that Security.Items stays 1:1 with the element children.
var securityItems = map[wire.QName]readFunc{}

func registerSecurityItem(q wire.QName, f readFunc) { securityItems[q] = f }

// registerTyped registers the writer of *T, skipping nil pointers (a typed nil must never
// reach a writer that dereferences it).
func registerTyped[T any](f func(w *writer, p *etree.Element, v *T) *etree.Element) {
	registerWriter((*T)(nil), func(w *writer, p *etree.Element, v any) *etree.Element {
		x, _ := v.(*T)
		if x == nil {
			return nil
		}
		return f(w, p, x)
	})
}

func init() {
	registerHeader(wire.QName{Space: wsse.NS, Local: "Security"}, func(d *decoder, el *etree.Element) any { return d.readSecurity(el) })
	registerHeader(wire.QName{Space: wsse.NS11, Local: "EncryptedHeader"}, func(d *decoder, el *etree.Element) any {
		if h := d.readEncryptedHeader(el); h != nil {
			return h
		}
		return nil // an untyped nil: the header stays raw
	})
	registerSecurityItem(wire.QName{Space: wsse.NSWSU, Local: "Timestamp"}, func(d *decoder, el *etree.Element) any { return d.readTimestamp(el) })
	registerSecurityItem(wire.QName{Space: wsse.NS, Local: "BinarySecurityToken"}, func(d *decoder, el *etree.Element) any { return d.readBST(el) })
	registerSecurityItem(wire.QName{Space: wsse.NS, Local: "SecurityTokenReference"}, func(d *decoder, el *etree.Element) any { return d.readSTR(el) })
	registerSecurityItem(wire.QName{Space: wsse.NS11, Local: "SignatureConfirmation"}, func(d *decoder, el *etree.Element) any { return d.readSignatureConfirmation(el) })

	registerTyped(func(w *writer, p *etree.Element, v *wsse.Security) *etree.Element { return w.writeSecurity(p, v) })
	registerTyped(func(w *writer, p *etree.Element, v *wsse.Timestamp) *etree.Element { return w.writeTimestamp(p, v) })
	registerTyped(func(w *writer, p *etree.Element, v *wsse.BinarySecurityToken) *etree.Element { return w.writeBST(p, v) })
	registerTyped(func(w *writer, p *etree.Element, sc *wsse.SignatureConfirmation) *etree.Element {
		el := w.elem(p, wsse.NS11, "wsse11", "SignatureConfirmation")
		if sc.ID != "" {
			w.wsuID(el, sc.ID)
		}
		if sc.Value != nil {
			w.attr(el, "Value", b64(sc.Value))
		}
		return el
	})
	registerTyped(func(w *writer, p *etree.Element, v *wsse.EncryptedHeader) *etree.Element {
		el := w.elem(p, wsse.NS11, "wsse11", "EncryptedHeader")
		w.writeEncryptedData(el, &v.Data)
		return el
	})
}

// SecurityItemElement returns the element of Items[i] of the wsse:Security header h (the
// header's element children map 1:1 to Items), or nil. Signature verification works on these
// exact received elements.
func SecurityItemElement(h *Header, i int) *etree.Element {
	if h == nil || h.El == nil || i < 0 {
		return nil
	}
	kids := h.El.ChildElements()
	if i >= len(kids) {
		return nil
	}
	return kids[i]
}

func (d *decoder) readSecurity(el *etree.Element) *wsse.Security {
	s := &wsse.Security{}
	if _, n := firstChild(el); n > 0 {
		s.Items = make([]any, 0, n)
	}
	for c := range el.ChildElementsSeq() {
		var v any
		if f, ok := securityItems[qname(c)]; ok {
			v = f(d, c)
		}
		if v == nil || isNil(v) {
			v = toAny(c)
		}
		s.Items = append(s.Items, v)
	}
	return s
}

func (w *writer) writeSecurity(p *etree.Element, s *wsse.Security) *etree.Element {
	el := w.elem(p, wsse.NS, "wsse", "Security")
	for _, it := range s.Items {
		if isNil(it) {
			continue
		}
		if _, err := w.value(el, it); err != nil {
			// writeFunc has no error path: leave a visible trace instead of dropping silently.
			el.CreateComment(" " + err.Error() + " ")
		}
	}
	return el
}

// readTimestamp reads wsu:Timestamp (WSS 1.1 §10): Created?, Expires?, then ##other elements.
func (d *decoder) readTimestamp(el *etree.Element) *wsse.Timestamp {
	t := &wsse.Timestamp{}
	t.ID, _ = attrNS(el, wsse.NSWSU, "Id")
	c := childrenOf(el)
	if cr := c.take(wsse.NSWSU, "Created"); cr != nil {
		t.Created = text(cr)
	}
	if ex := c.take(wsse.NSWSU, "Expires"); ex != nil {
		t.Expires = text(ex)
	}
	for _, e := range c.rest() {
		if e.NamespaceURI() == wsse.NSWSU {
			d.problem(e, "wsu:Timestamp holds at most one Created then one Expires, in that order; other children must be of another namespace (WSS 1.1 §10)")
		}
		t.Extra = append(t.Extra, toAny(e))
	}
	return t
}

func (w *writer) writeTimestamp(p *etree.Element, t *wsse.Timestamp) *etree.Element {
	el := w.elem(p, wsse.NSWSU, "wsu", "Timestamp")
	if t.ID != "" {
		w.wsuID(el, t.ID)
	}
	if t.Created != "" {
		w.textElem(el, wsse.NSWSU, "wsu", "Created", t.Created)
	}
	if t.Expires != "" {
		w.textElem(el, wsse.NSWSU, "wsu", "Expires", t.Expires)
	}
	w.anys(el, t.Extra)
	return el
}

// readBST reads wsse:BinarySecurityToken (WSS 1.1 §6.3).
func (d *decoder) readBST(el *etree.Element) *wsse.BinarySecurityToken {
	b := &wsse.BinarySecurityToken{}
	b.ID, _ = attrNS(el, wsse.NSWSU, "Id")
	b.ValueType, _ = attr(el, "ValueType")
	b.EncodingType, _ = attr(el, "EncodingType")
	switch b.EncodingType {
	case "", wsse.EncodingBase64Binary:
		b.Value = d.base64(el, el.Text())
	default:
		d.problem(el, "unknown EncodingType "+b.EncodingType+" (WSS 1.1 §6.3 defines Base64Binary)")
		b.Value = []byte(el.Text())
	}
	return b
}

func (w *writer) writeBST(p *etree.Element, b *wsse.BinarySecurityToken) *etree.Element {
	el := w.elem(p, wsse.NS, "wsse", "BinarySecurityToken")
	if b.ID != "" {
		w.wsuID(el, b.ID)
	}
	if b.ValueType != "" {
		w.attr(el, "ValueType", b.ValueType)
	}
	if b.EncodingType != "" {
		w.attr(el, "EncodingType", b.EncodingType)
	}
	if b.EncodingType == "" || b.EncodingType == wsse.EncodingBase64Binary {
		w.text(el, b64(b.Value))
	} else {
		w.text(el, string(b.Value))
	}
	return el
}

func (d *decoder) readSignatureConfirmation(el *etree.Element) *wsse.SignatureConfirmation {
	sc := &wsse.SignatureConfirmation{}
	sc.ID, _ = attrNS(el, wsse.NSWSU, "Id")
	if v, ok := attr(el, "Value"); ok {
		sc.Value = d.base64Present(el, v)
	}
	return sc
}

// readEncryptedHeader reads wsse11:EncryptedHeader (WSS 1.1 §9.3): one xenc:EncryptedData.
func (d *decoder) readEncryptedHeader(el *etree.Element) *wsse.EncryptedHeader {
	c := childrenOf(el)
	ed := c.take(wsse.NSEnc, "EncryptedData")
	if !d.require(el, ed, "xenc:EncryptedData") {
		return nil
	}
	d.unexpected(el, c.rest())
	return &wsse.EncryptedHeader{Data: *d.readEncryptedData(ed)}
}

// base64 decodes xs:base64Binary text (whitespace ignored); "" gives nil. Invalid input is
// recorded as a problem and gives nil.
func (d *decoder) base64(el *etree.Element, s string) []byte {
	s = stripSpace(s)
	if s == "" {
		return nil
	}
	return d.base64Present(el, s)
}

// base64Present is base64 for a value whose presence matters: "" gives an empty, non-nil
// slice. Small values (digests, signature values, nonces) are decoded into the decoder's
// shared chunk: one allocation for all of them instead of one each.
func (d *decoder) base64Present(el *etree.Element, s string) []byte {
	s = stripSpace(s)
	n := base64.StdEncoding.DecodedLen(len(s))
	if n > maxSmallBase64 {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			d.problem(el, fmt.Sprintf("value is not valid base64 (xs:base64Binary): %v", err))
			return nil
		}
		return b
	}
	// The text is copied to the stack: Decode reads bytes, and []byte(s) would allocate.
	var src [(maxSmallBase64/3 + 1) * 4]byte // holds any text of DecodedLen <= maxSmallBase64
	d.bytes.Reserve(smallValueBytes)         // cheap: only sizes the next chunk
	b := d.bytes.Slice(n)[:n]
	m, err := base64.StdEncoding.Decode(b, append(src[:0], s...))
	if err != nil {
		d.problem(el, fmt.Sprintf("value is not valid base64 (xs:base64Binary): %v", err))
		return nil
	}
	return b[:m:m]
}

// maxSmallBase64 bounds the decoded values cut from the decoder's chunk: digests, signature
// values and nonces (a SHA-512 or HMAC-SHA512 value has 64 bytes).
const maxSmallBase64 = 64

func stripSpace(s string) string {
	if !strings.ContainsAny(s, " \t\r\n") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, s)
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
