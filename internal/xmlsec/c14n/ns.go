package c14n

import (
	"fmt"

	"github.com/beevik/etree"
)

// isNSDecl reports whether a is a namespace declaration (xmlns or xmlns:p)
// rather than an attribute. In the XPath data model used by C14N,
// declarations are not attribute nodes; they produce namespace nodes.
func isNSDecl(a *etree.Attr) bool {
	return a.Space == "xmlns" || (a.Space == "" && a.Key == "xmlns")
}

// pushDecls puts the namespace declarations of el in scope. Declarations of
// the prefix xml are ignored: it is bound by definition (Namespaces in XML
// §3) and its namespace node is never rendered.
//
// C14N §2.1: implementations MUST report an operation failure on documents
// containing relative namespace URIs. Every declaration met is checked, so a
// relative URI fails the call even where it is not rendered (as libxml2
// does for the elements it canonicalizes). Declarations of the apex's
// ancestors are loaded with check=false: they fail only when rendered (see
// utilize). An empty value (xmlns="", the
// undeclaration of the default namespace) is not a URI and is allowed.
func (c *canon) pushDecls(el *etree.Element, check bool) error {
	for i := range el.Attr {
		a := &el.Attr[i]
		var b binding
		switch {
		case a.Space == "xmlns":
			if a.Key == "xml" || a.Key == "xmlns" {
				continue
			}
			b = binding{prefix: a.Key, uri: a.Value}
		case a.Space == "" && a.Key == "xmlns":
			b = binding{uri: a.Value}
		default:
			continue
		}
		if check && b.uri != "" && !absoluteURI(b.uri) {
			return fmt.Errorf("%w %q (declaration %s)", ErrRelativeNamespace, b.uri, a.FullKey())
		}
		c.scope = append(c.scope, b)
	}
	return nil
}

// lookup returns the namespace URI bound to prefix in the current scope,
// comparing declarations by prefix and returning the innermost. The default
// namespace is always "declared" (empty when no xmlns is in scope). A
// non-empty prefix bound to "" (the XML 1.1 undeclaration xmlns:p="", not
// allowed in XML 1.0) counts as undeclared.
func (c *canon) lookup(prefix string) (string, bool) {
	if prefix == "xml" {
		return XMLNamespace, true
	}
	if prefix == "xmlns" {
		return "", false
	}
	for i := len(c.scope) - 1; i >= 0; i-- {
		if c.scope[i].prefix == prefix {
			uri := c.scope[i].uri
			return uri, uri != "" || prefix == ""
		}
	}
	return "", prefix == ""
}

// renderedURI returns the value with which prefix was last rendered on an
// output ancestor, or "" if it never was.
func (c *canon) renderedURI(prefix string) string {
	for i := len(c.rendered) - 1; i >= 0; i-- {
		if c.rendered[i].prefix == prefix {
			return c.rendered[i].uri
		}
	}
	return ""
}

// utilize records that the element being started needs prefix bound to uri
// and queues the namespace node for rendering when required.
//
// exc-c14n §3 (paraphrased): a namespace node N (prefix not in the
// InclusiveNamespaces PrefixList) is rendered if its element is in the
// node-set, N is visibly utilized by the element, and the nearest output
// ancestor of the element that visibly utilizes the prefix does not already
// have a namespace node in the node-set with the same prefix and value.
//
// Because the node-set is a whole subtree, every ancestor up to the apex is
// an output ancestor, and the value rendered last along the ancestor chain
// for a prefix (c.rendered) is exactly what that nearest ancestor has in
// scope. Values are compared as URIs (strings), never by the identity of
// the declaring attribute, so a redundant redeclaration is not rendered
// again and a redeclaration to another URI is.
//
// For the default namespace the "value" of an absent declaration is "":
// when an unprefixed element has no default namespace but an output
// ancestor rendered a non-empty one, xmlns="" is rendered (C14N §2.3 rule
// for the empty default namespace, as exc-c14n §3 keeps it).
func (c *canon) utilize(prefix, uri string) error {
	if prefix == "xml" {
		return nil
	}
	for _, b := range c.nsOut {
		if b.prefix == prefix {
			return nil
		}
	}
	if c.renderedURI(prefix) == uri {
		return nil
	}
	if uri != "" && !absoluteURI(uri) {
		return fmt.Errorf("%w %q (prefix %q)", ErrRelativeNamespace, uri, prefix)
	}
	c.nsOut = append(c.nsOut, binding{prefix: prefix, uri: uri})
	return nil
}

// absoluteURI reports whether s starts with an RFC 3986 scheme:
// ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":".
func absoluteURI(s string) bool {
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case 'a' <= ch && ch <= 'z', 'A' <= ch && ch <= 'Z':
		case i > 0 && ('0' <= ch && ch <= '9' || ch == '+' || ch == '-' || ch == '.'):
		case i > 0 && ch == ':':
			return true
		default:
			return false
		}
	}
	return false
}
