/*
 * bridge.c: the C half of package schemas. Every entry point runs start to finish inside one
 * cgo call, hence on one OS thread. That matters because libxml2 keeps its error handlers
 * (xmlSetGenericErrorFunc, xmlSetStructuredErrorFunc) per thread: each entry point installs
 * its own handlers on entry and restores the previous ones on exit, so no diagnostic ever
 * reaches libxml2's default handler (stderr), whichever thread Go runs the call on.
 *
 * External loading: rsp_init installs rsp_loader as libxml2's process-wide external entity
 * loader. It resolves a URL only through the table given to rsp_compile (the installed
 * catalog) and only while that compilation runs on the same thread; everything else (any
 * http://, file or relative location not in the table, any load during validation) is
 * refused and recorded, so nothing is ever fetched from the network.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "bridge.h"

#define RSP_MAX_DIAGS 200

/* Per-thread state of the call in progress (NULL outside rsp_compile / rsp_validate). */
static __thread rsp_diags *cur_diags;
static __thread const rsp_table *cur_table;
static __thread int cur_read_nodes;

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static rsp_diag *diag_new(rsp_diags *d) {
	if (d->n >= RSP_MAX_DIAGS) {
		d->dropped++;
		return NULL;
	}
	if (d->n == d->cap) {
		int cap = d->cap ? d->cap * 2 : 8;
		rsp_diag *v = realloc(d->v, (size_t)cap * sizeof(rsp_diag));
		if (v == NULL) {
			d->dropped++;
			return NULL;
		}
		d->v = v;
		d->cap = cap;
	}
	rsp_diag *g = &d->v[d->n++];
	memset(g, 0, sizeof(*g));
	g->elem = -1;
	return g;
}

static void diag_own(rsp_diags *d, int code, int line, int col, int elem, const char *msg) {
	rsp_diag *g = diag_new(d);
	if (g == NULL)
		return;
	g->level = XML_ERR_ERROR;
	g->code = code;
	g->line = line;
	g->col = col;
	g->elem = elem;
	g->msg = strdup(msg);
}

/* describe_node fills the element fields of g from an element or attribute node. */
static void describe_node(rsp_diag *g, xmlNodePtr n) {
	if (n != NULL && n->type == XML_ATTRIBUTE_NODE)
		n = n->parent;
	if (n == NULL || n->type != XML_ELEMENT_NODE)
		return;
	g->elem = (int)(intptr_t)n->_private - 1;
	if (n->ns != NULL && n->ns->prefix != NULL) {
		size_t lp = strlen((const char *)n->ns->prefix), ln = strlen((const char *)n->name);
		g->qname = malloc(lp + ln + 2);
		if (g->qname != NULL) {
			memcpy(g->qname, n->ns->prefix, lp);
			g->qname[lp] = ':';
			memcpy(g->qname + lp + 1, n->name, ln + 1);
		}
	} else {
		g->qname = dup_or_null((const char *)n->name);
	}
	if (n->ns != NULL)
		g->ns = dup_or_null((const char *)n->ns->href);
}

static void on_error(void *data, xmlErrorPtr err) {
	rsp_diags *d = data ? (rsp_diags *)data : cur_diags;
	if (d == NULL || err == NULL)
		return;
	rsp_diag *g = diag_new(d);
	if (g == NULL)
		return;
	g->level = err->level;
	g->domain = err->domain;
	g->code = err->code;
	g->line = err->line;
	g->col = err->int2;
	g->msg = dup_or_null(err->message);
	g->file = dup_or_null(err->file);
	g->str1 = dup_or_null(err->str1);
	g->str2 = dup_or_null(err->str2);
	g->str3 = dup_or_null(err->str3);
	if (cur_read_nodes && err->node != NULL)
		describe_node(g, (xmlNodePtr)err->node);
}

static void on_generic(void *ctx, const char *msg, ...) {
	(void)ctx;
	(void)msg; /* libxml2's unstructured messages duplicate structured ones; drop them */
}

static xmlParserInputPtr rsp_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt) {
	(void)id;
	if (url != NULL && cur_table != NULL) {
		for (int i = 0; i < cur_table->n; i++) {
			if (strcmp(cur_table->urls[i], url) == 0)
				return xmlNewInputFromFile(ctxt, cur_table->paths[i]);
		}
	}
	if (cur_diags != NULL) {
		char buf[1200];
		snprintf(buf, sizeof buf,
			 "refused to load '%.1000s': not in the installed schema catalog "
			 "(network access and files outside the catalog are disabled)",
			 url ? url : "(null)");
		diag_own(cur_diags, RSP_REFUSED_LOAD, 0, 0, -1, buf);
		cur_diags->refused++;
	}
	return NULL;
}

void rsp_init(void) {
	xmlInitParser();
	xmlSetExternalEntityLoader(rsp_loader);
}

