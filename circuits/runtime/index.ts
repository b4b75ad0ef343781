/**
 * `@zkpin/circuits/runtime`: what a prover needs at run time (witness calculator, proving
 * artifacts), without the build-time tooling of `circuits/tools/` (circom, ceremony, ONNX
 * generator). Depends on `@zkpin/sdk` only, and on onnxruntime-node when `createExactSession`
 * is called.
 */
export * from './witness.ts';
export * from './native-witness.ts';
export * from './artifacts.ts';
export * from './onnx-session.ts';
