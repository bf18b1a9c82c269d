// Package schemas validates WS-ReliableMessaging / WS-SecureConversation / WS-Trust SOAP
// messages against the official XML Schemas, offline, with libxml2.
//
// The official XSDs are not committed: `make schemas` (schemas/install.sh) installs them into
// schemas/official, checking every file against the sha256 pinned in schemas/MANIFEST,
// applying the documented WS-Trust 1.3 namespace erratum (schemas/errata/) and generating
// catalog.xml. Dir finds that directory; Load checks it against the embedded MANIFEST and
// compiles, once per directory, a driver schema that imports every namespace of the
// composite scenario by its canonical URL (SOAP 1.1/1.2, WS-Addressing 1.0 and 2004/08,
// WS-RM 200702 and 2005/02, WS-MC, WS-SC 200512 and 2005/02, WS-Trust 200512, WSS secext
// 1.0/1.1 and utility 1.0, XML-DSig, XML-Enc). Validate then checks a message and returns
// Problems with line, column and element.
//
// This is the only package of the module that links libxml2. It does so through a small cgo
// bridge of its own (bridge.c) rather than through github.com/lestrrat-go/libxml2, because it
// needs things that binding does not offer: structured errors carrying the node, errors that
// never reach stderr even though libxml2 keeps its error handlers per OS thread, and an
// external entity loader that refuses the network.
//
// Global libxml2 state, and how it is handled:
//   - Error handlers are per thread in libxml2. Each bridge call installs its own handlers
//     on entry and restores the previous ones on exit, within one cgo call (one thread).
//   - The external entity loader is process-wide. The package installs its own once: it
//     resolves URLs only through the installed catalog.xml (read in Go, handed to the
//     bridge for the duration of one compilation on one thread) and refuses everything else,
//     so a schemaLocation missing from the catalog fails the compilation instead of reaching
//     the network. libxml2's global catalog (XML_CATALOG_FILES, /etc/xml/catalog) is never
//     consulted, so the process environment cannot change what is loaded.
//   - Compilations are serialised by a package mutex; validations run concurrently.
//
// Documents are parsed with XML_PARSE_NONET and without entity substitution or DTD loading;
// a DOCTYPE is refused before libxml2 sees the document (and, for encodings the pre-check
// cannot read, the bridge stops libxml2 at the DOCTYPE before its internal subset).
//
// WS-Trust February 2005 (http://schemas.xmlsoap.org/ws/2005/02/trust) has no obtainable
// official schema: P05 WS-Trust bodies are not validated (the SOAP Body wildcard is lax).
package schemas
