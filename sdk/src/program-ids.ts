import { PublicKey } from '@solana/web3.js';
import {
  DEVICE_REGISTRY_PROGRAM_ADDRESS,
  INFERENCE_ATTESTATION_PROGRAM_ADDRESS,
} from '../../idls/constants.ts';

/**
 * Program ids (localnet), generated from the IDLs' `address` (idls/constants.ts); the
 * interface crates' agreement tests prove each equals its program's `ID`.
 */
export const DEVICE_REGISTRY_PROGRAM_ID = new PublicKey(DEVICE_REGISTRY_PROGRAM_ADDRESS);
export const INFERENCE_ATTESTATION_PROGRAM_ID = new PublicKey(
  INFERENCE_ATTESTATION_PROGRAM_ADDRESS,
);
export const ED25519_PROGRAM_ID = new PublicKey('Ed25519SigVerify111111111111111111111111111');
