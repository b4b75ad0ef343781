/** Shared helpers of the end-to-end tests (the network itself: `localNetwork()`, @zkpin/sdk/testing). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Program } from '@coral-xyz/anchor';
import { TransactionInstruction, type PublicKey } from '@solana/web3.js';
import {
  DeviceEd25519Key,
  registerDeviceInstructions,
  type DeviceRegistry,
  type NetworkSetup,
} from '@zkpin/sdk';
import { REPO_ROOT } from '@zkpin/sdk/testing';

/** Verifying key of the snarkjs fixture in tests/vectors/groth16.json (576 bytes). */
export function fixtureVerifyingKey(): Uint8Array {
  const v = JSON.parse(readFileSync(join(REPO_ROOT, 'tests/vectors/groth16.json'), 'utf8')) as {
    vk_bytes_hex: string;
  };
  return Buffer.from(v.vk_bytes_hex, 'hex');
}

/** Awaits `p` and returns the error it rejects with (fails the test if it resolves). */
export async function rejection(
  p: Promise<unknown>,
): Promise<Error & { code?: number; logs?: string[] }> {
  const result = await p.then(
    () => undefined,
    (e: unknown) => e as Error & { code?: number },
  );
  if (!result) throw new Error('expected the transaction to fail, it succeeded');
  return result;
}

/** A random BabyJubJub key hash below r (its first byte zero). */
export function randomBjjKeyHash(): Uint8Array {
  const b = randomBytes(32);
  b[0] = 0;
  return b;
}

/**
 * `[Ed25519 precompile, register_device]` for a fresh device (or `o.deviceKey`) of `setup`'s
 * maker, owned by `owner`; the maker signs its approval now.
 */
export async function onboardingInstructions(
  registry: Program<DeviceRegistry>,
  setup: NetworkSetup,
  owner: PublicKey,
  o: { deviceKey?: DeviceEd25519Key; serial?: number; expiresAt?: bigint } = {},
): Promise<{ ixs: TransactionInstruction[]; deviceKey: DeviceEd25519Key; hex: string }> {
  const deviceKey = o.deviceKey ?? new DeviceEd25519Key();
  const ixs = await registerDeviceInstructions(registry, {
    network: setup.network,
    owner,
    maker: setup.maker,
    makerSigner: setup.makerKey,
    deviceSigner: deviceKey,
    bjjKeyHash: randomBjjKeyHash(),
    modelId: setup.modelId,
    deviceTree: setup.deviceTree,
    serial: o.serial,
    expiresAt: o.expiresAt,
  });
  return { ixs, deviceKey, hex: Buffer.from(deviceKey.publicKey).toString('hex') };
}

/** `ix` with account `from` replaced by `to` (an attacker's edit of a copied instruction). */
export function withAccount(
  ix: TransactionInstruction,
  from: PublicKey,
  to: PublicKey,
): TransactionInstruction {
  return new TransactionInstruction({
    programId: ix.programId,
    data: ix.data,
    keys: ix.keys.map((k) => (k.pubkey.equals(from) ? { ...k, pubkey: to } : k)),
  });
}
