/*
 * main.c: entry point of the gSOAP peer image (FROM scratch, statically linked).
 *
 * Contract (as the rsppeer image): ROLE=server|client selects the role (or argv[1]);
 * TESTCASE names a test case, and an unsupported one exits 127 so that a runner can tell
 * "unsupported" from "failed". Exit status: 0 success, 1 failure, 2 usage, 127 unsupported.
 *
 * Environment:
 *   SCT_ID        wsc:Identifier of the provisioned security context token (required)
 *   SCT_SECRET    base64 of its 32-byte secret (required)
 *   PORT          server: port to listen on (default 8080)
 *   TO            client: the WS-RM destination endpoint URL
 *   MESSAGES      client: number of echo messages in the sequence (default 3)
 *   SIGN          "0" disables WS-Security on outgoing messages (default: sign)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer.h"

static const char *const testcases[] = {"", "echo", "sequence", NULL};

int main(int argc, char **argv)
{
  const char *role = argc > 1 ? argv[1] : env_or("ROLE", "");
  const char *tc = env_or("TESTCASE", "");
  struct soap *tmp;
  struct sct t;
  int i, ok = 0;

  for (i = 0; testcases[i]; i++)
    if (!strcmp(tc, testcases[i]))
      ok = 1;
  if (!ok)
  {
    fprintf(stderr, "gsoap-peer: unsupported test case \"%s\"\n", tc);
    return 127;
  }
  if (strcmp(role, "server") && strcmp(role, "client"))
  {
    fprintf(stderr, "gsoap-peer: ROLE must be server or client, not \"%s\"\n", role);
    return 2;
  }
  tmp = soap_new();
  if (sct_from_env(tmp, &t))
  {
    soap_free(tmp);
    return 2;
  }
  t.identifier = strdup(t.identifier);
  soap_destroy(tmp);
  soap_end(tmp);
  soap_free(tmp);
  setvbuf(stdout, NULL, _IOLBF, 0);
  return !strcmp(role, "server") ? run_server(&t) : run_client(&t);
}
