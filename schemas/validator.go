package schemas

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"unsafe"
)

// MaxDocumentSize is the largest document Validate accepts, in bytes.
const MaxDocumentSize = 32 << 20

// Validator validates documents against the driver schema compiled from one installed
// schema directory. It is safe for concurrent use: the compiled schema is shared read-only
// and every call gets its own parser and validation context. A Validator is never freed; it
// lives as long as the process (Load caches one per directory).
type Validator struct {
	dir        string
	schema     unsafe.Pointer // *C.xmlSchema
	namespaces []string
}

var (
	cacheMu sync.Mutex
	cache   = map[string]*Validator{}
)

// Default is Load(Dir()).
func Default() (*Validator, error) {
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	return Load(dir)
}

// Load returns the Validator for the schemas installed in dir, compiling them on first use.
// It first checks the installation against the embedded MANIFEST (pinned sha256 of every
// file, catalog.xml mapping exactly the manifest's URLs), then compiles, in memory, a driver
// schema that imports every "driver" namespace of MANIFEST by its canonical URL. Imports are
// resolved only through the installed catalog; any other load (network or file) is refused
// and fails the compilation. Successful results are cached per directory; failures are not,
// so a later call after `make schemas` succeeds.
func Load(dir string) (*Validator, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if v, ok := cache[abs]; ok {
		return v, nil
	}
	entries, err := Manifest()
	if err != nil {
		return nil, err
	}
	table, err := checkInstalled(abs, entries)
	if err != nil {
		return nil, fmt.Errorf("schemas: %w", err)
	}
	v, err := compile(abs, driverSchema(entries), table)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.Driver {
			v.namespaces = append(v.namespaces, e.Namespace)
		}
	}
	cache[abs] = v
	return v, nil
}

// compile compiles driver with the loader table. Every diagnostic is fatal except libxml2's
// "Skipping import of schema located at A ..., since this namespace was already imported
// with the schema located at B" when A and B are the same installed file (WSS secext 1.0
// imports XML-DSig by its undated URL, XML-Enc by its dated one).
func compile(dir string, driver []byte, table map[string]string) (*Validator, error) {
	s, res := compileSchema(driver, table)
	var fatal []string
	for _, g := range res.diags {
		if g.code == codeSkipSchema && g.level == levelWarning && table[g.str1] != "" && table[g.str1] == table[g.str3] {
			continue
		}
		where := g.file
		if where == "" {
			where = "driver schema"
		}
		if g.line > 0 {
			where = fmt.Sprintf("%s:%d", where, g.line)
		}
		fatal = append(fatal, where+": "+strings.Join(strings.Fields(g.msg), " "))
	}
	if res.dropped > 0 {
		fatal = append(fatal, fmt.Sprintf("%d further diagnostics", res.dropped))
	}
	if s == nil && len(fatal) == 0 {
		fatal = append(fatal, "libxml2 returned no schema and no diagnostic")
	}
	if len(fatal) > 0 {
		freeSchema(s)
		return nil, fmt.Errorf("schemas: compiling the driver schema for %s failed:\n  %s",
			dir, strings.Join(fatal, "\n  "))
	}
	return &Validator{dir: dir, schema: s}, nil
}

// Dir returns the directory v was loaded from.
func (v *Validator) Dir() string { return v.dir }

// Namespaces returns the namespaces the driver schema imports, sorted. Elements of other
// namespaces inside lax wildcards (SOAP Header and Body children, extension points) are
// not checked; the document element must always have a declaration.
func (v *Validator) Namespaces() []string {
	ns := append([]string(nil), v.namespaces...)
	sort.Strings(ns)
	return ns
}

// Validate checks a whole SOAP message: it must be well-formed XML without a DOCTYPE, its
// document element must be a SOAP 1.1 or SOAP 1.2 Envelope, and it must be valid against the
// official schemas of every namespace the driver imports. It returns nil for a valid
// document. Nothing is ever written to stderr and no input makes it panic.
func (v *Validator) Validate(doc []byte) []Problem { return v.validate(doc, true) }

// ValidateElement is Validate without the Envelope requirement: the document element may be
// any element declared globally by the official schemas (a wsrm:CreateSequence, a
// wst:RequestSecurityToken, ...). Fixtures of single header blocks use it.
func (v *Validator) ValidateElement(doc []byte) []Problem { return v.validate(doc, false) }

func (v *Validator) validate(doc []byte, envelope bool) []Problem {
	if len(bytes.TrimSpace(doc)) == 0 {
		return []Problem{{Reason: "empty document"}}
	}
	if len(doc) > MaxDocumentSize {
		return []Problem{{Reason: fmt.Sprintf("document of %d bytes is larger than the limit of %d bytes", len(doc), MaxDocumentSize)}}
	}
	if pos, ok := findDoctype(doc); ok {
		return []Problem{{Line: pos.line, Column: pos.column, Reason: doctypeReason}}
	}
	return problems(validateDoc(v.schema, doc, envelope), doc)
}

const doctypeReason = "DOCTYPE declarations are not allowed (no DTD is read and no entity is ever expanded)"

// problems converts the bridge's diagnostics, locating element diagnostics with indexElements.
func problems(res result, doc []byte) []Problem {
	var out []Problem
	var idx *docIndex
	for _, g := range res.diags {
		p := Problem{Line: g.line, Column: g.col, Element: g.qname, Namespace: g.ns, Reason: cleanReason(g.msg)}
		switch {
		case g.code == codeDoctype:
			p.Reason = doctypeReason
		case g.level == levelWarning:
			p.Reason = "warning: " + p.Reason
		}
		if g.elem >= 0 {
			if idx == nil {
				x := indexElements(doc)
				idx = &x
			}
			p.Column = 0
			if g.elem < len(idx.elems) && (!idx.complete || len(idx.elems) == res.elements) {
				p.Line, p.Column = idx.elems[g.elem].line, idx.elems[g.elem].column
			}
		}
		out = append(out, p)
	}
	if res.dropped > 0 {
		out = append(out, Problem{Reason: fmt.Sprintf("%d further problems not reported", res.dropped)})
	}
	if len(out) == 0 && res.validated != 0 {
		out = append(out, Problem{Reason: fmt.Sprintf("validation failed without a diagnostic (libxml2 returned %d)", res.validated)})
	}
	return out
}
