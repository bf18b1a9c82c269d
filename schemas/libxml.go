package schemas

/*
#cgo pkg-config: libxml-2.0
#include <stdlib.h>
#include "bridge.h"
*/
import "C"

import (
	"sync"
	"unsafe"
)

// diag is a Go copy of one rsp_diag (see bridge.h).
type diag struct {
	level, domain, code, line, col, elem   int
	msg, qname, ns, file, str1, str2, str3 string
}

// bridge codes of diagnostics that do not come from libxml2 (see bridge.h).
const (
	codeRefusedLoad = C.RSP_REFUSED_LOAD
	codeDoctype     = C.RSP_DOCTYPE
	codeNotEnvelope = C.RSP_NOT_ENVELOPE
	codeInternal    = C.RSP_INTERNAL
	codeSkipSchema  = C.XML_SCHEMAP_WARN_SKIP_SCHEMA
	levelWarning    = C.XML_ERR_WARNING
)

// result is what one bridge call reported.
type result struct {
	diags     []diag
	dropped   int
	refused   int
	doctype   bool
	elements  int
	validated int
}

var initOnce sync.Once

// initLibxml initialises libxml2 once per process and installs the bridge's external entity
// loader, which replaces libxml2's (process-wide, for every libxml2 user in the process).
func initLibxml() { initOnce.Do(func() { C.rsp_init() }) }

func goString(s *C.char) string {
	if s == nil {
		return ""
	}
	return C.GoString(s)
}

// collect copies the diagnostics out of d and frees them.
func collect(d *C.rsp_diags) result {
	r := result{
		dropped:   int(d.dropped),
		refused:   int(d.refused),
		doctype:   d.doctype != 0,
		elements:  int(d.elements),
		validated: int(d.validated),
	}
	if d.n > 0 {
		for _, g := range unsafe.Slice(d.v, int(d.n)) {
			r.diags = append(r.diags, diag{
				level: int(g.level), domain: int(g.domain), code: int(g.code),
				line: int(g.line), col: int(g.col), elem: int(g.elem),
				msg: goString(g.msg), qname: goString(g.qname), ns: goString(g.ns),
				file: goString(g.file), str1: goString(g.str1), str2: goString(g.str2),
				str3: goString(g.str3),
			})
		}
	}
	C.rsp_diags_free(d)
	return r
}

// compileSchema compiles the in-memory driver schema. table maps every URL that may be
// loaded to a local file; any other load is refused. The returned pointer is a compiled
// xmlSchema (nil on failure) that lives as long as the process.
func compileSchema(driver []byte, table map[string]string) (unsafe.Pointer, result) {
	initLibxml()
	n := len(table)
	ptrSize := C.size_t(unsafe.Sizeof((*C.char)(nil)))
	urls := unsafe.Slice((**C.char)(C.malloc(C.size_t(n+1)*ptrSize)), n+1)
	paths := unsafe.Slice((**C.char)(C.malloc(C.size_t(n+1)*ptrSize)), n+1)
	i := 0
	for u, p := range table {
		urls[i], paths[i] = C.CString(u), C.CString(p)
		i++
	}
	defer func() {
		for j := 0; j < n; j++ {
			C.free(unsafe.Pointer(urls[j]))
			C.free(unsafe.Pointer(paths[j]))
		}
		C.free(unsafe.Pointer(&urls[0]))
		C.free(unsafe.Pointer(&paths[0]))
	}()
	tab := C.rsp_table{urls: &urls[0], paths: &paths[0], n: C.int(n)}
	cbuf := C.CBytes(driver)
	defer C.free(cbuf)
	var d C.rsp_diags
	s := C.rsp_compile((*C.char)(cbuf), C.int(len(driver)), &tab, &d)
	return unsafe.Pointer(s), collect(&d)
}

// validateDoc parses doc and validates it against the compiled schema s. The caller has
// made sure that 0 < len(doc) <= maxDocumentSize.
func validateDoc(s unsafe.Pointer, doc []byte, requireEnvelope bool) result {
	var d C.rsp_diags
	env := C.int(0)
	if requireEnvelope {
		env = 1
	}
	// doc is Go memory without Go pointers, used by C only during the call: allowed.
	C.rsp_validate((*C.xmlSchema)(s), (*C.char)(unsafe.Pointer(&doc[0])), C.int(len(doc)), env, &d)
	return collect(&d)
}

// freeSchema frees a compiled schema that will not be used (nil is ignored).
func freeSchema(s unsafe.Pointer) {
	if s != nil {
		C.xmlSchemaFree((*C.xmlSchema)(s))
	}
}
