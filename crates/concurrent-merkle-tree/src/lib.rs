//! Concurrent Merkle tree with the SPL Account Compression account layout and algorithm,
//! as a zero-copy view over an account's bytes.
//!
//! Account layout (byte for byte what `@solana/spl-account-compression` parses):
//!
//! ```text
//! header (56)   account_type u8 = 1 | version u8 = 0 | max_buffer_size u32 | max_depth u32 |
//!               authority [32] | creation_slot u64 | is_batch_initialized u8 | padding [5]
//! tree          sequence_number u64 | active_index u64 | buffer_size u64 |
//!               change_logs [ChangeLog; max_buffer_size] | rightmost_proof Path
//!               ChangeLog = root [32] | path [[32]; max_depth] | index u32 | _pad u32
//!               Path      = proof [[32]; max_depth] | leaf [32] | index u32 | _pad u32
//! canopy        2^(canopy_depth + 1) - 2 nodes of 32 bytes (heap order, root excluded)
//! ```
//!
//! All integers are little-endian. Node hash: `keccak256(left || right)`; the empty leaf is
//! 32 zero bytes. The algorithm (append, replace with changelog fast-forward, rightmost
//! proof, canopy update and canopy-filled proofs) follows SPL's
//! `spl-concurrent-merkle-tree` and `account-compression` program, so that a tree written
//! here has the same bytes as one written by SPL given the same operations.
//!
//! Nothing allocates; the depth and buffer size are read from the header at run time, so
//! one code path serves every size. The largest stack object is one proof scratch buffer
//! of [`MAX_DEPTH`] nodes (960 bytes) in the replace/prove paths.
#![no_std]

mod empty;

pub use empty::EMPTY_NODES;

/// A tree node (or leaf): 32 bytes.
pub type Node = [u8; 32];

/// The empty leaf.
pub const EMPTY: Node = [0u8; 32];

/// Size of the account header.
pub const HEADER_SIZE: usize = 56;

/// `account_type` of an initialized tree account (SPL `CompressionAccountType::ConcurrentMerkleTree`).
pub const ACCOUNT_TYPE_CONCURRENT_MERKLE_TREE: u8 = 1;

/// Header version byte (borsh tag of `ConcurrentMerkleTreeHeaderData::V1`).
pub const HEADER_VERSION_V1: u8 = 0;

/// Deepest tree supported (SPL: `max_depth < 31`).
pub const MAX_DEPTH: usize = 30;

/// The (max_depth, max_buffer_size) pairs that SPL Account Compression accepts.
pub const SPL_VALID_SIZES: &[(u32, u32)] = &[
    (3, 8),
    (5, 8),
    (6, 16),
    (7, 16),
    (8, 16),
    (9, 16),
    (10, 32),
    (11, 32),
    (12, 32),
    (13, 32),
    (14, 64),
    (14, 256),
    (14, 1024),
    (14, 2048),
    (15, 64),
    (16, 64),
    (17, 64),
    (18, 64),
    (19, 64),
    (20, 64),
    (20, 256),
    (20, 1024),
    (20, 2048),
    (24, 64),
    (24, 256),
    (24, 512),
    (24, 1024),
    (24, 2048),
    (26, 512),
    (26, 1024),
    (26, 2048),
    (30, 512),
    (30, 1024),
    (30, 2048),
];

/// Errors. Every failure on user input is one of these; nothing panics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmtError {
    /// `(max_depth, max_buffer_size)` is not in [`SPL_VALID_SIZES`].
    UnsupportedSize,
    /// The account is shorter than header + tree.
    AccountTooSmall,
    /// The bytes after the tree are not `2^(k+1) - 2` nodes with `k <= max_depth`.
    CanopyLengthMismatch,
    /// `account_type` is not 1 or the version byte is not 0.
    IncorrectAccountType,
    /// `initialize` on an account whose header or tree is already set.
    TreeAlreadyInitialized,
    /// An operation on a tree that was never initialized.
    TreeNotInitialized,
    /// `append` of the empty leaf.
    CannotAppendEmptyNode,
    /// `append` on a tree with `2^max_depth` leaves.
    TreeFull,
    /// A leaf index `>= 2^max_depth`, or beyond the next empty leaf.
    LeafIndexOutOfBounds,
    /// A proof longer than `max_depth`.
    ProofTooLong,
    /// The proof's root is not in the changelog buffer (and inference is not allowed).
    RootNotFound,
    /// The leaf was changed after the proof's root was recorded.
    LeafContentsModified,
    /// The proof does not lead to the current root.
    InvalidProof,
}

/// Whether `(max_depth, max_buffer_size)` is one of SPL's valid sizes.
pub fn is_valid_size(max_depth: u32, max_buffer_size: u32) -> bool {
    SPL_VALID_SIZES.iter().any(|&(d, b)| d == max_depth && b == max_buffer_size)
}

/// Bytes of one `ChangeLog` (and of one `Path`) at `max_depth`.
pub const fn change_log_size(max_depth: usize) -> usize {
    32 + 32 * max_depth + 8
}

/// Bytes of `ConcurrentMerkleTree<max_depth, max_buffer_size>` (without header or canopy).
#[inline(always)]
pub fn merkle_tree_size(max_depth: u32, max_buffer_size: u32) -> Result<usize, CmtError> {
    if !is_valid_size(max_depth, max_buffer_size) {
        return Err(CmtError::UnsupportedSize);
    }
    let cl = change_log_size(max_depth as usize);
    Ok(24 + max_buffer_size as usize * cl + cl)
}

/// Bytes of a canopy of `canopy_depth` levels: `(2^(canopy_depth + 1) - 2) * 32`.
pub const fn canopy_size(canopy_depth: u32) -> usize {
    ((1usize << (canopy_depth + 1)) - 2) * 32
}

