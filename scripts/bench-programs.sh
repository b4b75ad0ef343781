#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
[ -f target/deploy/device_registry.so ] || bash scripts/build-programs.sh
exec npx tsx bench/programs.ts
