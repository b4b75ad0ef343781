/**
 * Prover: signed reading → checked inputs → onnxruntime inference → witness → Groth16 proof
 * → off-chain verification → program bytes.
 *
 * One instance keeps everything loaded across proofs: the ONNX session, the circuit's witness
 * calculator (wasm), the zkey bytes , the verifying key, and snarkjs's BN254 curve (a process
 * singleton with its worker threads), or the native prover process. Proofs run one at a time
 * per instance (either backend already uses every core for one proof); the checks, inference
 * and witness of the next reading overlap with the current proof.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import * as snarkjs from 'snarkjs';
import {
  attestationFields,
  circuitInput,
  encodeProof,
  encodeReadingMessage,
  fieldToBytes32,
  publicInput,
  readingMessageHashOf,
  toHex,
  type PublicInputFields,
  type SignedReading,
  type SnarkjsProof,
} from '@zkpin/sdk';
import { Ed25519Verifier, verifyBabyJub } from '@zkpin/sdk/node';
import {
  createExactSession,
  loadWitnessBackend,
  wtnsSignal,
  type LoadedWitnessCalculator,
  type ProvingArtifacts,
  type WitnessBackend,
} from '@zkpin/circuits/runtime';
import { ProverError } from './errors.ts';
import {
  NativeGroth16,
  nativeProverAvailable,
  type NativeProverOptions,
} from './native-groth16.ts';

/**
 * Groth16 backend: `snarkjs` (JavaScript/wasm), or `native` (oracle/native-prover, arkworks,
 * several times faster; built with `npm run build:prover-native`). `auto` picks native when
 * the binary exists. Every proof is verified against the artifacts' verifying key before it is
 * used: by snarkjs for the snarkjs backend, by the native process (arkworks) for the native one.
 */
export type ProverBackend = 'snarkjs' | 'native' | 'auto';

export interface ProverOptions {
  /** default `auto` */
  backend?: ProverBackend;
  /** Where the native prover's binary is, and whether it traces (backends `native`, `auto`). */
  native?: NativeProverOptions;
  /**
   * Witness calculator: circom's `wasm` (the reference), the `native` C++ server the circuit
   * build makes beside it (circuits/native-witness), or `auto` (default): native when built.
   */
  witness?: WitnessBackend;
}

/** What a Prover loads: one model's ONNX file, witness wasm, zkey and verifying key. */
export type ProverArtifacts = ProvingArtifacts;

export interface ProveTimings {
  inferenceMs: number;
  witnessMs: number;
  proveMs: number;
  verifyMs: number;
}

export interface Attestation {
  fields: PublicInputFields;
  /** P as a decimal string (the one public signal) and as 32 big-endian bytes. */
  publicSignal: string;
  publicInput: Uint8Array;
  proof: SnarkjsProof;
  /** 256 program bytes (A not negated; the program negates). */
  proofBytes: Uint8Array;
  logits: number[];
  timings: ProveTimings;
}

const now = () => performance.now();

export class Prover {
  /** One promise chain per lane: the witness calculator and the snarkjs prover are not reentrant. */
  private readonly ed25519 = new Ed25519Verifier();
  private readonly lanes = new Map<'witness' | 'prove', Promise<unknown>>();

  private serial<T>(lane: 'witness' | 'prove', fn: () => Promise<T>): Promise<T> {
    const run = (this.lanes.get(lane) ?? Promise.resolve()).then(fn);
    this.lanes.set(
      lane,
      run.catch(() => undefined),
    );
    return run;
  }

  private constructor(
    readonly artifacts: ProverArtifacts,
    private readonly session: ort.InferenceSession,
    private readonly wc: LoadedWitnessCalculator,
    private readonly zkey: Uint8Array,
    private readonly inputName: string,
    private readonly outputName: string,
    private readonly native: NativeGroth16 | undefined,
  ) {}

  /** The backend this instance proves with. */
  get backend(): 'snarkjs' | 'native' {
    return this.native ? 'native' : 'snarkjs';
  }

