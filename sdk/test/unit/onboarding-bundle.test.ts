/**
 * The onboarding bundle (onboarding-bundle.ts): what a device hands its owner. A bundle made
 * by a maker and a device checks; each way it can be wrong is refused in words before anything
 * is signed: not JSON, not a bundle, altered (either signature), for another wallet, for
 * another network, expired. A maker's approvals file and the provisioning requests it answers:
 * round trip, altered entries and bad lines refused.
 */
import { Keypair, PublicKey } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import { DeviceEd25519Key } from '../../src/device-keys.ts';
import { encodeApprovalMessage, signApproval, signClaim } from '../../src/onboarding.ts';
import {
  OnboardingBundleError,
  checkOnboardingBundle,
  checkedApproval,
  deviceApprovalJson,
  findDeviceApproval,
  onboardingBundle,
  parseProvisioningRequests,
  provisioningRequestLine,
} from '../../src/onboarding-bundle.ts';

const network = Keypair.generate().publicKey;
const maker = new DeviceEd25519Key(new Uint8Array(32).fill(3));
const device = new DeviceEd25519Key(new Uint8Array(32).fill(4));
const owner = Keypair.generate().publicKey;
const approval = signApproval(maker, {
  network: network.toBytes(),
  maker: Keypair.generate().publicKey.toBytes(),
  device: device.publicKey,
  bjjKeyHash: new Uint8Array(32).fill(7),
  modelId: 1,
  serial: 12,
  expiresAt: 2_000_000_000n,
});
const bundle = (who: PublicKey = owner) =>
  onboardingBundle(approval, signClaim(device, approval, who.toBytes()), who);
const nowS = 1_900_000_000n;

describe('onboarding bundle', () => {
  it('checks a bundle the maker and the device made, from JSON text or a value', () => {
    const c = checkOnboardingBundle(JSON.stringify(bundle()), { network, owner, nowS });
    expect(c.owner.equals(owner)).toBe(true);
    expect(c.approval.serial).toBe(12);
    expect(c.bundle.device).toBe(new PublicKey(device.publicKey).toBase58());
    expect(checkOnboardingBundle(bundle(), { nowS }).bundle).toEqual(bundle());
  });

  it('refuses, in words, each way a bundle can be wrong', () => {
    const refused = (input: unknown, o: Parameters<typeof checkOnboardingBundle>[1] = {}) => {
      try {
        checkOnboardingBundle(input, { nowS, ...o });
      } catch (e) {
        expect(e).toBeInstanceOf(OnboardingBundleError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refused('hello')).toMatch(/not an onboarding bundle/);
    expect(refused({ ...bundle(), modelId: 'one' })).toMatch(/modelId/);
    expect(refused({ ...bundle(), extra: 1 })).toMatch(/not a zkpin onboarding bundle/);
    expect(refused({ ...bundle(), modelId: 2 })).toMatch(/approval signature does not verify/);
    expect(refused({ ...bundle(), owner: Keypair.generate().publicKey.toBase58() })).toMatch(
      /claim signature does not verify/,
    );
    expect(refused(bundle(Keypair.generate().publicKey), { owner })).toMatch(
      /not for the connected wallet/,
    );
    expect(refused(bundle(), { network: Keypair.generate().publicKey })).toMatch(
      /approved for network .* not this app's network/,
    );
    expect(refused(bundle(), { nowS: 2_000_000_000n })).toMatch(/approval expired/);
  });

  it("a maker's approvals file: each device finds its own, checked; altered or absent is refused", () => {
    const other = new DeviceEd25519Key(new Uint8Array(32).fill(5));
    const otherApproval = signApproval(maker, { ...approval, device: other.publicKey, serial: 13 });
    const file = JSON.stringify([deviceApprovalJson(approval), deviceApprovalJson(otherApproval)]);
    const mine = findDeviceApproval(file, new PublicKey(device.publicKey));
    expect(mine.serial).toBe(12);
    expect(Buffer.from(mine.signature)).toEqual(Buffer.from(approval.signature));
    // From the approval, the device's bundle checks as one the maker's key line made.
    const b = onboardingBundle(mine, signClaim(device, mine, owner.toBytes()), owner);
    expect(checkOnboardingBundle(b, { owner, nowS }).approval.serial).toBe(12);
    expect(
      findDeviceApproval((JSON.parse(file) as unknown[])[1], new PublicKey(other.publicKey)).serial,
    ).toBe(13);

    const altered = JSON.stringify([{ ...deviceApprovalJson(approval), serial: 99 }]);
    expect(() => findDeviceApproval(altered, new PublicKey(device.publicKey))).toThrow(
      /does not verify/,
    );
    expect(() => findDeviceApproval(file, Keypair.generate().publicKey)).toThrow(/no approval/);
    expect(() => findDeviceApproval('[{"zkpinApproval":2}]', owner)).toThrow(
      /not zkpin device approvals/,
    );
    expect(() => findDeviceApproval('{', owner)).toThrow(/not JSON/);
  });

  it('an approval signed elsewhere (a wallet) is accepted only from the maker authority, over these fields', () => {
    const fields = { ...approval, serial: 40 };
    const authority = new PublicKey(maker.publicKey);
    const sig = maker.sign(encodeApprovalMessage(fields));
    expect(checkedApproval(fields, authority, sig).serial).toBe(40);
    expect(() => checkedApproval({ ...fields, serial: 41 }, authority, sig)).toThrow(
      OnboardingBundleError,
    );
    expect(() => checkedApproval(fields, owner, sig)).toThrow(/is not/);
  });

  it('provisioning requests: one device per line; every bad line reported by number', () => {
    const hash = new Uint8Array(32).fill(9);
    const a = Keypair.generate().publicKey;
    const b = Keypair.generate().publicKey;
    const ok = parseProvisioningRequests(
      `# batch 7\n${provisioningRequestLine(a, hash)}\n\n${a.toBase58()},${'ab'.repeat(32)}\r\n`.replace(
        `${a.toBase58()},`,
        `${b.toBase58()},`,
      ),
    );
    expect(ok.errors).toEqual([]);
    expect(ok.requests.map((r) => r.device.toBase58())).toEqual([a.toBase58(), b.toBase58()]);
    expect(Buffer.from(ok.requests[0]!.bjjKeyHash)).toEqual(Buffer.from(hash));

    const bad = parseProvisioningRequests(
      [
        provisioningRequestLine(a, hash),
        'just-one-token',
        `0OIl ${'ab'.repeat(32)}`,
        `${b.toBase58()} ${'AB'.repeat(32)}`,
        provisioningRequestLine(a, hash),
      ].join('\n'),
    );
    expect(bad.requests).toHaveLength(1);
    expect(bad.errors).toEqual([
      'line 2: expected "<device key> <BabyJubJub key hash>"',
      'line 3: 0OIl is not a device key (base58)',
      'line 4: the BabyJubJub key hash must be 32 bytes of lower-case hex',
      `line 5: device ${a.toBase58()} is listed twice`,
    ]);
  });
});
