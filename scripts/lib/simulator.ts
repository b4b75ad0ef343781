/**
 * Device simulator: creates device keys (ed25519 + BabyJubJub) and owner wallets, onboards
 * the devices with the maker's approval (both signatures, the owner signs the transaction),
 * then publishes signed readings over MQTT (QoS 1) with realistic sensor windows of each
 * device's model (its window length and classes) — mostly normal, with the anomalies the
 * model should flag. Devices are spread over the given models round robin.
 *
 * Each device has its own MQTT connection with its device key (hex) as client id, as real
 * devices do: the broker's ACL lets a client publish only to its own readings topic.
 */
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { Keypair } from '@solana/web3.js';
import {
  signReading,
  signedReadingToJson,
  type DeviceKeys,
  type NetworkSetup,
  readingsTopic,
} from '@zkpin/sdk';
import { generateDeviceKeys } from '@zkpin/sdk/node';
import { ANOMALY_RECIPE, recipeByName, rng, type ModelRecipe } from '../../circuits/model/train.ts';
import { modelSpecById } from '../../circuits/tools/models.ts';

/** A model the simulated devices run: its id and the recipe its windows are drawn from. */
export interface SimulatedModel {
  modelId: number;
  recipe: ModelRecipe;
}

/** The shipped models registered under `modelIds`, with their recipes. */
export function shippedSimulatedModels(modelIds: readonly number[]): SimulatedModel[] {
  return modelIds.map((modelId) => {
    const spec = modelSpecById(modelId);
    if (!spec) throw new Error(`model ${modelId} is not a shipped model: no recipe to simulate it`);
    return { modelId, recipe: recipeByName(spec.name) };
  });
}

export interface SimulatedDevice {
  keys: DeviceKeys;
  owner: Keypair;
  hex: string;
  seq: bigint;
  model: SimulatedModel;
}

export interface SimulatorOptions {
  setup: Pick<NetworkSetup, 'network' | 'modelId'>;
  /** The models devices run, round robin (default: the reference model as `setup.modelId`). */
  models?: readonly SimulatedModel[];
  /**
   * Onboards a device with these keys (maker approval, device claim, register_device) for a
   * new, funded owner wallet and the device's model, and returns that owner.
   */
  register: (keys: DeviceKeys, modelId: number) => Promise<Keypair>;
  mqttUrl: string;
  /** Sent by every device connection, for brokers that authenticate devices. */
  mqttUsername?: string;
  mqttPassword?: string;
  /** Share of readings that are anomalies (any class but the first), default 0.15. */
  anomalyRate?: number;
  seed?: number;
}

export class DeviceSimulator {
  readonly devices: SimulatedDevice[] = [];
  published = 0;
  /** Publish time (ms) of every reading, by `<device hex>-<seq>`. */
  readonly publishedAt = new Map<string, number>();
  /** Readings published per `<model name>/<class name>`. */
  readonly byClass: Record<string, number>;
  readonly models: readonly SimulatedModel[];
  private readonly clients = new Map<string, MqttClient>();
  private timer: NodeJS.Timeout | undefined;
  private readonly rand: () => number;
  private next = 0;

  constructor(private readonly o: SimulatorOptions) {
    this.rand = rng(o.seed ?? 7);
    this.models = o.models ?? [{ modelId: o.setup.modelId, recipe: ANOMALY_RECIPE }];
    this.byClass = Object.fromEntries(
      this.models.flatMap((m) => m.recipe.classes.map((c) => [`${m.recipe.name}/${c}`, 0])),
    );
  }

  async onboard(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const model = this.models[this.devices.length % this.models.length]!;
      const keys = await generateDeviceKeys();
      const owner = await this.o.register(keys, model.modelId);
      this.devices.push({
        keys,
        owner,
        hex: Buffer.from(keys.ed25519.publicKey).toString('hex'),
        seq: 0n,
        model,
      });
    }
  }

  /** Connects every onboarded device that has no connection yet. */
  async connect(): Promise<void> {
    for (const d of this.devices) {
      if (this.clients.has(d.hex)) continue;
      this.clients.set(
        d.hex,
        await mqtt.connectAsync(this.o.mqttUrl, {
          clientId: d.hex,
          username: this.o.mqttUsername,
          password: this.o.mqttPassword,
          connectTimeout: 5_000,
          reconnectPeriod: 1_000,
        }),
      );
    }
  }

  private pickClass(classes: number): number {
    const anomaly = this.o.anomalyRate ?? 0.15;
    return this.rand() < anomaly ? 1 + Math.floor(this.rand() * (classes - 1)) : 0;
  }

  /** One signed reading from the next device (round robin), published with QoS 1. */
  async publishOne(): Promise<void> {
    const device = this.devices[this.next++ % this.devices.length]!;
    const client = this.clients.get(device.hex);
    if (!client) throw new Error('connect() first');
    const { recipe, modelId } = device.model;
    const cls = this.pickClass(recipe.classes.length);
    device.seq += 1n;
    const reading = signReading(device.keys, {
      network: this.o.setup.network.toBytes(),
      seq: device.seq,
      timestamp: BigInt(Math.floor(Date.now() / 1000)),
      modelId,
      readings: recipe.sample(this.rand, cls),
      salt: randomBytes(32),
    });
    const topic = readingsTopic(this.o.setup.network.toBuffer().toString('hex'), device.hex);
    this.publishedAt.set(`${device.hex}-${device.seq}`, Date.now());
    await client.publishAsync(topic, JSON.stringify(signedReadingToJson(reading)), { qos: 1 });
    this.published += 1;
    this.byClass[`${recipe.name}/${recipe.classes[cls]!}`]! += 1;
  }

  /**
   * Readings of the simulated devices that are on-chain, per model (`"model <id>"`), as
   * `isRecorded` (a network replica's) tells.
   */
  recordsByModel(
    isRecorded: (deviceHex: string, seq: bigint) => boolean | undefined,
  ): Record<string, number> {
    const out: Record<string, number> = Object.fromEntries(
      this.models.map((m) => [`model ${m.modelId}`, 0]),
    );
    for (const d of this.devices)
      for (let seq = 1n; seq <= d.seq; seq++)
        if (isRecorded(d.hex, seq)) out[`model ${d.model.modelId}`]! += 1;
    return out;
  }

  /** Publishes `ratePerSecond` readings a second across all devices until stop(). */
  start(ratePerSecond: number): void {
    const interval = Math.max(5, 1000 / ratePerSecond);
    const perTick = Math.max(1, Math.round((ratePerSecond * interval) / 1000));
    this.timer = setInterval(() => {
      for (let i = 0; i < perTick; i++)
        this.publishOne().catch((e: unknown) => console.error('publish failed:', e));
    }, interval);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.clients.values()].map((c) => c.endAsync()));
    this.clients.clear();
  }
}
