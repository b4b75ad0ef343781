/**
 * A `FollowerStore` in a file (the services' `FOLLOWER_STATE`). Two lines: a header
 * `{"format":"zkpin-follower-snapshot","bytes":N,"sha256":"<hex>"}`, then the snapshot's JSON,
 * whose length and sha256 the header gives, so that a truncated or damaged file is refused
 * with the reason (the follower then rebuilds from the chain) instead of being half-read.
 *
 * A save writes a temporary file beside it, flushes it to disk and renames it over the old
 * one: a crash at any point leaves the old snapshot or the new one, never a mix.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FollowerSnapshot, FollowerStore } from '../follower-snapshot.ts';

const FORMAT = 'zkpin-follower-snapshot';

let tmpCounter = 0;

export class FileFollowerStore implements FollowerStore {
  constructor(readonly path: string) {}

  async load(): Promise<unknown> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const newline = text.indexOf('\n');
    let header: { format?: unknown; bytes?: unknown; sha256?: unknown };
    try {
      header = JSON.parse(newline < 0 ? text : text.slice(0, newline)) as typeof header;
    } catch {
      throw new Error(`${this.path}: not a follower snapshot (no header line)`);
    }
    if (header?.format !== FORMAT)
      throw new Error(`${this.path}: not a follower snapshot (format ${String(header?.format)})`);
    const body = newline < 0 ? '' : text.slice(newline + 1);
    const bytes = Buffer.byteLength(body, 'utf8');
    if (bytes !== header.bytes)
      throw new Error(
        `${this.path}: ${bytes} bytes of snapshot, the header says ${String(header.bytes)} (truncated?)`,
      );
    if (sha256(body) !== header.sha256)
      throw new Error(`${this.path}: the snapshot's sha256 differs from its header's (damaged)`);
    return JSON.parse(body) as unknown;
  }

  async save(snapshot: FollowerSnapshot): Promise<void> {
    const body = JSON.stringify(snapshot);
    const header = JSON.stringify({
      format: FORMAT,
      bytes: Buffer.byteLength(body, 'utf8'),
      sha256: sha256(body),
    });
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true });
    const tmp = `${this.path}.${process.pid}.${++tmpCounter}.tmp`;
    try {
      const fh = await open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(`${header}\n${body}`, 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.path);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    // The rename itself reaches the disk with the directory (best effort: not every
    // filesystem lets a directory be opened for fsync).
    const d = await open(dir, 'r').catch(() => undefined);
    await d?.sync().catch(() => undefined);
    await d?.close();
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
