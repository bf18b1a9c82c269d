// Package c14n implements Exclusive XML Canonicalization 1.0
// (W3C Recommendation 18 July 2002, https://www.w3.org/TR/xml-exc-c14n/,
// algorithm URIs http://www.w3.org/2001/10/xml-exc-c14n# and
// ...#WithComments), with the InclusiveNamespaces PrefixList, over
// github.com/beevik/etree trees.
//
// Exclusive C14N is defined as a modification of Canonical XML 1.0
// (https://www.w3.org/TR/2001/REC-xml-c14n-20010315, "C14N" below); the
// serialization rules (escaping, attribute order, comments, processing
// instructions, empty elements) come from C14N §2.3 and §1.1, the namespace
// rules from exc-c14n §3. Comments next to the code quote the rule they
// implement.
//
// Scope and model. The input is always a whole subtree ("apex" element plus
// all its descendants, attributes and namespace nodes), or a whole document:
// the node-sets that WS-Security references by wsu:Id produce. Arbitrary
// XPath node-sets are not supported. The apex is canonicalized in its
// document context: namespace declarations of its ancestors are in scope,
// and those the subtree visibly utilizes are rendered on the apex. As
// exc-c14n §3 requires, xml:* attributes of ancestors are NOT imported.
//
// The tree is never modified: no detaching, no copying, no attribute edits.
// Output is streamed to the caller's io.Writer through a small internal
// buffer, so a subtree can be hashed without materializing its canonical
// form. Per-call state is pooled; canonicalizing a small element performs
// no heap allocation in the steady state.
//
// Limits. Every element, attribute (including namespace declarations), text,
// comment and processing-instruction node visited — ancestors included —
// counts against Options.MaxNodes; exceeding it returns ErrNodeBudget. The
// traversal is iterative, so deep trees cannot exhaust the goroutine stack,
// and the budget bounds the work even on cyclic (programmatically broken)
// trees.
//
// Parser caveat. XML 1.0 §3.3.3 requires a parser to replace each literal
// tab, newline and carriage return inside an attribute value by a space
// (character references such as &#9; survive), and §2.11 to turn CR LF and
// lone CR into LF everywhere. encoding/xml, and therefore etree, keeps
// literal tabs and newlines in attribute values, and keeps CRs inside
// comments and processing instructions (it does normalize line ends in text,
// CDATA and attribute values). A tree parsed from such input canonicalizes
// to &#x9;/&#xA; (or a raw CR in a comment) where a conforming stack
// produces a space (or LF). The information is lost once etree has parsed
// the document, so the fix lives before parsing: NormalizeInput rewrites raw
// XML so that etree then yields what a conforming parser would.
package c14n
