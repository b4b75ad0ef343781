/**
 * The main job (`npm start`). For now: a short local demo on the embedded chain — deploy
 * the built programs into LiteSVM, initialize a network through the Anchor client, and
 * print what happened. The pipeline issue grows this into the full local network.
 */
import { Keypair } from '@solana/web3.js';
import {
  DEVICE_REGISTRY_PROGRAM_ID,
  LocalChain,
  deviceRegistryProgram,
  networkPda,
  programPath,
} from '@zkpin/sdk';

async function main() {
  const chain = new LocalChain();
  chain.deploy(DEVICE_REGISTRY_PROGRAM_ID, programPath('device_registry'));
  console.log(`chain        embedded LiteSVM, device_registry at ${DEVICE_REGISTRY_PROGRAM_ID.toBase58()}`);

  const authority = chain.fundedKeypair(10);
  const oracles = [Keypair.generate(), Keypair.generate()];
  const provider = chain.provider(authority);
  const registry = deviceRegistryProgram(provider);
  console.log(`authority    ${authority.publicKey.toBase58()} (funded with 10 SOL)`);

  const signature = await registry.methods
    .initializeNetwork({ oracles: oracles.map((o) => o.publicKey), permissionless: false })
    .accounts({ authority: authority.publicKey })
    .rpc();
  const result = provider.lastResult!;
  const pda = networkPda(authority.publicKey);
  const network = await registry.account.network.fetch(pda);
  console.log(`tx           ${signature} (${result.computeUnits} CU)`);
  console.log(`network      ${pda.toBase58()} (${chain.getAccountInfo(pda)!.data.length} bytes, rent-exempt)`);
  console.log(`oracles      ${network.oracles.slice(0, network.oracleCount).map((o) => o.toBase58()).join(', ')}`);
  console.log(`program log  ${result.logs.filter((l) => l.startsWith('Program data:')).length} event(s): NetworkInitialized`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
