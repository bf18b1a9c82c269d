// Package transport carries SOAP envelopes over HTTP for the reference peers and the suite:
// a Client that posts one envelope and returns what came back, a Handler that turns an HTTP
// request into a Request for the peer and its Reply into the HTTP response, a Server wrapper
// with timeouts and graceful shutdown, and a fault-injection Tap.
//
// The package knows SOAP's HTTP binding and nothing about WS-RM or WS-Security: it never
// decodes more of an envelope than the name of its document element.
//
// # Binding rules
//
//   - SOAP 1.1 (§6.1.1): Content-Type text/xml; the intent of the request is in the SOAPAction
//     header, a quoted URI. The Client always sends it (quoted, "" when there is no action).
//   - SOAP 1.2 (Part 2 §7.1.4 and RFC 3902): Content-Type application/soap+xml with the
//     optional action parameter. There is no SOAPAction header.
//   - One-way exchanges and responses with nothing to carry are 202 Accepted with an empty
//     body (WS-I Basic Profile 1.1 R2714: the response to a one-way request carries no
//     envelope; WS-Addressing 1.0 SOAP Binding: the anonymous back-channel of a message
//     whose reply goes elsewhere is empty).
//   - A response carrying a fault is 500 (SOAP 1.1 §6.2 "MUST issue an HTTP 500"; WS-I Basic
//     Profile 1.1 R1126; SOAP 1.2 Part 2 §7.5.2.2 maps every fault code to 500 except
//     env:Sender, which it maps to 400: a Reply may ask for that through Reply.Status).
//
// # Content type against envelope version
//
// The Content-Type selects the binding, hence the SOAP version the receiver expects. A media
// type that is neither text/xml nor application/soap+xml, or a charset other than UTF-8, is
// answered 415 Unsupported Media Type (SOAP 1.2 Part 2 §7.5, status code 415: "the peer HTTP
// server does not support the Content-type used to encode the request message").
//
// When the media type is a SOAP one but the document element is not that version's Envelope
// (a SOAP 1.2 envelope sent as text/xml, a SOAP 1.1 envelope sent as application/soap+xml, or
// no Envelope at all), the Handler answers a VersionMismatch fault, status 500, itself: SOAP
// 1.2 Part 1 §5.4.7 ("the namespace, local name or both did not match the Envelope element
// information item required") and SOAP 1.1 §4.4.1 ("invalid namespace for the SOAP Envelope
// element"). Following SOAP 1.2 Part 1 Appendix A, that fault is a SOAP 1.1 envelope (text/xml)
// carrying the env:Upgrade header that lists both supported envelopes, which a node of either
// version understands. A body that is not well-formed XML is not the binding's business and
// reaches Serve, so that the peer can answer with its own detailed fault.
package transport
