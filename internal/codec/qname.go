package codec

import (
	"strings"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire"
)

// resolveQName resolves "prefix:local" text content (xs:QName) in the scope of el.
func (d *decoder) resolveQName(el *etree.Element, s string) wire.QName {
	s = strings.TrimSpace(s)
	prefix, local, found := strings.Cut(s, ":")
	if !found {
		local, prefix = prefix, ""
	}
	ns := lookupPrefix(el, prefix)
	if ns == "" && prefix != "" {
		d.problem(el, "QName "+s+" uses undeclared prefix "+prefix)
	}
	return wire.QName{Space: ns, Local: local}
}

// qnameText writes q as prefix:local, declaring its namespace when needed.
func (w *writer) qnameText(q wire.QName) string {
	if q.Space == "" {
		return q.Local
	}
	return w.prefixFor(q.Space, guessPrefix(q.Space)) + ":" + q.Local
}

// guessPrefix proposes the conventional prefix of well-known namespaces.
func guessPrefix(ns string) string {
	switch {
	case strings.Contains(ns, "/ws-rx/wsrm/") || strings.HasSuffix(ns, "/2005/02/rm"):
		return "wsrm"
	case strings.Contains(ns, "secureconversation") || strings.HasSuffix(ns, "/2005/02/sc"):
		return "wsc"
	case strings.Contains(ns, "ws-trust") || strings.HasSuffix(ns, "/2005/02/trust"):
		return "wst"
	case strings.Contains(ns, "addressing"):
		return "wsa"
	case strings.Contains(ns, "secext"):
		return "wsse"
	case strings.Contains(ns, "soap-envelope") || strings.Contains(ns, "soap/envelope"):
		return "s"
	case strings.Contains(ns, "/ws/2006/05/rm"):
		return "netrm"
	}
	return "ns"
}
