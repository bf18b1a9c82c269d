/* bridge.h: the small C layer between package schemas and libxml2 (see bridge.c). */
#ifndef RSPCHECK_SCHEMAS_BRIDGE_H
#define RSPCHECK_SCHEMAS_BRIDGE_H

#include <libxml/xmlschemas.h>

/* One diagnostic from libxml2 (or from the bridge itself). Strings are owned by the list. */
typedef struct {
	int level;  /* XML_ERR_WARNING, XML_ERR_ERROR or XML_ERR_FATAL */
	int domain; /* xmlErrorDomain; 0 for the bridge's own diagnostics */
	int code;   /* xmlParserErrors; RSP_REFUSED_LOAD for a refused external load */
	int line;   /* line reported by libxml2 (node line for validity errors) */
	int col;    /* column reported by libxml2 (parser errors only), 0 if unknown */
	int elem;   /* document-order index of the element concerned, -1 if none */
	char *msg;
	char *qname; /* prefix:local as written, or local name */
	char *ns;    /* namespace of that element */
	char *file;  /* file the diagnostic is about (schema compilation) */
	char *str1, *str2, *str3;
} rsp_diag;

typedef struct {
	rsp_diag *v;
	int n, cap;
	int dropped;   /* diagnostics not stored because the list was full */
	int refused;   /* external loads refused by the entity loader */
	int doctype;   /* a DOCTYPE was met and the parse was stopped */
	int elements;  /* number of elements in the parsed document */
	int validated; /* xmlSchemaValidateDoc return value (0 valid, >0 invalid, <0 internal) */
} rsp_diags;

/* URL -> local file table for the entity loader (the installed catalog, read by Go). */
typedef struct {
	const char **urls;
	const char **paths;
	int n;
} rsp_table;

#define RSP_REFUSED_LOAD 100001
#define RSP_DOCTYPE 100002
#define RSP_NOT_ENVELOPE 100003
#define RSP_INTERNAL 100004

void rsp_init(void);
void rsp_diags_free(rsp_diags *d);
xmlSchemaPtr rsp_compile(const char *buf, int len, const rsp_table *tab, rsp_diags *d);
void rsp_validate(xmlSchemaPtr schema, const char *buf, int len, int require_envelope, rsp_diags *d);

#endif
