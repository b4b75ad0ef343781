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

/** The tree's current root (the active changelog entry's) from a tree account's data. */
export function treeAccountRoot(data: Uint8Array): Uint8Array {
  if (
    data.length < HEADER_BYTES + TREE_COUNTERS_BYTES ||
    data[0] !== ACCOUNT_TYPE_CONCURRENT_MERKLE_TREE
  )
    throw new RangeError('not an initialized concurrent Merkle tree account');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const maxBufferSize = view.getUint32(2, true);
  const maxDepth = view.getUint32(6, true);
  const activeIndex = Number(view.getBigUint64(HEADER_BYTES + 8, true));
  if (activeIndex >= maxBufferSize) throw new RangeError('tree account: active index out of range');
  const at = HEADER_BYTES + TREE_COUNTERS_BYTES + activeIndex * pathBytes(maxDepth);
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
