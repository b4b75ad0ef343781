/**
 * The onboarding bundle (onboarding-bundle.ts): what a device hands its owner. A bundle made
 * by a maker and a device checks; each way it can be wrong is refused in words before anything
 * is signed: not JSON, not a bundle, altered (either signature), for another wallet, for
 * another network, expired.
 */
import { Keypair, PublicKey } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import { DeviceEd25519Key } from '../../src/device-keys.ts';
import { signApproval, signClaim } from '../../src/onboarding.ts';
import {
  OnboardingBundleError,
  checkOnboardingBundle,
  onboardingBundle,
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
});
