#!/usr/bin/env bash
# Builds every program under programs/ to target/deploy/<name>.so (SBPF v0).
# Toolchain: Debian rustc-web (LLVM 22) + build-std + sbpf-linker (docs/toolchain.md).
# Skips work when nothing changed (cargo's own fingerprints); prints one line per program.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain-env.sh

mkdir -p target/deploy
programs=()
for dir in programs/*/; do
  name=$(basename "$dir")
  programs+=("$name")
done

args=()
for p in "${programs[@]}"; do args+=(-p "$p"); done

RUSTC="$SBF_RUSTC" RUSTC_BOOTSTRAP=1 "$SBF_CARGO" build --release \
  --target bpfel-unknown-none -Zbuild-std=core,alloc \
  -Zbuild-std-features=compiler-builtins-mem "${args[@]}" "$@"

for p in "${programs[@]}"; do
  lib="lib${p//-/_}.so"
  out="target/deploy/${p//-/_}.so"
  cp "target/bpfel-unknown-none/release/$lib" "$out"
  printf '%-28s %7d bytes  sha256 %s\n' "$out" "$(stat -c %s "$out")" "$(sha256sum "$out" | cut -c1-16)"
done
