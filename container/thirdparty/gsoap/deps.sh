#!/usr/bin/env bash
# Installs the Debian packages the gSOAP peer image is built from, and only those missing:
#   gsoap          soapcpp2 and the plugin/import sources (/usr/share/gsoap)
#   libgsoap-dev   libgsoapssl.a and stdsoap2.h
#   libssl-dev zlib1g-dev   static OpenSSL and zlib for the FROM scratch binary
#   build-essential make    gcc and make
# The image is pinned to gSOAP 2.8.124 (Debian 12); another version is reported, not refused
# here: BuildGSOAP refuses it.
set -euo pipefail

need=()
for p in gsoap libgsoap-dev libssl-dev zlib1g-dev build-essential make; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "gsoap deps: installing ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
v=$(dpkg-query -W -f='${Version}' gsoap)
case "$v" in
  2.8.124*) echo "gsoap deps: gSOAP $v" ;;
  *) echo "gsoap deps: warning: gSOAP $v installed, the image is pinned to 2.8.124" >&2 ;;
esac
