#!/usr/bin/env bash
# Builds the project's two images with the docker CLI, without Go tests:
#   rspcheck/rsppeer:dev        the reference peers (static Go binaries, FROM scratch)
#   rspcheck/gsoap:2.8.124      the gSOAP peer (static C binary, FROM scratch)
# Nothing is pulled (both are FROM scratch). The Go tests and the suite build the same images
# through container.BuildRsppeer / container.BuildGSOAP; this script is for `make images` and
# for running the images by hand. Usage: container/build-images.sh [rsppeer] [gsoap]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
which=("$@"); [ ${#which[@]} -eq 0 ] && which=(rsppeer gsoap)
ctx=$(mktemp -d); trap 'rm -rf "$ctx"' EXIT

for img in "${which[@]}"; do
  case "$img" in
  rsppeer)
    mkdir -p "$ctx/rsppeer/data"
    CGO_ENABLED=0 GOOS=linux go build -trimpath -buildvcs=false -ldflags='-s -w' -o "$ctx/rsppeer/rsppeer" ./cmd/rsppeer
    CGO_ENABLED=0 GOOS=linux go build -trimpath -buildvcs=false -ldflags='-s -w' -o "$ctx/rsppeer/entrypoint" ./container/rsppeer/cmd/entrypoint
    cp container/rsppeer/Dockerfile "$ctx/rsppeer/"
    docker build -q -t rspcheck/rsppeer:dev "$ctx/rsppeer"
    ;;
  gsoap)
    bash container/thirdparty/gsoap/deps.sh
    make -s -j2 -C container/thirdparty/gsoap OUT="$root/container/thirdparty/gsoap/build"
    mkdir -p "$ctx/gsoap"
    cp container/thirdparty/gsoap/build/{gsoap-peer,VERSION} container/thirdparty/gsoap/Dockerfile "$ctx/gsoap/"
    docker build -q -t rspcheck/gsoap:2.8.124 "$ctx/gsoap"
    ;;
  *) echo "unknown image $img (rsppeer or gsoap)" >&2; exit 2 ;;
  esac
done
docker images --filter=reference='rspcheck/*'
