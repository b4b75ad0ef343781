/**
 * One prover per model: an oracle serves every model its artifacts name (one artifacts file per
 * model, or the development keys of every shipped model) and hands each reading to the prover
 * of the model it names. A reading for a model this oracle does not serve is refused with
 * `MODEL_MISMATCH` (permanent: it dead-letters with the list of served models).
 */
import { toHex, type SignedReading } from '@zkpin/sdk';
import { ProverError } from './errors.ts';
import { Prover, type Attestation, type ProverArtifacts, type ProverOptions } from './prover.ts';

export class ModelProvers {
  private constructor(private readonly byModel: ReadonlyMap<number, Prover>) {}

  /** Loads a prover for each artifacts entry; two entries for one model id are refused. */
  static async create(
    artifacts: readonly ProverArtifacts[],
    opts: ProverOptions = {},
  ): Promise<ModelProvers> {
    if (artifacts.length === 0) throw new Error('no proving artifacts: name at least one model');
    const byModel = new Map<number, Prover>();
    try {
      for (const a of artifacts) {
        if (byModel.has(a.modelId))
          throw new Error(`two proving artifacts for model ${a.modelId}: give one per model`);
        byModel.set(a.modelId, await Prover.create(a, opts));
      }
    } catch (e) {
      for (const p of byModel.values()) p.close();
      throw e;
    }
    return new ModelProvers(byModel);
  }

  /** The served model ids, ascending. */
  get modelIds(): number[] {
    return [...this.byModel.keys()].sort((a, b) => a - b);
  }

  /** The prover of `modelId`, if served. */
  prover(modelId: number): Prover | undefined {
    return this.byModel.get(modelId);
  }

  /** The backend of the provers (all are made with the same options). */
  get backend(): 'snarkjs' | 'native' {
    return [...this.byModel.values()][0]!.backend;
  }

  prove(r: SignedReading): Promise<Attestation> {
    const p = this.byModel.get(r.modelId);
    if (!p)
      return Promise.reject(
        new ProverError(
          'MODEL_MISMATCH',
          `reading is for model ${r.modelId}; this oracle proves models ${this.modelIds.join(', ')}`,
          { device: toHex(r.device), seq: String(r.seq) },
        ),
      );
    return p.prove(r);
  }

  close(): void {
    for (const p of this.byModel.values()) p.close();
  }
}
