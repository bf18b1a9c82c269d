/*
 * client.c: the gSOAP WS-RM Source. Creates a sequence (no Offer), sends MESSAGES echo requests
 * each asking for an acknowledgement, closes, resends what is unacknowledged and terminates,
 * with the wsrm plugin's documented client calls (wsrmapi.c "Example Client"). Every message,
 * CreateSequence included, is protected by protect() (common.c) and carries a wsa:MessageID
 * (the plugin's examples pass NULL, which omits it although a reply is expected).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer.h"
#include "wsaapi.h"
#include "wsrmapi.h"
#include "wsseapi.h"
#include "logging.h"

static const struct sct *token;

static const void *token_handler(struct soap *soap, int *alg, const char *keyname,
                                 const unsigned char *keyid, int keyidlen, int *keylen)
{
  const char *id = received_sct(soap);
  (void)keyname; (void)keyid; (void)keyidlen;
  if ((*alg == SOAP_SMD_HMAC_SHA1 || *alg == SOAP_SMD_HMAC_SHA256) && id && !strcmp(id, token->identifier))
  {
    *keylen = SCT_SECRET_LEN;
    return token->secret;
  }
  return NULL;
}

/* step reports one step of the flow; a SOAP fault is printed as gSOAP renders it. */
static int step(struct soap *soap, const char *what, int err)
{
  if (err == SOAP_OK || err == 202 || err == SOAP_NO_TAG)
  {
    printf("gsoap-client: %s: ok%s\n", what, err == 202 ? " (HTTP 202)" : err == SOAP_NO_TAG ? " (empty Body)" : "");
    return 0;
  }
  printf("gsoap-client: %s: FAILED (error %d)\n", what, err);
  soap_print_fault(soap, stdout);
  fflush(stdout);
  return 1;
}

int run_client(const struct sct *t)
{
  struct soap *soap = soap_new1(SOAP_XML_CANONICAL);
  const char *to = env_or("TO", "");
  int n = atoi(env_or("MESSAGES", "3"));
  int i, failed = 0;
  ULONG64 nack;
  soap_wsrm_sequence_handle seq = NULL;
  token = t;
  if (!*to)
  {
    fprintf(stderr, "gsoap-client: TO (the destination URL) is required\n");
    return 2;
  }
  soap_register_plugin(soap, soap_wsa);
  soap_register_plugin(soap, soap_wsrm);
  soap_register_plugin_arg(soap, soap_wsse, (void*)token_handler);
  if (!strcmp(env_or("DUMP", "0"), "1"))
  {
    soap_register_plugin(soap, logging);
    soap_set_logging_inbound(soap, stderr);
    soap_set_logging_outbound(soap, stderr);
  }
  soap->connect_timeout = soap->send_timeout = soap->recv_timeout = 10;
  if (strcmp(env_or("VERIFY", "1"), "0"))
    soap_wsse_verify_auto(soap, SOAP_SMD_NONE, NULL, 0); /* responses must be signed with the SCT */

  if (protect(soap, token) || step(soap, "CreateSequence", soap_wsrm_create(soap, to, NULL, 60000, soap_wsa_rand_uuid(soap), &seq)))
  {
    if (seq)
      soap_wsrm_seq_free(soap, seq);
    return 1;
  }
  printf("gsoap-client: sequence %s\n", seq->id ? seq->id : "(none)");
  for (i = 1; i <= n && !failed; i++)
  {
    char text[64], what[64];
    struct ns__echoResponse res;
    int err;
    snprintf(text, sizeof text, "message %d", i);
    snprintf(what, sizeof what, "echo %d", i);
    if (protect(soap, token) || soap_wsrm_request_acks(soap, seq, soap_wsa_rand_uuid(soap), ECHO_ACTION))
    {
      failed = step(soap, what, soap->error);
      break;
    }
    err = soap_call_ns__echo(soap, soap_wsrm_to(seq), ECHO_ACTION, text, &res);
    failed = step(soap, what, err);
    if (!err && res.text)
      printf("gsoap-client: echoed \"%s\"\n", res.text);
  }
  if (!failed)
    failed = protect(soap, token) || step(soap, "CloseSequence", soap_wsrm_close(soap, seq, soap_wsa_rand_uuid(soap)));
  if (!failed && soap_wsrm_nack(seq))
    step(soap, "resend", soap_wsrm_resend(soap, seq, 0, 0));
  nack = soap_wsrm_nack(seq);
  if (!failed)
    failed = protect(soap, token) || step(soap, "TerminateSequence", soap_wsrm_terminate(soap, seq, soap_wsa_rand_uuid(soap)));
  printf("gsoap-client: sent " SOAP_ULONG_FORMAT ", unacknowledged " SOAP_ULONG_FORMAT "\n", soap_wsrm_num(seq), nack);
  soap_wsrm_seq_free(soap, seq);
  soap_destroy(soap);
  soap_end(soap);
  soap_free(soap);
  return failed || nack ? 1 : 0;
}
