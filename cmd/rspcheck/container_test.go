package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rspcheck/rspcheck/suite/framework"
)

// TestImageSUT: what `rspcheck run --image` stands for.
func TestImageSUT(t *testing.T) {
	s, err := imageSUT("rsppeer", "responder", "p11", "1.2")
	if err != nil {
		t.Fatal(err)
	}
	if c := s.Container; c.Build != framework.BuildRsppeer || c.Path != "/rm" || c.Env["ROLE"] != "responder" || !s.Has(framework.CapOffer) {
		t.Errorf("rsppeer responder: %+v %v", c, s.Capabilities)
	}
	s, err = imageSUT("./vendor/image", "initiator", "p05", "1.1")
	if err != nil {
		t.Fatal(err)
	}
	if c := s.Container; c.Build != "./vendor/image" || c.Image != "rspcheck-sut/image:local" || c.Env["TO"] != "{endpoint}" ||
		c.Env["MESSAGES"] != "{messages}" || c.Env["PROFILE"] != "p05" || s.Has(framework.CapOffer) {
		t.Errorf("directory initiator: %+v %v", c, s.Capabilities)
	}
	if s, err = imageSUT("acme/rm:1", "responder", "p11", "1.2"); err != nil || s.Container.Build != "" || s.Container.Image != "acme/rm:1" {
		t.Errorf("local image: %+v %v", s, err)
	}
	if _, err := imageSUT("rsppeer", "", "p11", "1.2"); err == nil || !strings.Contains(err.Error(), "--role") {
		t.Errorf("no role: %v", err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"run", "--image", "rsppeer", "--target", "http://x/"}, nil, &out, &errb); code != 2 ||
		!strings.Contains(errb.String(), "--image excludes") {
		t.Errorf("--image with --target: exit %d: %s", code, errb.String())
	}
}
