package xenc

// Independent cross-checks with xmlsec1 (libxmlsec1 with the OpenSSL engine, Debian package
// xmlsec1) and openssl. The tests fail, rather than skip, when the tools are missing.
//
// Invocations that work with xmlsec1 1.2.37:
//
//	xmlsec1 --decrypt --aeskey:k key.bin --output out.xml in.xml          (KeyInfo/KeyName k)
//	xmlsec1 --decrypt --aeskey key.bin --output out.xml in.xml             (no KeyInfo)
//	xmlsec1 --encrypt --aeskey:k key.bin --xml-data env.xml \
//	        --node-name http://www.w3.org/2003/05/soap-envelope:Body --output out.xml tmpl.xml
//	xmlsec1 --decrypt --privkey-pem:rsa key.pem --output out.xml in.xml    (EncryptedKey in KeyInfo)
//	xmlsec1 --encrypt --session-key aes-256 --pubkey-pem:rsa pub.pem --xml-data env.xml \
//	        --node-name ...:Body --output out.xml tmpl.xml
//
// xmlsec1 1.2.37 implements rsa-oaep-mgf1p with a SHA-1 digest only and not the XML-Enc 1.1
// #rsa-oaep URI, so RSA-OAEP with SHA-256 is cross-checked with `openssl pkeyutl`.

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beevik/etree"
)

func requireTool(t *testing.T, name, debianPackage string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not on PATH: install the %s Debian package (apt-get install %s); this cross-check is required", name, debianPackage, debianPackage)
	}
	return p
}