  static async create(artifacts: ProverArtifacts, opts: ProverOptions = {}): Promise<Prover> {
    const onnx = readFileSync(artifacts.onnxPath);
    const sha = createHash('sha256').update(onnx).digest('hex');
    if (sha !== artifacts.onnxSha256) {
      throw new ProverError(
        'MODEL_MISMATCH',
        `ONNX file ${artifacts.onnxPath} has sha256 ${sha}, the circuit was built from ${artifacts.onnxSha256}`,
        {
          onnxPath: artifacts.onnxPath,
        },
      );
    }
    const session = await createExactSession(onnx);
    // The model must take the window and give the classes that its artifacts (and so the
    // model account) declare: one zero window tells.
    const probe = await session
      .run({
        [session.inputNames[0]!]: new ort.Tensor('float32', new Float32Array(artifacts.window), [
          1,
          artifacts.window,
        ]),
      })
      .catch((e: unknown) => {
        throw new ProverError(
          'MODEL_MISMATCH',
          `ONNX model ${artifacts.onnxPath} does not take a window of ${artifacts.window} readings as its artifacts declare: ${(e as Error).message.split('\n')[0]}`,
          { onnxPath: artifacts.onnxPath },
        );
      });
    const outputs = probe[session.outputNames[0]!]!.data.length;
    if (outputs !== artifacts.classes)
      throw new ProverError(
        'MODEL_MISMATCH',
        `ONNX model ${artifacts.onnxPath} outputs ${outputs} logits; its artifacts declare ${artifacts.classes} classes`,
        { onnxPath: artifacts.onnxPath },
      );
    const wc = await loadWitnessBackend(artifacts.wasmPath, opts.witness);
    const zkey = new Uint8Array(readFileSync(artifacts.zkeyPath));
    await snarkjs.curves.getCurveFromName('bn128'); // load the curve once, before the first proof
    const backend = opts.backend ?? 'auto';
    const useNative =
      backend === 'native' || (backend === 'auto' && nativeProverAvailable(opts.native?.binary));
    const native = useNative
      ? await NativeGroth16.start(artifacts.zkeyPath, artifacts.vk, opts.native)
      : undefined;
    return new Prover(
      artifacts,
      session,
      wc,
      zkey,
      session.inputNames[0]!,
      session.outputNames[0]!,
      native,
    );
  }

  /** The witness calculator this instance uses. */
  get witnessBackend(): 'wasm' | 'native' {
    return this.wc.backend;
  }

  /** Peak resident memory of the native prover process (bytes), when that backend is used. */
  nativePeakRssBytes(): number | undefined {
    return this.native?.peakRssBytes();
  }

  /** Stop the native prover and witness processes, if any. */
  close(): void {
    this.native?.close();
    this.wc.close();
  }

  /**
   * Check a reading without proving (the checks prove() starts with, plus the BabyJubJub
   * signature). The reading is typed by the one parser (`signedReadingSchema`), so shapes are
   * not re-checked here; the encoder still refuses what the type cannot express (lengths, int8
   * range, canonical BabyJubJub values). The ed25519 signature is checked again although the
   * bridge checked it: the `prove` queue is a trust boundary (anything that can write to Redis
   * can add a job), and the check costs ~0.1 ms. Whether the key is the device's registered
   * one is the device gate's question (the prover worker asks it first).
   */
  async check(r: SignedReading): Promise<void> {
    this.checkBeforeWitness(r);
    await this.checkBabyJub(r);
  }

  /** Model, window, canonical encoding and the ed25519 signature (synchronous, ~0.1 ms). */
  private checkBeforeWitness(r: SignedReading): void {
    const ctx = { device: toHex(r.device), seq: String(r.seq) };
    if (r.modelId !== this.artifacts.modelId) {
      throw new ProverError(
        'MODEL_MISMATCH',
        `reading is for model ${r.modelId}, this prover serves model ${this.artifacts.modelId}`,
        ctx,
      );
    }
    if (r.readings.length !== this.artifacts.window) {
      throw new ProverError(
        'WINDOW_MISMATCH',
        `the reading has ${r.readings.length} readings; model ${this.artifacts.modelId} takes a window of ${this.artifacts.window}`,
        ctx,
      );
    }
    let message: Uint8Array;
    try {
      message = encodeReadingMessage(r);
    } catch (e) {
      throw new ProverError('MALFORMED_READING', (e as Error).message, ctx);
    }
    if (!this.ed25519.verify(r.device, message, r.ed25519Signature)) {
      throw new ProverError(
        'INVALID_ED25519_SIGNATURE',
        'signature does not verify over the canonical bytes; the device must sign encodeReadingMessage(...) of the reading with its BabyJubJub key and signature',
        ctx,
      );
    }
  }

  /**
   * The EdDSA-Poseidon signature, in JavaScript (circomlibjs, 15-30 ms). prove() leaves this
   * check to the witness calculator, which makes the same one (DeviceSignature: A and R8 on
   * the curve, S below the subgroup order, S·B8 = R8 + 8·h·A) in native code, and calls it only
   * to name the cause when the witness fails.
   */
  private async checkBabyJub(r: SignedReading): Promise<void> {
    if (!(await verifyBabyJub(r.bjjPublicKey, readingMessageHashOf(r), r.bjjSignature))) {
      throw new ProverError(
        'INVALID_BJJ_SIGNATURE',
        'EdDSA-Poseidon signature does not verify over readingMessageHash(network, device, input_commitment, seq, timestamp, model_id), or A or R8 is not on BabyJubJub',
        { device: toHex(r.device), seq: String(r.seq) },
      );
    }
  }

