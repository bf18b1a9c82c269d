package seckit

import (
	"fmt"
	"strings"
	"time"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/internal/wire/wsa"
	"github.com/rspcheck/rspcheck/internal/wire/wsrm"
	"github.com/rspcheck/rspcheck/internal/wire/wsse"
)

// Coverage says which of the parts a signature must cover (WSS-004) the ds:Signature of m's
// Security header references, by identity: the envelope's own Body, the Security header's
// Timestamp, and each WS-Addressing and WS-RM header block (direct children of the SOAP
// Header). It judges what is signed, not whether the signature value verifies (that is
// WSS-003 / SC-DKT-002), and returns what it found missing.
func Coverage(m *codec.Message) (missing []string) {
	refs := map[string]bool{}
	for _, el := range SecurityItems(m) {
		if el.Tag != "Signature" || el.NamespaceURI() != wsse.NSDS {
			continue
		}
		if si := Find(el, "SignedInfo"); si != nil {
			for _, r := range si.ChildElements() {
				if id, ok := strings.CutPrefix(r.SelectAttrValue("URI", ""), "#"); ok && r.Tag == "Reference" {
					refs[id] = true
				}
			}
		}
	}
	if len(refs) == 0 {
		return []string{"everything (no ds:Signature with same-document references)"}
	}
	has := func(id string, ok bool) bool { return ok && refs[id] }
	if m.Body == nil || !has(wsuID(m.Body)) {
		missing = append(missing, "soap:Body")
	}
	ts := false
	for _, el := range SecurityItems(m) {
		if el.Tag == "Timestamp" && el.NamespaceURI() == wsse.NSWSU && has(wsuID(el)) {
			ts = true
		}
	}
	if !ts {
		missing = append(missing, "wsu:Timestamp")
	}
	if m.Header != nil {
		for _, h := range m.Header.ChildElements() {
			_, isWSA := wsa.VersionOf(h.NamespaceURI())
			_, isRM := wsrm.VersionOf(h.NamespaceURI())
			if (isWSA && wsa.IsHeader(h.Tag) || isRM) && !has(wsuID(h)) {
				missing = append(missing, h.FullTag())
			}
		}
	}
	return missing
}

// Fresh checks the Timestamp of m's Security header (WSS-002): present once, with Created and
// Expires, Expires after Created, Created not in the future and Expires not past at now
// (within skew).
func Fresh(m *codec.Message, now time.Time, skew time.Duration) error {
	sec, _ := codec.Find[*wsse.Security](m)
	if sec == nil {
		return fmt.Errorf("no wsse:Security header")
	}
	tss := wsse.ItemsOf[*wsse.Timestamp](sec)
	switch {
	case len(tss) == 0:
		return fmt.Errorf("no wsu:Timestamp in the Security header")
	case len(tss) > 1:
		return fmt.Errorf("%d wsu:Timestamps in the Security header", len(tss))
	}
	ts := tss[0]
	if ts.Created == "" || ts.Expires == "" {
		return fmt.Errorf("the Timestamp lacks Created or Expires (%q, %q)", ts.Created, ts.Expires)
	}
	c, e, err := ts.Times()
	switch {
	case err != nil:
		return err
	case !e.After(c):
		return fmt.Errorf("Expires %s is not after Created %s", ts.Expires, ts.Created)
	case c.After(now.Add(skew)):
		return fmt.Errorf("Created %s is in the future", ts.Created)
	case !e.After(now.Add(-skew)):
		return fmt.Errorf("the Timestamp expired at %s", ts.Expires)
	}
	return nil
}
