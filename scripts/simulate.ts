/**
 * `npm run simulate -- --devices N --rate R [--duration S]`: simulated devices against a
 * real cluster. Sets up a network with a maker and the development model (the authority
 * keypair pays), onboards N devices (device + maker signatures, a funded owner wallet each)
 * and publishes signed readings over MQTT (QoS 1) with anomalies, until Ctrl-C.
 *
 * Env: SOLANA_RPC_URL (required), ZKPIN_AUTHORITY_KEYPAIR (JSON secret key file, required),
 * MQTT_URL (default mqtt://127.0.0.1:1883), SIM_MQTT_USERNAME / SIM_MQTT_PASSWORD (sent by every
 * device connection, for brokers that authenticate devices; each device connects with its
 * device key in hex as client id). On one machine, `npm start -- --devices N
 * --rate R` runs the same simulator inside the full local network instead.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AnchorProvider, Wallet } from '@coral-xyz/anchor';
import { Keypair, SystemProgram, Transaction } from '@solana/web3.js';
import {
  RpcChain,
  bjjKeyHashBytes,
  deviceRegistryProgram,
  encodeVerifyingKey,
  fromHex,
  registerDeviceInstructions,
  registerModel,
  setUpNetwork,
  LOCAL_NETWORK_SHARDS,
  deviceTreeFor,
} from '@zkpin/sdk';
import { allDevProverArtifacts } from '@zkpin/oracle/prover';
import { DeviceSimulator, shippedSimulatedModels } from './lib/simulator.ts';

const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '4' },
    rate: { type: 'string', default: '1' },
    duration: { type: 'string' },
  },
});

async function main() {
  const rpc = process.env.SOLANA_RPC_URL;
  const keyPath = process.env.ZKPIN_AUTHORITY_KEYPAIR;
  if (!rpc || !keyPath) {
    throw new Error(
      'set SOLANA_RPC_URL and ZKPIN_AUTHORITY_KEYPAIR (a funded keypair file) to simulate devices on a cluster; ' +
        'on this machine, `npm start -- --devices N --rate R` runs them inside the local network',
    );
  }
  const authority = Keypair.fromSecretKey(
    Uint8Array.from(JSON.parse(readFileSync(keyPath, 'utf8')) as number[]),
  );
  const chain = new RpcChain(rpc);
  const provider = new AnchorProvider(chain.connection, new Wallet(authority), {
    commitment: 'confirmed',
  });
  const registry = deviceRegistryProgram(provider);
  // Every shipped model: the first with the network, the others registered after it.
  const [first, ...others] = await allDevProverArtifacts();
  const setup = await setUpNetwork(registry, {
    authority,
    verifyingKey: encodeVerifyingKey(first!.vk),
    onnxSha256: fromHex(first!.onnxSha256),
    modelId: first!.modelId,
    window: first!.window,
    classes: first!.classes,
    shards: LOCAL_NETWORK_SHARDS,
  });
  for (const a of others)
    await registerModel(registry, {
      authority: authority.publicKey,
      network: setup.network,
      modelId: a.modelId,
      verifyingKey: encodeVerifyingKey(a.vk),
      onnxSha256: fromHex(a.onnxSha256),
      window: a.window,
      classes: a.classes,
    });
  console.log(`network ${setup.network.toBase58()}`);
  const sim = new DeviceSimulator({
    setup,
    models: shippedSimulatedModels([first!, ...others].map((a) => a.modelId)),
    // Each device gets an owner wallet with 0.01 SOL from the authority, which pays the fees.
    register: async (keys, modelId) => {
      const owner = Keypair.generate();
      const fund = SystemProgram.transfer({
        fromPubkey: authority.publicKey,
        toPubkey: owner.publicKey,
        lamports: 10_000_000,
      });
      await chain.send(new Transaction().add(fund), [authority]);
      const ixs = await registerDeviceInstructions(registry, {
        network: setup.network,
        owner: owner.publicKey,
        maker: setup.maker,
        makerSigner: setup.makerKey,
        deviceSigner: keys.ed25519,
        bjjKeyHash: bjjKeyHashBytes(keys.babyJub.publicKey),
        modelId,
        deviceTree: deviceTreeFor(keys.ed25519.publicKey, setup.deviceTrees),
      });
      await chain.send(new Transaction().add(...ixs), [authority, owner]);
      return owner;
    },
    mqttUrl: process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883',
    mqttUsername: process.env.SIM_MQTT_USERNAME,
    mqttPassword: process.env.SIM_MQTT_PASSWORD,
  });
  await sim.onboard(Number(args.devices));
  await sim.connect();
  sim.start(Number(args.rate));
  console.log(`${args.devices} devices onboarded; publishing ${args.rate} reading(s)/s`);
  const stop = async () => {
    await sim.stop();
    console.log(`published ${sim.published} readings: ${JSON.stringify(sim.byClass)}`);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  if (args.duration) setTimeout(() => void stop(), Number(args.duration) * 1000);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
