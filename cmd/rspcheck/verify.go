package main

import (
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/rspcheck/rspcheck/internal/wssec"
	"github.com/rspcheck/rspcheck/internal/xmlsec/dsig"
)

// runVerify implements `rspcheck verify`: process the wsse:Security header of one captured
// message with a known SCT and say exactly what verified, or exactly why not.
func runVerify(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("verify", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var tf tokenFlags
	tf.register(fl)
	require := fl.String("require-signed", "Body,Timestamp,wsa,wsrm", "parts that must be signed: the groups Body, Timestamp, wsa, wsrm, tokens, or header local names such as Sequence; \"none\" for none")
	at := fl.String("at", "", "verify as of this time (RFC 3339), for captured traffic; default now")
	skew := fl.Duration("skew", wssec.DefaultSkew, "tolerated clock difference for the Timestamp")
	showC14N := fl.Bool("show-c14n", false, "print the canonical bytes of every reference and of SignedInfo")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	tok, err := tf.token()
	if err == nil && fl.NArg() != 1 {
		err = errors.New("name exactly one FILE (or - for standard input)")
	}
	now := parseAtOr(at, &err)
	parts, names, perr := parseRequire(*require)
	if err == nil {
		err = perr
	}
	if err != nil {
		fmt.Fprintln(stderr, "rspcheck verify:", err)
		return 2
	}
	m, err := readMessage(fl.Arg(0), stdin)
	if err != nil {
		fmt.Fprintln(stderr, "rspcheck verify:", err)
		return 2
	}
	opt := wssec.CheckOptions{
		Policy: wssec.Policy{Version: scVersionOf(m), Sign: parts, Skew: *skew},
		Tokens: wssec.TokenMap{tok.Identifier: tok},
		Now:    now,
	}
	if *showC14N {
		opt.Trace = func(uri string, b []byte) {
			if uri == "" {
				uri = "SignedInfo"
			}
			fmt.Fprintf(stdout, "c14n %s:\n%s\n", uri, b)
		}
	}
	a, err := wssec.Check(m, opt)
	if err != nil {
		fmt.Fprintln(stdout, "INVALID:", describe(err))
		return 1
	}
	report(stdout, a)
	for _, n := range names {
		if err := requireNamed(m.Header, a, n); err != nil {
			fmt.Fprintln(stdout, "INVALID:", err)
			return 1
		}
	}
	fmt.Fprintln(stdout, "VALID")
	return 0
}

func parseAtOr(at *string, errp *error) time.Time {
	t, err := parseAt(*at)
	if err != nil && *errp == nil {
		*errp = err
	}
	return t
}

// parseRequire turns --require-signed into part groups and header local names.
func parseRequire(s string) (wssec.Part, []string, error) {
	var parts wssec.Part
	var names []string
	for _, f := range strings.Split(s, ",") {
		switch f = strings.TrimSpace(f); strings.ToLower(f) {
		case "":
		case "body":
			parts |= wssec.PartBody
		case "timestamp":
			parts |= wssec.PartTimestamp
		case "wsa":
			parts |= wssec.PartAddressing
		case "wsrm":
			parts |= wssec.PartRM
		case "tokens":
			parts |= wssec.PartTokens
		case "none":
			parts |= wssec.PartNone
		default:
			if strings.ContainsAny(f, " :/") {
				return 0, nil, fmt.Errorf("--require-signed: %q is neither a group (Body, Timestamp, wsa, wsrm, tokens) nor a local name", f)
			}
			names = append(names, f)
		}
	}
	if parts == 0 {
		parts = wssec.PartNone
	}
	return parts, names, nil
}

// requireNamed checks that every header with local name n is signed, and that there is one.
func requireNamed(hdr *etree.Element, a *wssec.Auth, n string) error {
	found := false
	if hdr != nil {
		for _, h := range hdr.ChildElements() {
			if h.Tag != n {
				continue
			}
			found = true
			if !a.Covers(h) {
				return fmt.Errorf("header %s is not covered by the signature", h.FullTag())
			}
		}
	}
	if !found {
		return fmt.Errorf("--require-signed %s: the message has no such header", n)
	}
	return nil
}

// describe renders a check failure with its fault code.
func describe(err error) string {
	var e *wssec.Error
	if errors.As(err, &e) {
		return fmt.Sprintf("%s (fault %s)", strings.TrimPrefix(err.Error(), "wssec: "), e.Fault)
	}
	var d *dsig.Error
	if errors.As(err, &d) {
		return d.Error()
	}
	return err.Error()
}

// report prints what was verified.
func report(w io.Writer, a *wssec.Auth) {
	inst := a.Token.Instance
	if inst == "" {
		inst = "-"
	}
	fmt.Fprintf(w, "token:      %s (instance %s)\n", a.Token.Identifier, inst)
	if d := a.Derivation; d != nil {
		fmt.Fprintf(w, "key:        derived by DerivedKeyToken #%s: label %q, nonce %s, offset %d, length %d\n",
			d.TokenID, d.Label, base64.StdEncoding.EncodeToString(d.Nonce), d.Offset, d.Length)
	} else {
		fmt.Fprintln(w, "key:        the SCT key itself (no DerivedKeyToken)")
	}
	fmt.Fprintf(w, "signature:  %s\n", a.SignatureMethod)
	if !a.Created.IsZero() {
		fmt.Fprintf(w, "timestamp:  created %s, expires %s\n", a.Created.UTC().Format(wssec.TimeFormat), a.Expires.UTC().Format(wssec.TimeFormat))
	}
	for i, el := range a.Signed {
		label := "signed:    "
		if i > 0 {
			label = "           "
		}
		id, _ := dsig.IDOf(el)
		fmt.Fprintf(w, "%s %s (#%s)\n", label, el.FullTag(), id)
	}
	for _, id := range a.Decrypted {
		fmt.Fprintf(w, "decrypted:  #%s\n", id)
	}
}
