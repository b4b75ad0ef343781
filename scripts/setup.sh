#!/usr/bin/env bash
# Installs what the build needs on a fresh Debian 12 machine; quick and silent when all is
# present. Safe to run any number of times. Versions are pinned in scripts/toolchain-env.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain-env.sh

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

# 1. Debian packages: rustc-web (LLVM 22) + std sources for build-std, LLVM 22 for the linker;
#    Chromium for the owner app's browser tests (playwright-core drives /usr/bin/chromium:
#    Playwright's own browser download does not reach this machine); g++, nasm and libgmp-dev
#    for the native witness servers that the circuit build makes (circom's C++ witness code).
APT_PACKAGES=(rustc-web cargo-web rust-web-src llvm-22-dev zlib1g-dev libzstd-dev chromium g++ nasm libgmp-dev)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing apt packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq || die "apt-get update failed (is the Debian mirror reachable?)"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null \
    || die "could not install apt packages: ${missing[*]}"
fi
[ -x "$SBF_RUSTC" ] || die "$SBF_RUSTC missing after installing rustc-web"
[ -d /usr/lib/rustlib/src/rust/library ] || die "rust-web-src did not provide /usr/lib/rustlib/src/rust/library"

# 2. Host Rust (rustup) for cargo test / the IDL builder.
command -v cargo >/dev/null || die "cargo (rustup) not found on PATH: install Rust with rustup"

# 3. sbpf-linker, built against Debian's LLVM 22 (the LLVM of rustc-web).
want="sbpf-linker $SBPF_LINKER_VERSION"
have=$(sbpf-linker --version 2>/dev/null | head -1 || true)
llvm=$(sbpf-linker --version 2>/dev/null | sed -n 2p || true)
if [ "$have" != "$want" ] || [[ "$llvm" != "LLVM 22"* ]]; then
  say "building $want against $LLVM_PREFIX (about 2 minutes)"
  LLVM_SYS_221_PREFIX="$LLVM_PREFIX" LLVM_PREFIX="$LLVM_PREFIX" \
    cargo install sbpf-linker --version "=$SBPF_LINKER_VERSION" --locked --force \
    --no-default-features --features bpf-linker/llvm-22 >/dev/null 2>&1 \
    || die "cargo install sbpf-linker $SBPF_LINKER_VERSION failed (needs crates.io and llvm-22-dev)"
fi

# 3b. circomspect (Trail of Bits' static analyser for circom), for `npm run lint:circuits`. It has
#     no --version: cargo's install list records what it installed.
want="circomspect v$CIRCOMSPECT_VERSION:"
if ! command -v circomspect >/dev/null || ! cargo install --list | grep -xF "$want" >/dev/null; then
  say "building circomspect $CIRCOMSPECT_VERSION (a few minutes the first time)"
  cargo install circomspect --version "=$CIRCOMSPECT_VERSION" --locked --force >/dev/null 2>&1 \
    || die "cargo install circomspect $CIRCOMSPECT_VERSION failed (needs crates.io)"
fi

# 4. npm dependencies (onnxruntime-node's CUDA download is skipped: CPU backend only).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error >/dev/null \
    || die "npm ci failed (needs the npm registry)"
fi

# 4b. oracle/native-prover: the native Groth16 prover and zkpin-dev-setup, the INSECURE development
#     setup that buildCircuit runs for every circuit's dev key (seconds, where snarkjs's
#     JavaScript ceremony took minutes). cargo does nothing when the binaries are current.
if [ ! -x oracle/native-prover/target/release/zkpin-dev-setup ]; then
  say "building oracle/native-prover (native prover + INSECURE dev setup, arkworks: a few minutes the first time)"
fi
cargo build --release --locked --quiet --manifest-path oracle/native-prover/Cargo.toml >/dev/null 2>&1 \
  || die "cargo build of oracle/native-prover failed (run npm run build:prover-native to see why)"

# 4c. sdk/native-ed25519: the N-API ed25519 verifier of the bridge and the prover worker
#     (ed25519-dalek; ~3x less CPU per signature than node:crypto). Without it they fall back
#     to node:crypto; the tests require it. cargo does nothing when it is current.
if [ ! -f sdk/native-ed25519/target/release/libzkpin_ed25519_node.so ]; then
  say "building sdk/native-ed25519 (N-API ed25519 verifier, about a minute the first time)"
fi
cargo build --release --locked --quiet --manifest-path sdk/native-ed25519/Cargo.toml >/dev/null 2>&1 \
  || die "cargo build of sdk/native-ed25519 failed (run npm run build:ed25519-native to see why)"

# 5. zkpin-validator (tools/validator: an offline surfnet on surfpool-core 1.3.1, the JSON-RPC
#    node of the RPC-mode tests and the local network), cached in $ZKPIN_CACHE_DIR (default
#    ~/.cache/zkpin) under the hash of its sources and lockfile.
CACHE_DIR="${ZKPIN_CACHE_DIR:-$HOME/.cache/zkpin}"
validator="$CACHE_DIR/bin/zkpin-validator"
stamp=$(cat tools/validator/Cargo.toml tools/validator/Cargo.lock tools/validator/src/*.rs | sha256sum | cut -c1-16)
if [ ! -x "$validator" ] || [ "$(cat "$validator.stamp" 2>/dev/null)" != "$stamp" ]; then
  say "building zkpin-validator (surfpool-core 1.3.1, ~1,100 crates: about 30 minutes on 2 cores the first time)"
  CARGO_TARGET_DIR="$CACHE_DIR/validator-build" \
    cargo build --release --locked --manifest-path tools/validator/Cargo.toml >/dev/null 2>&1 \
    || die "cargo build of tools/validator failed (rerun it by hand to see why)"
  install -D -m 755 "$CACHE_DIR/validator-build/release/zkpin-validator" "$validator"
  echo "$stamp" > "$validator.stamp"
fi

# 6. Versions in use.
say "sbf rustc:   $($SBF_RUSTC --version) ($($SBF_RUSTC -vV | sed -n 's/^LLVM version: /LLVM /p'))"
say "sbf cargo:   $($SBF_CARGO --version)"
say "linker:      $(sbpf-linker --version | tr '\n' ' ')"
say "circomspect: $CIRCOMSPECT_VERSION ($(command -v circomspect))"
say "host rustc:  $(rustc --version)"
say "node/npm:    $(node --version) / $(npm --version 2>/dev/null)"
say "witness:     $(g++ --version | head -1), $(nasm -v), libgmp $(dpkg-query -W -f='${Version}' libgmp-dev)"
say "litesvm:     $(node -p 'require("./node_modules/litesvm/package.json").version')"
say "validator:   $validator (surfpool-core 1.3.1)"
