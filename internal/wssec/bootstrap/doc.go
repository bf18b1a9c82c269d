// Package bootstrap is the X.509 bootstrap that protects the issuance of a
// SecurityContextToken when no TLS is used (FLOW §1, M1 RST/SCT and M2 RSTR/SCT): each side
// signs its message with its own certificate, carried in the message, and the issuer's
// entropy travels encrypted for the requestor's certificate.
//
// Sign adds to a SOAP 1.1 or 1.2 envelope a wsse:Security header (mustUnderstand) holding
//
//   - a wsu:Timestamp (WSS SOAP Message Security 1.1 §10) with Created and Expires;
//   - a wsse:BinarySecurityToken carrying the signer's certificate, ValueType #X509v3 and
//     EncodingType #Base64Binary (WSS X.509 Token Profile 1.1 §3.1);
//   - a ds:Signature (WSS 1.1 §8; RSA-SHA256, SHA-256 digests, exclusive c14n) over the
//     Body, the Timestamp and every WS-Addressing header, whose KeyInfo is a
//     wsse:SecurityTokenReference with a direct wsse:Reference to that token (X.509 Token
//     Profile 1.1 §3.2, WSS 1.1 §7.2).
//
// Verify checks such a message against trust roots and a clock, XSW-safely: the only key it
// accepts is the certificate of the BinarySecurityToken that the signature's KeyInfo names
// in the same Security header, the certificate must chain to the roots, and coverage is
// decided on element identity — the envelope's actual Body, this header's Timestamp and
// every WS-Addressing header that is a direct child of soap:Header must be among the
// elements whose digests dsig.Verify checked (dsig.Verified.References), never looked up
// again by name. Failures are *Error values whose Kind is one of the Err* sentinels.
//
// EncryptEntropy and DecryptEntropy carry wst:Entropy as an xenc:EncryptedKey (RSA-OAEP)
// for the recipient's certificate, named by its SHA-1 thumbprint (WS-Trust 1.3 §3.3 allows
// xenc:EncryptedKey inside wst:Entropy), so that the computed SCT key stays secret without
// TLS.
package bootstrap
