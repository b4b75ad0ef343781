extern crate std;

use super::*;
use proptest::prelude::*;
use std::vec;
use std::vec::Vec;

/// A naive full binary tree: every node stored, recomputed on each write.
#[derive(Clone)]
struct Naive {
    depth: usize,
    leaves: Vec<Node>,
    /// Number of leaves appended (SPL `rightmost_proof.index`).
    rightmost: u32,
}

impl Naive {
    fn new(depth: usize) -> Self {
        Self { depth, leaves: vec![EMPTY; 1 << depth], rightmost: 0 }
    }

    /// All layers, leaves first, root last.
    fn layers(&self) -> Vec<Vec<Node>> {
        let mut layers = vec![self.leaves.clone()];
        while layers.last().unwrap().len() > 1 {
            let next = layers.last().unwrap().chunks(2).map(|c| hash_pair(&c[0], &c[1])).collect();
            layers.push(next);
        }
        layers
    }

    /// Node at `level` (0 = leaves) and position `pos` in that level.
    fn node(&self, level: usize, pos: usize) -> Node {
        let mut layer: Vec<Node> = self.leaves[pos << level..(pos + 1) << level].to_vec();
        while layer.len() > 1 {
            layer = layer.chunks(2).map(|c| hash_pair(&c[0], &c[1])).collect();
        }
        layer[0]
    }

    fn root(&self) -> Node {
        self.node(self.depth, 0)
    }

    fn proof(&self, index: u32) -> Vec<Node> {
        let layers = self.layers();
        (0..self.depth).map(|l| layers[l][((index as usize) >> l) ^ 1]).collect()
    }

    fn set(&mut self, index: u32, leaf: Node) {
        self.leaves[index as usize] = leaf;
        if index >= self.rightmost {
            self.rightmost = index + 1;
        }
    }
}

fn leaf(n: u64) -> Node {
    zkpin_crypto::keccak256(&[&n.to_le_bytes()])
}

fn new_account(depth: u32, buffer: u32, canopy: u32) -> Vec<u8> {
    vec![0u8; account_size(depth, buffer, canopy).unwrap()]
}

fn init(data: &mut [u8], depth: u32, buffer: u32) -> MerkleTreeAccount<&mut [u8]> {
    let args = InitializeArgs {
        max_depth: depth,
        max_buffer_size: buffer,
        authority: [7; 32],
        creation_slot: 42,
    };
    MerkleTreeAccount::initialize(data, &args).unwrap()
}

#[test]
fn empty_nodes_table_is_keccak_chain() {
    let mut n = EMPTY;
    for (level, expected) in EMPTY_NODES.iter().enumerate() {
        assert_eq!(*expected, n, "level {level}");
        n = hash_pair(&n, &n);
    }
}

#[test]
fn size_table() {
    // (depth, buffer, canopy, account bytes); 31,800 is the size the SPL docs give for
    // (14, 64) without canopy.
    let expected = [
        (3, 8, 0, 1_304),
        (14, 64, 0, 31_800),
        (14, 64, 11, 31_800 + 4_094 * 32),
        (20, 64, 0, 44_280),
        (20, 64, 10, 109_752),
        (20, 256, 0, 174_840),
        (24, 64, 0, 52_600),
        (24, 64, 10, 118_072),
        (30, 2048, 0, 2_049_080),
    ];
    for (d, b, c, size) in expected {
        assert_eq!(account_size(d, b, c).unwrap(), size, "({d}, {b}, {c})");
    }
    for &(d, b) in SPL_VALID_SIZES.iter() {
        let cl = 40 + 32 * d as usize;
        assert_eq!(merkle_tree_size(d, b).unwrap(), 24 + (b as usize + 1) * cl);
        assert!(account_size(d, b, d).is_ok());
        assert_eq!(account_size(d, b, d + 1), Err(CmtError::CanopyLengthMismatch));
    }
    assert_eq!(merkle_tree_size(4, 8), Err(CmtError::UnsupportedSize));
    assert_eq!(merkle_tree_size(20, 128), Err(CmtError::UnsupportedSize));
    assert_eq!(merkle_tree_size(31, 2048), Err(CmtError::UnsupportedSize));
}

