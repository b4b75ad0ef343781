/**
 * device_registry through @coral-xyz/anchor: the Program is built from the generated IDL,
 * transactions go to the built .so in LiteSVM, accounts and events are decoded by Anchor's
 * coder, and program errors come back as the IDL's named errors.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type Program } from '@coral-xyz/anchor';
import { Keypair, Transaction } from '@solana/web3.js';
import {
  DEVICE_REGISTRY_PROGRAM_ID,
  deviceRegistryProgram,
  networkPda,
  type DeviceRegistry,
  parseProgramEvents,
} from '@zkpin/sdk';
import {
  localChainWithPrograms,
  type LocalChain,
  type LocalChainProvider,
} from '@zkpin/sdk/testing';

/** Compute-unit ceiling asserted here and reported by `npm run bench:programs`. */
export const INITIALIZE_NETWORK_CU_CEILING = 12_000;

let chain: LocalChain;
let authority: Keypair;
let provider: LocalChainProvider;
let program: Program<DeviceRegistry>;

beforeEach(() => {
  chain = localChainWithPrograms();
  // A fixed authority: the PDA bump search, and so the compute units, depend on the key
  // (bench/programs.ts uses the same one).
  authority = Keypair.fromSeed(new Uint8Array(32).fill(7));
  chain.airdrop(authority.publicKey, 100);
  provider = chain.provider(authority);
  program = deviceRegistryProgram(provider);
});

async function expectProgramError(p: Promise<unknown>, name: string, code: number) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected ${name}`).toBeTruthy();
  expect(String(err)).toContain(`${name}`);
  expect((err as { code?: number }).code).toBe(code);
}

describe('initialize_network', () => {
  it('creates the network PDA, decoded by the Anchor coder, and emits NetworkInitialized', async () => {
    const oracles = Array.from(
      { length: 8 },
      (_, i) => Keypair.fromSeed(new Uint8Array(32).fill(100 + i)).publicKey,
    );
    await program.methods
      .initializeNetwork({ oracles, permissionless: false })
      .accounts({ authority: authority.publicKey })
      .rpc();

    const cu = provider.lastResult!.computeUnits;
    expect(cu).toBeLessThanOrEqual(INITIALIZE_NETWORK_CU_CEILING);

    const pda = networkPda(authority.publicKey);
    const network = await program.account.network.fetch(pda);
    expect(network.authority.toBase58()).toBe(authority.publicKey.toBase58());
    expect(network.oracleCount).toBe(8);
    expect(network.oracles.map((o) => o.toBase58())).toEqual(oracles.map((o) => o.toBase58()));
    expect(network.permissionless).toBe(false);
    expect(network.devices.toNumber()).toBe(0);
    const info = chain.getAccountInfo(pda)!;
    expect(info.owner.toBase58()).toBe(DEVICE_REGISTRY_PROGRAM_ID.toBase58());
    expect(info.lamports).toBe(chain.rentExempt(info.data.length));

    const events = parseProgramEvents(
      provider.lastResult!.innerInstructions,
      program.programId,
      program.coder,
    );
    expect(events).toHaveLength(1);
    expect(events[0]!.name).toBe('networkInitialized');
    const data = events[0]!.data as {
      network: { toBase58(): string };
      oracles: unknown[];
      permissionless: boolean;
    };
    expect(data.network.toBase58()).toBe(pda.toBase58());
    expect(data.oracles).toHaveLength(8);
    expect(data.permissionless).toBe(false);
  });

  it('works for a permissionless network with no oracles', async () => {
    // An empty oracle list is valid: anyone may submit on a permissionless network.
    await program.methods
      .initializeNetwork({ oracles: [], permissionless: true })
      .accounts({ authority: authority.publicKey })
      .rpc();
    const network = await program.account.network.fetch(networkPda(authority.publicKey));
    expect(network.permissionless).toBe(true);
    expect(network.oracleCount).toBe(0);
  });

  it('refuses a second initialization', async () => {
    await program.methods
      .initializeNetwork({ oracles: [], permissionless: false })
      .accounts({ authority: authority.publicKey })
      .rpc();
    await expectProgramError(
      program.methods
        .initializeNetwork({ oracles: [], permissionless: true })
        .accounts({ authority: authority.publicKey })
        .rpc(),
      'already initialized',
      6002,
    );
  });

  it('refuses more than 8 oracles and duplicate oracles', async () => {
    const nine = Array.from({ length: 9 }, () => Keypair.generate().publicKey);
    await expectProgramError(
      program.methods
        .initializeNetwork({ oracles: nine, permissionless: false })
        .accounts({ authority: authority.publicKey })
        .rpc(),
      'At most 8 oracles',
      6003,
    );
    const o = Keypair.generate().publicKey;
    await expectProgramError(
      program.methods
        .initializeNetwork({ oracles: [o, o], permissionless: false })
        .accounts({ authority: authority.publicKey })
        .rpc(),
      'distinct',
      6004,
    );
  });

  it('refuses a network account that is not the PDA of the authority', async () => {
    const other = Keypair.generate().publicKey;
    await expectProgramError(
      program.methods
        .initializeNetwork({ oracles: [], permissionless: false })
        .accountsPartial({ authority: authority.publicKey, network: networkPda(other) })
        .rpc(),
      'program-derived address',
      6001,
    );
  });

  it('refuses an authority that did not sign', async () => {
    const payer = chain.fundedKeypair();
    const ix = await program.methods
      .initializeNetwork({ oracles: [], permissionless: false })
      .accounts({ authority: authority.publicKey })
      .instruction();
    ix.keys[0]!.isSigner = false;
    expect(() => chain.send(new Transaction().add(ix), [payer])).toThrow(
      /MissingRequiredSignature|signature/i,
    );
  });
});
