// Command layercheck enforces the dependency direction of DESIGN.md: imports point down the
// layers wire → codec → xmlsec → token, wssec → rm → store → transport → peer → suite, report,
// cmd. It also enforces where third-party libraries may be used (libxml2 only in schemas/,
// Ginkgo and Gomega only under suite/, testcontainers only under container/), that internal/rm
// imports only wire/wsrm, wire/wsa and the standard library, that rsppeer stays free of cgo
// (no schemas, no libxml2 among its dependencies), and that os.Exit appears only under cmd/.
//
// Usage (from the module root): go run ./tools/layercheck
// Exit status 1 with one line per violation.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

const module = "github.com/rspcheck/rspcheck"

func main() {
	pkgs, err := listPackages()
	if err != nil {
		fmt.Fprintln(os.Stderr, "layercheck:", err)
		os.Exit(2)
	}
	problems := checkImports(pkgs)
	deps, err := goList("-deps", "-f", "{{.ImportPath}}", "./cmd/rsppeer")
	if err == nil {
		problems = append(problems, checkPeerDeps(deps)...)
	}
	cgo, err := goList("-e", "-f", "{{.ImportPath}} {{len .CgoFiles}}", "./...")
	if err == nil {
		problems = append(problems, checkCgo(cgo)...)
	}
	exits, err := findOSExit(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "layercheck:", err)
		os.Exit(2)
	}
	problems = append(problems, exits...)
	for _, p := range problems {
		fmt.Println(p)
	}
	if len(problems) > 0 {
		fmt.Printf("layercheck: %d violation(s)\n", len(problems))
		os.Exit(1)
	}
	fmt.Printf("layercheck: %d packages, imports point down the layers\n", len(pkgs))
}

// pkg is one package with its direct imports (including test imports).
type pkg struct {
	Path    string
	Imports []string
}

func listPackages() ([]pkg, error) {
	lines, err := goList("-e", "-f", "{{.ImportPath}} {{join .Imports \" \"}} {{join .TestImports \" \"}} {{join .XTestImports \" \"}}", "./...")
	if err != nil {
		return nil, err
	}
	var out []pkg
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		out = append(out, pkg{Path: f[0], Imports: f[1:]})
	}
	return out, nil
}

func goList(args ...string) ([]string, error) {
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines, sc.Err()
}

// findOSExit reports os.Exit calls in non-test Go files outside cmd/ and tools/.
func findOSExit(root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "cmd", "tools", "testdata", "official":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.HasPrefix(path, filepath.Join("fixtures", "gen")) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "os.Exit(") && !strings.HasPrefix(strings.TrimSpace(line), "//") {
				out = append(out, fmt.Sprintf("%s:%d: os.Exit outside cmd/ (DESIGN: os.Exit only in cmd/)", path, i+1))
			}
		}
		return nil
	})
	return out, err
}
