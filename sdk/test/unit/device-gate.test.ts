/**
 * The device gate (sdk/src/device-gate.ts): each rule, and the one order in which a reading
 * that breaks several of them is judged (the bridge and both workers rely on it).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_GATE_REJECTIONS, DeviceGate, type GateReading } from '../../src/device-gate.ts';
import { bjjKeyHashBytes, type DeviceKeys } from '../../src/device-keys.ts';
import { generateDeviceKeys } from '../../src/node.ts';
import { toHex } from '../../src/field.ts';
import type { DeviceDirectory } from '../../src/network-follower.ts';
import { DEVICE_STATUS_ACTIVE, DEVICE_STATUS_REVOKED } from '../../src/registry-client.ts';

interface Leaf {
  status: number;
  modelId: number;
  seq: bigint;
  bjjKeyHash: number[];
}

/** A directory of device leaves, as a NetworkFollower keeps them. */
class Leaves implements DeviceDirectory {
  readonly leaves = new Map<string, Leaf>();
  readonly recorded = new Set<string>();
  device(hex: string) {
    const leaf = this.leaves.get(hex);
    return leaf && { leaf };
  }
  isRecorded(hex: string, seq: bigint) {
    return this.recorded.has(`${hex}-${seq}`);
  }
}

let keys: DeviceKeys;
let other: DeviceKeys;
let hex: string;
let dir: Leaves;
let gate: DeviceGate;

beforeAll(async () => {
  keys = await generateDeviceKeys({ babyJub: new Uint8Array(32).fill(7) });
  other = await generateDeviceKeys({ babyJub: new Uint8Array(32).fill(8) });
  hex = toHex(keys.ed25519.publicKey);
});

function setLeaf(l: Partial<Leaf> = {}) {
  dir = new Leaves();
  dir.leaves.set(hex, {
    status: DEVICE_STATUS_ACTIVE,
    modelId: 1,
    seq: 5n,
    bjjKeyHash: Array.from(bjjKeyHashBytes(keys.babyJub.publicKey)),
    ...l,
  });
  // Model 1 takes 16 readings, model 2 takes 48.
  gate = new DeviceGate(
    dir,
    undefined,
    new Map([
      [1, 16],
      [2, 48],
    ]),
  );
}

const good = (): GateReading => ({
  deviceHex: hex,
  seq: 6n,
  modelId: 1,
  windowLength: 16,
  bjjPublicKey: keys.babyJub.publicKey,
});

describe('DeviceGate', () => {
  it('lets a reading of an active device through, with gaps in seq', () => {
    setLeaf();
    expect(gate.check(good())).toBeUndefined();
    expect(gate.check({ ...good(), seq: 1000n })).toBeUndefined();
    // model and key are only checked when given (the relayer knows no key)
    expect(gate.check({ deviceHex: hex, seq: 6n })).toBeUndefined();
  });

  it('names each broken rule', () => {
    setLeaf();
    const code = (r: GateReading) => gate.check(r)?.code;
    expect(code({ ...good(), deviceHex: '00'.repeat(32) })).toBe('UNKNOWN_DEVICE');
    expect(code({ ...good(), seq: 5n })).toBe('REPLAYED_SEQ');
    expect(code({ ...good(), seq: 0n })).toBe('REPLAYED_SEQ');
    expect(code({ ...good(), modelId: 2 })).toBe('MODEL_MISMATCH');
    expect(code({ ...good(), bjjPublicKey: other.babyJub.publicKey })).toBe('BJJ_KEY_MISMATCH');
    setLeaf({ status: DEVICE_STATUS_REVOKED });
    expect(code(good())).toBe('DEVICE_REVOKED');
    expect(gate.check(good())?.leafSeq).toBe(5n);
  });

  it('judges a reading that breaks every rule by the first, in the documented order', () => {
    const order = Object.keys(DEVICE_GATE_REJECTIONS);
    expect(order).toEqual([
      'UNKNOWN_DEVICE',
      'REPLAYED_SEQ',
      'DEVICE_REVOKED',
      'MODEL_MISMATCH',
      'WINDOW_MISMATCH',
      'BJJ_KEY_MISMATCH',
    ]);
    setLeaf({ status: DEVICE_STATUS_REVOKED });
    const bad = {
      ...good(),
      seq: 5n,
      modelId: 9,
      windowLength: 48,
      bjjPublicKey: other.babyJub.publicKey,
    };
    expect(gate.check(bad)?.code).toBe('REPLAYED_SEQ');
    expect(gate.check({ ...bad, seq: 6n })?.code).toBe('DEVICE_REVOKED');
    setLeaf();
    expect(gate.check({ ...bad, seq: 6n })?.code).toBe('MODEL_MISMATCH');
    expect(gate.check({ ...bad, seq: 6n, modelId: 1 })?.code).toBe('WINDOW_MISMATCH');
    expect(gate.check({ ...bad, seq: 6n, modelId: 1 })?.message).toBe(
      'the reading has 48 readings; model 1 takes a window of 16',
    );
    expect(gate.check({ ...bad, seq: 6n, modelId: 1, windowLength: 16 })?.code).toBe(
      'BJJ_KEY_MISMATCH',
    );
    // A model whose window the gate does not know is left to the prover.
    setLeaf({ modelId: 3 });
    expect(gate.check({ ...good(), modelId: 3, windowLength: 7 })).toBeUndefined();
  });

  it('follows a key change in the leaf and in the reading (the hash cache never goes stale)', () => {
    setLeaf();
    expect(gate.check(good())).toBeUndefined();
    // the device re-registered with another key: the same reading no longer passes
    dir.leaves.get(hex)!.bjjKeyHash = Array.from(bjjKeyHashBytes(other.babyJub.publicKey));
    expect(gate.check(good())?.code).toBe('BJJ_KEY_MISMATCH');
    expect(gate.check({ ...good(), bjjPublicKey: other.babyJub.publicKey })).toBeUndefined();
    // and a reading that varies its key does not poison the cache for the real one
    expect(gate.check(good())?.code).toBe('BJJ_KEY_MISMATCH');
  });
});
