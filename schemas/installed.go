package schemas

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// catalogFile is the subset of an OASIS XML catalog that install.sh generates.
type catalogFile struct {
	System []struct {
		ID  string `xml:"systemId,attr"`
		URI string `xml:"uri,attr"`
	} `xml:"system"`
	URI []struct {
		Name string `xml:"name,attr"`
		URI  string `xml:"uri,attr"`
	} `xml:"uri"`
}

// readCatalog reads dir/catalog.xml and returns its URL -> relative path mappings. Every
// system and uri entry must map to a clean relative path, and a URL used by both kinds of
// entry must map to the same file.
func readCatalog(dir string) (map[string]string, error) {
	name := filepath.Join(dir, "catalog.xml")
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", err, errNotInstalled)
	}
	var c catalogFile
	if err := xml.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	m := map[string]string{}
	add := func(url, rel string) error {
		if !safeRelPath(rel) {
			return fmt.Errorf("%s: %s maps to %q, which is not a relative path inside the directory", name, url, rel)
		}
		if old, ok := m[url]; ok && old != rel {
			return fmt.Errorf("%s: %s maps to both %s and %s", name, url, old, rel)
		}
		m[url] = rel
		return nil
	}
	for _, s := range c.System {
		if err := add(s.ID, s.URI); err != nil {
			return nil, err
		}
	}
	for _, u := range c.URI {
		if err := add(u.Name, u.URI); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// checkInstalled verifies the installed tree in dir against the embedded MANIFEST: every
// file has its pinned digest (after errata) and catalog.xml maps exactly the manifest's URLs
// and aliases to the right files. It returns the loader table: URL -> absolute file path.
func checkInstalled(dir string, entries []Entry) (map[string]string, error) {
	cat, err := readCatalog(dir)
	if err != nil {
		return nil, err
	}
	want := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(e.Path)))
		if err != nil {
			return nil, fmt.Errorf("%w: %w", err, errNotInstalled)
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != e.InstalledSHA256 {
			return nil, fmt.Errorf("%s: sha256 %s, MANIFEST pins %s (stale or modified installation): %w",
				filepath.Join(dir, e.Path), got, e.InstalledSHA256, errNotInstalled)
		}
		for _, u := range append([]string{e.URL}, e.Aliases...) {
			want[u] = e.Path
		}
	}
	var diffs []string
	for u, p := range want {
		if cat[u] != p {
			diffs = append(diffs, fmt.Sprintf("%s should map to %s, catalog has %q", u, p, cat[u]))
		}
	}
	for u, p := range cat {
		if _, ok := want[u]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s maps to %s but is not in MANIFEST", u, p))
		}
	}
	if len(diffs) > 0 {
		sort.Strings(diffs)
		return nil, fmt.Errorf("%s/catalog.xml does not match MANIFEST (%s): %w",
			dir, strings.Join(diffs, "; "), errNotInstalled)
	}
	table := make(map[string]string, len(cat))
	for u, p := range cat {
		table[u] = filepath.Join(dir, filepath.FromSlash(p))
	}
	return table, nil
}

// driverSchema returns the driver schema: a schema without target namespace that only
// imports, by canonical URL, every namespace whose MANIFEST entry has use "driver". Its
// imports pull in their own dependencies (WS-Policy, xml.xsd) through the catalog.
func driverSchema(entries []Entry) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<!-- rspcheck driver schema: generated in memory by package schemas. -->` + "\n")
	b.WriteString(`<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">` + "\n")
	for _, e := range entries {
		if !e.Driver {
			continue
		}
		fmt.Fprintf(&b, "  <xs:import namespace=\"%s\" schemaLocation=\"%s\"/>\n", xmlAttr(e.Namespace), xmlAttr(e.URL))
	}
	b.WriteString("</xs:schema>\n")
	return []byte(b.String())
}

func xmlAttr(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // escapes <, >, &, ' and " ; cannot fail on a Builder
	return b.String()
}
