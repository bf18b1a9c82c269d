/*
 * server.c: the gSOAP WS-RM Destination. One echo operation; CreateSequence, CloseSequence,
 * TerminateSequence, AckRequested and SequenceAcknowledgement are served by the wsrm plugin's
 * own operations (wsrmapi.c __wsrm__*). GET /healthz answers 200 for readiness probes.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>

#include "peer.h"
#include "wsaapi.h"
#include "wsrmapi.h"
#include "wsseapi.h"
#include "logging.h"

static const struct sct *token;
static volatile sig_atomic_t stopping;
static char request_sct[512]; /* the SCT that signed the current request, "" if none */
static int request_body_signed; /* the current request's Body is covered by its Signature */
static int (*next_preparefinalrecv)(struct soap*);

static void on_signal(int sig)
{
  (void)sig;
  stopping = 1;
}

/* token_handler gives the wsse plugin the HMAC key of a signature whose KeyInfo refers to
 * the provisioned SCT (by its wsc:Identifier), and no key otherwise. */
static const void *token_handler(struct soap *soap, int *alg, const char *keyname,
                                 const unsigned char *keyid, int keyidlen, int *keylen)
{
  const char *id = received_sct(soap);
  (void)keyname; (void)keyid; (void)keyidlen;
  switch (*alg)
  {
    case SOAP_SMD_HMAC_SHA1:
    case SOAP_SMD_HMAC_SHA256:
      if (id && !strcmp(id, token->identifier))
      {
        *keylen = SCT_SECRET_LEN;
        return token->secret;
      }
      fprintf(stderr, "gsoap-server: no key for SCT %s\n", id ? id : "(none)");
      return NULL;
  }
  return NULL;
}

/* http_get answers GET /healthz (readiness) and refuses every other GET. */
static int http_get(struct soap *soap)
{
  if (strcmp(soap->path, "/healthz"))
    return 404;
  soap->http_content = "text/plain";
  if (soap_response(soap, SOAP_FILE) || soap_send(soap, "ok\n") || soap_end_send(soap))
    return soap_closesock(soap);
  return SOAP_OK;
}

/* note_request runs after the wsse plugin verified the request (the plugin chains to the hook
 * it found installed when verification was enabled) and before the operation: it notes the
 * request's SCT and removes the request's wsse:Security header. Without that, the operations
 * that the wsrm plugin serves itself (CreateSequence, CloseSequence, TerminateSequence) answer
 * with the request's Security header copied verbatim: a stale Signature whose references point
 * into the request, which no receiver can verify. Every answer is signed after its operation
 * has run (ns__echo, and the wrappers below). */
static int note_request(struct soap *soap)
{
  const char *id = received_sct(soap);
  const struct Namespace *env = soap->local_namespaces;
  snprintf(request_sct, sizeof request_sct, "%s", id ? id : "");
  /* soap_wsse_verify_body() would also set a fault; ask for the count (its own test) */
  request_body_signed = env && soap_wsse_verify_element(soap, env->out ? env->out : env->ns, "Body") == 1;
  if (soap->header && soap->header->wsse__Security)
    soap_wsse_delete_Security(soap);
  return next_preparefinalrecv ? next_preparefinalrecv(soap) : SOAP_OK;
}

/* signed_answer signs the answer of an operation that returned err: a fault (err != SOAP_OK)
 * always, a response when response is set. Signing comes after the operation, as wsseapi.c
 * documents for signed faults ("remove old security headers", then sign, then return the
 * fault), not before it: when the wsrm plugin raises a fault, gSOAP's WS-Addressing fault
 * routine (wsaapi.c soap_wsa_fault_subcode) replaces the SOAP Header, dropping a Timestamp and
 * SCT prepared earlier while the wsse plugin's signature stays armed, and the fault then goes
 * out with a Content-Length 156 octets short of its body (this image signed ahead until
 * 2026-12-07; the suite saw truncated RM faults). */
static int signed_answer(struct soap *soap, int err, int response)
{
  if (err == SOAP_OK && !response)
    return SOAP_OK; /* one-way: HTTP 202, nothing to sign */
  if (protect(soap, token))
    return soap->error;
  return err;
}

/* The operations the wsrm plugin serves itself (wsrmapi.c __wsrm__*), wrapped at link time
 * (Makefile: -Wl,--wrap) so that their answers are signed after they ran. */
int __real___wsrm__CreateSequence(struct soap*, struct wsrm__CreateSequenceType*, struct wsrm__CreateSequenceResponseType*);
int __real___wsrm__CloseSequence(struct soap*, struct wsrm__CloseSequenceType*, struct wsrm__CloseSequenceResponseType*);
int __real___wsrm__TerminateSequence(struct soap*, struct wsrm__TerminateSequenceType*, struct wsrm__TerminateSequenceResponseType*);
int __real___wsrm__AckRequested(struct soap*);
int __real___wsrm__SequenceAcknowledgement(struct soap*);

int __wrap___wsrm__CreateSequence(struct soap *soap, struct wsrm__CreateSequenceType *req, struct wsrm__CreateSequenceResponseType *resp)
{
  return signed_answer(soap, __real___wsrm__CreateSequence(soap, req, resp), 1);
}