/// Bytes of a whole tree account (header + tree + canopy).
#[inline(always)]
pub fn account_size(
    max_depth: u32,
    max_buffer_size: u32,
    canopy_depth: u32,
) -> Result<usize, CmtError> {
    if canopy_depth > max_depth {
        return Err(CmtError::CanopyLengthMismatch);
    }
    Ok(HEADER_SIZE + merkle_tree_size(max_depth, max_buffer_size)? + canopy_size(canopy_depth))
}

/// `keccak256(left || right)`.
#[inline(always)]
pub fn hash_pair(left: &Node, right: &Node) -> Node {
    zkpin_crypto::keccak256(&[left, right])
}

/// Hashes up a path without copying nodes: each step reads one buffer and writes the
/// other. (Copies between byte arrays, which have alignment 1, cost about two SBF
/// instructions per byte; the syscall writes its digest in place.)
struct Chain {
    bufs: [Node; 2],
    cur: usize,
}

impl Chain {
    #[inline(always)]
    fn new(start: &Node) -> Self {
        let mut bufs = [EMPTY; 2];
        zkpin_crypto::copy(&mut bufs[0], start);
        Self { bufs, cur: 0 }
    }

    #[inline(always)]
    fn node(&self) -> &Node {
        &self.bufs[self.cur]
    }

    /// Replaces the node by its parent, the node being the left child when `is_left`.
    #[inline(always)]
    fn up(&mut self, sibling: &Node, is_left: bool) {
        let (a, b) = self.bufs.split_at_mut(1);
        let (src, dst) = if self.cur == 0 { (&a[0], &mut b[0]) } else { (&b[0], &mut a[0]) };
        if is_left {
            zkpin_crypto::keccak256_into(&[src, sibling], dst);
        } else {
            zkpin_crypto::keccak256_into(&[sibling, src], dst);
        }
        self.cur ^= 1;
    }
}

/// `dst = parent of node` (node = the left child when `is_left`), hashed straight into `dst`.
#[inline(always)]
fn hash_up_into(node: &Node, sibling: &Node, is_left: bool, dst: &mut Node) {
    if is_left {
        zkpin_crypto::keccak256_into(&[node, sibling], dst);
    } else {
        zkpin_crypto::keccak256_into(&[sibling, node], dst);
    }
}

/// Writes a change log entry's root and path in place: `entry` is `root || path` (at least
/// `32 + 32 * proof.len()` bytes), `path[0] = leaf` and each level's node is hashed straight
/// into its slot (no scratch buffer, no copy per level).
#[inline(always)]
fn write_path(entry: &mut [u8], leaf: &Node, proof: &[Node], index: u32) {
    let depth = proof.len();
    if depth == 0 || entry.len() < 32 + 32 * depth {
        return;
    }
    let (root, path) = entry.split_at_mut(32);
    let path = as_nodes_mut(&mut path[..32 * depth]);
    zkpin_crypto::copy(&mut path[0], leaf);
    for level in 0..depth - 1 {
        let (lo, hi) = path.split_at_mut(level + 1);
        hash_up_into(&lo[level], &proof[level], (index >> level) & 1 == 0, &mut hi[0]);
    }
    let last = depth - 1;
    let root = as_nodes_mut(root);
    hash_up_into(&path[last], &proof[last], (index >> last) & 1 == 0, &mut root[0]);
}

/// The root reached from `leaf` at `index` through `proof` (sibling at level 0 first).
/// Two levels per step between two buffers, each hashed straight into the other.
#[inline(always)]
pub fn recompute(leaf: &Node, proof: &[Node], index: u32) -> Node {
    let mut a = EMPTY;
    let mut b = EMPTY;
    zkpin_crypto::copy(&mut a, leaf);
    let n = proof.len();
    let mut level = 0;
    while level + 1 < n {
        hash_up_into(&a, &proof[level], (index >> level) & 1 == 0, &mut b);
        let up = level + 1;
        hash_up_into(&b, &proof[up], (index >> up) & 1 == 0, &mut a);
        level += 2;
    }
    if level < n {
        hash_up_into(&a, &proof[level], (index >> level) & 1 == 0, &mut b);
        return b;
    }
    a
}

/// Root of an empty subtree of height `level` (0 = the empty leaf), `level <= 30`.
#[inline(always)]
pub fn empty_node(level: u32) -> &'static Node {
    &EMPTY_NODES[level as usize]
}

/// The tree account header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TreeHeader {
    pub account_type: u8,
    pub version: u8,
    pub max_buffer_size: u32,
    pub max_depth: u32,
    pub authority: [u8; 32],
    pub creation_slot: u64,
    pub is_batch_initialized: bool,
}

impl TreeHeader {
    /// Parses the first 56 bytes of `data` (no validation beyond the length).
    #[inline(always)]
    pub fn read(data: &[u8]) -> Result<Self, CmtError> {
        if data.len() < HEADER_SIZE {
            return Err(CmtError::AccountTooSmall);
        }
        let mut authority = [0u8; 32];
        authority.copy_from_slice(&data[10..42]);
        Ok(Self {
            account_type: data[0],
            version: data[1],
            max_buffer_size: read_u32(data, 2),
            max_depth: read_u32(data, 6),
            authority,
            creation_slot: read_u64(data, 42),
            is_batch_initialized: data[50] != 0,
        })
    }

    /// Writes the header into the first 56 bytes of `data` (padding zeroed).
    pub fn write(&self, data: &mut [u8]) -> Result<(), CmtError> {
        if data.len() < HEADER_SIZE {
            return Err(CmtError::AccountTooSmall);
        }
        data[0] = self.account_type;
        data[1] = self.version;
        data[2..6].copy_from_slice(&self.max_buffer_size.to_le_bytes());
        data[6..10].copy_from_slice(&self.max_depth.to_le_bytes());
        data[10..42].copy_from_slice(&self.authority);
        data[42..50].copy_from_slice(&self.creation_slot.to_le_bytes());
        data[50] = self.is_batch_initialized as u8;
        data[51..56].fill(0);
        Ok(())
    }
}

