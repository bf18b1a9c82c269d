# ws-trust-1.3-namespace.sed: erratum for the published WS-Trust 1.3 schema.
#
# Applied by schemas/install.sh as `sed -f` to ws-trust/ws-trust-1.3.xsd (published sha256
# df63c2b592f0e13549b61c166a20d5bbbb3545426f85ef9d33e08e44ee208572); the result must have
# sha256 cddcb732cd88a8f72bf81fd47b13944058bd8ce3dcb5701b25d5572f3c40e0ad (pinned in
# schemas/MANIFEST), otherwise the install stops.
#
# WHAT: deletes exactly one character, the trailing '/', from each of two attributes of the
# xs:schema start tag (lines 15 and 16 of the published file):
#     xmlns:wst='http://docs.oasis-open.org/ws-sx/ws-trust/200512/'
#     targetNamespace='http://docs.oasis-open.org/ws-sx/ws-trust/200512/'
# Nothing else changes: the enumeration values (".../200512/Issue" etc.) keep their slash,
# and the CRLF line ends stay as published (the patterns stop before the '\r').
#
# WHY: the WS-Trust 1.3 specification (OASIS Standard 2007-03-19) uses the namespace
# http://docs.oasis-open.org/ws-sx/ws-trust/200512 without a trailing slash (its own action
# URIs, e.g. .../200512/RST/Issue, are built on it; see shared/spec/CONSTANTS.md, prefix wst),
# and every WS-Trust 1.3 implementation puts its elements in that namespace. Against the
# published schema such elements find no global declaration: validating an RST as the
# document root fails, and inside the SOAP Body (a lax wildcard) it is silently skipped, so
# no WS-Trust 1.3 message would ever be checked at all.
#
# EVIDENCE: see shared/schemas/PROVENANCE.md, entry ws-trust/ws-trust-1.3.xsd. The copy in
# picketlink/picketlink (src/main/resources/schema/wstrust/v1_3/ws-trust-1.3.xsd at commit
# 92378c638fe55c2dfc485045a9feec83638f61d0) holds the published bytes except that exactly
# this trailing slash was removed from xmlns:wst and targetNamespace: an independent project
# made the same correction. schemas/errata_test.go re-inserts the two slashes into the
# installed file and checks that the published digest comes back, proving that the erratum
# changes nothing else.
#
# Each pattern is anchored to the start of the line and must match once; install.sh checks
# the resulting digest, so a different input can never be patched silently.
s|^xmlns:wst='http://docs\.oasis-open\.org/ws-sx/ws-trust/200512/'|xmlns:wst='http://docs.oasis-open.org/ws-sx/ws-trust/200512'|
s|^targetNamespace='http://docs\.oasis-open\.org/ws-sx/ws-trust/200512/'|targetNamespace='http://docs.oasis-open.org/ws-sx/ws-trust/200512'|