int __wrap___wsrm__CloseSequence(struct soap *soap, struct wsrm__CloseSequenceType *req, struct wsrm__CloseSequenceResponseType *resp)
{
  return signed_answer(soap, __real___wsrm__CloseSequence(soap, req, resp), 1);
}

int __wrap___wsrm__TerminateSequence(struct soap *soap, struct wsrm__TerminateSequenceType *req, struct wsrm__TerminateSequenceResponseType *resp)
{
  return signed_answer(soap, __real___wsrm__TerminateSequence(soap, req, resp), 1);
}

int __wrap___wsrm__AckRequested(struct soap *soap)
{
  return signed_answer(soap, __real___wsrm__AckRequested(soap), 0);
}

int __wrap___wsrm__SequenceAcknowledgement(struct soap *soap)
{
  return signed_answer(soap, __real___wsrm__SequenceAcknowledgement(soap), 0);
}

/* is_get peeks at the request line: with verification on, the wsse plugin faults any message
 * without a Signature, and a GET has none. */
static int is_get(struct soap *soap)
{
  char b[4];
  struct pollfd p;
  p.fd = soap->socket;
  p.events = POLLIN;
  if (poll(&p, 1, 5000) <= 0) /* the accepted socket may be non-blocking: wait for the request */
    return 0;
  return recv(soap->socket, b, sizeof b, MSG_PEEK) == (ssize_t)sizeof b && !memcmp(b, "GET ", 4);
}

int ns__echo(struct soap *soap, char *text, struct ns__echoResponse *response)
{
  /* the application's policy: the Body is signed with the provisioned SCT's key */
  if (strcmp(request_sct, token->identifier) || !request_body_signed)
  {
    soap_wsse_delete_Security(soap);
    return soap_wsse_sender_fault_subcode(soap, "wsse:FailedCheck", "the Body is not signed with the security context token", NULL);
  }
  /* WS-RM: numbering, duplicates, acknowledgements (gSOAP's own) */
  if (soap_wsrm_check(soap))
    return signed_answer(soap, soap->error, 0); /* UnknownSequence, SequenceClosed, ... */
  response->text = text;
  if (protect(soap, token))
    return soap->error;
  return soap_wsrm_reply(soap, NULL, ECHO_RESPONSE_ACTION);
}

/* SOAP_ENV__Fault accepts a fault sent as a one-way message (wsa5.h declares it as a service
 * operation, for faults relayed to a FaultTo endpoint): logged and answered 202. */
int SOAP_ENV__Fault(struct soap *soap, char *faultcode, char *faultstring, char *faultactor,
                    struct SOAP_ENV__Detail *detail, struct SOAP_ENV__Code *code,
                    struct SOAP_ENV__Reason *reason, char *node, char *role,
                    struct SOAP_ENV__Detail *detail12)
{
  (void)faultcode; (void)faultactor; (void)detail; (void)code; (void)node; (void)role; (void)detail12;
  fprintf(stderr, "gsoap-server: fault received: %s\n",
          faultstring ? faultstring : reason && reason->SOAP_ENV__Text ? reason->SOAP_ENV__Text : "");
  return soap_send_empty_response(soap, 202);
}

int run_server(const struct sct *t)
{
  struct soap *soap = soap_new1(SOAP_XML_CANONICAL);
  int port = atoi(env_or("PORT", "8080"));
  token = t;
  soap_register_plugin(soap, soap_wsa);
  soap_register_plugin(soap, soap_wsrm);
  soap_register_plugin_arg(soap, soap_wsse, (void*)token_handler);
  if (!strcmp(env_or("DUMP", "0"), "1"))
  {
    soap_register_plugin(soap, logging);
    soap_set_logging_inbound(soap, stderr);
    soap_set_logging_outbound(soap, stderr);
  }
  soap->fget = http_get;
  next_preparefinalrecv = soap->fpreparefinalrecv;
  soap->fpreparefinalrecv = note_request;
  soap->bind_flags = SO_REUSEADDR;
  soap->accept_timeout = 1; /* seconds: lets the loop notice SIGTERM */
  soap->send_timeout = soap->recv_timeout = 10;
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  if (!soap_valid_socket(soap_bind(soap, NULL, port, 100)))
  {
    soap_print_fault(soap, stderr);
    return 1;
  }
  printf("endpoint: http://0.0.0.0:%d/\n", port);
  while (!stopping)
  {
    if (!soap_valid_socket(soap_accept(soap)))
    {
      if (soap->errnum)
        soap_print_fault(soap, stderr);
      continue; /* timeout: check for SIGTERM */
    }
    /* every SOAP message must be signed (the wsse plugin faults an unsigned one); the health
     * probe is a GET without a message, so verification is left off for it */
    if (is_get(soap))
      soap_wsse_verify_done(soap);
    else
      soap_wsse_verify_auto(soap, SOAP_SMD_NONE, NULL, 0);
    if (soap_serve(soap))
      soap_print_fault(soap, stderr);
    /* disarm the signing of this answer: a request that is refused before any operation runs
     * (a header not understood) must not be answered under the signature armed for the last
     * one (its fault then went out with a Security header holding only that Signature, and a
     * short Content-Length) */
    soap_wsse_delete_Security(soap);
    soap_destroy(soap);
    soap_end(soap);
  }
  printf("gsoap-server: stopped\n");
  soap_destroy(soap);
  soap_end(soap);
  soap_free(soap);
  return 0;
}
