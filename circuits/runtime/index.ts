/**
 * `@zkpin/circuits/runtime`: what a prover needs at run time (witness calculator, proving
 * artifacts), without the build-time tooling of `circuits/tools/` (circom, ceremony, ONNX
 * generator). Depends on `@zkpin/sdk` only.
 */
export * from './witness.ts';
export * from './artifacts.ts';
