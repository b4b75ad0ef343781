#!/usr/bin/env bash
# Regenerates idls/<program>.json (+ .ts type) from the Anchor interface crates (interface/*)
# and idls/constants.ts (program addresses and `#[constant]`s of those IDLs).
# `--check` fails when a committed file differs from a fresh generation.
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
[ "${1:-}" = "--check" ] && check=1
mkdir -p idls
cargo build -q --release -p idl-gen
tmpdir=$(mktemp -d)
trap 'rm -rf "$tmpdir"' EXIT
files=()
jsons=()
for dir in interface/*/; do
  crate=$(basename "$dir")
  name=${crate//-/_}
  ./target/release/idl-gen "$dir" "$tmpdir/${name}.json"
  files+=("${name}.json" "${name}.ts")
  jsons+=("$tmpdir/${name}.json")
done
./target/release/idl-gen constants "$tmpdir/constants.ts" "${jsons[@]}"
files+=(constants.ts)
status=0
for f in "${files[@]}"; do
  if [ $check = 1 ]; then
    if ! diff -q "idls/$f" "$tmpdir/$f" >/dev/null 2>&1; then
      echo "IDL out of date: idls/$f (run npm run build:idl and commit)" >&2
      diff -u "idls/$f" "$tmpdir/$f" | head -40 >&2 || true
      status=1
    else
      echo "IDL up to date: idls/$f"
    fi
  else
    mv "$tmpdir/$f" "idls/$f"
    echo "wrote idls/$f"
  fi
done
exit $status
