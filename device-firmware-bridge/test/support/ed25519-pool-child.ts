/**
 * Ed25519Pool run the way `npm start` runs the bridge (the tsx CLI): verifies the batch given
 * as JSON in argv[2] (`[{publicKey, message, signature}]`, hex) with `argv[3]` worker threads
 * and prints `{"threads": <running>, "backend": <ed25519 backend>, "ok": [<bool per item>]}`.
 */
import { READING_MESSAGE_MAX_BYTES } from '@zkpin/sdk';
import { Ed25519Pool } from '../../src/ed25519-pool.ts';

const items = (JSON.parse(process.argv[2] ?? '[]') as Record<string, string>[]).map((it) => ({
  publicKey: Buffer.from(it['publicKey']!, 'hex'),
  message: Buffer.from(it['message']!, 'hex'),
  signature: Buffer.from(it['signature']!, 'hex'),
}));
const pool = new Ed25519Pool(Number(process.argv[3] ?? 2), READING_MESSAGE_MAX_BYTES, (e) => {
  console.error(e);
  process.exit(1);
});
const ok = await pool.verifyBatch(items);
console.log(JSON.stringify({ threads: pool.threads, backend: pool.backend, ok }));
await pool.close();
