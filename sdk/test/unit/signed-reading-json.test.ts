import { beforeAll, describe, expect, it } from 'vitest';
import { signReading, type SignedReading } from '../../src/device-keys.ts';
import { generateDeviceKeys } from '../../src/node.ts';
import { BABYJUB_L, BN254_R } from '../../src/field.ts';
import { decodeReadingMessage, encodeReadingMessage } from '../../src/messages.ts';
import { MAX_WINDOW } from '../../src/model-shape.ts';
import { proveJobSchema, signedReadingJsonSchema } from '../../src/pipeline.ts';
import {
  signedReadingFromJson,
  signedReadingToJson,
  type SignedReadingJson,
} from '../../src/signed-reading-json.ts';

let reading: SignedReading;
let json: SignedReadingJson;

beforeAll(async () => {
  const keys = await generateDeviceKeys({ babyJub: new Uint8Array(32).fill(5) });
  reading = signReading(keys, {
    network: new Uint8Array(32).fill(0xab),
    seq: 18446744073709551615n,
    timestamp: -1n,
    modelId: 1,
    readings: Array.from({ length: 16 }, (_, i) => i - 8),
    salt: new Uint8Array(32).fill(3),
  });
  json = JSON.parse(JSON.stringify(signedReadingToJson(reading))) as SignedReadingJson;
});

type Path = 'seq' | 'timestamp' | 'ax' | 'ay' | 'r8x' | 'r8y' | 's' | 'network' | 'salt';

function withValue(path: Path, v: unknown): unknown {
  const j = structuredClone(json) as unknown as Record<string, Record<string, unknown>>;
  if (path === 'ax' || path === 'ay') j['bjjPublicKey']![path] = v;
  else if (path === 'r8x' || path === 'r8y' || path === 's') j['bjjSignature']![path] = v;
  else (j as Record<string, unknown>)[path] = v;
  return j;
}

/** Both entry points (the zod schema and signedReadingFromJson) refuse it, naming the field. */
function expectRejected(path: Path, v: unknown): void {
  const j = withValue(path, v);
  const label = `${path} = ${String(v).slice(0, 40)}`;
  expect(signedReadingJsonSchema.safeParse(j).success, label).toBe(false);
  expect(proveJobSchema.safeParse({ reading: j, acceptedAt: 1, source: 'http' }).success).toBe(
    false,
  );
  expect(() => signedReadingFromJson(j), label).toThrow(new RegExp(`\\b${path}\\b`));
}

function expectAccepted(path: Path, v: string): SignedReading {
  const j = withValue(path, v);
  expect(signedReadingJsonSchema.safeParse(j).success, `${path} = ${v}`).toBe(true);
  return signedReadingFromJson(j);
}

const r = BN254_R.toString();
const l = BABYJUB_L.toString();

describe('SignedReadingJson: one schema, canonical values only (spec §2)', () => {
  it('round-trips a signed reading, and its bytes decode to the same values', () => {
    const back = signedReadingFromJson(json);
    expect(back).toEqual(reading);
    expect(decodeReadingMessage(encodeReadingMessage(back))).toEqual(
      (({ ed25519Signature: _, ...m }) => m)(reading),
    );
  });

  it('seq: a canonical decimal u64', () => {
    for (const bad of ['01', '00', '-1', '+1', ' 1', '1.0', '1e3', '', '18446744073709551616'])
      expectRejected('seq', bad);
    expectRejected('seq', 5);
    expectRejected('seq', '9'.repeat(3000));
    expect(expectAccepted('seq', '0').seq).toBe(0n);
    expect(expectAccepted('seq', '18446744073709551615').seq).toBe(2n ** 64n - 1n);
  });

  it('timestamp: a canonical decimal i64, a minus sign allowed but not "-0"', () => {
    for (const bad of ['-0', '-01', '007', '+5', '9223372036854775808', '-9223372036854775809'])
      expectRejected('timestamp', bad);
    expectRejected('timestamp', '-' + '1'.repeat(3000));
    expect(expectAccepted('timestamp', '-9223372036854775808').timestamp).toBe(-(2n ** 63n));
    expect(expectAccepted('timestamp', '9223372036854775807').timestamp).toBe(2n ** 63n - 1n);
    expect(expectAccepted('timestamp', '0').timestamp).toBe(0n);
  });

  it('ax, ay, r8x, r8y: canonical decimals below r', () => {
    for (const p of ['ax', 'ay', 'r8x', 'r8y'] as const) {
      for (const bad of [
        r,
        (BN254_R + 1n).toString(),
        '-1',
        '-0',
        '0' + r.slice(1),
        `0${json.seq}`,
      ])
        expectRejected(p, bad);
      expectRejected(p, '1'.repeat(3000));
      expectRejected(p, 17);
      expectAccepted(p, (BN254_R - 1n).toString());
      expectAccepted(p, '0');
    }
  });

  it('s: a canonical decimal below l (the BabyJubJub subgroup order), not merely below r', () => {
    for (const bad of [l, (BN254_R - 1n).toString(), '-1', '00', '1'.repeat(3000)])
      expectRejected('s', bad);
    expect(expectAccepted('s', (BABYJUB_L - 1n).toString()).bjjSignature.s).toBe(BABYJUB_L - 1n);
  });

  it('readings: 1 to MAX_WINDOW integers in [-128, 127], the first bad one named by its index', () => {
    const withReadings = (v: unknown) => ({ ...json, readings: v });
    const bad: [unknown, RegExp][] = [
      [[], /readings/],
      [new Array<number>(MAX_WINDOW + 1).fill(0), /readings/],
      [[0, 128, 1.5], /readings\.1: must be an integer in \[-128, 127\]/],
      [[-129], /readings\.0: must be an integer/],
      [[0, 1.5], /readings\.1: must be an integer/],
      [[0, 1, '2'], /readings\.2/],
      [[null], /readings\.0/],
      ['0', /readings/],
    ];
    for (const [v, message] of bad) {
      const j = withReadings(v);
      expect(signedReadingJsonSchema.safeParse(j).success, JSON.stringify(v)).toBe(false);
      expect(() => signedReadingFromJson(j)).toThrow(message);
    }
    for (const ok of [[-128], [127], new Array<number>(MAX_WINDOW).fill(-1)]) {
      const back = signedReadingFromJson(withReadings(ok));
      expect(back.readings).toEqual(ok);
    }
  });

  it('byte strings: lower-case hex of the exact length', () => {
    expectRejected('network', json.network.toUpperCase());
    expectRejected('network', `0x${json.network}`);
    expectRejected('network', json.network.slice(2));
    expectRejected('salt', 'zz');
  });

  it('refuses unknown fields and missing ones', () => {
    expect(() => signedReadingFromJson({ ...json, extra: 1 })).toThrow(TypeError);
    const noSalt: Record<string, unknown> = { ...json };
    delete noSalt['salt'];
    expect(() => signedReadingFromJson(noSalt)).toThrow(/salt/);
    expect(() => signedReadingFromJson(null)).toThrow(TypeError);
  });
});
