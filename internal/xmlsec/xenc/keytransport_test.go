package xenc

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/beevik/etree"
)

func TestKeyTransportRoundTrip(t *testing.T) {
	priv := testRSAKey(t)
	cases := []struct {
		name       string
		opts       KeyOptions
		alg, dig   string
		mgf        string // expected xenc11:MGF, "" = absent
		hasOAEPprm bool
	}{
		{"mgf1p default", KeyOptions{}, RSAOAEPMGF1P, DigestSHA1, "", false},
		{"mgf1p sha256 digest", KeyOptions{Digest: DigestSHA256}, RSAOAEPMGF1P, DigestSHA256, "", false},
		{"rsa-oaep default sha256", KeyOptions{Algorithm: RSAOAEP}, RSAOAEP, DigestSHA256, "", false},
		{"rsa-oaep sha512 mgf256", KeyOptions{Algorithm: RSAOAEP, Digest: DigestSHA512, MGF: MGF1SHA256}, RSAOAEP, DigestSHA512, MGF1SHA256, false},
		{"rsa-oaep label", KeyOptions{Algorithm: RSAOAEP, Label: []byte("label")}, RSAOAEP, DigestSHA256, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			secret := newKey(t, 32)
			opts := c.opts
			opts.ID = "ek-1"
			opts.DataReferences = []string{"ed-1", "#ed-2"}
			ek, err := EncryptKey(&priv.PublicKey, secret, opts)
			if err != nil {
				t.Fatal(err)
			}
			// Through text, as a peer would see it.
			doc := etree.NewDocument()
			doc.SetRoot(ek)
			ek = parseDoc(t, writeDoc(t, doc)).Root()

			em := child(ek, NS, "EncryptionMethod")
			if v, _ := attr(em, "Algorithm"); v != c.alg {
				t.Fatalf("Algorithm %q", v)
			}
			if v, _ := attr(child(em, NSDS, "DigestMethod"), "Algorithm"); v != c.dig {
				t.Fatalf("DigestMethod %q", v)
			}
			if v, _ := attr(child(em, NS11, "MGF"), "Algorithm"); v != c.mgf {
				t.Fatalf("MGF %q", v)
			}
			if (child(em, NS, "OAEPparams") != nil) != c.hasOAEPprm {
				t.Fatal("OAEPparams presence")
			}
			if v, _ := attr(ek, "Id"); v != "ek-1" {
				t.Fatalf("Id %q", v)
			}
			refs := child(ek, NS, "ReferenceList")
			if refs == nil || len(refs.ChildElements()) != 2 {
				t.Fatal("ReferenceList")
			}
			for _, r := range refs.ChildElements() {
				if u, _ := attr(r, "URI"); u != "#ed-1" && u != "#ed-2" {
					t.Fatalf("DataReference %q", u)
				}
			}
			got, err := DecryptKey(ek, priv)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, secret) {
				t.Fatal("wrong key back")
			}
			// Tampering, another key, a changed label or digest: exactly ErrDecrypt.
			cv := cipherValue(ek)
			ct, _ := base64.StdEncoding.DecodeString(cv.Text())
			ct[len(ct)/2] ^= 1
			cv.SetText(base64.StdEncoding.EncodeToString(ct))
			if _, err := DecryptKey(ek, priv); err != ErrDecrypt {
				t.Fatalf("tampered: %v", err)
			}
			ct[len(ct)/2] ^= 1
			cv.SetText(base64.StdEncoding.EncodeToString(ct))
			other, _ := rsa.GenerateKey(rand.Reader, 1024)
			if _, err := DecryptKey(ek, other); err == nil {
				t.Fatal("decrypted with another key")
			}
			child(em, NSDS, "DigestMethod").CreateAttr("Algorithm", DigestSHA384)
			if _, err := DecryptKey(ek, priv); err != ErrDecrypt {
				t.Fatalf("changed digest: %v", err)
			}
		})
	}
}

func TestKeyTransportErrors(t *testing.T) {
	priv := testRSAKey(t)
	if _, err := EncryptKey(&priv.PublicKey, newKey(t, 32), KeyOptions{Algorithm: RSAOAEPMGF1P, MGF: MGF1SHA256}); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("mgf1p with MGF1-SHA256: %v", err)
	}
	if _, err := EncryptKey(&priv.PublicKey, newKey(t, 32), KeyOptions{Algorithm: NS + "rsa-1_5"}); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("rsa-1_5: %v", err)
	}
	if _, err := EncryptKey(&priv.PublicKey, newKey(t, 32), KeyOptions{Digest: "urn:md5"}); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("md5: %v", err)
	}
	if _, err := EncryptKey(&priv.PublicKey, make([]byte, 300), KeyOptions{}); err == nil {
		t.Error("message longer than the modulus allows")
	}
	if _, err := EncryptKey(nil, newKey(t, 32), KeyOptions{}); err == nil {
		t.Error("nil key")
	}
	ek, err := EncryptKey(&priv.PublicKey, newKey(t, 32), KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	child(ek, NS, "EncryptionMethod").CreateAttr("Algorithm", NS+"rsa-1_5")
	if _, err := DecryptKey(ek, priv); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("decrypt rsa-1_5: %v", err)
	}
	child(ek, NS, "EncryptionMethod").CreateAttr("Algorithm", RSAOAEPMGF1P)
	cipherValue(ek).SetText("%%%")
	if _, err := DecryptKey(ek, priv); !errors.Is(err, ErrMalformed) {
		t.Errorf("garbage base64: %v", err)
	}
	cipherValue(ek).SetText(base64.StdEncoding.EncodeToString(make([]byte, 1000)))
	if _, err := DecryptKey(ek, priv); !errors.Is(err, ErrMalformed) {
		t.Errorf("oversized: %v", err)
	}
	if _, err := DecryptKey(parseDoc(t, "<a/>").Root(), priv); !errors.Is(err, ErrMalformed) {
		t.Errorf("not an EncryptedKey: %v", err)
	}
	if _, err := DecryptKey(ek, nil); err == nil {
		t.Error("nil private key")
	}
}

func selfSigned(t testing.TB, priv *rsa.PrivateKey) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42),
		Subject:      pkix.Name{CommonName: "rspcheck xenc test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func TestThumbprintReference(t *testing.T) {
	cert := selfSigned(t, testRSAKey(t))
	tp := ThumbprintSHA1(cert)
	if raw, err := base64.StdEncoding.DecodeString(tp); err != nil || len(raw) != 20 {
		t.Fatalf("thumbprint %q", tp)
	}
	if ThumbprintSHA1(nil) != "" {
		t.Fatal("nil certificate")
	}
	ek, err := EncryptKey(&testRSAKey(t).PublicKey, newKey(t, 32), KeyOptions{KeyInfo: ThumbprintReference(cert)})
	if err != nil {
		t.Fatal(err)
	}
	ki := child(ek, NSDS, "KeyInfo")
	str := child(ki, nsWSSE, "SecurityTokenReference")
	kid := child(str, nsWSSE, "KeyIdentifier")
	if kid == nil || kid.Text() != tp {
		t.Fatal("KeyIdentifier missing")
	}
	if v, _ := attr(kid, "ValueType"); v != ValueTypeThumbprintSHA1 {
		t.Fatalf("ValueType %q", v)
	}
}
