/*
 * common.c: the token provisioning and the per-message WS-Security calls shared by both roles.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer.h"
#include "wsseapi.h"

const char *env_or(const char *name, const char *def)
{
  const char *v = getenv(name);
  return v && *v ? v : def;
}

/* sct_from_env reads the out-of-band SCT: gSOAP's wsse plugin can carry a
 * wsc:SecurityContextToken and sign with an HMAC key, but cannot obtain one (no WS-Trust). */
int sct_from_env(struct soap *soap, struct sct *t)
{
  const char *b64 = getenv("SCT_SECRET");
  const char *raw;
  int n = 0;
  t->identifier = getenv("SCT_ID");
  if (!t->identifier || !*t->identifier || !b64 || !*b64)
  {
    fprintf(stderr, "gsoap-peer: SCT_ID and SCT_SECRET (base64, 32 bytes) are required\n");
    return 1;
  }
  raw = soap_base642s(soap, b64, NULL, 0, &n);
  if (!raw || n != SCT_SECRET_LEN)
  {
    fprintf(stderr, "gsoap-peer: SCT_SECRET must be the base64 of %d bytes (got %d)\n", SCT_SECRET_LEN, n);
    return 1;
  }
  memcpy(t->secret, raw, SCT_SECRET_LEN);
  return 0;
}

/* protect prepares the wsse:Security header of the next outgoing message, with the documented
 * calls of the wsse plugin (wsseapi.c "WS-SecureConversation and WS-Trust", "Signing Message
 * Parts"): a fresh Timestamp, the wsc:SecurityContextToken with a SecurityTokenReference to it
 * in ds:KeyInfo, and an HMAC-SHA1 signature keyed by the SCT secret over the Body, the
 * Timestamp and the WS-Addressing and WS-RM headers. SIGN=0 leaves the message unprotected. */
int protect(struct soap *soap, const struct sct *t)
{
  soap_wsse_delete_Security(soap);
  if (!strcmp(env_or("SIGN", "1"), "0"))
    return SOAP_OK;
  soap_wsse_set_wsu_id(soap, "wsa5:To wsa5:Action wsa5:MessageID wsa5:RelatesTo wsa5:ReplyTo "
                             "wsrm:Sequence wsrm:AckRequested wsrm:SequenceAcknowledgement");
  if (soap_wsse_add_Timestamp(soap, "Time", 300)
   || soap_wsse_add_SecurityContextToken(soap, SCT_WSU_ID, t->identifier)
   || soap_wsse_sign_body(soap, SOAP_SMD_HMAC_SHA1, t->secret, SCT_SECRET_LEN))
  {
    soap_wsse_delete_Security(soap);
    return soap->error;
  }
  return SOAP_OK;
}

/* received_sct returns the wsc:Identifier of the SCT that the inbound Signature's KeyInfo
 * refers to, or NULL. It stands in for soap_wsse_get_SecurityContextToken(), which in 2.8.124
 * never matches on the receiving side: it compares the STR's Reference/@URI ("#SCT") with the
 * token's wsu:Id ("SCT") without the leading '#'. Two forms are recognised: a local reference
 * to an embedded wsc:SecurityContextToken (what gSOAP sends), and a reference whose URI is the
 * identifier itself (an unattached reference by wsc:Identifier, WS-SC 1.3 section 8). */
const char *received_sct(struct soap *soap)
{
  _wsse__Security *sec = soap_wsse_Security(soap);
  const char *uri = soap_wsse_get_KeyInfo_SecurityTokenReferenceURI(soap);
  struct wsc__SecurityContextTokenType *sct = sec ? sec->wsc__SecurityContextToken : NULL;
  if (!uri)
    return NULL;
  if (sct && sct->Identifier && *uri == '#' && sct->wsu__Id && !strcmp(uri + 1, sct->wsu__Id))
    return sct->Identifier;
  if (*uri != '#')
    return uri;
  return NULL;
}