/// Arguments of [`MerkleTreeAccount::initialize`].
#[derive(Clone, Copy, Debug)]
pub struct InitializeArgs {
    pub max_depth: u32,
    pub max_buffer_size: u32,
    pub authority: [u8; 32],
    pub creation_slot: u64,
}

/// Arguments of [`MerkleTreeAccount::set_leaf`] (SPL `replace_leaf`).
#[derive(Clone, Copy, Debug)]
pub struct SetLeafArgs<'a> {
    /// A root the proof was made against: the current root or one still in the buffer.
    pub current_root: Node,
    pub previous_leaf: Node,
    pub new_leaf: Node,
    /// Siblings from the leaf upwards; may stop short of `max_depth` when the canopy
    /// holds the rest (missing levels are taken from the canopy, then empty nodes).
    pub proof: &'a [Node],
    pub index: u32,
}

/// Arguments of [`MerkleTreeAccount::prove_leaf`] (SPL `verify_leaf`).
#[derive(Clone, Copy, Debug)]
pub struct ProveLeafArgs<'a> {
    pub current_root: Node,
    pub leaf: Node,
    pub proof: &'a [Node],
    pub index: u32,
}

/// Arguments of [`MerkleTreeAccount::fill_empty_or_append`] (SPL `insert_or_append`).
#[derive(Clone, Copy, Debug)]
pub struct FillEmptyOrAppendArgs<'a> {
    pub current_root: Node,
    pub leaf: Node,
    pub proof: &'a [Node],
    pub index: u32,
}

/// A borrowed change log entry.
#[derive(Clone, Copy, Debug)]
pub struct ChangeLogRef<'a> {
    pub root: &'a Node,
    /// Nodes on the changed path, leaf first (`path[0]` is the new leaf), root excluded.
    pub path: &'a [Node],
    pub index: u32,
}

impl ChangeLogRef<'_> {
    /// Heap index (root = 1) of `path[level]`, as SPL's `ChangeLogEvent` reports it.
    pub fn node_index(&self, level: usize) -> u32 {
        let depth = self.path.len() as u32;
        (1u32 << (depth - level as u32)) + (self.index >> level)
    }
}

type ProofBuf = [Node; MAX_DEPTH];

#[inline(always)]
fn read_u32(data: &[u8], off: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&data[off..off + 4]);
    u32::from_le_bytes(b)
}

#[inline(always)]
fn read_u64(data: &[u8], off: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&data[off..off + 8]);
    u64::from_le_bytes(b)
}

#[inline(always)]
fn as_node(data: &[u8], off: usize) -> &Node {
    // The slice has exactly 32 bytes, so the conversion cannot fail.
    data[off..off + 32].try_into().unwrap_or(&EMPTY)
}

#[inline(always)]
fn as_nodes(data: &[u8]) -> &[Node] {
    let n = data.len() / 32;
    // SAFETY: `Node` is `[u8; 32]` (alignment 1); the slice covers `n * 32` valid bytes
    // and lives as long as `data`.
    unsafe { core::slice::from_raw_parts(data.as_ptr() as *const Node, n) }
}

#[inline(always)]
fn as_nodes_mut(data: &mut [u8]) -> &mut [Node] {
    let n = data.len() / 32;
    // SAFETY: as in `as_nodes`, for a unique borrow.
    unsafe { core::slice::from_raw_parts_mut(data.as_mut_ptr() as *mut Node, n) }
}

#[inline(always)]
fn nodes_as_bytes(nodes: &[Node]) -> &[u8] {
    // SAFETY: `[Node]` is `n * 32` contiguous bytes.
    unsafe { core::slice::from_raw_parts(nodes.as_ptr() as *const u8, nodes.len() * 32) }
}

#[inline(always)]
fn nodes_as_bytes_mut(nodes: &mut [Node]) -> &mut [u8] {
    // SAFETY: `[Node]` is `n * 32` contiguous bytes, uniquely borrowed.
    unsafe { core::slice::from_raw_parts_mut(nodes.as_mut_ptr() as *mut u8, nodes.len() * 32) }
}

/// Number of canopy levels for a canopy of `len` bytes, or an error.
fn canopy_depth_of(len: usize, max_depth: u32) -> Result<u32, CmtError> {
    if !len.is_multiple_of(32) {
        return Err(CmtError::CanopyLengthMismatch);
    }
    let p = len / 32 + 2;
    if p & (p - 1) != 0 {
        return Err(CmtError::CanopyLengthMismatch);
    }
    let depth = p.trailing_zeros() - 1;
    if depth > max_depth {
        return Err(CmtError::CanopyLengthMismatch);
    }
    Ok(depth)
}

/// A typed, zero-copy view over a tree account's bytes. `B` is `&[u8]` for reading and
/// `&mut [u8]` for writing.
pub struct MerkleTreeAccount<B> {
    data: B,
    depth: usize,
    buffer: usize,
    canopy_depth: usize,
}

const TREE: usize = HEADER_SIZE;
const SEQ: usize = TREE;
const ACTIVE: usize = TREE + 8;
const BUFFER_SIZE: usize = TREE + 16;
const CHANGE_LOGS: usize = TREE + 24;

#[inline(always)]
fn layout(data: &[u8]) -> Result<(usize, usize, usize), CmtError> {
    let header = TreeHeader::read(data)?;
    if header.account_type != ACCOUNT_TYPE_CONCURRENT_MERKLE_TREE
        || header.version != HEADER_VERSION_V1
    {
        return Err(CmtError::IncorrectAccountType);
    }
    let tree = merkle_tree_size(header.max_depth, header.max_buffer_size)?;
    if data.len() < HEADER_SIZE + tree {
        return Err(CmtError::AccountTooSmall);
    }
    let canopy = canopy_depth_of(data.len() - HEADER_SIZE - tree, header.max_depth)?;
    Ok((header.max_depth as usize, header.max_buffer_size as usize, canopy as usize))
}

