package peer

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wssec"
	"github.com/rspcheck/rspcheck/internal/xmlsec/c14n"
	"github.com/rspcheck/rspcheck/internal/xmlsec/psha1"
)

// WrongDKLabel is the responder's own misbehaviour: its signatures are made with keys derived
// with the label "WS-SecureConversation" (the single word, a classic interop bug) while the
// DerivedKeyToken names no wsc:Label, which means the 42-octet default
// "WS-SecureConversationWS-SecureConversation". A conforming receiver derives another key and
// the signature fails. Violates SC-DKT-002.
const WrongDKLabel = "wrong-dk-label"

const wrongLabel = "WS-SecureConversation"

// resignWrongLabel recomputes the HMAC-SHA1 signature of a message protected by wssec.Apply
// (one DerivedKeyToken, no encryption) with a key derived under wrongLabel.
func resignWrongLabel(doc *etree.Document, tok wssec.Token) error {
	var dkt, signedInfo, sigValue *etree.Element
	var walk func(el *etree.Element)
	walk = func(el *etree.Element) {
		switch el.Tag {
		case "DerivedKeyToken":
			if dkt == nil {
				dkt = el
			}
		case "SignedInfo":
			signedInfo = el
		case "SignatureValue":
			sigValue = el
		}
		for c := range el.ChildElementsSeq() {
			walk(c)
		}
	}
	walk(doc.Root())
	if dkt == nil || signedInfo == nil || sigValue == nil {
		return errors.New("wrong-dk-label: no derived-key signature to redo")
	}
	var nonceText string
	for c := range dkt.ChildElementsSeq() {
		if c.Tag == "Nonce" {
			nonceText = strings.TrimSpace(c.Text())
		}
	}
	nonce, err := base64.StdEncoding.DecodeString(nonceText)
	if err != nil || len(nonce) == 0 {
		return errors.New("wrong-dk-label: derived key token without nonce")
	}
	key, err := psha1.DeriveKey(tok.Secret, wrongLabel, nonce, 0, 32)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := c14n.Canonicalize(&buf, signedInfo, c14n.Options{}); err != nil {
		return err
	}
	mac := hmac.New(sha1.New, key)
	mac.Write(buf.Bytes())
	sigValue.SetText(base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	return nil
}
