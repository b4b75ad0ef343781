#!/usr/bin/env bash
# Regenerates idls/<program>.json from the Anchor interface crates (interface/*).
# `--check` fails when the committed IDL differs from a fresh generation.
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
[ "${1:-}" = "--check" ] && check=1
mkdir -p idls
cargo build -q --release -p idl-gen
status=0
for dir in interface/*/; do
  crate=$(basename "$dir")
  name=${crate//-/_}
  tmpdir=$(mktemp -d)
  ./target/release/idl-gen "$dir" "$tmpdir/${name}.json"
  for ext in json ts; do
    if [ $check = 1 ]; then
      if ! diff -q "idls/${name}.${ext}" "$tmpdir/${name}.${ext}" >/dev/null 2>&1; then
        echo "IDL out of date: idls/${name}.${ext} (run npm run build:idl and commit)" >&2
        diff -u "idls/${name}.${ext}" "$tmpdir/${name}.${ext}" | head -40 >&2 || true
        status=1
      else
        echo "IDL up to date: idls/${name}.${ext}"
      fi
    else
      mv "$tmpdir/${name}.${ext}" "idls/${name}.${ext}"
      echo "wrote idls/${name}.${ext}"
    fi
  done
  rm -rf "$tmpdir"
done
exit $status
