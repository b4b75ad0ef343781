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
 *
 * Before a device meets its owner it carries the maker's approval alone. A maker's
 * provisioning line (or the app's maker page) reads each device's provisioning request,
 * `<device base58> <bjjKeyHash hex>` on a line, and hands back one approval per device:
 *
 * ```text
 * { "zkpinApproval": 1, "network", "maker", "makerAuthority", "device", "bjjKeyHash",
 *   "modelId", "serial", "expiresAt", "approvalSignature" }
 * ```
 * in a JSON array for a batch. Firmware keeps its own entry and adds its claim once it knows
 * the owner (`onboardingBundle`).
 */
import { ed25519 } from '@noble/curves/ed25519';
import { PublicKey } from '@solana/web3.js';
import { z } from 'zod';
import { fromHex, toHex } from './field.ts';
import {
  encodeApprovalMessage,
  encodeClaimMessage,
  type ApprovalFields,
  type SignedApproval,
} from './onboarding.ts';

export const ONBOARDING_BUNDLE_VERSION = 1;
export const DEVICE_APPROVAL_VERSION = 1;

const base58 = z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, 'expected a base58 key');
const hex = (bytes: number) =>
  z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `expected ${bytes} bytes of hex`);

/** The maker's approval of one device, as both formats below carry it. */
const approvalJsonFields = {
  network: base58,
  /** The Maker account (PDA). */
  maker: base58,
  /** The maker's authority key, which signed the approval. */
  makerAuthority: base58,
  device: base58,
  bjjKeyHash: hex(32),
  modelId: z.number().int().min(0).max(0xffff_ffff),
  serial: z.number().int().min(0).max(0xffff_ffff),
  expiresAt: z.string().regex(/^-?[0-9]{1,19}$/),
  approvalSignature: hex(64),
};
type ApprovalJsonFields = z.infer<z.ZodObject<typeof approvalJsonFields>>;

export const onboardingBundleSchema = z.strictObject({
  zkpinOnboarding: z.literal(ONBOARDING_BUNDLE_VERSION),
  ...approvalJsonFields,
  owner: base58,
  claimSignature: hex(64),
});
export type OnboardingBundle = z.infer<typeof onboardingBundleSchema>;

/** A maker's approval of one device key, as the device carries it until it meets its owner. */
export const deviceApprovalSchema = z.strictObject({
  zkpinApproval: z.literal(DEVICE_APPROVAL_VERSION),
  ...approvalJsonFields,
});
export type DeviceApprovalJson = z.infer<typeof deviceApprovalSchema>;

export class OnboardingBundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnboardingBundleError';
  }
}

function approvalToJson(a: SignedApproval): ApprovalJsonFields {
  return {
    network: new PublicKey(a.network).toBase58(),
    maker: new PublicKey(a.maker).toBase58(),
    makerAuthority: new PublicKey(a.makerAuthority).toBase58(),
    device: new PublicKey(a.device).toBase58(),
    bjjKeyHash: toHex(a.bjjKeyHash),
    modelId: a.modelId,
    serial: a.serial,
    expiresAt: a.expiresAt.toString(),
    approvalSignature: toHex(a.signature),
  };
}

/** A key of a parsed bundle or approval: base58 of the right alphabet may still not be 32 bytes. */
function keyOf(s: string, what: string): PublicKey {
  try {
    return new PublicKey(s);
  } catch {
    throw new OnboardingBundleError(`the ${what} is not a 32-byte key`);
  }
}

/** The approval in parsed JSON, its keys checked to be 32 bytes (not yet its signature). */
function approvalFromJson(j: ApprovalJsonFields): SignedApproval {
  return {
    network: keyOf(j.network, 'network').toBytes(),
    maker: keyOf(j.maker, 'maker').toBytes(),
    device: keyOf(j.device, 'device').toBytes(),
    bjjKeyHash: fromHex(j.bjjKeyHash),
    modelId: j.modelId,
    serial: j.serial,
    expiresAt: BigInt(j.expiresAt),
    makerAuthority: keyOf(j.makerAuthority, 'maker authority').toBytes(),
    signature: fromHex(j.approvalSignature),
  };
}

function approvalVerifies(a: SignedApproval): boolean {
  return ed25519.verify(a.signature, encodeApprovalMessage(a), a.makerAuthority);
}

export function deviceApprovalJson(approval: SignedApproval): DeviceApprovalJson {
  return { zkpinApproval: DEVICE_APPROVAL_VERSION, ...approvalToJson(approval) };
}

