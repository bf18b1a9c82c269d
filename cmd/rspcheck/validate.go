package main

import (
	"flag"
	"fmt"
	"github.com/rspcheck/rspcheck/internal/msgcheck"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rspcheck/rspcheck/internal/codec"
	"github.com/rspcheck/rspcheck/schemas"
)

// runValidate implements `rspcheck validate`.
func runValidate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("validate", flag.ContinueOnError)
	fl.SetOutput(stderr)
	profile := fl.String("profile", "auto", "version family the messages must belong to: p11, p05 or auto")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	prof, err := codec.ParseProfile(*profile)
	if err != nil {
		fmt.Fprintln(stderr, "rspcheck validate:", err)
		return 2
	}
	if fl.NArg() == 0 {
		fmt.Fprintln(stderr, "rspcheck validate: name at least one FILE, DIR or - (standard input)")
		return 2
	}
	dir, err := schemas.Dir()
	if err != nil {
		fmt.Fprintln(stderr, "rspcheck validate:", err)
		return 2
	}
	sv, err := schemas.Load(dir)
	if err != nil {
		fmt.Fprintln(stderr, "rspcheck validate:", err)
		return 2
	}
	v := &msgcheck.Checker{Schema: sv, Profile: prof}
	passed, failed, ioErrors := 0, 0, 0
	for _, arg := range fl.Args() {
		inputs, err := expand(arg)
		if err != nil {
			fmt.Fprintln(stderr, "rspcheck validate:", err)
			ioErrors++
			continue
		}
		for _, in := range inputs {
			raw, err := readInput(in, stdin)
			if err != nil {
				fmt.Fprintln(stderr, "rspcheck validate:", err)
				ioErrors++
				continue
			}
			probs := v.Check(raw)
			if len(probs) == 0 {
				fmt.Fprintln(stdout, "PASS", in)
				passed++
				continue
			}
			failed++
			for _, p := range probs {
				fmt.Fprintf(stdout, "FAIL %s:%d:%d: %s: %s\n", in, p.Line, p.Column, p.Element, p.Reason)
			}
		}
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed)
	switch {
	case ioErrors > 0:
		return 2
	case failed > 0:
		return 1
	}
	return 0
}

// expand turns a FILE, DIR or "-" argument into the list of inputs: a directory contributes
// every *.xml file below it, in lexical order.
func expand(arg string) ([]string, error) {
	if arg == "-" {
		return []string{"-"}, nil
	}
	st, err := os.Stat(arg)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{arg}, nil
	}
	var out []string
	err = filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(strings.ToLower(p), ".xml") {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("%s: no *.xml files in this directory", arg)
	}
	return out, err
}

func readInput(in string, stdin io.Reader) ([]byte, error) {
	if in == "-" {
		return io.ReadAll(io.LimitReader(stdin, codec.DefaultMaxSize+1))
	}
	return os.ReadFile(in)
}
