/**
 * `@zkpin/sdk`'s main entry is browser-safe: bundled by esbuild for the browser it pulls in no
 * Node builtin and no litesvm, and the bundle runs in a context that has only browser globals
 * (no `process`, no `require`, no `Buffer` of our own making) and computes the same bytes as
 * Node does.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { build, transform, type Metafile } from 'esbuild';
import BN from 'bn.js';
import { PublicKey } from '@solana/web3.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DeviceEd25519Key,
  approvalPagePda,
  fieldToBytes32,
  readingMessageHashOf,
  deviceLeafHash,
  encodeReadingMessage,
  fromHex,
  makerPda,
  networkPda,
  recordLeafHash,
  toHex,
  verifyingKeyHash,
} from '../../src/index.ts';

const ENTRY = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
/** npm polyfills a browser app provides and that web3.js itself depends on. */
const ALLOWED_POLYFILLS = new Set(['buffer']);

/**
 * Imports in the bundle graph that a browser cannot satisfy, as "importer -> specifier": Node
 * builtins (whether esbuild found an npm polyfill of the same name or not) and litesvm.
 * (esbuild lists type-only imports it dropped as `external`; those are harmless.)
 */
export function forbiddenImports(metafile: Metafile): string[] {
  const out: string[] = [];
  for (const [file, input] of Object.entries(metafile.inputs)) {
    if (/(^|\/)node_modules\/litesvm\//.test(file)) out.push(`${file} (litesvm)`);
    for (const imp of input.imports) {
      const spec = imp.original ?? imp.path;
      const builtin =
        (NODE_BUILTINS.has(spec) || NODE_BUILTINS.has(spec.split('/')[0]!)) &&
        !ALLOWED_POLYFILLS.has(spec.replace(/\/$/, ''));
      if (builtin || spec === 'litesvm' || spec.startsWith('litesvm/'))
        out.push(`${file} -> ${spec}`);
    }
  }
  return out;
}

/** Only what a browser page has (no Buffer, process, require, module, global). */
function browserContext(): vm.Context {
  const ctx = vm.createContext({
    console,
    TextEncoder,
    TextDecoder,
    URL,
    URLSearchParams,
    atob,
    btoa,
    crypto: {
      getRandomValues: <T extends ArrayBufferView>(a: T) => crypto.getRandomValues(a),
      subtle: crypto.subtle,
    },
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    queueMicrotask,
    structuredClone,
    fetch,
    AbortController,
    Event,
    EventTarget,
  }) as Record<string, unknown>;
  ctx.globalThis = ctx;
  ctx.self = ctx;
  ctx.window = ctx;
  return ctx;
}

/** The same inputs, given to the bundle (as plain JSON) and to the Node-side modules. */
const INPUT = {
  authority: '11'.repeat(32),
  network: '22'.repeat(32),
  device: '33'.repeat(32),
  owner: '44'.repeat(32),
  maker: '55'.repeat(32),
  bjjKeyHash: '0a'.repeat(32),
  seed: '07'.repeat(32),
  salt: '09'.repeat(32),
  vk: 'ab'.repeat(576),
  groth16: JSON.parse(
    readFileSync(
      fileURLToPath(new URL('../../../tests/vectors/groth16.json', import.meta.url)),
      'utf8',
    ),
  ) as { vk_bytes_hex: string; proof_bytes_hex: string; public_signals: string[] },
};

/**
 * Evaluated inside the browser context against the bundle's exports (`sdk`): `part` "own"
 * touches only zkpin's own encoders (run without any global Buffer), "borsh" the leaf
 * encoders on Anchor's BorshCoder, whose buffer-layout reads the global `Buffer`.
 */
const HARNESS = (part: 'own' | 'borsh') => `(() => {
  const i = JSON.parse(input);
  const PublicKey = sdk.DEVICE_REGISTRY_PROGRAM_ID.constructor;
  const pk = (h) => new PublicKey(sdk.fromHex(h));
  const network = pk(i.network);
  if (${JSON.stringify(part)} === 'borsh') return JSON.stringify({
    deviceLeafHash: sdk.toHex(sdk.deviceLeafHash(network, {
      device: pk(i.device), owner: pk(i.owner), maker: pk(i.maker),
      bjjKeyHash: Array.from(sdk.fromHex(i.bjjKeyHash)), modelId: 1, seq: { toString: () => '42' },
      status: sdk.DEVICE_STATUS_ACTIVE,
    })),
    recordLeafHash: sdk.toHex(sdk.recordLeafHash({
      device: pk(i.device), modelId: 1, seq: 42n, timestamp: -5n,
      inputCommitment: sdk.fromHex(i.bjjKeyHash), class: 3, score: -77n,
      publicInput: sdk.fromHex(i.salt),
    })),
  });
  const key = new sdk.DeviceEd25519Key(sdk.fromHex(i.seed));
  const message = sdk.encodeReadingMessage({
    network: network.toBytes(), device: key.publicKey, seq: 7n, timestamp: 1700000000n,
    modelId: 1, readings: Array.from({ length: 16 }, (_, k) => k * 16 - 128),
    salt: sdk.fromHex(i.salt), bjjPublicKey: { ax: 1n, ay: 2n },
    bjjSignature: { r8x: 3n, r8y: 4n, s: 5n },
  });
  return JSON.stringify({
    networkPda: sdk.networkPda(pk(i.authority)).toBase58(),
    makerPda: sdk.makerPda(network, pk(i.maker)).toBase58(),
    readingMessage: sdk.toHex(message),
    ed25519Signature: sdk.toHex(key.sign(message)),
    verifyingKeyHash: sdk.verifyingKeyHash(sdk.fromHex(i.vk)),
    groth16: [0n, 1n].map((d) => sdk.verifyGroth16(sdk.fromHex(i.groth16.vk_bytes_hex),
      sdk.fromHex(i.groth16.proof_bytes_hex), BigInt(i.groth16.public_signals[0]) + d)).join(','),
    approvalPage: sdk.approvalPagePda(pk(i.maker), 3).toBase58(),
    field: sdk.toHex(sdk.fieldToBytes32(sdk.readingMessageHashOf({
      network: network.toBytes(), device: key.publicKey, seq: 7n, timestamp: 1700000000n,
      modelId: 1, readings: Array.from({ length: 16 }, (_, k) => 127 - k), salt: sdk.fromHex(i.salt),
    }))),
  });
})()`;

function nodeSide(): Record<string, string> {
  const pk = (h: string) => new PublicKey(fromHex(h));
  const network = pk(INPUT.network);
  const key = new DeviceEd25519Key(fromHex(INPUT.seed));
  const message = encodeReadingMessage({
    network: network.toBytes(),
    device: key.publicKey,
    seq: 7n,
    timestamp: 1700000000n,
    modelId: 1,
    readings: Array.from({ length: 16 }, (_, k) => k * 16 - 128),
    salt: fromHex(INPUT.salt),
    bjjPublicKey: { ax: 1n, ay: 2n },
    bjjSignature: { r8x: 3n, r8y: 4n, s: 5n },
  });
  return {
    networkPda: networkPda(pk(INPUT.authority)).toBase58(),
    makerPda: makerPda(network, pk(INPUT.maker)).toBase58(),
    deviceLeafHash: toHex(
      deviceLeafHash(network, {
        device: pk(INPUT.device),
        owner: pk(INPUT.owner),
        maker: pk(INPUT.maker),
        bjjKeyHash: Array.from(fromHex(INPUT.bjjKeyHash)),
        modelId: 1,
        seq: new BN(42),
        status: 1,
      }),
    ),
    recordLeafHash: toHex(
      recordLeafHash({
        device: pk(INPUT.device),
        modelId: 1,
        seq: 42n,
        timestamp: -5n,
        inputCommitment: fromHex(INPUT.bjjKeyHash),
        class: 3,
        score: -77n,
        publicInput: fromHex(INPUT.salt),
      }),
    ),
    readingMessage: toHex(message),
    ed25519Signature: toHex(key.sign(message)),
    verifyingKeyHash: verifyingKeyHash(fromHex(INPUT.vk)),
    // The golden proof verifies, and not for another public input.
    groth16: 'true,false',
    approvalPage: approvalPagePda(pk(INPUT.maker), 3).toBase58(),
    field: toHex(
      fieldToBytes32(
        readingMessageHashOf({
          network: network.toBytes(),
          device: key.publicKey,
          seq: 7n,
          timestamp: 1700000000n,
          modelId: 1,
          readings: Array.from({ length: 16 }, (_, k) => 127 - k),
          salt: fromHex(INPUT.salt),
        }),
      ),
    ),
  };
}

describe('@zkpin/sdk main entry in a browser', () => {
  let metafile: Metafile;
  let esm: string;

  beforeAll(async () => {
    const result = await build({
      entryPoints: [ENTRY],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      metafile: true,
      write: false,
      logLevel: 'silent',
    }).catch((e: { errors?: { text: string; location?: { file: string } | null }[] }) => {
      // An unresolvable import (e.g. a `node:` builtin) fails the build: name it.
      const why = (e.errors ?? []).map((x) => `${x.location?.file ?? '?'}: ${x.text}`);
      throw new Error(`the browser bundle of sdk/src/index.ts failed:\n${why.join('\n')}`);
    });
    metafile = result.metafile;
    esm = result.outputFiles[0]!.text;
  }, 120_000);

  it('pulls in no Node builtin and no litesvm', () => {
    expect(Object.keys(metafile.inputs).length).toBeGreaterThan(50);
    expect(forbiddenImports(metafile)).toEqual([]);
  });

  it('the check names an offending import', () => {
    const fake: Metafile = {
      inputs: {
        'sdk/src/x.ts': {
          bytes: 1,
          imports: [{ path: 'node:crypto', kind: 'import-statement', original: 'node:crypto' }],
        },
        'node_modules/litesvm/dist/index.js': { bytes: 1, imports: [] },
      },
      outputs: {},
    };
    expect(forbiddenImports(fake)).toEqual([
      'sdk/src/x.ts -> node:crypto',
      'node_modules/litesvm/dist/index.js (litesvm)',
    ]);
  });

  it('runs with browser globals only and computes what Node computes', async () => {
    // The same code, as a script: ESM export list -> one global object.
    const { code } = await transform(esm, {
      format: 'iife',
      globalName: 'sdk',
      loader: 'js',
    });
    const ctx = browserContext();
    expect(ctx.Buffer).toBeUndefined();
    expect(ctx.process).toBeUndefined();
    expect(ctx.require).toBeUndefined();
    vm.runInContext(`${code}\nglobalThis.sdk = sdk;`, ctx, { filename: 'sdk-browser.js' });
    ctx.input = JSON.stringify(INPUT);
    const node = nodeSide();
    const own = JSON.parse(vm.runInContext(HARNESS('own'), ctx) as string) as Record<
      string,
      string
    >;
    // Anchor's BorshCoder (buffer-layout) reads the global Buffer when it encodes a pubkey, as
    // web3.js does in places: browser apps install the `buffer` polyfill as globalThis.Buffer
    // (sdk/README.md). zkpin's own code never reads the global (eslint.config.mjs); the calls
    // above ran without it.
    expect(() => vm.runInContext(HARNESS('borsh'), ctx) as unknown).toThrow(
      /Buffer is not defined/,
    );
    // The polyfill an app installs is the `buffer` package its bundle shares with web3.js:
    // here, the class of the bundle's own Buffers.
    ctx.Buffer = vm.runInContext(
      'sdk.DEVICE_REGISTRY_PROGRAM_ID.toBuffer().constructor',
      ctx,
    ) as unknown;
    expect((ctx.Buffer as { name?: string }).name).toMatch(/^Buffer\d*$/);
    const borsh = JSON.parse(vm.runInContext(HARNESS('borsh'), ctx) as string) as Record<
      string,
      string
    >;
    const browser = { ...own, ...borsh };
    expect(Object.keys(browser).sort()).toEqual(Object.keys(node).sort());
    expect(browser).toEqual(node);
  });
});
