package seckit

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/xmlsec/c14n"
	"github.com/rspcheck/rspcheck/internal/xmlsec/psha1"
)

// Find returns the first element named local (any namespace) under root, depth first.
func Find(root *etree.Element, local string) *etree.Element {
	if root == nil {
		return nil
	}
	if root.Tag == local {
		return root
	}
	for _, c := range root.ChildElements() {
		if f := Find(c, local); f != nil {
			return f
		}
	}
	return nil
}

// Resign recomputes the HMAC-SHA1 SignatureValue of the signature in doc with key (the
// signature's references are left as they are).
func Resign(doc *etree.Document, key []byte) error {
	si, sv := Find(doc.Root(), "SignedInfo"), Find(doc.Root(), "SignatureValue")
	if si == nil || sv == nil {
		return errors.New("seckit: no signature to redo")
	}
	var buf bytes.Buffer
	if err := c14n.Canonicalize(&buf, si, c14n.Options{}); err != nil {
		return err
	}
	mac := hmac.New(sha1.New, key)
	mac.Write(buf.Bytes())
	sv.SetText(base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	return nil
}

// Derivation is what a DerivedKeyToken edit leaves for the re-signing key.
type Derivation struct {
	Label          string // "" = the default 42-octet label
	Offset, Length int
}

// EditDKT is a Protection.Mutate for a message protected with derived keys: edit changes the
// first wsc:DerivedKeyToken (the signing one) and says how the signing key is now to be
// derived from secret (the SCT key) with the DKT's nonce; the signature is made again with it.
func EditDKT(secret []byte, edit func(dkt *etree.Element) Derivation) func(*etree.Document) error {
	return func(doc *etree.Document) error {
		dkt := Find(doc.Root(), "DerivedKeyToken")
		if dkt == nil {
			return errors.New("seckit: the message has no DerivedKeyToken (derived keys not in use)")
		}
		d := edit(dkt)
		nonce, err := base64.StdEncoding.DecodeString(strings.TrimSpace(childText(dkt, "Nonce")))
		if err != nil || len(nonce) == 0 {
			return errors.New("seckit: the DerivedKeyToken has no nonce")
		}
		label := d.Label
		if label == "" {
			label = wsc.DefaultLabel
		}
		if d.Length == 0 {
			d.Length = wsc.DefaultLength
		}
		key, err := psha1.DeriveKey(secret, label, nonce, d.Offset, d.Length)
		if err != nil {
			return err
		}
		return Resign(doc, key)
	}
}

// SetChild sets the text of el's child local (created in el's namespace prefix, before the
// child named before when that exists, else last) and returns it.
func SetChild(el *etree.Element, local, text, before string) *etree.Element {
	c := childNamed(el, local)
	if c == nil {
		tag := local
		if el.Space != "" {
			tag = el.Space + ":" + local
		}
		c = etree.NewElement(tag)
		if b := childNamed(el, before); b != nil {
			el.InsertChildAt(b.Index(), c)
		} else {
			el.AddChild(c)
		}
	}
	c.SetText(text)
	return c
}

// RemoveChild removes el's child local, if any.
func RemoveChild(el *etree.Element, local string) {
	if c := childNamed(el, local); c != nil {
		el.RemoveChild(c)
	}
}

func childText(el *etree.Element, local string) string {
	if c := childNamed(el, local); c != nil {
		return c.Text()
	}
	return ""
}