/**
 * An approval signed elsewhere (a wallet's `signMessage` over `encodeApprovalMessage(fields)`),
 * checked: throws when the signature is not `makerAuthority`'s over exactly these fields.
 */
export function checkedApproval(
  fields: ApprovalFields,
  makerAuthority: PublicKey,
  signature: Uint8Array,
): SignedApproval {
  const approval = { ...fields, makerAuthority: makerAuthority.toBytes(), signature };
  if (!approvalVerifies(approval))
    throw new OnboardingBundleError(
      `the signature for device ${new PublicKey(fields.device).toBase58()} is not ${makerAuthority.toBase58()}'s over its approval`,
    );
  return approval;
}

/**
 * The approval for `device` in a maker's approvals (one object or an array, JSON text or
 * parsed), its signature checked. Throws an `OnboardingBundleError` saying what is wrong.
 */
export function findDeviceApproval(input: unknown, device: PublicKey): SignedApproval {
  let raw = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch {
      throw new OnboardingBundleError('the approvals are not JSON');
    }
  }
  const list = z.array(deviceApprovalSchema).safeParse(Array.isArray(raw) ? raw : [raw]);
  if (!list.success)
    throw new OnboardingBundleError(
      `these are not zkpin device approvals: ${list.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const a = list.data.find((x) => x.device === device.toBase58());
  if (!a) throw new OnboardingBundleError(`no approval for device ${device.toBase58()}`);
  const approval = approvalFromJson(a);
  if (!approvalVerifies(approval))
    throw new OnboardingBundleError(
      `the approval of device ${a.device} does not verify against maker authority ${a.makerAuthority}`,
    );
  return approval;
}

/** One device a maker is asked to approve: its ed25519 key and its BabyJubJub key hash. */
export interface ProvisioningRequest {
  device: PublicKey;
  bjjKeyHash: Uint8Array;
}

/** `<device base58> <bjjKeyHash hex>`: the line a device (or the simulator) prints. */
export function provisioningRequestLine(device: PublicKey, bjjKeyHash: Uint8Array): string {
  return `${device.toBase58()} ${toHex(bjjKeyHash)}`;
}

/**
 * Provisioning requests, one per line (`<device> <bjjKeyHash>`, separated by spaces, a comma
 * or a tab; blank lines and `#` comments skipped). Every bad line is reported with its number;
 * a device listed twice is refused (it would burn two approvals).
 */
export function parseProvisioningRequests(text: string): {
  requests: ProvisioningRequest[];
  errors: string[];
} {
  const requests: ProvisioningRequest[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const parts = line.split(/[\s,]+/);
    const [key, hash] = parts;
    if (parts.length !== 2 || !key || !hash) {
      errors.push(`line ${i + 1}: expected "<device key> <BabyJubJub key hash>"`);
      return;
    }
    let device: PublicKey;
    try {
      if (!base58.safeParse(key).success) throw new Error();
      device = new PublicKey(key);
    } catch {
      errors.push(`line ${i + 1}: ${key.slice(0, 48)} is not a device key (base58)`);
      return;
    }
    if (!/^[0-9a-f]{64}$/.test(hash)) {
      errors.push(`line ${i + 1}: the BabyJubJub key hash must be 32 bytes of lower-case hex`);
      return;
    }
    if (seen.has(key)) {
      errors.push(`line ${i + 1}: device ${key} is listed twice`);
      return;
    }
    seen.add(key);
    requests.push({ device, bjjKeyHash: fromHex(hash) });
  });
  return { requests, errors };
}

/** A bundle from a maker's signed approval and the device's claim for `owner`. */
export function onboardingBundle(
  approval: SignedApproval,
  claimSignature: Uint8Array,
  owner: PublicKey,
): OnboardingBundle {
  return {
    zkpinOnboarding: ONBOARDING_BUNDLE_VERSION,
    ...approvalToJson(approval),
    owner: owner.toBase58(),
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
  const owner = keyOf(b.owner, 'owner');
  const approval = approvalFromJson(b);
  const network = new PublicKey(approval.network);
  const claimSignature = fromHex(b.claimSignature);
  if (o.network && !network.equals(o.network))
    throw new OnboardingBundleError(
      `the device was approved for network ${b.network}, not this app's network ${o.network.toBase58()}`,
    );
  if (!approvalVerifies(approval))
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
