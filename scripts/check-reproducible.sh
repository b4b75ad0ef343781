#!/usr/bin/env bash
# Builds the programs from two fresh clones of HEAD at different paths and compares the
# .so files byte for byte. Prints one line per program; fails on any difference.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for side in a b/nested; do
  git clone -q . "$work/$side"
  (cd "$work/$side" && bash scripts/build-programs.sh >/dev/null 2>&1)
done
status=0
for so in "$work"/a/target/deploy/*.so; do
  name=$(basename "$so")
  ha=$(sha256sum < "$so" | cut -c1-64)
  hb=$(sha256sum < "$work/b/nested/target/deploy/$name" | cut -c1-64)
  if [ "$ha" = "$hb" ]; then echo "identical  $name  $ha"; else echo "DIFFERENT  $name  $ha $hb"; status=1; fi
done
exit $status
