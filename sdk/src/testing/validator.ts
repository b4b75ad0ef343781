/**
 * A local Solana JSON-RPC node for tests, benchmarks and the local network: the
 * `zkpin-validator` binary (tools/validator: an offline surfnet on surfpool-core), built and
 * cached by scripts/setup.sh. Each call starts its own on free ports, with its own ledger.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LAMPORTS_PER_SOL, type Connection, type PublicKey } from '@solana/web3.js';
import {
  LOADER_V3_PROGRAM_ID,
  PROGRAMDATA_HEADER_BYTES,
  programDataAddress,
} from '../loader-v3.ts';

/** Where scripts/setup.sh installs the binary (`$ZKPIN_CACHE_DIR`, default ~/.cache/zkpin). */
export function validatorBinary(cacheDir = join(homedir(), '.cache', 'zkpin')): string {
  return join(cacheDir, 'bin', 'zkpin-validator');
}

export interface LocalValidator {
  rpcUrl: string;
  wsUrl: string;
  readonly process: ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartValidatorOptions {
  binary?: string;
  /** Keep the chain in `<ledger>/surfnet.sqlite` (a restart on the same ledger resumes it). */
  ledger?: string;
  /** Slot time (default 400 ms, as on clusters). */
  slotMs?: number;
  /** Ports (default: free ones). */
  rpcPort?: number;
  wsPort?: number;
  /** How long to wait for `ready` (default 60 s). */
  readyTimeoutMs?: number;
}

/** A free TCP port on 127.0.0.1 (closed again: the caller binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function startValidator(o: StartValidatorOptions = {}): Promise<LocalValidator> {
  const binary = o.binary ?? validatorBinary();
  if (!existsSync(binary))
    throw new Error(
      `${binary} is missing: run \`bash scripts/setup.sh\` (it builds zkpin-validator)`,
    );
  const rpcPort = o.rpcPort ?? (await freePort());
  const wsPort = o.wsPort ?? (await freePort());
  const args = ['--rpc-port', String(rpcPort), '--ws-port', String(wsPort)];
  if (o.ledger) args.push('--ledger', o.ledger);
  if (o.slotMs) args.push('--slot-ms', String(o.slotMs));
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (l) => {
    stderr.push(l);
    if (stderr.length > 40) stderr.shift();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const ready = await new Promise<{ rpcUrl: string; wsUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `zkpin-validator not ready after ${o.readyTimeoutMs ?? 60_000} ms:\n${stderr.join('\n')}`,
        ),
      );
    }, o.readyTimeoutMs ?? 60_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /^ready (\S+) (\S+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve({ rpcUrl: m[1]!, wsUrl: m[2]! });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(
        new Error(`zkpin-validator exited (${code}) before it was ready:\n${stderr.join('\n')}`),
      );
    });
  });
  return {
    ...ready,
    process: child,
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}

/**
 * Writes an account as given, through surfpool's `surfnet_setAccount` cheatcode (test setups
 * only: no cluster has it).
 */
export async function setValidatorAccount(
  rpcUrl: string,
  address: PublicKey,
  account: { data: Uint8Array; owner: PublicKey; executable?: boolean; lamports?: number },
): Promise<void> {
  const res = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'surfnet_setAccount',
      params: [
        address.toBase58(),
        {
          lamports: account.lamports ?? (128 + account.data.length) * 6960, // rent-exempt
          data: Buffer.from(account.data).toString('hex'),
          owner: account.owner.toBase58(),
          executable: account.executable ?? false,
          rent_epoch: 0,
        },
      ],
    }),
  });
  const body = (await res.json()) as { error?: { message: string } };
  if (body.error)
    throw new Error(`surfnet_setAccount ${address.toBase58()}: ${body.error.message}`);
}

/**
 * Puts `elf` at `programId` as an upgradeable-loader program (its programdata account, then
 * the program account, written directly): how a test runs a program whose id is fixed in its
 * code (device_registry, inference_attestation) on the validator, since a deployment through
 * the loader needs the program id's keypair.
 */
export async function placeProgram(
  rpcUrl: string,
  programId: PublicKey,
  elf: Uint8Array,
  upgradeAuthority: PublicKey,
): Promise<void> {
  const programData = programDataAddress(programId);
  const data = new Uint8Array(PROGRAMDATA_HEADER_BYTES + elf.length);
  const view = new DataView(data.buffer);
  view.setUint32(0, 3, true); // UpgradeableLoaderState::ProgramData { slot: 0, authority }
  data[12] = 1;
  data.set(upgradeAuthority.toBytes(), 13);
  data.set(elf, PROGRAMDATA_HEADER_BYTES);
  await setValidatorAccount(rpcUrl, programData, { data, owner: LOADER_V3_PROGRAM_ID });
  const program = new Uint8Array(36);
  new DataView(program.buffer).setUint32(0, 2, true); // UpgradeableLoaderState::Program
  program.set(programData.toBytes(), 4);
  await setValidatorAccount(rpcUrl, programId, {
    data: program,
    owner: LOADER_V3_PROGRAM_ID,
    executable: true,
  });
}

/**
 * Airdrops `sol` to `to` on a local validator and waits until the balance shows it (polling
 * `getBalance`: no WebSocket, no blockhash window to outlive on a busy machine); asks again
 * when an airdrop has not arrived within `retryMs`.
 */
export async function airdrop(
  connection: Connection,
  to: PublicKey,
  sol: number,
  o: { timeoutMs?: number; retryMs?: number } = {},
): Promise<void> {
  const before = await connection.getBalance(to, 'confirmed');
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  for (;;) {
    await connection.requestAirdrop(to, Math.round(sol * LAMPORTS_PER_SOL));
    const retryAt = Date.now() + (o.retryMs ?? 10_000);
    while (Date.now() < retryAt) {
      if ((await connection.getBalance(to, 'confirmed')) > before) return;
      if (Date.now() > deadline)
        throw new Error(`airdrop of ${sol} SOL to ${to.toBase58()} did not arrive`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}