impl<B: AsRef<[u8]>> MerkleTreeAccount<B> {
    /// Views an initialized tree account: checks the header, the size pair and the canopy
    /// length (the account length fixes the canopy depth, as in SPL).
    #[inline(always)]
    pub fn load(data: B) -> Result<Self, CmtError> {
        let (depth, buffer, canopy_depth) = layout(data.as_ref())?;
        Ok(Self { data, depth, buffer, canopy_depth })
    }

    /// The underlying bytes.
    #[inline(always)]
    pub fn data(&self) -> &[u8] {
        self.data.as_ref()
    }

    #[inline(always)]
    pub fn header(&self) -> TreeHeader {
        // The length was checked in `load`/`initialize`.
        TreeHeader::read(self.data.as_ref()).unwrap_or(TreeHeader {
            account_type: 0,
            version: 0,
            max_buffer_size: 0,
            max_depth: 0,
            authority: [0; 32],
            creation_slot: 0,
            is_batch_initialized: false,
        })
    }

    pub fn authority(&self) -> &[u8; 32] {
        as_node(self.data.as_ref(), 10)
    }

    pub fn max_depth(&self) -> u32 {
        self.depth as u32
    }

    pub fn max_buffer_size(&self) -> u32 {
        self.buffer as u32
    }

    pub fn canopy_depth(&self) -> u32 {
        self.canopy_depth as u32
    }

    /// Number of writes (appends and replaces) so far.
    pub fn sequence_number(&self) -> u64 {
        read_u64(self.data.as_ref(), SEQ)
    }

    pub fn active_index(&self) -> u64 {
        read_u64(self.data.as_ref(), ACTIVE)
    }

    /// Number of valid change log entries (1..=max_buffer_size once initialized).
    pub fn buffer_size(&self) -> u64 {
        read_u64(self.data.as_ref(), BUFFER_SIZE)
    }

    pub fn is_initialized(&self) -> bool {
        !(self.buffer_size() == 0 && self.sequence_number() == 0 && self.active_index() == 0)
    }

    /// Number of leaves appended so far: the index of the next empty leaf
    /// (`rightmost_proof.index`).
    pub fn rightmost_index(&self) -> u32 {
        read_u32(self.data.as_ref(), self.rightmost_offset() + 32 * self.depth + 32)
    }

    /// The last appended leaf (`rightmost_proof.leaf`).
    pub fn rightmost_leaf(&self) -> &Node {
        as_node(self.data.as_ref(), self.rightmost_offset() + 32 * self.depth)
    }

    /// The proof of the last appended leaf (`rightmost_proof.proof`).
    #[inline(always)]
    pub fn rightmost_proof(&self) -> &[Node] {
        let off = self.rightmost_offset();
        as_nodes(&self.data.as_ref()[off..off + 32 * self.depth])
    }

    /// The current root (of the active change log).
    pub fn root(&self) -> &Node {
        if !self.is_initialized() {
            return &EMPTY;
        }
        self.change_log_root(self.active_index() as usize)
    }

