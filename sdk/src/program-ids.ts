import { PublicKey } from '@solana/web3.js';
import {
  DEVICE_REGISTRY_PROGRAM_ADDRESS,
  INFERENCE_ATTESTATION_PROGRAM_ADDRESS,
} from '../../idls/constants.ts';

/**
 * Program ids of the localnet build (Anchor.toml `[programs.localnet]`), generated from the
 * IDLs' `address` (idls/constants.ts); the interface crates' agreement tests prove each
 * equals its program's `ID`. A deployment's programs are built for its own ids
 * (`migrations/deploy.ts`, the manifest's `programs`): pass them as `ProgramIds`.
 */
export const DEVICE_REGISTRY_PROGRAM_ID = new PublicKey(DEVICE_REGISTRY_PROGRAM_ADDRESS);
export const INFERENCE_ATTESTATION_PROGRAM_ID = new PublicKey(
  INFERENCE_ATTESTATION_PROGRAM_ADDRESS,
);
/** The two zkpin programs of one deployment. */
export interface ProgramIds {
  deviceRegistry: PublicKey;
  inferenceAttestation: PublicKey;
}

/** The ids the programs are built for when no deployment chooses others. */
export const LOCALNET_PROGRAM_IDS: ProgramIds = Object.freeze({
  deviceRegistry: DEVICE_REGISTRY_PROGRAM_ID,
  inferenceAttestation: INFERENCE_ATTESTATION_PROGRAM_ID,
});

export const ED25519_PROGRAM_ID = new PublicKey('Ed25519SigVerify111111111111111111111111111');
