/**
 * Export a verifying key in the forms zkpin uses, from a final `.zkey` or a snarkjs
 * `verification_key.json`:
 *
 *   npx tsx circuits/tools/export-vk.ts <circuit_final.zkey | verification_key.json> [out-prefix]
 *
 * Prints the 576-byte `register_model` encoding (hex) and its sha256 — the value a ceremony
 * publishes — and writes `<out-prefix>.json` / `<out-prefix>.bin` when a prefix is given.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as snarkjs from 'snarkjs';
import { toHex, encodeVerifyingKey, verifyingKeyHash, type SnarkjsVerifyingKey } from '@zkpin/sdk';

async function main(): Promise<void> {
  const [src, prefix] = process.argv.slice(2);
  if (!src)
    throw new Error(
      'usage: export-vk.ts <circuit_final.zkey | verification_key.json> [out-prefix]',
    );
  const vk = (
    src.endsWith('.json')
      ? JSON.parse(readFileSync(src, 'utf8'))
      : await snarkjs.zKey.exportVerificationKey(src)
  ) as SnarkjsVerifyingKey;
  const bytes = encodeVerifyingKey(vk);
  if (prefix) {
    writeFileSync(`${prefix}.json`, JSON.stringify(vk, null, 2) + '\n');
    writeFileSync(`${prefix}.bin`, bytes);
  }
  console.log(JSON.stringify({ vk_sha256: verifyingKeyHash(bytes), vk_bytes_hex: toHex(bytes) }));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