#[test]
fn header_round_trip_and_layout() {
    let mut data = new_account(20, 64, 10);
    let tree = init(&mut data, 20, 64);
    assert_eq!(tree.canopy_depth(), 10);
    assert_eq!(*tree.root(), EMPTY_NODES[20]);
    assert_eq!(tree.buffer_size(), 1);
    let h = tree.header();
    assert_eq!(h.max_depth, 20);
    assert_eq!(h.max_buffer_size, 64);
    assert_eq!(h.creation_slot, 42);
    assert_eq!(data[0], 1);
    assert_eq!(data[1], 0);
    assert_eq!(&data[2..6], &64u32.to_le_bytes());
    assert_eq!(&data[6..10], &20u32.to_le_bytes());
    assert_eq!(&data[10..42], &[7u8; 32]);
    assert_eq!(&data[42..50], &42u64.to_le_bytes());
    // sequence_number 0, active_index 0, buffer_size 1, then change_logs[0].root.
    assert_eq!(
        &data[56..80],
        &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    );
    assert_eq!(&data[80..112], &EMPTY_NODES[20]);
    let h2 = TreeHeader::read(&data).unwrap();
    let mut other = [0u8; 56];
    h2.write(&mut other).unwrap();
    assert_eq!(&other[..], &data[..56]);
    // Second initialize fails; wrong canopy length fails.
    let args =
        InitializeArgs { max_depth: 20, max_buffer_size: 64, authority: [0; 32], creation_slot: 0 };
    assert_eq!(
        MerkleTreeAccount::initialize(&mut data[..], &args).err(),
        Some(CmtError::TreeAlreadyInitialized)
    );
    let mut bad = vec![0u8; account_size(20, 64, 3).unwrap() + 32];
    assert_eq!(
        MerkleTreeAccount::initialize(&mut bad[..], &args).err(),
        Some(CmtError::CanopyLengthMismatch)
    );
    assert_eq!(MerkleTreeAccount::load(&bad[..]).err(), Some(CmtError::IncorrectAccountType));
    let small = [0u8; 100];
    assert_eq!(MerkleTreeAccount::load(&small[..]).err(), Some(CmtError::IncorrectAccountType));
    assert!(MerkleTreeAccount::load(&data[..]).is_ok());
}

#[test]
fn append_until_full_and_errors() {
    let mut data = new_account(3, 8, 1);
    let mut tree = init(&mut data, 3, 8);
    let mut naive = Naive::new(3);
    assert_eq!(tree.append(&EMPTY), Err(CmtError::CannotAppendEmptyNode));
    for i in 0..8u32 {
        tree.append(&leaf(i as u64)).unwrap();
        naive.set(i, leaf(i as u64));
        assert_eq!(*tree.root(), naive.root());
        assert_eq!(tree.rightmost_proof(), &naive.proof(i)[..]);
        assert_eq!(tree.last_change_log().index, i);
    }
    assert_eq!(tree.append(&leaf(99)), Err(CmtError::TreeFull));
    assert_eq!(tree.sequence_number(), 8);
    let proof = naive.proof(3);
    let args = ProveLeafArgs { current_root: naive.root(), leaf: leaf(3), proof: &proof, index: 3 };
    assert_eq!(tree.prove_leaf(&args), Ok(()));
    let bad = ProveLeafArgs { leaf: leaf(4), ..args };
    assert_eq!(tree.prove_leaf(&bad), Err(CmtError::InvalidProof));
    let far = ProveLeafArgs { index: 8, ..args };
    assert_eq!(tree.prove_leaf(&far), Err(CmtError::LeafIndexOutOfBounds));
    let long = [EMPTY; 4];
    let too_long = ProveLeafArgs { proof: &long, ..args };
    assert_eq!(tree.prove_leaf(&too_long), Err(CmtError::ProofTooLong));
    // Canopy of depth 1 lets a 2-node proof work.
    let short = ProveLeafArgs { proof: &proof[..2], ..args };
    assert_eq!(tree.prove_leaf(&short), Ok(()));
    assert!(tree.verify_current(&leaf(3), &proof[..2], 3));
    assert!(!tree.verify_current(&leaf(2), &proof[..2], 3));
}