void rsp_diags_free(rsp_diags *d) {
	for (int i = 0; i < d->n; i++) {
		rsp_diag *g = &d->v[i];
		free(g->msg);
		free(g->qname);
		free(g->ns);
		free(g->file);
		free(g->str1);
		free(g->str2);
		free(g->str3);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

typedef struct {
	xmlGenericErrorFunc generic;
	void *generic_ctx;
	xmlStructuredErrorFunc structured;
	void *structured_ctx;
} handlers;

static handlers enter(rsp_diags *d, const rsp_table *tab, int read_nodes) {
	handlers h = {xmlGenericError, xmlGenericErrorContext, xmlStructuredError,
		      xmlStructuredErrorContext};
	cur_diags = d;
	cur_table = tab;
	cur_read_nodes = read_nodes;
	xmlSetGenericErrorFunc(NULL, on_generic);
	xmlSetStructuredErrorFunc(d, on_error);
	return h;
}

static void leave(handlers h) {
	xmlSetGenericErrorFunc(h.generic_ctx, h.generic);
	xmlSetStructuredErrorFunc(h.structured_ctx, h.structured);
	cur_diags = NULL;
	cur_table = NULL;
	cur_read_nodes = 0;
}

xmlSchemaPtr rsp_compile(const char *buf, int len, const rsp_table *tab, rsp_diags *d) {
	handlers h = enter(d, tab, 0);
	xmlSchemaPtr schema = NULL;
	xmlSchemaParserCtxtPtr pctxt = xmlSchemaNewMemParserCtxt(buf, len);
	if (pctxt != NULL) {
		xmlSchemaSetParserStructuredErrors(pctxt, on_error, d);
		schema = xmlSchemaParse(pctxt);
		xmlSchemaFreeParserCtxt(pctxt);
	} else {
		diag_own(d, RSP_INTERNAL, 0, 0, -1, "cannot create a schema parser context");
	}
	leave(h);
	return schema;
}

/* A DOCTYPE is refused as soon as the parser reports it, before its internal subset
 * (entity declarations) is read: the parse stops and the document is discarded. */
static void refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys) {
	(void)name;
	(void)ext;
	(void)sys;
	xmlParserCtxtPtr ctxt = (xmlParserCtxtPtr)ctx;
	if (cur_diags != NULL) {
		cur_diags->doctype = 1;
		diag_own(cur_diags, RSP_DOCTYPE, ctxt->input ? ctxt->input->line : 0, 0, -1,
			 "DOCTYPE declarations are not allowed");
	}
	xmlStopParser(ctxt);
}

/* number_elements stores index+1 of every element, in document order, in its _private. */
static int number_elements(xmlNodePtr root) {
	int n = 0;
	xmlNodePtr cur = root;
	while (cur != NULL) {
		if (cur->type == XML_ELEMENT_NODE) {
			cur->_private = (void *)(intptr_t)(++n);
			if (cur->children != NULL) {
				cur = cur->children;
				continue;
			}
		}
		while (cur != NULL && cur != root && cur->next == NULL)
			cur = cur->parent;
		if (cur == NULL || cur == root)
			break;
		cur = cur->next;
	}
	return n;
}

static const char *SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/";
static const char *SOAP12 = "http://www.w3.org/2003/05/soap-envelope";

static void check_envelope(xmlNodePtr root, rsp_diags *d) {
	const char *ns = (root->ns != NULL) ? (const char *)root->ns->href : NULL;
	if (strcmp((const char *)root->name, "Envelope") == 0 && ns != NULL &&
	    (strcmp(ns, SOAP11) == 0 || strcmp(ns, SOAP12) == 0))
		return;
	char buf[1200];
	snprintf(buf, sizeof buf,
		 "the document element must be a SOAP 1.1 or SOAP 1.2 Envelope, not {%.500s}%.500s",
		 ns ? ns : "", (const char *)root->name);
	rsp_diag *g = diag_new(d);
	if (g == NULL)
		return;
	g->level = XML_ERR_ERROR;
	g->code = RSP_NOT_ENVELOPE;
	g->line = xmlGetLineNo(root);
	g->msg = strdup(buf);
	describe_node(g, root);
}

void rsp_validate(xmlSchemaPtr schema, const char *buf, int len, int require_envelope, rsp_diags *d) {
	handlers h = enter(d, NULL, 0);
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	if (ctxt == NULL) {
		diag_own(d, RSP_INTERNAL, 0, 0, -1, "cannot create a parser context");
		leave(h);
		return;
	}
	ctxt->sax->internalSubset = refuse_doctype;
	/* No NOENT (entities are never substituted), no DTDLOAD/DTDATTR/DTDVALID, no XINCLUDE. */
	xmlDocPtr doc = xmlCtxtReadMemory(ctxt, buf, len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_BIG_LINES);
	if (d->doctype && doc != NULL) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	if (doc == NULL) {
		if (d->n == 0)
			diag_own(d, RSP_INTERNAL, 0, 0, -1, "the document could not be parsed");
		xmlFreeParserCtxt(ctxt);
		leave(h);
		return;
	}
	xmlFreeParserCtxt(ctxt);
	xmlNodePtr root = xmlDocGetRootElement(doc);
	d->elements = root ? number_elements(root) : 0;
	cur_read_nodes = 1;
	if (root != NULL && require_envelope)
		check_envelope(root, d);
	xmlSchemaValidCtxtPtr vctxt = xmlSchemaNewValidCtxt(schema);
	if (vctxt == NULL) {
		diag_own(d, RSP_INTERNAL, 0, 0, -1, "cannot create a schema validation context");
	} else {
		xmlSchemaSetValidStructuredErrors(vctxt, on_error, d);
		d->validated = xmlSchemaValidateDoc(vctxt, doc);
		xmlSchemaFreeValidCtxt(vctxt);
	}
	xmlFreeDoc(doc);
	leave(h);
}
