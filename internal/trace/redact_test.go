package trace

import (
	"bytes"
	"strings"
	"testing"
)

const rstr = `<?xml version="1.0"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wst="http://docs.oasis-open.org/ws-sx/ws-trust/200512" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" xmlns:wsc="http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512">
<s:Body><wst:RequestSecurityTokenResponseCollection><wst:RequestSecurityTokenResponse>
<wst:RequestedSecurityToken><wsc:SecurityContextToken><wsc:Identifier>urn:uuid:id</wsc:Identifier></wsc:SecurityContextToken></wst:RequestedSecurityToken>
<wst:RequestedProofToken><xenc:EncryptedKey><xenc:CipherData><xenc:CipherValue>CIPHERsecret1</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey></wst:RequestedProofToken>
<wst:Entropy><wst:BinarySecret Type="http://docs.oasis-open.org/ws-sx/ws-trust/200512/Nonce">ENTROPYsecret2</wst:BinarySecret></wst:Entropy>
<wst:RequestedProofToken><wst:ComputedKey>http://docs.oasis-open.org/ws-sx/ws-trust/200512/CK/PSHA1</wst:ComputedKey></wst:RequestedProofToken>
<wst:Entropy><wst:BinarySecret><![CDATA[CDATAsecret3</wst:BinarySecret>]]>TAILsecret4</wst:BinarySecret></wst:Entropy>
<wsc:DerivedKeyToken><wsc:Nonce>PUBLICnonce</wsc:Nonce></wsc:DerivedKeyToken>
<t:BinarySecret xmlns:t="http://schemas.xmlsoap.org/ws/2005/02/trust"><!-- c --><x>NESTEDsecret5</x></t:BinarySecret>
<wst:BinarySecret/>
</wst:RequestSecurityTokenResponse></wst:RequestSecurityTokenResponseCollection></s:Body></s:Envelope>`

var secrets = []string{"CIPHERsecret1", "ENTROPYsecret2", "CDATAsecret3", "TAILsecret4", "NESTEDsecret5"}

func TestRedact(t *testing.T) {
	out := string(Redact([]byte(rstr)))
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("%s survived:\n%s", s, out)
		}
	}
	for _, keep := range []string{"urn:uuid:id", "PUBLICnonce", "/CK/PSHA1", `Type="http://docs.oasis-open.org/ws-sx/ws-trust/200512/Nonce">REDACTED</wst:BinarySecret>`, "<wst:BinarySecret/>"} {
		if !strings.Contains(out, keep) {
			t.Errorf("%q lost:\n%s", keep, out)
		}
	}
	// Everything outside the secrets is byte for byte the same.
	a, b := rstr, out
	for _, s := range []string{"CIPHERsecret1", "ENTROPYsecret2", "<![CDATA[CDATAsecret3</wst:BinarySecret>]]>TAILsecret4", "<!-- c --><x>NESTEDsecret5</x>"} {
		a = strings.Replace(a, s, Redacted, 1)
	}
	if a != b {
		t.Errorf("other bytes changed:\n%s\nwant\n%s", b, a)
	}
	if got := Redact([]byte("<a>no secrets</a>")); string(got) != "<a>no secrets</a>" {
		t.Errorf("%q", got)
	}
}

func TestRedactMalformed(t *testing.T) {
	for name, in := range map[string]string{
		"broken after the secret":  `<e><wst:BinarySecret>S1secret</wst:BinarySecret><bad></e>`,
		"broken before the secret": `<e><bad></e><wst:BinarySecret>S1secret</wst:BinarySecret>`,
		"unclosed secret":          `<e><wst:BinarySecret>S1secret`,
		"broken inside the secret": `<e><xenc:CipherValue>S1secret<</xenc:CipherValue></e>`,
		"undefined entity":         `<e>&nbsp;<Password Type="t">S1secret</Password></e>`,
		"utf-16 declaration":       `<?xml version="1.0" encoding="utf-16"?><e><BinarySecret>S1secret</BinarySecret></e>`,
		"byte order mark":          "\xef\xbb\xbf<e><BinarySecret>S1secret</BinarySecret></e>",
		"stray directive":          `<!<wst:BinarySecret>S1secret</wst:BinarySecret>`,
	} {
		out := Redact([]byte(in))
		if bytes.Contains(out, []byte("S1secret")) {
			t.Errorf("%s: secret survived: %s", name, out)
		}
		if !bytes.Contains(out, []byte(Redacted)) {
			t.Errorf("%s: nothing redacted: %s", name, out)
		}
	}
}

func FuzzRedact(f *testing.F) {
	f.Add([]byte(rstr), "s3cr3t")
	f.Add([]byte(`<a><BinarySecret>`), "x")
	f.Fuzz(func(t *testing.T, doc []byte, secret string) {
		out := Redact(doc) // never panics
		// A secret placed as the only text of a BinarySecret element inside any document
		// prefix never survives.
		// (Checked as ">secret<", the element's whole content, so that "A" is not found in
		// "REDACTED" or in the markup.)
		if secret == "" || secret == Redacted || strings.ContainsAny(secret, "<>&]") || bytes.Contains(doc, []byte(secret)) {
			return
		}
		wrapped := append(append([]byte{}, doc...), []byte("<wst:BinarySecret>"+secret+"</wst:BinarySecret>")...)
		if bytes.Contains(Redact(wrapped), []byte(">"+secret+"<")) {
			t.Fatalf("secret %q survived after %q", secret, doc)
		}
		_ = out
	})
}
