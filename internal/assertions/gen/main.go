// Command gen writes catalogue.yaml from spec/ASSERTIONS.md (see package seed):
//
//	go run ./internal/assertions/gen -in ../shared/spec/ASSERTIONS.md -out internal/assertions/catalogue.yaml
//
// go generate ./internal/assertions runs it with the paths of a checkout next to shared/.
// With -check it writes nothing and fails when -out differs from what it would write.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/rspcheck/rspcheck/internal/assertions/seed"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("assertions/gen: ")
	in := flag.String("in", "", "path of ASSERTIONS.md")
	out := flag.String("out", "catalogue.yaml", "path of the catalogue to write")
	check := flag.Bool("check", false, "only compare -out with the generator's output")
	flag.Parse()
	if *in == "" || flag.NArg() != 0 {
		log.Fatal("usage: gen -in ASSERTIONS.md [-out catalogue.yaml] [-check]")
	}
	md, err := os.ReadFile(*in)
	if err != nil {
		log.Fatal(err)
	}
	data, err := seed.Generate(md)
	if err != nil {
		log.Fatal(err)
	}
	if *check {
		old, err := os.ReadFile(*out)
		if err != nil {
			log.Fatal(err)
		}
		if !bytes.Equal(old, data) {
			log.Fatalf("%s is not what %s generates: run go generate ./internal/assertions", *out, *in)
		}
		return
	}
	tmp := *out + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.Rename(tmp, *out); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("assertions/gen: wrote %s (%d bytes)\n", *out, len(data))
}
