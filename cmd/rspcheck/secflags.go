package main

import (
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire/wsc"
	"github.com/rspcheck/rspcheck/internal/wssec"
)

// tokenFlags are the flags that name the SCT of sign and verify.
type tokenFlags struct {
	sctID     string
	secretB64 string
	instance  string
}

func (f *tokenFlags) register(fl *flag.FlagSet) {
	fl.StringVar(&f.sctID, "sct-id", "", "the SCT's wsc:Identifier (an absolute URI)")
	fl.StringVar(&f.secretB64, "secret-b64", "", "the SCT's key, base64 (as the key log writes it)")
	fl.StringVar(&f.instance, "instance", "", "the SCT key instance (wsc:Instance), when re-keyed")
}

func (f *tokenFlags) token() (wssec.Token, error) {
	if f.sctID == "" || f.secretB64 == "" {
		return wssec.Token{}, errors.New("--sct-id and --secret-b64 are required")
	}
	secret, err := base64.StdEncoding.DecodeString(strings.TrimSpace(f.secretB64))
	if err != nil || len(secret) == 0 {
		return wssec.Token{}, fmt.Errorf("--secret-b64: not base64: %v", err)
	}
	return wssec.Token{Identifier: f.sctID, Instance: f.instance, Secret: secret}, nil
}

// parseAt reads --at (RFC 3339), defaulting to now.
func parseAt(s string) (time.Time, error) {
	if s == "" {
		return time.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--at %q: want RFC 3339, e.g. 2026-11-01T10:00:30Z", s)
	}
	return t, nil
}

// readMessage reads and decodes a SOAP message file ("-" = standard input), with a clear
// error naming the file, line and element when it is not one.
func readMessage(path string, stdin interface{ Read([]byte) (int, error) }) (*codec.Message, error) {
	raw, err := readInput(path, stdin)
	if err != nil {
		return nil, err
	}
	m, err := codec.Decode(raw, codec.Options{})
	if err != nil {
		if e, ok := err.(*codec.Error); ok {
			return nil, fmt.Errorf("%s:%d:%d: %s: %s", path, e.Line, e.Column, e.Element, e.Reason)
		}
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return m, nil
}

// scVersionOf detects the WS-SC namespace a message uses (a DerivedKeyToken or SCT element,
// or an STR ValueType), 200512 when none shows.
func scVersionOf(m *codec.Message) wsc.Version {
	for _, h := range m.Headers {
		if h.El == nil {
			continue
		}
		for _, e := range append([]*etree.Element{h.El}, h.El.FindElements(".//*")...) {
			if v, ok := wsc.VersionOf(e.NamespaceURI()); ok {
				return v
			}
			if v, _, ok := wsc.VersionOfTokenType(e.SelectAttrValue("ValueType", "")); ok {
				return v
			}
		}
	}
	return wsc.V200512
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
