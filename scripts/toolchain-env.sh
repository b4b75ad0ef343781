# Pinned toolchain for the SBF build (and circomspect); sourced by the build scripts, printed by setup.sh.
# Change versions here only.
export SBF_RUSTC=/usr/bin/rustc          # Debian rustc-web 1.96, LLVM 22
export SBF_CARGO=/usr/bin/cargo          # Debian cargo-web 1.96 (supports -Zbuild-std with RUSTC_BOOTSTRAP)
export SBPF_LINKER_VERSION=0.2.6         # bpf-linker 0.13 inside; 0.2.2 (bpf-linker 0.11) miscompiles syscalls
export LLVM_PREFIX=/usr/lib/llvm-22
export CIRCOMSPECT_VERSION=0.9.0         # circuit static analysis (npm run lint:circuits); findings are version-specific
export PATH="$HOME/.cargo/bin:$PATH"
