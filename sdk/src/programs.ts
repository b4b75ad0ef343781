/** Typed Anchor clients for the zkpin programs, built from the generated IDLs in idls/. */
import { Program, type Provider } from '@coral-xyz/anchor';
import { PublicKey } from '@solana/web3.js';
import type { DeviceRegistry } from '../../idls/device_registry.ts';
import deviceRegistryIdl from '../../idls/device_registry.json' with { type: 'json' };
import {
  DEVICE_REGISTRY_PROGRAM_ID,
  INFERENCE_ATTESTATION_PROGRAM_ID,
  LOCALNET_PROGRAM_IDS,
  type ProgramIds,
} from './program-ids.ts';
import { NETWORK_SEED } from '../../idls/constants.ts';

export type { DeviceRegistry };
export const DEVICE_REGISTRY_IDL = deviceRegistryIdl as DeviceRegistry;

/** device_registry's client for a deployment's program ids (default: the localnet build's). */
export function deviceRegistryProgram(
  provider: Provider,
  ids: ProgramIds = LOCALNET_PROGRAM_IDS,
): Program<DeviceRegistry> {
  return new Program<DeviceRegistry>(idlForDeployment(DEVICE_REGISTRY_IDL, ids), provider);
}

/**
 * An IDL with a deployment's program ids: the generated IDLs name the localnet ids, as the
 * program's `address` and as fixed account addresses (the event self-CPI's `program`,
 * submit_attestation's `device_registry`), so each occurrence is replaced.
 */
export function idlForDeployment<T>(idl: T, ids: ProgramIds): T {
  const swaps: [string, string][] = [
    [DEVICE_REGISTRY_PROGRAM_ID.toBase58(), ids.deviceRegistry.toBase58()],
    [INFERENCE_ATTESTATION_PROGRAM_ID.toBase58(), ids.inferenceAttestation.toBase58()],
  ].filter(([a, b]) => a !== b) as [string, string][];
  if (swaps.length === 0) return idl;
  const map = new Map(swaps);
  return JSON.parse(JSON.stringify(idl), (_k, v: unknown) =>
    typeof v === 'string' ? (map.get(v) ?? v) : v,
  ) as T;
}

/** `["network", authority]` */
export function networkPda(
  authority: PublicKey,
  programId: PublicKey = DEVICE_REGISTRY_PROGRAM_ID,
): PublicKey {
  return PublicKey.findProgramAddressSync([NETWORK_SEED, authority.toBuffer()], programId)[0];
}