    /// Change log entry `i` (`0..max_buffer_size`, wrapping).
    #[inline(always)]
    pub fn change_log(&self, i: usize) -> ChangeLogRef<'_> {
        let i = i & (self.buffer - 1);
        let off = self.change_log_offset(i);
        let data = self.data.as_ref();
        ChangeLogRef {
            root: as_node(data, off),
            path: as_nodes(&data[off + 32..off + 32 + 32 * self.depth]),
            index: read_u32(data, off + 32 + 32 * self.depth),
        }
    }

    /// The change log of the last write (what SPL emits as `ChangeLogEvent`).
    #[inline(always)]
    pub fn last_change_log(&self) -> ChangeLogRef<'_> {
        self.change_log(self.active_index() as usize)
    }

    /// The canopy nodes in heap order (heap index `h` at position `h - 2`).
    #[inline(always)]
    pub fn canopy(&self) -> &[Node] {
        let off = self.canopy_offset();
        as_nodes(&self.data.as_ref()[off..])
    }

    /// Checks that `leaf` is at `index` under `current_root` (or, when that root has left
    /// the buffer, under the current root after fast-forwarding), SPL `verify_leaf`.
    /// The proof may be shortened by the canopy depth.
    #[inline(never)]
    pub fn prove_leaf(&self, args: &ProveLeafArgs<'_>) -> Result<(), CmtError> {
        self.check_leaf_index(args.index)?;
        if !self.is_initialized() {
            return Err(CmtError::TreeNotInitialized);
        }
        if args.index > self.rightmost_index() {
            return Err(CmtError::LeafIndexOutOfBounds);
        }
        let mut proof: ProofBuf = [EMPTY; MAX_DEPTH];
        self.fill_proof(args.proof, args.index, &mut proof)?;
        let step = ApplyStep {
            current_root: &args.current_root,
            leaf: &args.leaf,
            new_leaf: &args.leaf,
            index: args.index,
            allow_inferred_proof: true,
            supplied: args.proof.len(),
        };
        self.check_valid_leaf(&step, &mut proof[..self.depth])
    }

    /// Whether `proof` (full length, or shortened by the canopy) leads from `leaf` at
    /// `index` to the current root, without any fast-forwarding (false on any bad input).
    #[inline(never)]
    pub fn verify_current(&self, leaf: &Node, proof: &[Node], index: u32) -> bool {
        if self.check_leaf_index(index).is_err() || !self.is_initialized() {
            return false;
        }
        let mut full: ProofBuf = [EMPTY; MAX_DEPTH];
        if self.fill_proof(proof, index, &mut full).is_err() {
            return false;
        }
        recompute(leaf, &full[..self.depth], index) == *self.root()
    }

    fn check_leaf_index(&self, index: u32) -> Result<(), CmtError> {
        if index as u64 >= 1u64 << self.depth {
            return Err(CmtError::LeafIndexOutOfBounds);
        }
        Ok(())
    }

    #[inline(always)]
    fn change_log_offset(&self, i: usize) -> usize {
        CHANGE_LOGS + i * change_log_size(self.depth)
    }

    #[inline(always)]
    fn change_log_root(&self, i: usize) -> &Node {
        as_node(self.data.as_ref(), self.change_log_offset(i))
    }

    #[inline(always)]
    fn change_log_index(&self, i: usize) -> u32 {
        read_u32(self.data.as_ref(), self.change_log_offset(i) + 32 + 32 * self.depth)
    }

    #[inline(always)]
    fn change_log_path_node(&self, i: usize, level: usize) -> &Node {
        as_node(self.data.as_ref(), self.change_log_offset(i) + 32 + 32 * level)
    }

    #[inline(always)]
    fn rightmost_offset(&self) -> usize {
        CHANGE_LOGS + self.buffer * change_log_size(self.depth)
    }

    #[inline(always)]
    fn canopy_offset(&self) -> usize {
        self.rightmost_offset() + change_log_size(self.depth)
    }

    /// Copies `proof` into `out`, extends it from the canopy (SPL
    /// `fill_in_proof_from_canopy`), then pads it with empty nodes (SPL `fill_in_proof`).
    fn fill_proof(&self, proof: &[Node], index: u32, out: &mut ProofBuf) -> Result<(), CmtError> {
        let depth = self.depth;
        if proof.len() > depth {
            return Err(CmtError::ProofTooLong);
        }
        zkpin_crypto::copy(nodes_as_bytes_mut(&mut out[..proof.len()]), nodes_as_bytes(proof));
        let mut len = proof.len();
        let cd = self.canopy_depth;
        if cd > 0 {
            let canopy = self.canopy();
            let overlap = (len + cd).saturating_sub(depth);
            let mut node_idx = ((1u32 << depth) + index) >> (depth - cd);
            let mut k = 0usize;
            // The level of `node_idx` (depth minus its heap row), counted up as it climbs.
            let mut level = (depth - cd) as u32;
            while node_idx > 1 {
                if k >= overlap {
                    let sibling = (node_idx ^ 1) as usize;
                    let cached = &canopy[sibling - 2];
                    let node = if *cached == EMPTY { empty_node(level) } else { cached };
                    // One `sol_memcpy_` per node (an inlined copy costs about two
                    // instructions per byte).
                    zkpin_crypto::copy(&mut out[len], node);
                    len += 1;
                }
                k += 1;
                level += 1;
                node_idx >>= 1;
            }
        }
        for (level, slot) in out.iter_mut().enumerate().take(depth).skip(len) {
            zkpin_crypto::copy(slot, empty_node(level as u32));
        }
        Ok(())
    }

    /// Index in the buffer of the change log whose root is `root`, newest first.
    #[inline(always)]
    fn find_root_in_change_log(&self, root: &Node) -> Option<u64> {
        let mask = self.buffer as u64 - 1;
        let active = self.active_index();
        for i in 0..self.buffer_size() {
            let j = active.wrapping_sub(i) & mask;
            if self.change_log_root(j as usize) == root {
                return Some(j);
            }
        }
        None
    }

    /// Applies change log `i` to a proof of `leaf_index`: the one sibling it changed, or the
    /// leaf itself when the change log wrote that leaf.
    #[inline(always)]
    fn update_proof_or_leaf(&self, i: usize, leaf_index: u32, proof: &mut [Node], leaf: &mut Node) {
        let cl_index = self.change_log_index(i);
        if leaf_index != cl_index {
            let padding = 32 - self.depth as u32;
            let common = ((leaf_index ^ cl_index) << padding).leading_zeros() as usize;
            if let Some(crit) = (self.depth - 1).checked_sub(common) {
                zkpin_crypto::copy(&mut proof[crit], self.change_log_path_node(i, crit));
            }
        } else {
            zkpin_crypto::copy(leaf, self.change_log_path_node(i, 0));
        }
    }

    /// SPL `check_valid_leaf`: finds the proof's root, fast-forwards the proof through
    /// every later change log, and checks it against the current root.
    fn check_valid_leaf(&self, step: &ApplyStep<'_>, proof: &mut [Node]) -> Result<(), CmtError> {
        let (current_root, leaf, leaf_index) = (step.current_root, step.leaf, step.index);
        let allow_inferred_proof = step.allow_inferred_proof;
        let mask = self.buffer as u64 - 1;
        let active = self.active_index();
        let (mut idx, use_full_buffer) = match self.find_root_in_change_log(current_root) {
            Some(j) => (j, false),
            None if allow_inferred_proof => {
                (active.wrapping_sub(self.buffer_size().wrapping_sub(1)) & mask, true)
            }
            None => return Err(CmtError::RootNotFound),
        };
        let mut updated = *leaf;
        loop {
            if !use_full_buffer && idx == active {
                break;
            }
            idx = (idx + 1) & mask;
            self.update_proof_or_leaf(idx as usize, leaf_index, proof, &mut updated);
            if use_full_buffer && idx == active {
                break;
            }
        }
        if updated != *leaf {
            return Err(CmtError::LeafContentsModified);
        }

        if !self.is_initialized()
            || !self.reaches_current(&updated, proof, leaf_index, step.supplied)
        {
            return Err(CmtError::InvalidProof);
        }
        Ok(())
    }

    /// Whether `leaf` at `index` with the full, fast-forwarded `proof` is in the current
    /// tree, `proof` included: every node of `proof` must be the current tree's, since the
    /// new path is hashed from them.
    ///
    /// With a canopy the path is hashed only up to the canopy's lowest level and compared
    /// with the canopy's node there. The canopy always holds the current tree's nodes
    /// (`initialize` zeroes it, i.e. empty subtrees, and every write copies its new path
    /// into it, `update_canopy`, as SPL does), so a path that reaches the canopy node
    /// reaches the current root, and the `canopy_depth` hashes above it would only
    /// recompute the canopy. The proof's nodes above that level came from the canopy
    /// (`fill_proof`) or from later change logs (the fast-forward: the current nodes too),
    /// except those the caller passed in a proof longer than `depth - canopy_depth` (the
    /// first `supplied`): those must equal the canopy's, as the root check would require.
    /// Without a canopy the path is hashed up to the root.
    #[inline(always)]
    fn reaches_current(&self, leaf: &Node, proof: &[Node], index: u32, supplied: usize) -> bool {
        let cd = self.canopy_depth;
        if cd == 0 {
            return recompute(leaf, proof, index) == *self.root();
        }
        let depth = self.depth;
        let low = depth - cd;
        if proof.len() != depth {
            return false;
        }
        let node = recompute(leaf, &proof[..low], index);
        let canopy = self.canopy();
        // The current node at heap index `h` (root = 1) and `level`: the canopy stores heap
        // index h at position h - 2, a zero node meaning "never written", i.e. empty.
        let is_current = |n: &Node, h: usize, level: usize| match canopy.get(h.wrapping_sub(2)) {
            Some(cached) => n == cached || (*cached == EMPTY && n == empty_node(level as u32)),
            None => false,
        };
        let mut heap = (((1u64 << depth) + index as u64) >> low) as usize;
        if !is_current(&node, heap, low) {
            return false;
        }
        for (level, sibling) in proof.iter().enumerate().take(supplied.min(depth)).skip(low) {
            if !is_current(sibling, heap ^ 1, level) {
                return false;
            }
            heap >>= 1;
        }
        true
    }
}

