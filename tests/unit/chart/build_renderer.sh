#!/usr/bin/env bash
# Builds tests/unit/chart/render.go into $1 with Debian's Go (golang-go) and yaml.v3
# (golang-gopkg-yaml.v3-dev, under /usr/share/gocode): GOPATH mode, no modules, no network.
set -euo pipefail
out=${1:?usage: build_renderer.sh OUTPUT}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$(dirname "$out")"
export GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= GOPROXY=off
export GOCACHE=${GOCACHE:-$(dirname "$out")/go-cache}
exec go build -o "$out" "$here/render.go"
