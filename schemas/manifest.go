package schemas

import (
	_ "embed" // MANIFEST is embedded
	"fmt"
	"regexp"
	"strings"
	"sync"
)

//go:embed MANIFEST
var manifestText string

// Entry is one official schema file listed in MANIFEST.
type Entry struct {
	Path      string   // relative to the installed directory, e.g. "wsrm/wsrm-1.1-schema-200702.xsd"
	SHA256    string   // digest of the file as published
	Namespace string   // specification namespace (WS-Trust 1.3: without the trailing slash)
	Spec      string   // specification name
	Version   string   // specification version or date
	URL       string   // canonical URL; the driver schema imports the file by it
	Aliases   []string // further URLs by which official schemas import the file
	Driver    bool     // imported by the driver schema

	// Erratum is the sed script (relative to schemas/) applied at installation, and
	// InstalledSHA256 the digest of the installed file: SHA256 unless an erratum applies.
	Erratum         string
	InstalledSHA256 string
}

var (
	manifestOnce    sync.Once
	manifestEntries []Entry
	manifestErr     error
)

// Manifest returns the entries of the embedded MANIFEST, in file order.
func Manifest() ([]Entry, error) {
	manifestOnce.Do(func() { manifestEntries, manifestErr = parseManifest(manifestText) })
	if manifestErr != nil {
		return nil, manifestErr
	}
	return append([]Entry(nil), manifestEntries...), nil
}

var hexDigest = regexp.MustCompile(`^[0-9a-f]{64}$`)

// parseManifest parses the MANIFEST format documented at the top of that file.
func parseManifest(text string) ([]Entry, error) {
	var entries []Entry
	byPath := map[string]int{}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, " | ")
		bad := func(format string, a ...any) error {
			return fmt.Errorf("MANIFEST:%d: %s", n+1, fmt.Sprintf(format, a...))
		}
		switch f[0] {
		case "xsd":
			if len(f) != 9 {
				return nil, bad("xsd record needs 9 fields, has %d", len(f))
			}
			e := Entry{Path: f[1], SHA256: f[2], Namespace: f[3], Spec: f[4], Version: f[5], URL: f[6]}
			if f[7] != "-" {
				e.Aliases = strings.Split(f[7], ",")
			}
			switch f[8] {
			case "driver":
				e.Driver = true
			case "dep":
			default:
				return nil, bad("use must be driver or dep, not %q", f[8])
			}
			if !hexDigest.MatchString(e.SHA256) {
				return nil, bad("bad sha256 %q", e.SHA256)
			}
			if _, dup := byPath[e.Path]; dup {
				return nil, bad("duplicate path %s", e.Path)
			}
			if !safeRelPath(e.Path) {
				return nil, bad("path %q must be relative and stay inside the directory", e.Path)
			}
			e.InstalledSHA256 = e.SHA256
			byPath[e.Path] = len(entries)
			entries = append(entries, e)
		case "erratum":
			if len(f) != 4 {
				return nil, bad("erratum record needs 4 fields, has %d", len(f))
			}
			i, ok := byPath[f[1]]
			if !ok {
				return nil, bad("erratum for %s, which is not listed before it", f[1])
			}
			if !hexDigest.MatchString(f[2]) {
				return nil, bad("bad sha256 %q", f[2])
			}
			entries[i].Erratum, entries[i].InstalledSHA256 = f[3], f[2]
		default:
			return nil, bad("unknown record kind %q", f[0])
		}
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("MANIFEST lists no files")
	}
	return entries, nil
}

// safeRelPath reports whether p is a clean relative slash-separated path without "..".
func safeRelPath(p string) bool {
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, "\\") {
		return false
	}
	for _, part := range strings.Split(p, "/") {
		if part == "" || part == "." || part == ".." {
			return false
		}
	}
	return true
}