#[test]
fn set_leaf_errors() {
    let mut data = new_account(5, 8, 0);
    let mut tree = init(&mut data, 5, 8);
    let mut naive = Naive::new(5);
    for i in 0..4u32 {
        tree.append(&leaf(i as u64)).unwrap();
        naive.set(i, leaf(i as u64));
    }
    let proof = naive.proof(1);
    let ok = SetLeafArgs {
        current_root: naive.root(),
        previous_leaf: leaf(1),
        new_leaf: leaf(100),
        proof: &proof,
        index: 1,
    };
    let beyond = naive.proof(5);
    let far = SetLeafArgs { previous_leaf: EMPTY, proof: &beyond, index: 5, ..ok };
    assert_eq!(tree.set_leaf(&far), Err(CmtError::LeafIndexOutOfBounds));
    let wrong_prev = SetLeafArgs { previous_leaf: leaf(2), ..ok };
    assert_eq!(tree.set_leaf(&wrong_prev), Err(CmtError::InvalidProof));
    assert_eq!(tree.set_leaf(&ok), Ok(()));
    naive.set(1, leaf(100));
    assert_eq!(*tree.root(), naive.root());
    // The same leaf again from the old root: its contents changed.
    assert_eq!(tree.set_leaf(&ok), Err(CmtError::LeafContentsModified));
    // Unknown root with an inferred proof still works when the proof is current.
    let proof2 = naive.proof(2);
    let inferred = SetLeafArgs {
        current_root: [9; 32],
        previous_leaf: leaf(2),
        new_leaf: leaf(200),
        proof: &proof2,
        index: 2,
    };
    assert!(tree.set_leaf(&inferred).is_ok());
    naive.set(2, leaf(200));
    assert_eq!(*tree.root(), naive.root());
    // fill_empty_or_append: a non-empty leaf under the current root is an invalid proof.
    let p1 = naive.proof(1);
    let fill =
        FillEmptyOrAppendArgs { current_root: naive.root(), leaf: leaf(7), proof: &p1, index: 1 };
    assert_eq!(tree.fill_empty_or_append(&fill), Err(CmtError::InvalidProof));
    // A proof of the empty slot 4 that goes stale (slot 4 filled meanwhile) appends.
    let old_root = naive.root();
    let p4 = naive.proof(4);
    tree.append(&leaf(5)).unwrap();
    naive.set(4, leaf(5));
    let fill =
        FillEmptyOrAppendArgs { current_root: old_root, leaf: leaf(7), proof: &p4, index: 4 };
    assert!(tree.fill_empty_or_append(&fill).is_ok());
    naive.set(5, leaf(7));
    assert_eq!(*tree.root(), naive.root());
    // A current proof of an empty slot fills it in place (slot 6, the next empty one).
    let p9 = naive.proof(6);
    let fill =
        FillEmptyOrAppendArgs { current_root: naive.root(), leaf: leaf(9), proof: &p9, index: 6 };
    assert!(tree.fill_empty_or_append(&fill).is_ok());
    naive.set(6, leaf(9));
    assert_eq!(*tree.root(), naive.root());
    let p = naive.proof(7);
    let fill = FillEmptyOrAppendArgs { current_root: [1; 32], leaf: leaf(8), proof: &p, index: 7 };
    assert_eq!(tree.fill_empty_or_append(&fill), Err(CmtError::RootNotFound));
}

