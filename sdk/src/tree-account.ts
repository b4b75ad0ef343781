/**
 * Tree accounts as the programs lay them out (crates/concurrent-merkle-tree: SPL Account
 * Compression's layout, byte for byte), read without `@solana/spl-account-compression`, whose
 * dependencies need Node's `assert` and `process` in a browser.
 *
 * ```text
 * header (56)   account_type u8 = 1 | version u8 = 0 | max_buffer_size u32 | max_depth u32 |
 *               authority [32] | creation_slot u64 | is_batch_initialized u8 | padding [5]
 * tree          sequence_number u64 | active_index u64 | buffer_size u64 |
 *               change_logs [ChangeLog; max_buffer_size] | rightmost_proof Path
 *               ChangeLog = root [32] | path [[32]; max_depth] | index u32 | _pad u32
 *               Path      = proof [[32]; max_depth] | leaf [32] | index u32 | _pad u32
 * canopy        2^(canopy_depth + 1) - 2 nodes of 32 bytes
 * ```
 */

/** The shape a tree account is created with. */
export interface TreeShape {
  maxDepth: number;
  maxBufferSize: number;
  canopyDepth: number;
}

const HEADER_BYTES = 56;
const ACCOUNT_TYPE_CONCURRENT_MERKLE_TREE = 1;
/** sequence_number, active_index, buffer_size: u64 each. */
const TREE_COUNTERS_BYTES = 24;

/** A ChangeLog entry and the rightmost Path have the same size: 32 * (depth + 1) + 8. */
function pathBytes(maxDepth: number): number {
  return 32 * (maxDepth + 1) + 8;
}

/** Bytes of a tree account of `shape` (header, tree, canopy). */
export function treeAccountSize(shape: TreeShape): number {
  const canopyNodes = Math.max(2 ** (shape.canopyDepth + 1) - 2, 0);
  return (
    HEADER_BYTES +
    TREE_COUNTERS_BYTES +
    (shape.maxBufferSize + 1) * pathBytes(shape.maxDepth) +
    canopyNodes * 32
  );
}

/** The counters of a tree account (what locates its changelog entries). */
interface TreeCounters {
  maxBufferSize: number;
  maxDepth: number;
  sequenceNumber: bigint;
  activeIndex: number;
  bufferSize: number;
}

function treeCounters(data: Uint8Array): TreeCounters {
  if (
    data.length < HEADER_BYTES + TREE_COUNTERS_BYTES ||
    data[0] !== ACCOUNT_TYPE_CONCURRENT_MERKLE_TREE
  )
    throw new RangeError('not an initialized concurrent Merkle tree account');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const c = {
    maxBufferSize: view.getUint32(2, true),
    maxDepth: view.getUint32(6, true),
    sequenceNumber: view.getBigUint64(HEADER_BYTES, true),
    activeIndex: Number(view.getBigUint64(HEADER_BYTES + 8, true)),
    bufferSize: Number(view.getBigUint64(HEADER_BYTES + 16, true)),
  };
  if (c.activeIndex >= c.maxBufferSize)
    throw new RangeError('tree account: active index out of range');
  if (c.bufferSize > c.maxBufferSize)
    throw new RangeError('tree account: buffer size out of range');
  return c;
}

/** The root of changelog entry `entry` (0..max_buffer_size). */
function changeLogRoot(data: Uint8Array, c: TreeCounters, entry: number): Uint8Array {
  const at = HEADER_BYTES + TREE_COUNTERS_BYTES + entry * pathBytes(c.maxDepth);
  if (at + 32 > data.length) throw new RangeError('tree account: data too short');
  return data.slice(at, at + 32);
}

/** The shape of an initialized tree account, from its header and size. */
export function treeAccountShape(data: Uint8Array): TreeShape {
  if (
    data.length < HEADER_BYTES + TREE_COUNTERS_BYTES ||
    data[0] !== ACCOUNT_TYPE_CONCURRENT_MERKLE_TREE
  )
    throw new RangeError('not an initialized concurrent Merkle tree account');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const maxBufferSize = view.getUint32(2, true);
  const maxDepth = view.getUint32(6, true);
  const canopyBytes = data.length - treeAccountSize({ maxDepth, maxBufferSize, canopyDepth: 0 });
  const canopyDepth = Math.log2(canopyBytes / 32 + 2) - 1;
  if (!Number.isInteger(canopyDepth) || canopyDepth < 0)
    throw new RangeError(`tree account: ${data.length} bytes fit no canopy`);
  return { maxDepth, maxBufferSize, canopyDepth };
}

/**
 * Leaves appended so far (the rightmost path's `index`: the index the next append takes),
 * from a tree account's data.
 */
export function treeAccountLeafCount(data: Uint8Array): number {
  const c = treeCounters(data);
  const at =
    HEADER_BYTES +
    TREE_COUNTERS_BYTES +
    c.maxBufferSize * pathBytes(c.maxDepth) +
    32 * (c.maxDepth + 1);
  if (at + 4 > data.length) throw new RangeError('tree account: data too short');
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(at, true);
}

/** Whether the tree has no room for another leaf (the program refuses appends to it). */
export function treeAccountIsFull(data: Uint8Array): boolean {
  return treeAccountLeafCount(data) >= 2 ** treeCounters(data).maxDepth;
}

/** The tree's current root (the active changelog entry's) from a tree account's data. */
export function treeAccountRoot(data: Uint8Array): Uint8Array {
  const c = treeCounters(data);
  return changeLogRoot(data, c, c.activeIndex);
}

/**
 * The tree's sequence number (SPL `sequence_number`: 0 after `init_tree`, +1 per append or
 * replace), what every tree event carries as `tree_seq`.
 */
export function treeAccountSequenceNumber(data: Uint8Array): bigint {
  return treeCounters(data).sequenceNumber;
}

/**
 * The root the tree had right after change `seq`, while its changelog buffer still holds it
 * (the last `buffer_size` changes, `max_buffer_size` at most: entry `active_index - k` is the
 * root after change `sequence_number - k`); undefined when `seq` is older than that or newer
 * than the tree. A replica at change `seq` is checked against it while the chain moves on.
 */
export function treeAccountRootAt(data: Uint8Array, seq: bigint): Uint8Array | undefined {
  const c = treeCounters(data);
  const back = c.sequenceNumber - seq;
  if (back < 0n || back >= BigInt(c.bufferSize)) return undefined;
  const entry = (c.activeIndex - Number(back) + c.maxBufferSize) % c.maxBufferSize;
  return changeLogRoot(data, c, entry);
}
