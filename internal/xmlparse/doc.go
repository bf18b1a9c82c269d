// Package xmlparse is a strict, allocation-light XML 1.0 (Fifth Edition) parser that builds
// the same *etree.Document as
//
//	doc := etree.NewDocument()
//	doc.ReadSettings.PreserveCData = true
//	doc.ReadSettings.PreserveDuplicateAttrs = true
//	err := doc.ReadFromBytes(raw)
//
// for every input that is well-formed, and refuses every input that is not. It reads the
// bytes directly (one string conversion, names and values are substrings of it), keeps an
// explicit element stack (no recursion) and never panics.
//
// # Tree produced
//
// As etree/encoding/xml (RawToken, Strict): element and attribute names keep their prefix in
// Space ("a:b" gives Space "a", Tag "b"; a name with an empty prefix or local part such as
// ":b" or "b:" stays whole in Tag); attributes keep document order; one CharData per run of
// text between two markup constructs (references decoded, a literal CR LF or CR read as LF),
// flagged whitespace when it is only spaces, tabs, CRs and LFs; a CDATA section is its own
// CharData flagged CDATA (never merged with adjacent text); comments and processing
// instructions keep their raw text. A byte order mark is kept as the start of the first
// document-level CharData, exactly as encoding/xml reports it.
//
// # Where xmlparse is stricter than encoding/xml (and so than etree)
//
// encoding/xml is not a conforming XML parser (golang.org/issue/68299). Each case below is
// refused here and accepted by etree; FuzzParseMatchesEtree names each as an exception class
// and checks independent evidence for it:
//
//   - declaration: any <!DOCTYPE, <!ENTITY or other <! declaration (etree keeps a Directive).
//     SOAP forbids a DTD, and without one only the five predefined entities exist (§4.6).
//   - root-count: no root element, or a second one (§2.1 document ::= prolog element Misc*).
//   - outside-root: character data, a reference or a CDATA section before or after the root
//     element; only white space (S), comments and PIs are allowed there (§2.1 [22], [27]).
//   - duplicate-attr: the same attribute name twice in a tag (§3.1 WFC: Unique Att Spec).
//   - attr-space: no white space between two attributes (§3.1 [40] STag).
//   - pi-space: a PI target followed by anything but white space or "?>" (§2.6 [16]).
//   - xml-decl: a PI target "xml" in any case other than the declaration at the very start
//     (§2.6 [17], §2.8 [23]), or a declaration that is not version, then encoding, then
//     standalone, each quoted, with version "1.0" and standalone yes|no (§2.8, §2.9).
//   - encoding: a declared encoding other than UTF-8 (§4.3.3); etree installs a pass-through
//     CharsetReader, so encoding/xml would read any declared encoding as if it were UTF-8.
//   - markup-chars: a byte sequence that is not UTF-8 or a character outside Char (§2.2) in a
//     comment or processing instruction (encoding/xml checks text and attributes only).
//   - char-ref: a character reference to a surrogate, &#xD800; to &#xDFFF;, which encoding/xml
//     turns into U+FFFD (§4.1 WFC: Legal Character).
//
// # Where both refuse well-formed XML
//
// To stay a drop-in replacement, names follow encoding/xml rather than the Fifth Edition:
// the name characters are those of the Fourth Edition Appendix B (a subset of the Fifth
// Edition's NameStartChar and NameChar), element and attribute names with two or more
// colons are refused, and the version must be exactly "1.0". Element nesting deeper than
// Options.MaxDepth (default 1024, as etree) is refused.
//
// # Not checked
//
// Namespace well-formedness (declared prefixes, xmlns rules) is left to the caller, as with
// etree. Line ends and attribute values are not normalized beyond what encoding/xml does
// (CR LF and CR become LF in text, CDATA and attribute values; comments and PIs are raw).
package xmlparse
