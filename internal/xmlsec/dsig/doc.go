// Package dsig creates and verifies detached XML signatures (XML-Signature Syntax and
// Processing, W3C REC 2002/2008) over elements referenced by ID in the same document, as
// WS-Security uses them: HMAC-SHA1 and HMAC-SHA256 with keys derived from a security context
// token, RSA-SHA256 (and RSA-SHA1 on input) for the X.509 bootstrap; SHA-1 and SHA-256 digests;
// Exclusive XML Canonicalization as the only canonicalization and transform.
//
// Verification is strict and resistant to signature wrapping (XSW):
//
//   - only the algorithms in the allow-list are accepted; HMACOutputLength is refused
//     (CVE-2009-0217);
//   - references are same-document "#id" URIs only, and every ID in the document must be
//     unique, so a reference cannot be steered to a decoy copy;
//   - the result names the exact elements whose digests were checked (Verified.References);
//     callers must use those elements, never look the content up again by name;
//   - the key comes from the caller's resolver, which decides which token may sign.
//
// Canonical bytes stream straight into the hash; the tree is never copied or modified.
package dsig