#[derive(Clone, Debug)]
enum Op {
    Append(u64),
    /// Replace leaf `index % (rightmost + 1)` with a proof taken `stale % (buffer - 1)`
    /// writes ago.
    Replace {
        index: u32,
        stale: usize,
        value: u64,
        wrong_previous: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => any::<u64>().prop_map(Op::Append),
        3 => (any::<u32>(), any::<usize>(), any::<u64>(), prop::bool::weighted(0.1))
            .prop_map(|(index, stale, value, wrong_previous)| Op::Replace { index, stale, value, wrong_previous }),
    ]
}

fn run_ops(depth: u32, buffer: u32, canopy: u32, ops: &[Op]) -> Result<(), TestCaseError> {
    let mut data = new_account(depth, buffer, canopy);
    let mut tree = init(&mut data, depth, buffer);
    let mut naive = Naive::new(depth as usize);
    // History of naive states, newest last (the current state included).
    let mut history: Vec<Naive> = vec![naive.clone()];
    let proof_len = (depth - canopy) as usize;
    for op in ops {
        match *op {
            Op::Append(v) => {
                let l = leaf(v);
                let r = tree.append(&l);
                if naive.rightmost as u64 >= 1u64 << depth {
                    prop_assert_eq!(r, Err(CmtError::TreeFull));
                    continue;
                }
                let at = naive.rightmost;
                naive.set(at, l);
                prop_assert_eq!(r, Ok(()));
            }
            Op::Replace { index, stale, value, wrong_previous } => {
                let back = stale % (buffer as usize - 1).min(history.len());
                let snap = &history[history.len() - 1 - back];
                let index = index % (snap.rightmost + 1).min(1 << depth);
                let proof = snap.proof(index);
                let mut previous = snap.leaves[index as usize];
                if wrong_previous {
                    previous = leaf(value ^ 1);
                }
                let args = SetLeafArgs {
                    current_root: snap.root(),
                    previous_leaf: previous,
                    new_leaf: leaf(value),
                    proof: &proof[..proof_len],
                    index,
                };
                let r = tree.set_leaf(&args);
                let current = naive.leaves[index as usize];
                if index > naive.rightmost {
                    prop_assert_eq!(r, Err(CmtError::LeafIndexOutOfBounds));
                    continue;
                } else if current != snap.leaves[index as usize] {
                    prop_assert_eq!(r, Err(CmtError::LeafContentsModified));
                    continue;
                } else if previous != current {
                    prop_assert_eq!(r, Err(CmtError::InvalidProof));
                    continue;
                }
                naive.set(index, leaf(value));
                prop_assert_eq!(r, Ok(()));
            }
        }
        history.push(naive.clone());
        prop_assert_eq!(*tree.root(), naive.root());
        prop_assert_eq!(tree.rightmost_index(), naive.rightmost);
        if naive.rightmost > 0 && (naive.rightmost as u64) < (1u64 << depth) {
            let last = naive.rightmost - 1;
            prop_assert_eq!(tree.rightmost_leaf(), &naive.leaves[last as usize]);
            prop_assert_eq!(tree.rightmost_proof(), &naive.proof(last)[..]);
        }
        // Canopy holds the current top levels (zero = empty subtree).
        let layers = naive.layers();
        for (i, node) in tree.canopy().iter().enumerate() {
            let heap = i + 2;
            let level_from_top = (usize::BITS - 1 - heap.leading_zeros()) as usize;
            let level = depth as usize - level_from_top;
            let pos = heap - (1 << level_from_top);
            let expected = layers[level][pos];
            if *node == EMPTY {
                prop_assert_eq!(expected, EMPTY_NODES[level]);
            } else {
                prop_assert_eq!(*node, expected);
            }
        }
    }
    // Every leaf proves against the current root, and against a stale root.
    let layers = naive.layers();
    for index in 0..naive.rightmost.min(1 << depth) {
        let proof: Vec<Node> =
            (0..depth as usize).map(|l| layers[l][((index as usize) >> l) ^ 1]).collect();
        let args = ProveLeafArgs {
            current_root: naive.root(),
            leaf: naive.leaves[index as usize],
            proof: &proof[..proof_len],
            index,
        };
        prop_assert_eq!(tree.prove_leaf(&args), Ok(()));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn matches_naive_depth3(ops in prop::collection::vec(op(), 1..40)) {
        run_ops(3, 8, 0, &ops)?;
    }

    #[test]
    fn matches_naive_depth5_canopy2(ops in prop::collection::vec(op(), 1..60)) {
        run_ops(5, 8, 2, &ops)?;
    }

    #[test]
    fn matches_naive_depth6_buffer16_canopy3(ops in prop::collection::vec(op(), 1..80)) {
        run_ops(6, 16, 3, &ops)?;
    }

    #[test]
    fn matches_naive_depth7_full_canopy(ops in prop::collection::vec(op(), 1..40)) {
        run_ops(7, 16, 7, &ops)?;
    }
}

#[test]
fn depth20_buffer64_canopy10_works() {
    let mut data = new_account(20, 64, 10);
    assert_eq!(data.len(), 109_752);
    let mut tree = init(&mut data, 20, 64);
    for i in 0..100u64 {
        tree.append(&leaf(i)).unwrap();
    }
    // Build the full proof of leaf 37 from a naive tree over the first 128 leaves.
    let mut small = Naive::new(7);
    for i in 0..100u32 {
        small.set(i, leaf(i as u64));
    }
    let mut proof = small.proof(37);
    proof.extend_from_slice(&EMPTY_NODES[7..20]);
    assert_eq!(recompute(&leaf(37), &proof, 37), *tree.root());
    let args = SetLeafArgs {
        current_root: *tree.root(),
        previous_leaf: leaf(37),
        new_leaf: leaf(1000),
        proof: &proof[..10],
        index: 37,
    };
    tree.set_leaf(&args).unwrap();
    small.set(37, leaf(1000));
    let mut p2 = small.proof(0);
    p2.extend_from_slice(&EMPTY_NODES[7..20]);
    assert_eq!(recompute(&leaf(0), &p2, 0), *tree.root());
    // The change log event path indices are SPL's.
    let cl = tree.last_change_log();
    assert_eq!(cl.index, 37);
    assert_eq!(cl.node_index(0), (1 << 20) + 37);
    assert_eq!(cl.node_index(19), 2);
}

/// The first append of a tree takes a one-pass path; it must leave exactly the bytes SPL's
/// way does (a replace at index 0 with the empty proof), then behave like any other tree.
#[test]
fn first_append_fast_path_writes_the_same_bytes_as_a_replace_at_zero() {
    for (depth, buffer, canopy) in [(3, 8, 0), (5, 8, 2), (14, 64, 0), (20, 64, 10)] {
        let mut a = new_account(depth, buffer, canopy);
        let mut b = new_account(depth, buffer, canopy);
        init(&mut a, depth, buffer).append(&leaf(1)).unwrap();
        {
            let mut t = init(&mut b, depth, buffer);
            let proof: Vec<Node> = EMPTY_NODES[..depth as usize].to_vec();
            t.set_leaf(&SetLeafArgs {
                current_root: EMPTY_NODES[depth as usize],
                previous_leaf: EMPTY,
                new_leaf: leaf(1),
                proof: &proof,
                index: 0,
            })
            .unwrap();
        }
        assert_eq!(a, b, "depth {depth} buffer {buffer} canopy {canopy}");
        // And the next appends agree with the naive model.
        let mut naive = Naive::new(depth as usize);
        naive.set(0, leaf(1));
        let mut t = MerkleTreeAccount::load(&mut a[..]).unwrap();
        for n in 2..6u64 {
            t.append(&leaf(n)).unwrap();
            naive.set((n - 1) as u32, leaf(n));
            assert_eq!(*t.root(), naive.root());
        }
    }
}

/// With a canopy, a leaf is checked up to the canopy's lowest level only (the canopy holds
/// the current tree there): after appends, replaces and a stale proof, `prove_leaf` (that
/// check) and `verify_current` (hashed up to the root) accept and reject the same leaves,
/// and a wrong leaf, a tampered proof node or a replaced leaf's old value is rejected.
#[test]
fn canopy_level_check_agrees_with_the_root() {
    let (depth, canopy) = (8u32, 3u32);
    let mut data = new_account(depth, 16, canopy);
    let mut tree = init(&mut data, depth, 16);
    let mut naive = Naive::new(depth as usize);
    for i in 0..40u32 {
        tree.append(&leaf(i as u64)).unwrap();
        naive.set(i, leaf(i as u64));
    }
    let old_root = *tree.root();
    let stale = naive.proof(5);
    for i in [3u32, 17, 33] {
        let args = SetLeafArgs {
            current_root: *tree.root(),
            previous_leaf: leaf(i as u64),
            new_leaf: leaf(1000 + i as u64),
            proof: &naive.proof(i)[..(depth - canopy) as usize],
            index: i,
        };
        tree.set_leaf(&args).unwrap();
        naive.set(i, leaf(1000 + i as u64));
    }
    let short = (depth - canopy) as usize;
    // Every index up to the next empty one (prove_leaf refuses indices beyond it).
    for i in 0..=40u32 {
        let proof = naive.proof(i);
        for candidate in [naive.leaves[i as usize], leaf(5000 + i as u64)] {
            let full = tree.verify_current(&candidate, &proof, i);
            let args = ProveLeafArgs {
                current_root: *tree.root(),
                leaf: candidate,
                proof: &proof[..short],
                index: i,
            };
            assert_eq!(tree.prove_leaf(&args).is_ok(), full, "leaf {i}");
            assert_eq!(full, candidate == naive.leaves[i as usize]);
        }
        if i < 40 {
            let mut tampered = proof.clone();
            tampered[short - 1][0] ^= 1;
            let args = ProveLeafArgs {
                current_root: *tree.root(),
                leaf: naive.leaves[i as usize],
                proof: &tampered[..short],
                index: i,
            };
            assert_eq!(tree.prove_leaf(&args), Err(CmtError::InvalidProof), "leaf {i}");
        }
    }
    // A proof made before the replaces is fast-forwarded, then checked at the canopy.
    let args = SetLeafArgs {
        current_root: old_root,
        previous_leaf: leaf(5),
        new_leaf: leaf(2005),
        proof: &stale[..short],
        index: 5,
    };
    tree.set_leaf(&args).unwrap();
    naive.set(5, leaf(2005));
    assert_eq!(*tree.root(), naive.root());
    // A full-length proof whose nodes above the canopy's level are not the tree's is
    // refused (they would be hashed into the new root), and the tree is left as it was.
    let before = tree.data().to_vec();
    for bad_level in short..depth as usize {
        let mut full = naive.proof(9);
        full[bad_level][31] ^= 1;
        let args = SetLeafArgs {
            current_root: *tree.root(),
            previous_leaf: leaf(9),
            new_leaf: leaf(4009),
            proof: &full,
            index: 9,
        };
        assert_eq!(tree.set_leaf(&args), Err(CmtError::InvalidProof), "level {bad_level}");
        let args =
            ProveLeafArgs { current_root: *tree.root(), leaf: leaf(9), proof: &full, index: 9 };
        assert_eq!(tree.prove_leaf(&args), Err(CmtError::InvalidProof), "level {bad_level}");
    }
    assert_eq!(tree.data(), &before[..]);
    // The same proof, untouched, is accepted.
    let args = SetLeafArgs {
        current_root: *tree.root(),
        previous_leaf: leaf(9),
        new_leaf: leaf(4009),
        proof: &naive.proof(9),
        index: 9,
    };
    tree.set_leaf(&args).unwrap();
    naive.set(9, leaf(4009));
    assert_eq!(*tree.root(), naive.root());
    // The old value of a replaced leaf is no longer accepted.
    let args = SetLeafArgs {
        current_root: *tree.root(),
        previous_leaf: leaf(3),
        new_leaf: leaf(3003),
        proof: &naive.proof(3)[..short],
        index: 3,
    };
    assert!(tree.set_leaf(&args).is_err());
}
