package transport

import (
	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire/soap"
)

// versionMismatchFault is the answer to an envelope that does not match the binding's SOAP
// version (see the package documentation).
//
// SOAP 1.2 Part 1 Appendix A: a SOAP 1.2 node receiving a SOAP 1.1 message "MUST generate a
// version mismatch SOAP fault based on a SOAP/1.1 message construct ... using a SOAP binding
// that supports SOAP 1.1"; the fault "SHOULD include an Upgrade SOAP header block" (§5.4.7,
// env:Upgrade with one env:SupportedEnvelope per supported envelope, most preferred first). A
// SOAP 1.1 node receiving a SOAP 1.2 message answers a SOAP 1.1 VersionMismatch fault too
// (SOAP 1.1 §4.4.1), so the same envelope serves both directions.
const versionMismatchFault = `<?xml version="1.0" encoding="utf-8"?>` +
	`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">` +
	`<s:Header>` +
	`<env:Upgrade xmlns:env="http://www.w3.org/2003/05/soap-envelope">` +
	`<env:SupportedEnvelope qname="ns12:Envelope" xmlns:ns12="http://www.w3.org/2003/05/soap-envelope"/>` +
	`<env:SupportedEnvelope qname="ns11:Envelope" xmlns:ns11="http://schemas.xmlsoap.org/soap/envelope/"/>` +
	`</env:Upgrade>` +
	`</s:Header>` +
	`<s:Body><s:Fault>` +
	`<faultcode>s:VersionMismatch</faultcode>` +
	`<faultstring>The document element is not the SOAP Envelope that the Content-Type selects` +
	` (text/xml: SOAP 1.1, application/soap+xml: SOAP 1.2)</faultstring>` +
	`</s:Fault></s:Body></s:Envelope>`

// receiverFault is the envelope answered when Serve fails without a fault of its own. Its
// reason is fixed: the error may name keys or tokens and never goes on the wire.
func receiverFault(v soap.Version) []byte {
	b, err := codec.Encode(&codec.Envelope{SOAP: v, Body: []any{&soap.Fault{
		Code:   soap.Receiver,
		Reason: "internal error while processing the message",
		Lang:   "en",
	}}}, codec.Options{})
	if err != nil { // cannot happen for this fixed value; keep the response a SOAP one
		return []byte(versionMismatchFault)
	}
	return b
}
