// Minimal ambient types for the untyped ZK packages used by sdk/, circuits/ and oracle/.
declare module 'snarkjs' {
  export interface Groth16Proof {
    pi_a: string[];
    pi_b: string[][];
    pi_c: string[];
    protocol?: string;
    curve?: string;
  }
  export type PublicSignals = string[];
  export interface Logger {
    info(m: string): void;
    debug(m: string): void;
    warn(m: string): void;
    error(m: string): void;
  }
  type FileOrBuffer = string | Uint8Array | { type: 'mem'; data?: Uint8Array };
  export const curves: { getCurveFromName(name: string, options?: unknown): Promise<unknown> };
  export const powersOfTau: {
    newAccumulator(
      curve: unknown,
      power: number,
      fileName: string,
      logger?: unknown,
    ): Promise<unknown>;
    beacon(
      o: string,
      n: string,
      name: string,
      hash: string,
      iterExp: number,
      logger?: unknown,
    ): Promise<unknown>;
    preparePhase2(o: string, n: string, logger?: unknown): Promise<unknown>;
    verify(f: string, logger?: unknown): Promise<boolean>;
  };
  export const zKey: {
    newZKey(r1cs: string, ptau: string, zkey: string, logger?: unknown): Promise<unknown>;
    beacon(
      o: string,
      n: string,
      name: string,
      hash: string,
      iterExp: number,
      logger?: unknown,
    ): Promise<unknown>;
    exportVerificationKey(zkey: FileOrBuffer, logger?: unknown): Promise<unknown>;
    verifyFromR1cs(r1cs: string, ptau: string, zkey: string, logger?: unknown): Promise<boolean>;
  };
  export const wtns: {
    calculate(
      input: Record<string, unknown>,
      wasm: FileOrBuffer,
      out: FileOrBuffer,
      options?: unknown,
    ): Promise<void>;
    exportJson(wtns: FileOrBuffer): Promise<bigint[]>;
    /** `snarkjs wtns check`: does the witness satisfy every R1CS constraint? */
    check(r1cs: FileOrBuffer, wtns: FileOrBuffer, logger?: unknown): Promise<boolean>;
  };
  export const groth16: {
    fullProve(
      input: Record<string, unknown>,
      wasm: FileOrBuffer,
      zkey: FileOrBuffer,
      logger?: unknown,
    ): Promise<{ proof: Groth16Proof; publicSignals: PublicSignals }>;
    prove(
      zkey: FileOrBuffer,
      wtns: FileOrBuffer,
      logger?: unknown,
    ): Promise<{ proof: Groth16Proof; publicSignals: PublicSignals }>;
    verify(
      vk: unknown,
      publicSignals: PublicSignals,
      proof: Groth16Proof,
      logger?: unknown,
    ): Promise<boolean>;
  };
  export const r1cs: { info(f: string, logger?: unknown): Promise<unknown> };
}

declare module 'circomlibjs' {
  /** A BabyJubJub base-field element in circomlibjs' internal (Montgomery) form. */
  export type FieldElement = Uint8Array;
  export interface BabyJubField {
    e(v: bigint | number | string): FieldElement;
    toObject(v: FieldElement): bigint;
    isZero(v: FieldElement): boolean;
  }
  export type BabyJubPoint = [FieldElement, FieldElement];
  export interface BabyJubCurve {
    F: BabyJubField;
    Base8: BabyJubPoint;
    inCurve(p: BabyJubPoint): boolean;
    mulPointEscalar(p: BabyJubPoint, e: bigint): BabyJubPoint;
  }
  export interface EddsaSignature {
    R8: [FieldElement, FieldElement];
    S: bigint;
  }
  export interface Eddsa {
    babyJub: BabyJubCurve;
    prv2pub(prv: Uint8Array): [FieldElement, FieldElement];
    signPoseidon(prv: Uint8Array, msg: FieldElement): EddsaSignature;
    verifyPoseidon(
      msg: FieldElement,
      sig: EddsaSignature,
      pub: [FieldElement, FieldElement],
    ): boolean;
  }
  export function buildEddsa(): Promise<Eddsa>;
  export interface PoseidonHasher {
    (inputs: bigint[]): FieldElement;
    F: BabyJubField;
  }
  export function buildPoseidon(): Promise<PoseidonHasher>;
}

declare module 'ffjavascript' {
  /** ffjavascript's BN254 curve (snarkjs's); `singleThread`: no worker threads. */
  export function buildBn128(singleThread?: boolean): Promise<unknown>;
}