func run(t *testing.T, dir, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func readDoc(t *testing.T, path string) *etree.Document {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parseDoc(t, string(b))
}

// writeExact serializes doc with attribute whitespace as character references, so that an
// XML parser's attribute-value normalization does not change the clear-text parts.
func writeExact(t *testing.T, doc *etree.Document) string {
	t.Helper()
	doc.WriteSettings = writeSettings
	return writeDoc(t, doc)
}

func keyName(name string) *etree.Element {
	kn := etree.NewElement("ds:KeyName")
	kn.CreateAttr("xmlns:ds", NSDS)
	kn.SetText(name)
	return kn
}

// We encrypt (Content of the Body, and a whole header), xmlsec1 decrypts; the result must
// equal the original message.
func TestXmlsec1DecryptsOurs(t *testing.T) {
	xmlsec := requireTool(t, "xmlsec1", "xmlsec1")
	for _, alg := range blockAlgURIs {
		for _, mode := range []string{"content", "content-no-keyinfo", "element"} {
			t.Run(shortName(alg)+"/"+mode, func(t *testing.T) {
				dir := t.TempDir()
				key := newKey(t, keySizes[alg])
				keyFile := writeFile(t, dir, "key.bin", key)
				doc := parseDoc(t, testEnvelope)
				original := doc.Copy()
				opts := EncryptOptions{ID: "ed-1", KeyInfo: keyName("k")}
				aesArg := "--aeskey:k"
				var err error
				switch mode {
				case "content":
					_, err = EncryptContent(mustFind(t, doc.Root(), nsSOAP, "Body"), key, alg, opts)
				case "content-no-keyinfo":
					opts.KeyInfo, aesArg = nil, "--aeskey"
					_, err = EncryptContent(mustFind(t, doc.Root(), nsSOAP, "Body"), key, alg, opts)
				case "element":
					_, err = EncryptElement(mustFind(t, doc.Root(), nsWSRM, "Sequence"), key, alg, opts)
				}
				if err != nil {
					t.Fatal(err)
				}
				in := writeFile(t, dir, "in.xml", []byte(writeExact(t, doc)))
				out := filepath.Join(dir, "out.xml")
				run(t, dir, xmlsec, "--decrypt", aesArg, keyFile, "--output", out, in)
				got := readDoc(t, out)
				if err := sameNodes([]etree.Token{got.Root()}, []etree.Token{original.Root()}); err != nil {
					t.Fatalf("xmlsec1 decrypted something else: %v", err)
				}
			})
		}
	}
}

// xmlsec1 encrypts from a template (its plaintext carries no namespace declarations at all),
// we decrypt; the result must equal the original message.
func TestXmlsec1EncryptsWeDecrypt(t *testing.T) {
	xmlsec := requireTool(t, "xmlsec1", "xmlsec1")
	targets := map[string]string{TypeContent: nsSOAP + ":Body", TypeElement: nsWSRM + ":Sequence"}
	for _, alg := range blockAlgURIs {
		for _, typ := range []string{TypeContent, TypeElement} {
			t.Run(shortName(alg)+"/"+shortName(typ), func(t *testing.T) {
				dir := t.TempDir()
				key := newKey(t, keySizes[alg])
				keyFile := writeFile(t, dir, "key.bin", key)
				data := writeFile(t, dir, "env.xml", []byte(testEnvelope))
				tmpl := writeFile(t, dir, "tmpl.xml", []byte(template(alg, typ, `<ds:KeyName>k</ds:KeyName>`)))
				out := filepath.Join(dir, "out.xml")
				run(t, dir, xmlsec, "--encrypt", "--aeskey:k", keyFile, "--xml-data", data,
					"--node-name", targets[typ], "--output", out, tmpl)
				doc := readDoc(t, out)
				ed := mustFind(t, doc.Root(), NS, "EncryptedData")
				if _, err := Decrypt(ed, key); err != nil {
					t.Fatal(err)
				}
				if err := sameNodes([]etree.Token{doc.Root()}, []etree.Token{parseDoc(t, testEnvelope).Root()}); err != nil {
					t.Fatalf("we decrypted something else: %v", err)
				}
			})
		}
	}
}

func template(alg, typ, keyInfo string) string {
	return `<xenc:EncryptedData xmlns:xenc="` + NS + `" Type="` + typ + `">` +
		`<xenc:EncryptionMethod Algorithm="` + alg + `"/>` +
		`<ds:KeyInfo xmlns:ds="` + NSDS + `">` + keyInfo + `</ds:KeyInfo>` +
		`<xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedData>`
}

func writeRSAFiles(t *testing.T, dir string, priv *rsa.PrivateKey) (privPEM, pubPEM string) {
	t.Helper()
	p8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	privPEM = writeFile(t, dir, "key.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}))
	pubPEM = writeFile(t, dir, "pub.pem", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
	return privPEM, pubPEM
}

// RSA-OAEP (mgf1p, SHA-1) key transport inside the EncryptedData's KeyInfo, both directions.
func TestXmlsec1RSAOAEP(t *testing.T) {
	xmlsec := requireTool(t, "xmlsec1", "xmlsec1")
	priv := testRSAKey(t)
	dir := t.TempDir()
	privPEM, pubPEM := writeRSAFiles(t, dir, priv)

	t.Run("ours-to-xmlsec1", func(t *testing.T) {
		session := newKey(t, 32)
		ek, err := EncryptKey(&priv.PublicKey, session, KeyOptions{KeyInfo: keyName("rsa")})
		if err != nil {
			t.Fatal(err)
		}
		doc := parseDoc(t, testEnvelope)
		if _, err := EncryptContent(mustFind(t, doc.Root(), nsSOAP, "Body"), session, AES256CBC, EncryptOptions{KeyInfo: ek}); err != nil {
			t.Fatal(err)
		}
		in := writeFile(t, dir, "ours.xml", []byte(writeExact(t, doc)))
		out := filepath.Join(dir, "ours-dec.xml")
		run(t, dir, xmlsec, "--decrypt", "--privkey-pem:rsa", privPEM, "--output", out, in)
		if err := sameNodes([]etree.Token{readDoc(t, out).Root()}, []etree.Token{parseDoc(t, testEnvelope).Root()}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("xmlsec1-to-ours", func(t *testing.T) {
		ekTmpl := `<xenc:EncryptedKey><xenc:EncryptionMethod Algorithm="` + RSAOAEPMGF1P + `">` +
			`<ds:DigestMethod Algorithm="` + DigestSHA1 + `"/></xenc:EncryptionMethod>` +
			`<ds:KeyInfo><ds:KeyName>rsa</ds:KeyName></ds:KeyInfo>` +
			`<xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedKey>`
		for _, alg := range []string{AES256CBC, AES256GCM} {
			tmpl := writeFile(t, dir, "tmpl-rsa.xml", []byte(template(alg, TypeContent, ekTmpl)))
			data := writeFile(t, dir, "env.xml", []byte(testEnvelope))
			out := filepath.Join(dir, "theirs.xml")
			run(t, dir, xmlsec, "--encrypt", "--session-key", "aes-256", "--pubkey-pem:rsa", pubPEM,
				"--xml-data", data, "--node-name", nsSOAP+":Body", "--output", out, tmpl)
			doc := readDoc(t, out)
			session, err := DecryptKey(mustFind(t, doc.Root(), NS, "EncryptedKey"), priv)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Decrypt(mustFind(t, doc.Root(), NS, "EncryptedData"), session); err != nil {
				t.Fatal(err)
			}
			if err := sameNodes([]etree.Token{doc.Root()}, []etree.Token{parseDoc(t, testEnvelope).Root()}); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// XML-Enc 1.1 rsa-oaep with a SHA-256 digest and the default MGF1-SHA1, against openssl.
func TestOpenSSLOAEPSHA256(t *testing.T) {
	openssl := requireTool(t, "openssl", "openssl")
	priv := testRSAKey(t)
	dir := t.TempDir()
	privPEM, pubPEM := writeRSAFiles(t, dir, priv)
	oaepOpts := []string{"-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha1"}

	secret := newKey(t, 32)
	ek, err := EncryptKey(&priv.PublicKey, secret, KeyOptions{Algorithm: RSAOAEP})
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := base64.StdEncoding.DecodeString(cipherValue(ek).Text())
	ctFile := writeFile(t, dir, "ct.bin", ct)
	got := run(t, dir, openssl, append([]string{"pkeyutl", "-decrypt", "-inkey", privPEM, "-in", ctFile}, oaepOpts...)...)
	if !bytes.Equal(got, secret) {
		t.Fatal("openssl decrypted another key")
	}

	ptFile := writeFile(t, dir, "pt.bin", secret)
	theirs := run(t, dir, openssl, append([]string{"pkeyutl", "-encrypt", "-pubin", "-inkey", pubPEM, "-in", ptFile}, oaepOpts...)...)
	xml := `<xenc:EncryptedKey xmlns:xenc="` + NS + `" xmlns:ds="` + NSDS + `">` +
		`<xenc:EncryptionMethod Algorithm="` + RSAOAEP + `"><ds:DigestMethod Algorithm="` + DigestSHA256 + `"/></xenc:EncryptionMethod>` +
		`<xenc:CipherData><xenc:CipherValue>` + base64.StdEncoding.EncodeToString(theirs) + `</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey>`
	back, err := DecryptKey(parseDoc(t, xml).Root(), priv)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back, secret) {
		t.Fatal("we decrypted another key")
	}
}

func TestOpenSSLThumbprint(t *testing.T) {
	openssl := requireTool(t, "openssl", "openssl")
	dir := t.TempDir()
	cert := selfSigned(t, testRSAKey(t))
	certFile := writeFile(t, dir, "cert.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
	out := strings.TrimSpace(string(run(t, dir, openssl, "x509", "-in", certFile, "-noout", "-fingerprint", "-sha1")))
	hexFP := strings.ReplaceAll(out[strings.IndexByte(out, '=')+1:], ":", "")
	raw, err := hex.DecodeString(hexFP)
	if err != nil {
		t.Fatalf("openssl output %q: %v", out, err)
	}
	if want := base64.StdEncoding.EncodeToString(raw); ThumbprintSHA1(cert) != want {
		t.Fatalf("ThumbprintSHA1 %s, openssl %s", ThumbprintSHA1(cert), want)
	}
}
