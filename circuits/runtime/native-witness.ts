/**
 * Client of the native witness server (circuits/native-witness/server.cpp: circom's C++
 * witness code, built per circuit by `buildCircuit`): a long-lived child process that loads the
 * circuit once and answers each witness request with the `.wtns` bytes the wasm calculator
 * would give (the tests compare them byte for byte). Same interface as `loadWitnessCalculator`.
 *
 * Requests are pipelined and answered in order. An input the circuit refuses (a failed
 * assert, e.g. a bad EdDSA signature) is answered with an error and the server keeps serving;
 * if the process dies anyway, the request it was computing fails with its stderr and the
 * others are sent again to a restarted server.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { loadWitnessCalculator, type WitnessCalculator } from './witness.ts';

/** BN254's scalar field: circom's prime. */
const P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const VALUE_BYTES = 32;
/** First word of the server's hello frame; bump with any change to the request format. */
export const NATIVE_WITNESS_PROTOCOL = 1;
/** Restarts in a row without one answered request before the client gives up. */
const MAX_RESTARTS = 3;

export type NativeWitnessErrorCode = 'INPUT_REFUSED' | 'SERVER_FAILED' | 'CLOSED';

export class NativeWitnessError extends Error {
  override name = 'NativeWitnessError';
  constructor(
    readonly code: NativeWitnessErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isNativeWitnessError(e: unknown): e is NativeWitnessError {
  return e instanceof NativeWitnessError;
}

/**
 * Where the circuit build puts the native witness server of the circuit whose wasm is
 * `wasmPath` (`<dir>/<name>_js/<name>.wasm`): `<dir>/<name>_cpp/`, beside circom's generated C++.
 */
export function nativeWitnessPaths(wasmPath: string): {
  binary: string;
  dat: string;
  /** The CPU the server was built for (`cpuFingerprint`); absent for a portable build. */
  cpu: string;
} {
  const name = basename(wasmPath, '.wasm');
  const cpp = join(dirname(dirname(wasmPath)), `${name}_cpp`);
  const binary = join(cpp, 'zkpin-witness-server');
  return { binary, dat: join(cpp, `${name}.dat`), cpu: `${binary}.cpu` };
}

let fingerprint: string | undefined;

/**
 * This machine's CPU as the native witness build sees it (`-march=native`): architecture,
 * model and feature flags, hashed. A server built for another fingerprint may use
 * instructions this CPU lacks.
 */
export function cpuFingerprint(): string {
  if (fingerprint === undefined) {
    let info = `${process.arch} ${cpus()[0]?.model ?? ''}`;
    try {
      const c = readFileSync('/proc/cpuinfo', 'utf8');
      const first = (k: string) => c.match(new RegExp(`^${k}\\s*:(.*)$`, 'm'))?.[1]?.trim() ?? '';
      info += ` ${first('model name')} ${first('flags')}`;
    } catch {
      // not Linux: the architecture and model alone
    }
    fingerprint = createHash('sha256').update(info).digest('hex').slice(0, 16);
  }
  return fingerprint;
}

/**
 * Why the circuit build's native witness server for this wasm cannot run here, or undefined
 * when it can: missing, or built for another CPU.
 */
export function nativeWitnessUnavailable(wasmPath: string): string | undefined {
  const p = nativeWitnessPaths(wasmPath);
  if (!existsSync(p.binary) || !existsSync(p.dat)) return `no native witness server at ${p.binary}`;
  if (existsSync(p.cpu) && readFileSync(p.cpu, 'utf8').trim() !== cpuFingerprint())
    return `the native witness server at ${p.binary} was built for another CPU (rebuild with npm run build:circuits)`;
  return undefined;
}

/** Whether the circuit build made a native witness server for this wasm that runs here. */
export function nativeWitnessAvailable(wasmPath: string): boolean {
  return nativeWitnessUnavailable(wasmPath) === undefined;
}

/** circom's input signal key hash (64-bit FNV-1a over the name's bytes). */
export function fnv1a64(name: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c > 0x7f) throw new TypeError(`input signal name ${name} is not ASCII`);
    h = ((h ^ BigInt(c)) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}

function flatten(v: unknown, out: bigint[], name: string): void {
  if (Array.isArray(v)) {
    for (const x of v) flatten(x, out, name);
    return;
  }
  if (typeof v !== 'bigint' && typeof v !== 'number' && typeof v !== 'string')
    throw new TypeError(`input ${name}: expected numbers, got ${typeof v}`);
  const n = BigInt(v);
  out.push(((n % P) + P) % P); // as circom's witness calculator: reduce, negatives wrap
}

/** One request body: every input signal by name hash, its values flattened and reduced mod p. */
export function encodeWitnessRequest(input: Record<string, unknown>): Buffer {
  const parts: { hash: bigint; values: bigint[] }[] = [];
  for (const [name, v] of Object.entries(input)) {
    const values: bigint[] = [];
    flatten(v, values, name);
    parts.push({ hash: fnv1a64(name), values });
  }
  const size = 4 + parts.reduce((s, p) => s + 12 + p.values.length * VALUE_BYTES, 0);
  const buf = Buffer.alloc(4 + size);
  let o = buf.writeUInt32LE(size, 0);
  o = buf.writeUInt32LE(parts.length, o);
  for (const p of parts) {
    o = buf.writeBigUInt64LE(p.hash, o);
    o = buf.writeUInt32LE(p.values.length, o);
    for (let x of p.values) {
      for (let i = 0; i < VALUE_BYTES; i++, x >>= 8n) buf[o + i] = Number(x & 0xffn);
      o += VALUE_BYTES;
    }
  }
  return buf;
}

interface Pending {
  frame: Buffer;
  ok: (wtns: Uint8Array) => void;
  fail: (e: Error) => void;
}

export interface NativeWitnessCalculator extends WitnessCalculator {
  /** Process id of the current server (changes when it was restarted). */
  readonly pid: number | undefined;
  /** Times the server died while computing and was restarted. */
  readonly restarts: number;
  close(): void;
}

class NativeWitnessClient implements NativeWitnessCalculator {
  private child!: ChildProcessWithoutNullStreams;
  /** Unparsed output: chunks, joined only once a whole frame is there. */
  private chunks: Buffer[] = [];
  private buffered = 0;
  private stderr = '';
  private ready = false;
  private closed = false;
  private queue: Pending[] = [];
  private failuresInARow = 0;
  restarts = 0;

  constructor(
    private readonly binary: string,
    private readonly dat: string,
    private readonly started: (e?: Error) => void,
  ) {
    this.spawn();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private spawn(): void {
    this.ready = false;
    this.chunks = [];
    this.buffered = 0;
    this.stderr = '';
    const child = spawn(this.binary, [this.dat], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout.on('data', (d: Buffer) => {
      if (child === this.child) this.onData(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      if (child === this.child) this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    child.stdin.on('error', () => undefined); // a dead server is handled on exit
    child.on('error', (e) => {
      if (child === this.child) this.onExit(`cannot start ${this.binary}: ${e.message}`);
    });
    child.on('exit', (code, signal) => {
      if (child === this.child) this.onExit(`exited (${signal ?? code})`);
    });
  }

  /**
   * The server keeps Node's event loop alive only while it starts or has requests: an idle
   * calculator that nobody closed does not hold a finished process open.
   */
  private hold(): void {
    const busy = !this.ready || this.queue.length > 0;
    for (const h of [this.child, this.child.stdin, this.child.stdout, this.child.stderr] as {
      ref?: () => void;
      unref?: () => void;
    }[])
      (busy ? h.ref : h.unref)?.call(h);
  }

  private onData(d: Buffer): void {
    this.chunks.push(d);
    this.buffered += d.length;
    while (this.buffered >= 8) {
      let head: Buffer = this.chunks[0]!;
      if (head.length < 8) head = this.join();
      const len = head.readUInt32LE(4);
      if (this.buffered < 8 + len) return;
      const status = head.readUInt32LE(0);
      const all = this.chunks.length === 1 ? head : this.join();
      const payload = all.subarray(8, 8 + len);
      const rest = all.subarray(8 + len);
      this.chunks = rest.length ? [rest] : [];
      this.buffered = rest.length;
      if (!this.ready) this.onHello(status, payload);
      else this.onResponse(status, payload);
    }
  }

  private join(): Buffer {
    const all = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [all];
    return all;
  }

  private onHello(status: number, payload: Buffer): void {
    const version = payload.length === 12 ? payload.readUInt32LE(0) : -1;
    if (status !== 0 || version !== NATIVE_WITNESS_PROTOCOL) {
      this.fatal(
        `native witness server ${this.binary} speaks protocol ${version}, this client ${NATIVE_WITNESS_PROTOCOL}: rebuild it (npm run build:circuits)`,
      );
      return;
    }
    this.ready = true;
    this.hold();
    this.started();
    for (const p of this.queue) this.child.stdin.write(p.frame);
  }

  private onResponse(status: number, payload: Buffer): void {
    const p = this.queue.shift();
    if (!p) return;
    this.failuresInARow = 0;
    if (this.queue.length === 0) this.hold();
    if (status === 0) p.ok(new Uint8Array(payload.buffer, payload.byteOffset, payload.length));
    else p.fail(new NativeWitnessError('INPUT_REFUSED', payload.toString('utf8')));
  }

  private onExit(why: string): void {
    if (this.closed) return;
    const detail = `native witness server ${why}${this.stderr.trim() ? `: ${this.stderr.trim()}` : ''}`;
    if (!this.ready || ++this.failuresInARow > MAX_RESTARTS) {
      this.fatal(detail);
      return;
    }
    // The request it was computing is the first unanswered one; the rest go to a new server.
    this.queue.shift()?.fail(new NativeWitnessError('SERVER_FAILED', detail));
    this.restarts++;
    this.spawn();
  }

  private fatal(message: string): void {
    const wasReady = this.ready;
    this.closed = true;
    this.ready = false;
    this.child.kill('SIGKILL');
    const err = new NativeWitnessError('SERVER_FAILED', message);
    for (const p of this.queue.splice(0)) p.fail(err);
    if (!wasReady) this.started(err);
  }

  wtns(input: Record<string, unknown>): Promise<Uint8Array> {
    if (this.closed)
      return Promise.reject(new NativeWitnessError('CLOSED', 'native witness server is closed'));
    let frame: Buffer;
    try {
      frame = encodeWitnessRequest(input);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    return new Promise((ok, fail) => {
      this.queue.push({ frame, ok, fail });
      if (this.queue.length === 1) this.hold();
      if (this.ready) this.child.stdin.write(frame);
    });
  }

  async witness(input: Record<string, unknown>): Promise<bigint[]> {
    const w = await this.wtns(input);
    const view = new DataView(w.buffer, w.byteOffset, w.byteLength);
    // Fixed layout of the server's output: 12-byte file header, section 1 (12 + 40 bytes),
    // section 2 header (12 bytes), then the values.
    const count = view.getUint32(12 + 12 + 4 + VALUE_BYTES, true);
    const out: bigint[] = [];
    for (let i = 0, at = 12 + 12 + 40 + 12; i < count; i++, at += VALUE_BYTES) {
      let v = 0n;
      for (let b = VALUE_BYTES - 1; b >= 0; b--) v = (v << 8n) | BigInt(w[at + b]!);
      out.push(v);
    }
    return out;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const err = new NativeWitnessError('CLOSED', 'native witness server is closed');
    for (const p of this.queue.splice(0)) p.fail(err);
    this.child.stdin.end(Buffer.alloc(4));
  }
}

/**
 * Start the native witness server for the circuit whose wasm is `wasmPath` (or the given
 * binary and .dat); resolves once the circuit is loaded.
 */
export function startNativeWitness(
  wasmPath: string,
  paths: { binary: string; dat: string; cpu?: string } = nativeWitnessPaths(wasmPath),
): Promise<NativeWitnessCalculator> {
  if (!existsSync(paths.binary) || !existsSync(paths.dat))
    return Promise.reject(
      new NativeWitnessError(
        'SERVER_FAILED',
        `no native witness server at ${paths.binary} (built by npm run build:circuits when g++, nasm and libgmp-dev are installed)`,
      ),
    );
  if (
    paths.cpu !== undefined &&
    existsSync(paths.cpu) &&
    readFileSync(paths.cpu, 'utf8').trim() !== cpuFingerprint()
  )
    return Promise.reject(
      new NativeWitnessError(
        'SERVER_FAILED',
        `the native witness server at ${paths.binary} was built for another CPU (rebuild with npm run build:circuits)`,
      ),
    );
  return new Promise((resolve, reject) => {
    const client: NativeWitnessClient = new NativeWitnessClient(paths.binary, paths.dat, (e) =>
      e ? reject(e) : resolve(client),
    );
  });
}

/** Witness backend: circom's wasm calculator, the native server, or native when it is built. */
export type WitnessBackend = 'wasm' | 'native' | 'auto';

export interface LoadedWitnessCalculator extends WitnessCalculator {
  readonly backend: 'wasm' | 'native';
  /** With `auto`: why a built native server could not start (wasm is used instead). */
  readonly nativeError?: string;
  /** Stops the native server (no-op for wasm). */
  close(): void;
}

/**
 * The witness calculator of the circuit whose wasm is `wasmPath`: `auto` (default) picks the
 * native server when the circuit build made one for this CPU and it starts, else the wasm
 * calculator (the reference; `nativeError` says why when a server is there); `native` fails
 * when the server is missing, was built for another CPU, or does not start.
 */
export async function loadWitnessBackend(
  wasmPath: string,
  backend: WitnessBackend = 'auto',
): Promise<LoadedWitnessCalculator> {
  let nativeError: string | undefined;
  const unavailable = nativeWitnessUnavailable(wasmPath);
  // (a server that is there but cannot run here is worth a word; no server at all is not)
  if (unavailable !== undefined && existsSync(nativeWitnessPaths(wasmPath).binary))
    nativeError = unavailable;
  if (backend === 'native' || (backend === 'auto' && unavailable === undefined)) {
    try {
      const n = await startNativeWitness(wasmPath);
      return {
        backend: 'native',
        wtns: (input) => n.wtns(input),
        witness: (input) => n.witness(input),
        close: () => n.close(),
      };
    } catch (e) {
      if (backend === 'native') throw e;
      nativeError = (e as Error).message;
    }
  }
  const w = await loadWitnessCalculator(wasmPath);
  return { backend: 'wasm', ...w, nativeError, close: () => undefined };
}
