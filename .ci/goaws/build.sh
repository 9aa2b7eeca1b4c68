#!/usr/bin/env bash
# Builds goaws (the SQS/SNS emulator the awssim contract tests compare
# against) at the version pinned in this directory's go.mod, to OUTPUT_PATH.
# Idempotent: the Go build cache makes a second run a no-op rebuild.
#
#   .ci/goaws/build.sh OUTPUT_PATH
#   GOAWS_BIN=OUTPUT_PATH go test ./internal/awssim/contract/
set -euo pipefail
if [[ $# -ne 1 || -z "$1" ]]; then
  echo "usage: $0 OUTPUT_PATH" >&2
  exit 2
fi
out=$1
# Resolve the output path before leaving the caller's directory.
case "$out" in
  /*) ;;
  *) out="$PWD/$out" ;;
esac
cd "$(dirname "$0")"
# -mod=mod is not needed: go.sum pins every module; a missing entry fails
# loudly instead of silently resolving a newer goaws.
go build -o "$out" github.com/Admiral-Piett/goaws/app/cmd
