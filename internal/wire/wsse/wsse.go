// Package wsse is the WS-Security (WSS SOAP Message Security 1.0/1.1) vocabulary, together
// with the XML-DSig and XML-Enc shapes that appear inside a wsse:Security header.
package wsse

// Namespaces (CONSTANTS §1).
const (
	NS    = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
	NS11  = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd"
	NSWSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
	NSDS  = "http://www.w3.org/2000/09/xmldsig#"
	NSEnc = "http://www.w3.org/2001/04/xmlenc#"
)
