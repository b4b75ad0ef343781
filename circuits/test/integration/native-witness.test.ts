/**
 * The native witness server (circom's C++ witness code + circuits/native-witness/server.cpp)
 * against circom's wasm calculator, the reference: byte-identical `.wtns` for random valid
 * readings of every shipped model; inputs the circuit refuses are answered with an error and
 * the server keeps serving; a server that dies is restarted without losing the other requests.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { circuitInput, signReading, type DeviceKeys, type SignedReading } from '@zkpin/sdk';
import { generateDeviceKeys } from '@zkpin/sdk/node';
import { buildModelArtifacts, type ReferenceArtifacts } from '../../tools/build-circuits.ts';
import { MODELS, REFERENCE_MODEL, type ModelSpec } from '../../tools/models.ts';
import { rng } from '../../model/train.ts';
import { loadWitnessCalculator, type WitnessCalculator } from '../../runtime/witness.ts';
import {
  cpuFingerprint,
  isNativeWitnessError,
  loadWitnessBackend,
  nativeWitnessPaths,
  nativeWitnessUnavailable,
  startNativeWitness,
  type NativeWitnessCalculator,
} from '../../runtime/native-witness.ts';

/** Random valid readings compared per model. */
const RANDOM_READINGS = 200;

interface Setup {
  art: ReferenceArtifacts;
  wasm: WitnessCalculator;
}
const setups = new Map<string, Setup>();
let keys: DeviceKeys[];

beforeAll(async () => {
  for (const spec of MODELS) {
    const art = await buildModelArtifacts(spec);
    setups.set(spec.name, { art, wasm: await loadWitnessCalculator(art.circuit.wasm) });
  }
  keys = await Promise.all(
    [1, 2, 3].map((i) =>
      generateDeviceKeys({
        ed25519: new Uint8Array(32).fill(i),
        babyJub: new Uint8Array(32).fill(i + 10),
      }),
    ),
  );
}, 1_800_000);

function randomReading(spec: ModelSpec, window: number, next: () => number): SignedReading {
  const byte = () => Math.floor(next() * 256);
  return signReading(keys[Math.floor(next() * keys.length)]!, {
    network: Uint8Array.from({ length: 32 }, byte),
    seq: BigInt(Math.floor(next() * 2 ** 48)),
    timestamp: 1_767_225_600n + BigInt(Math.floor(next() * 2 ** 30)),
    modelId: spec.modelId,
    readings: Array.from({ length: window }, () => byte() - 128),
    salt: Uint8Array.from({ length: 32 }, byte),
  });
}

async function withNative<T>(s: Setup, fn: (n: NativeWitnessCalculator) => Promise<T>): Promise<T> {
  const n = await startNativeWitness(s.art.circuit.wasm);
  try {
    return await fn(n);
  } finally {
    n.close();
  }
}