impl<B: AsRef<[u8]> + AsMut<[u8]>> MerkleTreeAccount<B> {
    /// Initializes a zeroed account (SPL `init_empty_merkle_tree`): writes the header,
    /// the empty tree (root = empty node of `max_depth`) and zeroes the canopy, whose
    /// depth is fixed by the account length.
    #[inline(always)]
    pub fn initialize(mut data: B, args: &InitializeArgs) -> Result<Self, CmtError> {
        let tree = merkle_tree_size(args.max_depth, args.max_buffer_size)?;
        let bytes = data.as_mut();
        if bytes.len() < HEADER_SIZE + tree {
            return Err(CmtError::AccountTooSmall);
        }
        let old = TreeHeader::read(bytes)?;
        if old.account_type != 0 || old.max_buffer_size != 0 || old.max_depth != 0 {
            return Err(CmtError::TreeAlreadyInitialized);
        }
        let canopy_depth = canopy_depth_of(bytes.len() - HEADER_SIZE - tree, args.max_depth)?;
        let header = TreeHeader {
            account_type: ACCOUNT_TYPE_CONCURRENT_MERKLE_TREE,
            version: HEADER_VERSION_V1,
            max_buffer_size: args.max_buffer_size,
            max_depth: args.max_depth,
            authority: args.authority,
            creation_slot: args.creation_slot,
            is_batch_initialized: false,
        };
        let mut this = Self {
            data,
            depth: args.max_depth as usize,
            buffer: args.max_buffer_size as usize,
            canopy_depth: canopy_depth as usize,
        };
        if this.is_initialized() {
            return Err(CmtError::TreeAlreadyInitialized);
        }
        header.write(this.data.as_mut())?;
        let depth = this.depth;
        let cl0 = this.change_log_offset(0);
        let rm = this.rightmost_offset();
        let canopy = this.canopy_offset();
        let bytes = this.data.as_mut();
        bytes[cl0..cl0 + 32].copy_from_slice(&EMPTY_NODES[depth]);
        for level in 0..depth {
            let node = &EMPTY_NODES[level];
            bytes[cl0 + 32 + 32 * level..cl0 + 64 + 32 * level].copy_from_slice(node);
            bytes[rm + 32 * level..rm + 32 * level + 32].copy_from_slice(node);
        }
        bytes[cl0 + 32 + 32 * depth..cl0 + 40 + 32 * depth].fill(0);
        bytes[rm + 32 * depth..rm + 32 * depth + 40].fill(0);
        bytes[canopy..].fill(0);
        this.write_u64(SEQ, 0);
        this.write_u64(ACTIVE, 0);
        this.write_u64(BUFFER_SIZE, 1);
        Ok(this)
    }

    /// Replaces the authority in the header.
    pub fn set_authority(&mut self, authority: &[u8; 32]) {
        self.data.as_mut()[10..42].copy_from_slice(authority);
    }

    /// Appends `leaf` at the next empty index. The new root is then [`Self::root`].
    #[inline(never)]
    pub fn append(&mut self, leaf: &Node) -> Result<(), CmtError> {
        self.append_inner(leaf)?;

        self.update_canopy();
        Ok(())
    }

    /// Replaces `previous_leaf` at `index` by `new_leaf` (SPL `replace_leaf`), accepting a
    /// proof made against any root still in the change log buffer.
    #[inline(never)]
    pub fn set_leaf(&mut self, args: &SetLeafArgs<'_>) -> Result<(), CmtError> {
        self.check_leaf_index(args.index)?;
        if !self.is_initialized() {
            return Err(CmtError::TreeNotInitialized);
        }
        if args.index > self.rightmost_index() {
            return Err(CmtError::LeafIndexOutOfBounds);
        }
        let mut proof: ProofBuf = [EMPTY; MAX_DEPTH];
        self.fill_proof(args.proof, args.index, &mut proof)?;
        let step = ApplyStep {
            current_root: &args.current_root,
            leaf: &args.previous_leaf,
            new_leaf: &args.new_leaf,
            index: args.index,
            allow_inferred_proof: true,
            supplied: args.proof.len(),
        };
        self.try_apply_proof(&step, &mut proof)?;
        self.update_canopy();
        Ok(())
    }

