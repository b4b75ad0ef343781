#!/usr/bin/env bash
# `npm start`: the main job. Sets up, builds, then runs the local network.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build-programs.sh
npm run --silent build:circuits
npm run --silent build:prover-native
exec npx tsx scripts/local-network.ts "$@"
