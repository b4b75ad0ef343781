#!/usr/bin/env bash
# Builds every program under programs/ to target/deploy/<name>.so (SBPF v0), for the program
# ids of Anchor.toml's [programs.localnet].
# Toolchain: Debian rustc-web (LLVM 22) + build-std + sbpf-linker (docs/toolchain.md).
# Skips work when nothing changed (cargo's own fingerprints); prints one line per program.
#
# A deployment's build (migrations/deploy.ts):
#   ZKPIN_DEVICE_REGISTRY_ID=<id> ZKPIN_INFERENCE_ATTESTATION_ID=<id> \
#     bash scripts/build-programs.sh --out <dir>
# builds device_registry and inference_attestation for those ids into <dir>, in a target
# directory of its own (target/sbf-deployment) so that the localnet build stays as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain-env.sh

out=target/deploy
cargo_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    *) cargo_args+=("$1"); shift ;;
  esac
done

programs=()
target_dir=target
if [ -n "${ZKPIN_DEVICE_REGISTRY_ID:-}${ZKPIN_INFERENCE_ATTESTATION_ID:-}" ]; then
  if [ -z "${ZKPIN_DEVICE_REGISTRY_ID:-}" ] || [ -z "${ZKPIN_INFERENCE_ATTESTATION_ID:-}" ]; then
    echo "build-programs: set both ZKPIN_DEVICE_REGISTRY_ID and ZKPIN_INFERENCE_ATTESTATION_ID" >&2
    exit 2
  fi
  if [ "$(realpath -m "$out")" = "$(realpath -m target/deploy)" ]; then
    echo "build-programs: a build for other program ids needs --out <dir> (target/deploy holds the localnet build)" >&2
    exit 2
  fi
  programs=(device-registry inference-attestation)
  target_dir=target/sbf-deployment
else
  for dir in programs/*/; do programs+=("$(basename "$dir")"); done
fi

mkdir -p "$out"
args=()
for p in "${programs[@]}"; do args+=(-p "$p"); done

CARGO_TARGET_DIR="$target_dir" RUSTC="$SBF_RUSTC" RUSTC_BOOTSTRAP=1 "$SBF_CARGO" build --release \
  --target bpfel-unknown-none -Zbuild-std=core,alloc \
  -Zbuild-std-features=compiler-builtins-mem "${args[@]}" ${cargo_args[@]+"${cargo_args[@]}"}

for p in "${programs[@]}"; do
  lib="lib${p//-/_}.so"
  dest="$out/${p//-/_}.so"
  cp "$target_dir/bpfel-unknown-none/release/$lib" "$dest"
  printf '%-28s %7d bytes  sha256 %s\n' "$dest" "$(stat -c %s "$dest")" "$(sha256sum "$dest" | cut -c1-16)"
done