    /// Writes `leaf` into the empty slot at `index` if the proof shows it is still empty,
    /// otherwise appends it (SPL `insert_or_append`).
    #[inline(never)]
    pub fn fill_empty_or_append(
        &mut self,
        args: &FillEmptyOrAppendArgs<'_>,
    ) -> Result<(), CmtError> {
        self.check_leaf_index(args.index)?;
        if !self.is_initialized() {
            return Err(CmtError::TreeNotInitialized);
        }
        let mut proof: ProofBuf = [EMPTY; MAX_DEPTH];
        self.fill_proof(args.proof, args.index, &mut proof)?;
        let step = ApplyStep {
            current_root: &args.current_root,
            leaf: &EMPTY,
            new_leaf: &args.leaf,
            index: args.index,
            allow_inferred_proof: false,
            supplied: args.proof.len(),
        };
        match self.try_apply_proof(&step, &mut proof) {
            Err(CmtError::LeafContentsModified) => self.append_inner(&args.leaf)?,
            other => other?,
        }
        self.update_canopy();
        Ok(())
    }

    fn write_u64(&mut self, off: usize, v: u64) {
        self.data.as_mut()[off..off + 8].copy_from_slice(&v.to_le_bytes());
    }

    fn write_u32(&mut self, off: usize, v: u32) {
        self.data.as_mut()[off..off + 4].copy_from_slice(&v.to_le_bytes());
    }

    /// Copies the node at `src` to `dst` inside the account (non-overlapping ranges).
    fn copy_node_within(&mut self, src: usize, dst: usize) {
        let data = self.data.as_mut();
        if src < dst {
            let (a, b) = data.split_at_mut(dst);
            zkpin_crypto::copy(&mut b[..32], &a[src..src + 32]);
        } else {
            let (a, b) = data.split_at_mut(src);
            zkpin_crypto::copy(&mut a[dst..dst + 32], &b[..32]);
        }
    }

    fn write_node(&mut self, off: usize, node: &Node) {
        zkpin_crypto::copy(&mut self.data.as_mut()[off..off + 32], node);
    }

    fn update_internal_counters(&mut self) {
        let mask = self.buffer as u64 - 1;
        let active = (self.active_index() + 1) & mask;
        self.write_u64(ACTIVE, active);
        let size = self.buffer_size();
        if size < self.buffer as u64 {
            self.write_u64(BUFFER_SIZE, size + 1);
        }
        let seq = self.sequence_number().saturating_add(1);
        self.write_u64(SEQ, seq);
    }

    fn append_inner(&mut self, leaf: &Node) -> Result<(), CmtError> {
        if !self.is_initialized() {
            return Err(CmtError::TreeNotInitialized);
        }
        if *leaf == EMPTY {
            return Err(CmtError::CannotAppendEmptyNode);
        }
        let depth = self.depth;
        let rm_index = self.rightmost_index();
        if rm_index as u64 >= 1u64 << depth {
            return Err(CmtError::TreeFull);
        }
        if rm_index == 0 {
            // First write ever (every write moves the rightmost index to at least 1): the
            // tree is empty and the rightmost proof still holds the empty nodes `initialize`
            // wrote. Same result as SPL's replace at index 0 with that proof, in one pass:
            // the new change log gets the leaf's path up a column of empty siblings, and the
            // rightmost proof keeps its empty nodes.
            self.update_internal_counters();
            let cl = self.change_log_offset(self.active_index() as usize);
            let entry = &mut self.data.as_mut()[cl..cl + 32 + 32 * depth];
            write_path(entry, leaf, &EMPTY_NODES[..depth], 0);
            self.write_u32(cl + 32 + 32 * depth, 0);
            self.write_u32(cl + 36 + 32 * depth, 0);
            let rm = self.rightmost_offset();
            self.write_u32(rm + 32 * depth + 32, 1);
            self.write_node(rm + 32 * depth, leaf);
            return Ok(());
        }
        let mask = self.buffer as u64 - 1;
        let next = ((self.active_index() + 1) & mask) as usize;
        let cl = self.change_log_offset(next);
        let rm = self.rightmost_offset();
        let prev = rm_index - 1;
        // rm_index < 2^depth, so the intersection is below the root.
        let intersection = rm_index.trailing_zeros() as usize;
        // The last leaf hashed up to the intersection with its rightmost proof.
        let mut intersection_node = Chain::new(self.rightmost_leaf());
        for level in 0..intersection {
            let sibling = as_node(self.data.as_ref(), rm + 32 * level);
            intersection_node.up(sibling, (prev >> level) & 1 == 0);
        }
        {
            // The new change log's root and path, hashed in place into the next entry (unused
            // until the counters move to it below): below the intersection the new leaf's
            // siblings are empty, at it the intersection node is the left sibling, above it
            // the rightmost proof's nodes are.
            let (logs, tail) = self.data.as_mut().split_at_mut(rm);
            let rproof = as_nodes(&tail[..32 * depth]);
            let (root, path) = logs[cl..cl + 32 + 32 * depth].split_at_mut(32);
            let path = as_nodes_mut(path);
            let root = as_nodes_mut(root);
            zkpin_crypto::copy(&mut path[0], leaf);
            for level in 0..depth {
                let (sibling, is_left) = if level < intersection {
                    (&EMPTY_NODES[level], true)
                } else if level == intersection {
                    (intersection_node.node(), false)
                } else {
                    (&rproof[level], (prev >> level) & 1 == 0)
                };
                if level + 1 < depth {
                    let (lo, hi) = path.split_at_mut(level + 1);
                    hash_up_into(&lo[level], sibling, is_left, &mut hi[0]);
                } else {
                    hash_up_into(&path[level], sibling, is_left, &mut root[0]);
                }
            }
        }
        // The rightmost proof of the new leaf: empty below the intersection, the
        // intersection node at it, unchanged above.
        for (level, empty) in EMPTY_NODES.iter().enumerate().take(intersection) {
            self.write_node(rm + 32 * level, empty);
        }
        let at = rm + 32 * intersection;
        zkpin_crypto::copy(&mut self.data.as_mut()[at..at + 32], intersection_node.node());
        self.update_internal_counters();
        self.write_u32(cl + 32 + 32 * depth, rm_index);
        self.write_u32(cl + 36 + 32 * depth, 0);
        self.write_u32(rm + 32 * depth + 32, rm_index + 1);
        self.write_node(rm + 32 * depth, leaf);
        Ok(())
    }