  /** Run the ONNX model (onnxruntime-node) on one window: logits, then (class, score). */
  async infer(
    readings: readonly number[],
  ): Promise<{ logits: number[]; class: number; score: number }> {
    const t = new ort.Tensor('float32', Float32Array.from(readings), [1, readings.length]);
    const out = (await this.session.run({ [this.inputName]: t }))[this.outputName]!;
    const logits = Array.from(out.data as Float32Array);
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
    return { logits, class: best, score: logits[best]! };
  }

  /**
   * Prove a witness and verify the proof against the artifacts' verifying key: in the native
   * process (arkworks) for the native backend, with snarkjs for the snarkjs backend.
   * `verifyMs` is the time of the verification alone.
   */
  private async proveAndVerify(wtns: Uint8Array): Promise<{
    proof: SnarkjsProof;
    publicSignals: string[];
    verified: boolean;
    verifyMs: number;
    verifyError?: string;
  }> {
    if (this.native) return this.native.prove(wtns); // the child process answers in order
    const { proof, publicSignals } = await this.serial('prove', () =>
      snarkjs.groth16.prove(this.zkey, wtns),
    );
    const t = now();
    const verified = await snarkjs.groth16.verify(this.artifacts.vk, publicSignals, proof);
    return { proof, publicSignals, verified, verifyMs: now() - t };
  }

  /**
   * Prove one signed reading. Throws ProverError (permanent) for bad input. Concurrent calls
   * pipeline: checks, inference and the next witness overlap with the current proof, while
   * witness generation and proving each run one at a time. The BabyJubJub signature is checked
   * by the witness calculator (a bad one fails the circuit's DeviceSignature and is reported
   * as INVALID_BJJ_SIGNATURE), not again in JavaScript: that check cost more CPU than the
   * native witness.
   */
  async prove(r: SignedReading): Promise<Attestation> {
    this.checkBeforeWitness(r);
    const ctx = { device: toHex(r.device), seq: String(r.seq) };
    const t0 = now();
    const result = await this.infer(r.readings);
    if (!result.logits.every(Number.isInteger)) {
      throw new ProverError('MODEL_MISMATCH', 'the ONNX model produced non-integer logits', {
        ...ctx,
        logits: result.logits,
      });
    }
    const fields = attestationFields(r, result);
    const p = publicInput(fields);
    const t1 = now();
    let wtns: Uint8Array;
    try {
      const input = circuitInput(r);
      wtns = await this.serial('witness', () => this.wc.wtns(input));
    } catch (e) {
      // The circuit checks the BabyJubJub signature too: a bad one is named as such.
      await this.checkBabyJub(r);
      throw new ProverError(
        'MODEL_MISMATCH',
        `the circuit rejected the reading: ${(e as Error).message.split('\n')[0]}`,
        ctx,
      );
    }
    // The circuit's P (witness signal 1, the one public output) must be the P of onnxruntime's
    // (class, score) before a proof is worth making: checked here it costs nothing, after
    // proving it would cost the whole proof (docs/zkml.md, soundness guards).
    const witnessP = wtnsSignal(wtns, 1);
    if (witnessP !== p) {
      throw new ProverError(
        'MODEL_MISMATCH',
        'the circuit computed a different P than the reading and onnxruntime give (the ONNX model and the circuit disagree on the class or score); refused before proving',
        {
          ...ctx,
          onnxruntime: { class: result.class, score: result.score },
          expectedP: p.toString(),
          witnessP: witnessP.toString(),
        },
      );
    }
    const t2 = now();
    const { proof, publicSignals, verified, verifyMs, verifyError } =
      await this.proveAndVerify(wtns);
    const t3 = now();
    if (publicSignals.length !== 1 || publicSignals[0] !== p.toString()) {
      throw new ProverError(
        'MODEL_MISMATCH',
        'the circuit computed a different (class, score) than onnxruntime',
        {
          ...ctx,
          onnxruntime: { class: result.class, score: result.score },
        },
      );
    }
    if (!verified)
      throw new ProverError(
        'PROOF_INVALID',
        verifyError !== undefined
          ? `the proof could not be checked against the verifying key: ${verifyError}`
          : 'zkey and verifying key do not belong together',
        ctx,
      );
    return {
      fields,
      publicSignal: publicSignals[0],
      publicInput: fieldToBytes32(p),
      proof,
      proofBytes: encodeProof(proof),
      logits: result.logits,
      timings: { inferenceMs: t1 - t0, witnessMs: t2 - t1, proveMs: t3 - t2 - verifyMs, verifyMs },
    };
  }
}
