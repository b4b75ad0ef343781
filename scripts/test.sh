#!/usr/bin/env bash
# `npm test`: sets up what is missing, builds programs (and circuits), checks generated
# code is current, then runs every Rust and TypeScript test.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*"; }

step "setup";            bash scripts/setup.sh
step "build programs";   bash scripts/build-programs.sh
step "generated IDLs";   bash scripts/build-idl.sh --check 2>/dev/null
step "package graph";    npm run --silent check:packages
step "circuits";         npm run --silent check:circuits
step "circuit analysis"; npm run --silent lint:circuits
step "native prover";    npm run --silent build:prover-native
step "rust tests";       cargo test --workspace --quiet && cargo test --release --quiet --manifest-path oracle/native-prover/Cargo.toml
step "typescript tests"; npx vitest run
step "lint";             npx tsc -p tsconfig.json --noEmit && npx tsc -p app --noEmit && npx tsc -p app/test --noEmit && npx eslint . && npx prettier --check . --log-level warn && cargo fmt --all --check && cargo clippy --workspace --all-targets --quiet -- -D warnings
