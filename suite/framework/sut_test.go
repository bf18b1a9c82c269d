package framework

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeSUT(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	f := filepath.Join(dir, "sut.yaml")
	if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestLoadSUTContainer: a container block replaces endpoint/run, its build directory is
// relative to the descriptor, and every mistake is an error naming the file and the key.
func TestLoadSUTContainer(t *testing.T) {
	f := writeSUT(t, `product: Acme
role: responder
profile: p11
soap: "1.2"
sct: {issuance: provisioned, identifier: "urn:uuid:1", secret_b64: "cnNwY2hlY2stcHJvdmlzaW9uZWQtdGVzdC1rZXkhIQ=="}
capabilities: [close, restart]
container: {build: ./image, image: "acme/rm:1", port: "9000", path: /rm, health: port, data: /var/lib/rm}
`)
	s, err := LoadSUT(f)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(filepath.Dir(f), "image"); s.Container.Build != want {
		t.Errorf("build %q, want %q (relative to the descriptor)", s.Container.Build, want)
	}
	if !s.Has(CapRestart) || s.Has(CapOffer) {
		t.Errorf("capabilities: restart %v offer %v", s.Has(CapRestart), s.Has(CapOffer))
	}
	tok, ok := s.ProvisionedToken()
	if !ok || tok.Identifier != "urn:uuid:1" || len(tok.Secret) != 31 {
		t.Errorf("provisioned token %v %v", tok, ok)
	}
	for _, c := range []struct{ body, want string }{
		{"role: responder\nprofile: p11\nsoap: \"1.2\"\ncontainer: {env: {A: b}}\n", "container: needs build"},
		{"role: responder\nprofile: p11\nsoap: \"1.2\"\ncontainer: {build: ./x}\n", "container.image"},
		{"role: responder\nprofile: p11\nsoap: \"1.2\"\ncontainer: {image: \"a/b:1\", health: tcp}\n", "container.health"},
		{"role: initiator\nprofile: p11\nsoap: \"1.2\"\n", "run: an initiator SUT needs"},
		{"role: responder\nprofile: p11\nsoap: \"1.2\"\ncontainer: {image: \"a/b:1\", volume: x}\n", "field volume not found"},
	} {
		_, err := LoadSUT(writeSUT(t, c.body))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "sut.yaml") {
			t.Errorf("%q: want an error naming sut.yaml and %q, got %v", c.body, c.want, err)
		}
	}
	// an initiator in a container needs no run command; a rsppeer build needs no image
	if _, err := LoadSUT(writeSUT(t, "role: initiator\nprofile: p05\nsoap: \"1.2\"\ncontainer: {build: rsppeer}\n")); err != nil {
		t.Error(err)
	}
}

// FuzzParseSUT: a descriptor is user input; whatever it holds, parsing gives a descriptor that
// passed Check or an error naming the file — never a panic.
func FuzzParseSUT(f *testing.F) {
	for _, seed := range []string{
		"role: responder\nendpoint: http://h/rm\nprofile: p11\nsoap: \"1.2\"\n",
		"role: initiator\nprofile: p05\nsoap: \"1.1\"\nrun: [x, \"{endpoint}\"]\nbaseline: {RM-CS-001: why}\n",
		"role: responder\nprofile: p11\nsoap: \"1.2\"\ncontainer: {build: gsoap, env: {A: b}}\nsct: {issuance: provisioned, identifier: urn:x, secret_b64: AAAAAAAAAAAAAAAAAAAAAA==}\n",
		"role: [\n", "- a\n- b\n", "",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSUT(data, "fuzz.yaml")
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if s.Role != Responder && s.Role != Initiator {
			t.Fatalf("accepted role %q", s.Role)
		}
		if err := s.Check(); err != nil {
			t.Fatalf("accepted, but Check fails: %v", err)
		}
	})
}

// TestApplicationTemplate: the application block becomes the Body of the suite's application
// messages, {payload} filled in; mistakes are errors naming the file.
func TestApplicationTemplate(t *testing.T) {
	base := "role: responder\nendpoint: http://h/\nprofile: p11\nsoap: \"1.2\"\n"
	s, err := LoadSUT(writeSUT(t, base+`application: {action: "urn:e:Echo", body: '<ns:echo xmlns:ns="urn:e" a="{payload}"><text>{payload}</text></ns:echo>'}`+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	app := s.application()
	if app == nil || app.Action != "urn:e:Echo" {
		t.Fatalf("application %+v", app)
	}
	b := app.body([]byte("hello"))
	if b.Name.Space != "urn:e" || b.Name.Local != "echo" || len(b.Children) != 1 || b.Children[0].Text != "hello" ||
		len(b.Attrs) != 1 || b.Attrs[0].Value != "hello" {
		t.Errorf("body %+v", b)
	}
	if again := app.body([]byte("x")); again.Children[0].Text != "x" || b.Children[0].Text != "hello" {
		t.Error("the template is shared between messages")
	}
	for _, c := range []struct{ app, want string }{
		{`{action: "", body: "<a>{payload}</a>"}`, "application.action"},
		{`{action: "urn:x", body: "<a>"}`, "application.body"},
		{`{action: "urn:x", body: "<a>no placeholder</a>"}`, "{payload}"},
	} {
		_, err := LoadSUT(writeSUT(t, base+"application: "+c.app+"\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "sut.yaml") {
			t.Errorf("%s: want an error naming sut.yaml and %q, got %v", c.app, c.want, err)
		}
	}
}
