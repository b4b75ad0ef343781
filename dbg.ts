import { PublicKey } from '@solana/web3.js';
import { startRpcNetwork } from './scripts/lib/rpc-network.ts';
const net = await startRpcNetwork({ devices: 2, rate: 0, slotMs: 200 });
const c = net.chain.connection;
const count = async (label: string) => {
  for (const [n, a] of [['network', net.network], ['deviceTree', new PublicKey(net.manifest.trees.device.address)], ['recordTree', new PublicKey(net.manifest.trees.record.address)], ['registry', net.programIds.deviceRegistry], ['attestation', net.programIds.inferenceAttestation]] as const) {
    const s = await c.getSignaturesForAddress(a, { limit: 1000 }, 'confirmed');
    console.log(label, n, s.length, s.slice(0, 3).map((x) => `${x.signature.slice(0, 6)}@${x.slot}`).join(' '));
  }
};
await count('after setup:');
await net.sim.publishOne();
while (net.follower.records < 1) await new Promise((r) => setTimeout(r, 250));
await count('after 1 attestation:');
await net.sim.onboard(1);
await count('after 3rd registration:');
await net.stop(); process.exit(0);
