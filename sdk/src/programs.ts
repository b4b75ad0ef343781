/** Typed Anchor clients for the zkpin programs, built from the generated IDLs in idls/. */
import { Program, type Provider } from '@coral-xyz/anchor';
import { PublicKey } from '@solana/web3.js';
import type { DeviceRegistry } from '../../idls/device_registry.ts';
import deviceRegistryIdl from '../../idls/device_registry.json' with { type: 'json' };
import { DEVICE_REGISTRY_PROGRAM_ID } from './program-ids.ts';
import { NETWORK_SEED } from '../../idls/constants.ts';

export type { DeviceRegistry };
export const DEVICE_REGISTRY_IDL = deviceRegistryIdl as DeviceRegistry;

export function deviceRegistryProgram(provider: Provider): Program<DeviceRegistry> {
  return new Program<DeviceRegistry>(DEVICE_REGISTRY_IDL, provider);
}

/** `["network", authority]` */
export function networkPda(authority: PublicKey): PublicKey {
  return PublicKey.findProgramAddressSync(
    [NETWORK_SEED, authority.toBuffer()],
    DEVICE_REGISTRY_PROGRAM_ID,
  )[0];
}