    fn try_apply_proof(
        &mut self,
        step: &ApplyStep<'_>,
        proof: &mut ProofBuf,
    ) -> Result<(), CmtError> {
        let depth = self.depth;
        self.check_valid_leaf(step, &mut proof[..depth])?;

        let rm_index = self.rightmost_index();
        if (rm_index as u64) < (1u64 << depth) && step.index > rm_index {
            // SPL asserts here (after validating the proof); we return an error instead.
            return Err(CmtError::LeafIndexOutOfBounds);
        }
        self.update_internal_counters();
        self.update_buffers_from_proof(step.new_leaf, &proof[..depth], step.index);
        Ok(())
    }

    /// SPL `update_buffers_from_proof`: records the new path in the active change log and
    /// keeps the rightmost proof current.
    fn update_buffers_from_proof(&mut self, start: &Node, proof: &[Node], index: u32) {
        let depth = self.depth;
        let active = self.active_index() as usize;
        let cl = self.change_log_offset(active);
        self.write_u32(cl + 32 + 32 * depth, index);
        self.write_u32(cl + 36 + 32 * depth, 0);
        write_path(&mut self.data.as_mut()[cl..cl + 32 + 32 * depth], start, proof, index);
        let rm = self.rightmost_offset();
        let rm_index = self.rightmost_index();
        if (rm_index as u64) < (1u64 << depth) {
            if index < rm_index {
                // SPL `update_proof_or_leaf` on the rightmost proof.
                let target = rm_index - 1;
                if target != index {
                    let padding = 32 - depth as u32;
                    let common = ((target ^ index) << padding).leading_zeros() as usize;
                    if let Some(crit) = (depth - 1).checked_sub(common) {
                        let src = self.change_log_offset(active) + 32 + 32 * crit;
                        self.copy_node_within(src, rm + 32 * crit);
                    }
                } else {
                    let src = self.change_log_offset(active) + 32;
                    self.copy_node_within(src, rm + 32 * depth);
                }
            } else {
                let proof_bytes = nodes_as_bytes(proof);
                zkpin_crypto::copy(
                    &mut self.data.as_mut()[rm..rm + proof_bytes.len()],
                    proof_bytes,
                );
                self.write_u32(rm + 32 * depth + 32, index + 1);
                self.write_node(rm + 32 * depth, start);
            }
        }
    }

    /// SPL `update_canopy`: copies the top `canopy_depth` levels of the last change log's
    /// path into the canopy.
    fn update_canopy(&mut self) {
        let cd = self.canopy_depth;
        if cd == 0 {
            return;
        }
        let depth = self.depth;
        let active = self.active_index() as usize;
        let index = self.change_log_index(active);
        let path = self.change_log_offset(active) + 32;
        let canopy_at = self.canopy_offset();
        // The change logs lie before the canopy: one split, then one copy per level.
        let (logs, canopy) = self.data.as_mut().split_at_mut(canopy_at);
        for level in (depth - cd..depth).rev() {
            let heap = ((1u32 << (depth - level)) + (index >> level)) as usize;
            let (src, dst) = (path + 32 * level, 32 * (heap - 2));
            zkpin_crypto::copy(&mut canopy[dst..dst + 32], &logs[src..src + 32]);
        }
    }
}

/// One proof application (kept in a struct to stay within five call arguments on SBF).
struct ApplyStep<'a> {
    current_root: &'a Node,
    leaf: &'a Node,
    new_leaf: &'a Node,
    index: u32,
    allow_inferred_proof: bool,
    /// How many proof nodes the caller passed (the rest came from the canopy and the
    /// empty nodes, `fill_proof`).
    supplied: usize,
}

/// Non-inlined, non-generic wrappers over the public API, built only with the
/// `abi-check` feature on SBF, so that `--emit=asm` proves it compiles out of line there
/// (no aggregate returns, at most five arguments, frames under 4 KiB).
#[cfg(all(target_arch = "bpf", feature = "abi-check"))]
#[allow(missing_docs)]
pub mod abi_check {
    use super::*;

    #[inline(never)]
    pub fn init(data: &mut [u8], args: &InitializeArgs, root: &mut Node) -> Result<(), CmtError> {
        let tree = MerkleTreeAccount::initialize(data, args)?;
        *root = *tree.root();
        Ok(())
    }
    #[inline(never)]
    pub fn append(data: &mut [u8], leaf: &Node, root: &mut Node) -> Result<(), CmtError> {
        let mut tree = MerkleTreeAccount::load(data)?;
        tree.append(leaf)?;
        *root = *tree.root();
        Ok(())
    }
    #[inline(never)]
    pub fn set_leaf(data: &mut [u8], args: &SetLeafArgs<'_>) -> Result<(), CmtError> {
        MerkleTreeAccount::load(data)?.set_leaf(args)
    }
    #[inline(never)]
    pub fn fill(data: &mut [u8], args: &FillEmptyOrAppendArgs<'_>) -> Result<(), CmtError> {
        MerkleTreeAccount::load(data)?.fill_empty_or_append(args)
    }
    #[inline(never)]
    pub fn prove(data: &[u8], args: &ProveLeafArgs<'_>) -> Result<(), CmtError> {
        MerkleTreeAccount::load(data)?.prove_leaf(args)
    }
    #[inline(never)]
    pub fn info(data: &[u8], out: &mut [u64; 4]) -> Result<(), CmtError> {
        let tree = MerkleTreeAccount::load(data)?;
        let cl = tree.last_change_log();
        out[0] = tree.sequence_number();
        out[1] = cl.index as u64 + cl.path.len() as u64 + tree.canopy().len() as u64;
        out[2] = tree.header().creation_slot + tree.rightmost_proof().len() as u64;
        out[3] = account_size(20, 64, 10)? as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
