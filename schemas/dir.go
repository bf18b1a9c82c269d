package schemas

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// EnvDir is the environment variable that names the installed schema directory.
const EnvDir = "RSPCHECK_SCHEMAS"

// installedSubdir is where `make schemas` installs, relative to the repository root.
const installedSubdir = "schemas/official"

// errNotInstalled is wrapped by every error of Dir.
var errNotInstalled = errors.New("official schemas not installed: run `make schemas` " +
	"(offline: make schemas SCHEMAS_FROM=../shared/schemas), or set " + EnvDir)

// Dir locates the installed official schemas: the directory named by $RSPCHECK_SCHEMAS if
// set (it must contain catalog.xml); else the first schemas/official/catalog.xml found in
// the working directory or one of its parents; else schemas/official next to the executable
// or in one of its parents.
func Dir() (string, error) {
	if d := os.Getenv(EnvDir); d != "" {
		if hasCatalog(d) {
			return filepath.Abs(d)
		}
		return "", fmt.Errorf("%s=%s has no catalog.xml: %w", EnvDir, d, errNotInstalled)
	}
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		starts = append(starts, filepath.Dir(exe))
	}
	for _, start := range starts {
		if d, ok := walkUp(start); ok {
			return d, nil
		}
	}
	return "", fmt.Errorf("no %s/catalog.xml in the working directory, next to the executable "+
		"or in their parents: %w", installedSubdir, errNotInstalled)
}

func walkUp(start string) (string, bool) {
	d, err := filepath.Abs(start)
	if err != nil {
		return "", false
	}
	for {
		cand := filepath.Join(d, filepath.FromSlash(installedSubdir))
		if hasCatalog(cand) {
			return cand, true
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", false
		}
		d = parent
	}
}

func hasCatalog(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "catalog.xml"))
	return err == nil && st.Mode().IsRegular()
}
