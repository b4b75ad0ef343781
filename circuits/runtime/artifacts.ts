/**
 * Proving artifacts of one model: what a prover loads at run time (ONNX model, witness wasm,
 * zkey, verifying key), described by one JSON file per model so that a deployment names its
 * keys instead of building them:
 *
 *   {
 *     "modelId": 1,
 *     "window": 16,
 *     "classes": 4,
 *     "onnx": "zkpin_anomaly_v1.onnx",
 *     "onnxSha256": "<64 hex digits>",
 *     "wasm": "zkpin_anomaly_v1_js/zkpin_anomaly_v1.wasm",
 *     "zkey": "zkpin_anomaly_v1.zkey",
 *     "vk": "verification_key.json"
 *   }
 *
 * Relative paths are relative to the file's own directory. `witness_calculator.js` must sit
 * beside the wasm (circom writes it there). `vk` is a snarkjs `verification_key.json`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { z } from 'zod';
import { MAX_CLASSES, MAX_WINDOW, MIN_CLASSES, type SnarkjsVerifyingKey } from '@zkpin/sdk';

export interface ProvingArtifacts {
  /** The ONNX model file (its sha256 must equal `onnxSha256`). */
  onnxPath: string;
  onnxSha256: string;
  /** circom witness wasm of the attestation circuit (`<name>_js/<name>.wasm`, with witness_calculator.js beside it). */
  wasmPath: string;
  zkeyPath: string;
  vk: SnarkjsVerifyingKey;
  /** Model id this circuit is registered under (`register_model`). */
  modelId: number;
  /** Readings per inference (the model's input size), 1..MAX_WINDOW; registered on the model account. */
  window: number;
  /** Number of classes (the model's outputs), MIN_CLASSES..MAX_CLASSES; registered on the model account. */
  classes: number;
  /** What each class means, in class order (optional; apps show `class <n>` without it). */
  classNames?: string[];
}

export const artifactsFileSchema = z.strictObject({
  modelId: z.number().int().min(0).max(0xffff_ffff),
  window: z.number().int().min(1).max(MAX_WINDOW),
  classes: z.number().int().min(MIN_CLASSES).max(MAX_CLASSES),
  classNames: z.array(z.string().min(1).max(32)).optional(),
  onnx: z.string().min(1),
  onnxSha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits'),
  wasm: z.string().min(1),
  zkey: z.string().min(1),
  vk: z.string().min(1),
});
export type ArtifactsFile = z.infer<typeof artifactsFileSchema>;

/** Thrown for an artifacts file that is missing, malformed, or names a file that is not there. */
export class ArtifactsFileError extends Error {
  override name = 'ArtifactsFileError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`artifacts file ${path}: ${message}`);
  }
}

function readJson(path: string, what: string, file: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ArtifactsFileError(
      file,
      `cannot read ${what} ${path}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/** Reads and checks an artifacts file; every path it names must exist. */
export function readArtifactsFile(path: string): ProvingArtifacts {
  const file = resolve(path);
  const parsed = artifactsFileSchema.safeParse(readJson(file, 'the file', file));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ArtifactsFileError(file, lines.join('; '));
  }
  const a = parsed.data;
  const at = (p: string) => (isAbsolute(p) ? p : resolve(dirname(file), p));
  for (const key of ['onnx', 'wasm', 'zkey', 'vk'] as const) {
    if (!existsSync(at(a[key])))
      throw new ArtifactsFileError(file, `${key}: ${at(a[key])} does not exist`);
  }
  if (a.classNames && a.classNames.length !== a.classes)
    throw new ArtifactsFileError(
      file,
      `classNames: ${a.classNames.length} names for ${a.classes} classes`,
    );
  const vk = readJson(at(a.vk), 'the verifying key', file) as SnarkjsVerifyingKey;
  if (vk.protocol !== 'groth16' || vk.nPublic !== 1)
    throw new ArtifactsFileError(file, `vk: expected a Groth16 key with 1 public input`);
  return {
    modelId: a.modelId,
    window: a.window,
    classes: a.classes,
    ...(a.classNames ? { classNames: a.classNames } : {}),
    onnxPath: at(a.onnx),
    onnxSha256: a.onnxSha256,
    wasmPath: at(a.wasm),
    zkeyPath: at(a.zkey),
    vk,
  };
}

/**
 * Writes an artifacts file for `a` at `path`, naming its files relative to the file's
 * directory; `vkPath` is where the verifying key JSON already is.
 */
export function writeArtifactsFile(
  path: string,
  a: Omit<ProvingArtifacts, 'vk'> & { vkPath: string },
): void {
  const dir = dirname(resolve(path));
  const rel = (p: string) => relative(dir, resolve(p));
  const doc: ArtifactsFile = {
    modelId: a.modelId,
    window: a.window,
    classes: a.classes,
    ...(a.classNames ? { classNames: a.classNames } : {}),
    onnx: rel(a.onnxPath),
    onnxSha256: a.onnxSha256,
    wasm: rel(a.wasmPath),
    zkey: rel(a.zkeyPath),
    vk: rel(a.vkPath),
  };
  writeFileSync(path, JSON.stringify(doc, null, 2) + '\n');
}
