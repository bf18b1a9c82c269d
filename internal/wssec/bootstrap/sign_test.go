package bootstrap

import (
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire/soap"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
	"github.com/rspcheck/rspcheck/internal/xmlsec/dsig"
)

// TestSignVerifyRoundTrip: every envelope shape signs, survives serialization and
// verifies; the result names exactly the signed parts.
func TestSignVerifyRoundTrip(t *testing.T) {
	p := fixturePKI(t)
	for _, e := range envelopes {
		t.Run(e.name, func(t *testing.T) {
			doc := parse(t, signedXML(t, e.xml, p.initiator))
			res, err := Verify(doc, verifyOpts(p))
			if err != nil {
				t.Fatalf("%v\n%s", err, serialize(t, doc))
			}
			if !res.Cert.Equal(p.initiator.Cert) || res.SignatureMethod != dsig.RSASHA256 {
				t.Fatalf("cert %q, method %s", res.Cert.Subject.CommonName, res.SignatureMethod)
			}
			if !res.Created.Equal(testNow) || !res.Expires.Equal(testNow.Add(DefaultTTL)) {
				t.Fatalf("Created %v Expires %v", res.Created, res.Expires)
			}
			env, _ := locate(doc)
			want := 2 + len(env.addressingHeaders())
			if len(res.Signed) != want {
				t.Fatalf("%d signed elements, want %d", len(res.Signed), want)
			}
			if res.Signed[len(res.Signed)-1] != env.body {
				t.Fatal("the last signed element is not the Body")
			}
			if len(res.Chains) != 1 || len(res.Chains[0]) != 2 {
				t.Fatalf("chains %v", res.Chains)
			}
		})
	}
}

// TestSignLayout checks the header Sign writes against WSS 1.1 and the X.509 Token Profile.
func TestSignLayout(t *testing.T) {
	p := fixturePKI(t)
	doc := parse(t, signedXML(t, existingSecurity, p.initiator))
	env, err := locate(doc)
	if err != nil {
		t.Fatal(err)
	}
	secs := env.securityHeaders()
	if len(secs) != 1 || !env.mustUnderstand(secs[0]) {
		t.Fatalf("%d Security headers; mustUnderstand=%v", len(secs), len(secs) == 1 && env.mustUnderstand(secs[0]))
	}
	var order []string
	for _, c := range secs[0].ChildElements() {
		order = append(order, c.Tag)
	}
	if got := strings.Join(order, ","); got != "Timestamp,BinarySecurityToken,Signature,UsernameToken" {
		t.Fatalf("Security children %s", got)
	}
	bst := secs[0].ChildElements()[1]
	if bst.SelectAttrValue("ValueType", "") != wsse.ValueTypeX509v3 || bst.SelectAttrValue("EncodingType", "") != wsse.EncodingBase64Binary {
		t.Fatalf("BST attributes %v", bst.Attr)
	}
	ref := find(secs[0].ChildElements()[2], wsse.NS, "Reference")
	bstID, _ := dsig.IDOf(bst)
	if ref == nil || ref.SelectAttrValue("URI", "") != "#"+bstID || ref.SelectAttrValue("ValueType", "") != wsse.ValueTypeX509v3 {
		t.Fatal("KeyInfo does not reference the BinarySecurityToken")
	}
	// The existing Id="act" is reused; "wsu" is taken by another namespace, so a fresh
	// prefix is declared for the wsu:Id attributes.
	if id, _ := dsig.IDOf(env.header.ChildElements()[0]); id != "act" {
		t.Fatalf("Action ID %q", id)
	}
	body := serialize(t, doc)
	if !strings.Contains(body, `xmlns:wsu1="`+wsse.NSWSU+`"`) || !strings.Contains(body, `wsu1:Id="Body-1"`) {
		t.Fatalf("wsu prefix handling:\n%s", body)
	}
	if !strings.Contains(body, `s:mustUnderstand="true"`) {
		t.Fatalf("mustUnderstand not written for SOAP 1.2:\n%s", body)
	}
}

func TestSignSOAP11MustUnderstandIsOne(t *testing.T) {
	p := fixturePKI(t)
	doc := parse(t, signedXML(t, rst11, p.initiator))
	env, _ := locate(doc)
	if env.version != soap.V11 {
		t.Fatal("not SOAP 1.1")
	}
	sec := env.securityHeaders()[0]
	if v := sec.SelectAttrValue("soap:mustUnderstand", ""); v != "1" {
		t.Fatalf("mustUnderstand %q, want 1 (SOAP 1.1 §4.2.3)", v)
	}
}

func TestSignRefuses(t *testing.T) {
	p := fixturePKI(t)
	signedTwice := parse(t, signedXML(t, rst12, p.initiator))
	cases := []struct {
		name string
		doc  *etree.Document
		err  string
	}{
		{"not an envelope", parse(t, `<x/>`), "not a SOAP"},
		{"no body", parse(t, `<s:Envelope xmlns:s="`+soap.NS12+`"><s:Header/></s:Envelope>`), "no Body"},
		{"already signed", signedTwice, "already holds"},
		{"duplicate body id", parse(t, `<s:Envelope xmlns:s="`+soap.NS12+`"><s:Header><x Id="b"/></s:Header><s:Body Id="b"/></s:Envelope>`), "not unique"},
		{"two security headers", parse(t, `<s:Envelope xmlns:s="`+soap.NS12+`" xmlns:o="`+wsse.NS+`"><s:Header><o:Security/><o:Security/></s:Header><s:Body/></s:Envelope>`), "2 wsse:Security"},
	}
	for _, c := range cases {
		err := Sign(c.doc, p.initiator, Options{Now: testNow})
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.err)
		}
	}
	if err := Sign(parse(t, rst12), nil, Options{}); err == nil {
		t.Error("nil identity accepted")
	}
	if err := Sign(parse(t, rst12), p.initiator, Options{TTL: -time.Second}); err == nil {
		t.Error("negative TTL accepted")
	}
}

// TestSignDefaultsToNow: a zero Options signs at the current time with DefaultTTL.
func TestSignDefaultsToNow(t *testing.T) {
	p := fixturePKI(t)
	doc := parse(t, rst12)
	before := time.Now()
	if err := Sign(doc, p.initiator, Options{}); err != nil {
		t.Fatal(err)
	}
	res, err := Verify(doc, VerifyOptions{Roots: p.ca.Pool(), Now: testNow.Add(time.Hour)})
	if err == nil {
		t.Fatalf("a message signed now verified at the fixed test time: %+v", res)
	}
	ts := find(doc.Root(), wsse.NSWSU, "Created")
	created, err := wsse.ParseDateTime(ts.Text())
	if err != nil || created.Before(before.Add(-time.Second)) || created.After(time.Now()) {
		t.Fatalf("Created %s: %v", ts.Text(), err)
	}
}
