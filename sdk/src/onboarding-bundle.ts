/**
 * The onboarding bundle: what a device hands its owner (as JSON, a QR code or a file) so the
 * owner can register it with one signed transaction. It carries the maker's signed approval of
 * the device key (onboarding.ts) and the device's claim naming the owner: firmware signs the
 * claim once it is told the owner's address (a setup page, a BLE exchange), as the simulator
 * does with `--owner`.
 *
 * ```text
 * { "zkpinOnboarding": 1, "network", "maker", "makerAuthority", "device", "owner",
 *   "bjjKeyHash", "modelId", "serial", "expiresAt", "approvalSignature", "claimSignature" }
 * ```
 * Keys base58; the BabyJubJub key hash and signatures lower-case hex; `expiresAt` unix
 * seconds as a decimal string. `checkOnboardingBundle` verifies both ed25519 signatures and
 * the expiry before anything is signed, and says in words what is wrong.
 */
import { ed25519 } from '@noble/curves/ed25519';
import { PublicKey } from '@solana/web3.js';
import { z } from 'zod';
import { fromHex, toHex } from './field.ts';
import { encodeApprovalMessage, encodeClaimMessage, type SignedApproval } from './onboarding.ts';

export const ONBOARDING_BUNDLE_VERSION = 1;

const base58 = z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, 'expected a base58 key');
const hex = (bytes: number) =>
  z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `expected ${bytes} bytes of hex`);

export const onboardingBundleSchema = z.strictObject({
  zkpinOnboarding: z.literal(ONBOARDING_BUNDLE_VERSION),
  network: base58,
  /** The Maker account (PDA). */
  maker: base58,
  /** The maker's authority key, which signed the approval. */
  makerAuthority: base58,
  device: base58,
  owner: base58,
  bjjKeyHash: hex(32),
  modelId: z.number().int().min(0).max(0xffff_ffff),
  serial: z.number().int().min(0).max(0xffff_ffff),
  expiresAt: z.string().regex(/^-?[0-9]{1,19}$/),
  approvalSignature: hex(64),
  claimSignature: hex(64),
});
export type OnboardingBundle = z.infer<typeof onboardingBundleSchema>;

/** A bundle from a maker's signed approval and the device's claim for `owner`. */
export function onboardingBundle(
  approval: SignedApproval,
  claimSignature: Uint8Array,
  owner: PublicKey,
): OnboardingBundle {
  return {
    zkpinOnboarding: ONBOARDING_BUNDLE_VERSION,
    network: new PublicKey(approval.network).toBase58(),
    maker: new PublicKey(approval.maker).toBase58(),
    makerAuthority: new PublicKey(approval.makerAuthority).toBase58(),
    device: new PublicKey(approval.device).toBase58(),
    owner: owner.toBase58(),
    bjjKeyHash: toHex(approval.bjjKeyHash),
    modelId: approval.modelId,
    serial: approval.serial,
    expiresAt: approval.expiresAt.toString(),
    approvalSignature: toHex(approval.signature),
    claimSignature: toHex(claimSignature),
  };
}

/** What a checked bundle registers. */
export interface CheckedBundle {
  bundle: OnboardingBundle;
  approval: SignedApproval;
  claimSignature: Uint8Array;
  owner: PublicKey;
}

export class OnboardingBundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnboardingBundleError';
  }
}

/**
 * Parses a bundle (JSON text or a parsed value) and checks it: its shape, both signatures,
 * the expiry against `nowS`, and, when given, that it is for `network` and for `owner` (the
 * connected wallet). Throws an `OnboardingBundleError` that says what is wrong and what to do.
 */
export function checkOnboardingBundle(
  input: unknown,
  o: { network?: PublicKey; owner?: PublicKey; nowS?: bigint } = {},
): CheckedBundle {
  let raw = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input.trim());
    } catch {
      throw new OnboardingBundleError(
        'this is not an onboarding bundle: expected the JSON the device shows (it starts with {"zkpinOnboarding":1',
      );
    }
  }
  const r = onboardingBundleSchema.safeParse(raw);
  if (!r.success)
    throw new OnboardingBundleError(
      `this is not a zkpin onboarding bundle: ${r.error.issues.map((i) => `${i.path.join('.') || '(bundle)'}: ${i.message}`).join('; ')}`,
    );
  const b = r.data;
  const key = (s: string, what: string) => {
    try {
      return new PublicKey(s);
    } catch {
      throw new OnboardingBundleError(`the bundle's ${what} is not a 32-byte key`);
    }
  };
  const network = key(b.network, 'network');
  const owner = key(b.owner, 'owner');
  const approval: SignedApproval = {
    network: network.toBytes(),
    maker: key(b.maker, 'maker').toBytes(),
    device: key(b.device, 'device').toBytes(),
    bjjKeyHash: fromHex(b.bjjKeyHash),
    modelId: b.modelId,
    serial: b.serial,
    expiresAt: BigInt(b.expiresAt),
    makerAuthority: key(b.makerAuthority, 'maker authority').toBytes(),
    signature: fromHex(b.approvalSignature),
  };
  const claimSignature = fromHex(b.claimSignature);
  if (o.network && !network.equals(o.network))
    throw new OnboardingBundleError(
      `the device was approved for network ${b.network}, not this app's network ${o.network.toBase58()}`,
    );
  if (!ed25519.verify(approval.signature, encodeApprovalMessage(approval), approval.makerAuthority))
    throw new OnboardingBundleError(
      "the maker's approval signature does not verify: the bundle was altered or not issued by this maker",
    );
  const claim = encodeClaimMessage({
    network: approval.network,
    device: approval.device,
    owner: owner.toBytes(),
    maker: approval.maker,
    serial: approval.serial,
  });
  if (!ed25519.verify(claimSignature, claim, approval.device))
    throw new OnboardingBundleError(
      "the device's claim signature does not verify: ask the device for a new bundle",
    );
  if (o.owner && !owner.equals(o.owner))
    throw new OnboardingBundleError(
      `the device made this bundle for ${b.owner}, not for the connected wallet ${o.owner.toBase58()}: give the device this wallet's address and scan its new bundle`,
    );
  const now = o.nowS ?? BigInt(Math.floor(Date.now() / 1000));
  if (approval.expiresAt <= now)
    throw new OnboardingBundleError(
      `the maker's approval expired at ${new Date(Number(approval.expiresAt) * 1000).toISOString()}: ask the maker for a new one`,
    );
  return { bundle: b, approval, claimSignature, owner };
}
