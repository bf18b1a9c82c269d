package suite_test

import (
	"flag"
	"testing"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/rspcheck/rspcheck/peer"
	"github.com/rspcheck/rspcheck/suite/framework"
	_ "github.com/rspcheck/rspcheck/suite/phases"
)

// The same specs `rspcheck run` runs, for Ginkgo users:
//
//	ginkgo ./suite -- --sut path/to/sut.yaml
//	ginkgo ./suite -- --target http://host:8080/rm
//	go test ./suite -args --profile p05
//
// (A descriptor's container block is started by `rspcheck run` only.)
var (
	sutFile = flag.String("sut", "", "SUT descriptor (YAML); default: the embedded reference peers")
	target  = flag.String("target", "", "URL of a SUT responder (the reference capabilities assumed)")
	profile = flag.String("profile", "p11", "p11 or p05 (embedded peers)")
	soapV   = flag.String("soap", "1.2", "1.2 or 1.1 (embedded peers)")
	strict  = flag.Bool("strict", false, "fail SHOULD deviations")
)

func TestConformance(t *testing.T) {
	c := framework.Config{Strict: *strict}
	var err error
	if c.Profile, err = peer.ParseProfile(*profile); err != nil {
		t.Fatal(err)
	}
	if c.SOAP, err = peer.ParseSOAP(*soapV); err != nil {
		t.Fatal(err)
	}
	switch {
	case *sutFile != "" && *target != "":
		t.Fatal("--sut and --target exclude each other")
	case *sutFile != "":
		if c.SUT, err = framework.LoadSUT(*sutFile); err != nil {
			t.Fatal(err)
		}
		if c.SUT.Container != nil {
			t.Fatalf("%s: a container SUT is started by `rspcheck run --sut`, not by go test", *sutFile)
		}
	case *target != "":
		if c.SUT, err = framework.TargetSUT(*target, *profile, *soapV); err != nil {
			t.Fatal(err)
		}
	}
	if err := framework.Configure(c); err != nil {
		t.Fatal(err)
	}
	gomega.RegisterFailHandler(ginkgo.Fail)
	ginkgo.RunSpecs(t, "rspcheck conformance")
}