describe.each(MODELS.map((m) => [m.name, m] as const))('native witness of %s', (name, spec) => {
  it('is built by the circuit build and picked by the auto backend', async () => {
    const s = setups.get(name)!;
    expect(s.art.circuit.nativeWitness).toBeDefined();
    const auto = await loadWitnessBackend(s.art.circuit.wasm);
    expect(auto.backend).toBe('native');
    auto.close();
  });

  it('is marked with the CPU it was built for; a server built for another CPU is not used', async () => {
    const s = setups.get(name)!;
    const paths = nativeWitnessPaths(s.art.circuit.wasm);
    expect(readFileSync(paths.cpu, 'utf8')).toBe(cpuFingerprint());
    // the same files in a cache entry marked for another CPU
    const stem = basename(s.art.circuit.wasm, '.wasm');
    const dir = mkdtempSync(join(tmpdir(), 'zkpin-native-cpu-'));
    try {
      const wasm = join(dir, `${stem}_js`, `${stem}.wasm`);
      const moved = nativeWitnessPaths(wasm);
      cpSync(dirname(s.art.circuit.wasm), dirname(wasm), { recursive: true });
      mkdirSync(dirname(moved.binary));
      copyFileSync(paths.binary, moved.binary);
      copyFileSync(paths.dat, moved.dat);
      writeFileSync(moved.cpu, '0123456789abcdef');
      expect(nativeWitnessUnavailable(wasm)).toMatch(/built for another CPU/);
      const auto = await loadWitnessBackend(wasm);
      expect(auto.backend).toBe('wasm');
      expect(auto.nativeError).toMatch(/built for another CPU/);
      await expect(startNativeWitness(wasm)).rejects.toThrow(/built for another CPU/);
      // the same CPU: used
      writeFileSync(moved.cpu, cpuFingerprint());
      const native = await loadWitnessBackend(wasm);
      expect(native.backend).toBe('native');
      native.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("copies field elements inline: the circuit's object calls no Fr_copy (zkpin_fr_inline.hpp)", () => {
    const s = setups.get(name)!;
    const { binary } = nativeWitnessPaths(s.art.circuit.wasm);
    const obj = join(dirname(binary), 'obj', `${basename(s.art.circuit.wasm, '.wasm')}.o`);
    const undefinedSymbols = execFileSync('nm', ['-u', obj], { encoding: 'utf8' }).split(/\s+/);
    expect(undefinedSymbols).toContain('Fr_mul'); // the assembly arithmetic is still called
    expect(undefinedSymbols).not.toContain('Fr_copy');
  });

  it(`equals the wasm witness byte for byte over ${RANDOM_READINGS} random valid readings`, async () => {
    const s = setups.get(name)!;
    const next = rng(spec.modelId * 7919);
    await withNative(s, async (n) => {
      // Pipelined: all requests are in flight at once and answered in order.
      const inputs = Array.from({ length: RANDOM_READINGS }, () =>
        circuitInput(randomReading(spec, s.art.ir.inputSize, next)),
      );
      const native = await Promise.all(inputs.map((i) => n.wtns(i)));
      for (let i = 0; i < inputs.length; i++) {
        const wasm = await s.wasm.wtns(inputs[i]!);
        expect(Buffer.compare(Buffer.from(native[i]!), Buffer.from(wasm)), `reading ${i}`).toBe(0);
      }
      expect(await n.witness(inputs[0]!)).toEqual(await s.wasm.witness(inputs[0]!));
      expect(n.restarts).toBe(0);
    });
  }, 600_000);
});

describe('inputs the circuit refuses', () => {
  const s = () => setups.get(REFERENCE_MODEL.name)!;
  const good = (seed: number) => {
    const next = rng(seed);
    return circuitInput(randomReading(REFERENCE_MODEL, s().art.ir.inputSize, next));
  };

  it('a bad EdDSA signature fails the circuit assert: a clear error, and the server keeps serving', async () => {
    await withNative(s(), async (n) => {
      const pid = n.pid;
      const bad = { ...good(1), seq: '12345' }; // the signature no longer covers the message
      await expect(s().wasm.wtns(bad)).rejects.toThrow(/Assert Failed/i);
      const [before, refused, after] = await Promise.allSettled([
        n.wtns(good(2)),
        n.wtns(bad),
        n.wtns(good(3)),
      ]);
      expect(before.status).toBe('fulfilled');
      expect(after.status).toBe('fulfilled');
      expect(refused.status).toBe('rejected');
      const e = (refused as PromiseRejectedResult).reason as unknown;
      expect(isNativeWitnessError(e) && e.code).toBe('INPUT_REFUSED');
      expect((e as Error).message).toMatch(/Failed assert in template\/function \w+ line \d+/);
      expect((e as Error).message).toMatch(/Followed trace of components: main\./);
      expect(Buffer.from((after as PromiseFulfilledResult<Uint8Array>).value)).toEqual(
        Buffer.from(await s().wasm.wtns(good(3))),
      );
      expect(n.pid).toBe(pid);
      expect(n.restarts).toBe(0);
    });
  }, 120_000);

  it('the inverses the server keeps give exact witnesses: a refused first request, the same reading twice, then others', async () => {
    // The server keeps the inverses whose inputs came in both of its first two computed
    // witnesses (server.cpp, "field inversion"). Here those two are the same reading, so the
    // table holds that reading's own values too, and a refused request comes first.
    await withNative(s(), async (n) => {
      await expect(n.wtns({ ...good(5), seq: '7' })).rejects.toThrow(/Failed assert/);
      const same = good(6);
      const others = [7, 8, 9, 10].map(good);
      const inputs = [same, same, same, ...others];
      const native = await Promise.all(inputs.map((i) => n.wtns(i)));
      for (let i = 0; i < inputs.length; i++) {
        const wasm = await s().wasm.wtns(inputs[i]!); // one at a time: the wasm is not reentrant
        expect(Buffer.from(native[i]!), `request ${i}`).toEqual(Buffer.from(wasm));
      }
      expect(n.restarts).toBe(0);
    });
  }, 120_000);

  it('refused witnesses before the first computed one do not grow the server (its learning record is dropped)', async () => {
    // A sender whose readings fail the circuit (here: the signature no longer covers the
    // message) must not make the server record every refused witness's inversions.
    const rssKb = (pid: number) =>
      Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
    await withNative(s(), async (n) => {
      // Each with another seq: another message hash, so other inversions (the h·8A ladder).
      const signed = good(11);
      let seq = 1000;
      const refuse = (count: number) =>
        Promise.allSettled(
          Array.from({ length: count }, () => n.wtns({ ...signed, seq: String(seq++) })),
        );
      await refuse(20);
      const before = rssKb(n.pid!);
      const settled = await refuse(1000);
      expect(settled.every((r) => r.status === 'rejected')).toBe(true);
      // Recorded, their ~590 inversions of their own each took 30 MB here (under 1 MB dropped).
      expect(rssKb(n.pid!) - before).toBeLessThan(8 * 1024);
      expect(Buffer.from(await n.wtns(good(12)))).toEqual(
        Buffer.from(await s().wasm.wtns(good(12))),
      );
      expect(n.restarts).toBe(0);
    });
  }, 120_000);

  it('a malformed input (unknown signal, missing or extra values) is refused by name', async () => {
    await withNative(s(), async (n) => {
      const input = good(4);
      await expect(n.wtns({ ...input, notASignal: 1 })).rejects.toThrow(
        /names no main input signal/,
      );
      const missing: Record<string, unknown> = { ...input };
      delete missing['seq'];
      await expect(n.wtns(missing)).rejects.toThrow(/main input values were given/);
      const readings = (input as Record<string, unknown[]>)['readings']!;
      await expect(n.wtns({ ...input, readings: [...readings, 0] })).rejects.toThrow(
        /has \d+ values; the signal takes \d+/,
      );
      expect(n.restarts).toBe(0);
      expect((await n.wtns(input)).length).toBeGreaterThan(0);
    });
  }, 120_000);

  it('a server that dies fails the request it was computing and serves the others after a restart', async () => {
    await withNative(s(), async (n) => {
      const inputs = [5, 6, 7].map(good);
      const pending = inputs.map((i) => n.wtns(i));
      process.kill(n.pid!, 'SIGKILL'); // dies on the first request
      const results = await Promise.allSettled(pending);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
      const e = (results[0] as PromiseRejectedResult).reason as unknown;
      expect(isNativeWitnessError(e) && e.code).toBe('SERVER_FAILED');
      expect((e as Error).message).toMatch(/SIGKILL/);
      for (const i of [1, 2])
        expect(Buffer.from((results[i] as PromiseFulfilledResult<Uint8Array>).value)).toEqual(
          Buffer.from(await s().wasm.wtns(inputs[i]!)),
        );
      expect(n.restarts).toBe(1);
    });
  }, 120_000);
});
