/**
 * FileFollowerStore (`@zkpin/sdk/node`): no file is no snapshot; what is saved loads back;
 * saves replace the file whole (no temporary file left behind); a damaged, truncated or
 * foreign file is refused with the reason instead of being half-read.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FollowerSnapshot } from '../../src/follower-snapshot.ts';
import { FileFollowerStore } from '../../src/node.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zkpin-follower-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function snapshot(slot: number): FollowerSnapshot {
  return {
    version: 1,
    network: '11111111111111111111111111111111',
    registryProgramId: '11111111111111111111111111111111',
    cursor: { signature: '1111111111111111111111111111111111111111111111111111111111111111', slot },
    savedAt: new Date(0).toISOString(),
    records: 0,
    trees: [],
    devices: [],
    recorded: [['ab'.repeat(32), ['1', '2']]],
  };
}

describe('FileFollowerStore', () => {
  it('loads nothing before the first save, then what was saved last', async () => {
    const store = new FileFollowerStore(join(dir, 'state', 'follower.json'));
    expect(await store.load()).toBeUndefined();
    await store.save(snapshot(1));
    expect(await store.load()).toEqual(snapshot(1));
    await store.save(snapshot(2));
    expect(await store.load()).toEqual(snapshot(2));
    // Another store on the same file (a restarted process) reads it too.
    expect(await new FileFollowerStore(store.path).load()).toEqual(snapshot(2));
    expect(readdirSync(join(dir, 'state'))).toEqual(['follower.json']);
  });

  it('saves at once from two writers leave one whole snapshot', async () => {
    const path = join(dir, 'follower.json');
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => new FileFollowerStore(path).save(snapshot(i))),
    );
    const loaded = (await new FileFollowerStore(path).load()) as FollowerSnapshot;
    expect(loaded.cursor.slot).toBeGreaterThanOrEqual(0);
    expect(readdirSync(dir)).toEqual(['follower.json']);
  });

  it('refuses a damaged, truncated or foreign file with the reason', async () => {
    const path = join(dir, 'follower.json');
    const store = new FileFollowerStore(path);
    await store.save(snapshot(5));
    const good = readFileSync(path, 'utf8');
    const cases: [string, string, RegExp][] = [
      ['one character changed', good.replace('"slot":5', '"slot":6'), /sha256 differs/],
      ['cut short', good.slice(0, good.length - 10), /truncated/],
      ['empty', '', /no header line/],
      ['another JSON file', '{"devices":[]}\n{}', /not a follower snapshot \(format undefined\)/],
      ['not JSON', 'zkpin\x00\x01', /no header line/],
    ];
    for (const [what, text, reason] of cases) {
      writeFileSync(path, text);
      await expect(store.load(), what).rejects.toThrow(reason);
    }
  });
});
