/*
 * peer.h: shared declarations of the gSOAP peer (server and client roles).
 *
 * The peer is glue only: WS-ReliableMessaging is gSOAP's wsrm plugin (plugin/wsrmapi.c), the
 * WS-Addressing headers are its wsa plugin (plugin/wsaapi.c) and WS-Security is its wsse
 * plugin (plugin/wsseapi.c), all compiled unmodified from Debian's gsoap package.
 */
#ifndef RSPCHECK_GSOAP_PEER_H
#define RSPCHECK_GSOAP_PEER_H

#include "soapH.h"

#define ECHO_ACTION "urn:rspcheck:gsoap:echo/Echo"
#define ECHO_RESPONSE_ACTION "urn:rspcheck:gsoap:echo/EchoResponse"
#define SCT_WSU_ID "SCT"
#define SCT_SECRET_LEN 32

/* sct is the security context token provisioned out of band: gSOAP has no WS-Trust issuer. */
struct sct {
  const char *identifier;                 /* wsc:Identifier, env SCT_ID */
  unsigned char secret[SCT_SECRET_LEN];   /* env SCT_SECRET, base64 of 32 bytes */
};

int sct_from_env(struct soap *soap, struct sct *t);
int protect(struct soap *soap, const struct sct *t);
const char *received_sct(struct soap *soap);
const char *env_or(const char *name, const char *def);

int run_server(const struct sct *t);
int run_client(const struct sct *t);

#endif
