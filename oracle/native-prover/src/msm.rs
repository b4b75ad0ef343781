//! Multi-scalar multiplication over fixed bases, with the window shifts precomputed.
//!
//! A proving key's bases never change, so each base P is stored once with its shifted copies
//! 2^(c·j)·P for every window j (affine, normalised in one batch at load). An MSM then needs a
//! single pass of Pippenger's bucket method: the signed base-2^c digit d of scalar i in window
//! j adds ±2^(c·j)·Pᵢ to bucket |d|, and one bucket reduction Σ k·bucket_k ends it, instead of
//! one reduction and c doublings per window. Zero digits cost nothing, so zero, one and small
//! witness values (most of a circom witness's bits) cost one addition or none.
//!
//! The points are split in as many chunks as there are threads; each chunk fills its own
//! buckets and the chunk sums are added.

use ark_ec::VariableBaseMSM;
use ark_ff::{BigInt, BigInteger, PrimeField};
use rayon::prelude::*;

/// Window width in bits: 2^(C−1) buckets, about 254/C + 1 windows.
const C: usize = 13;
/// Windows per scalar: C·WINDOWS ≥ 256 leaves the signed recoding room for its last carry
/// (scalars are below r < 2^254).
const WINDOWS: usize = 256_usize.div_ceil(C);
const BUCKETS: usize = 1 << (C - 1);

/// Bases with their window shifts: `points[i·WINDOWS + j]` = 2^(C·j)·Pᵢ.
pub struct FixedBases<G: VariableBaseMSM> {
    points: Vec<G::MulBase>,
}

impl<G: VariableBaseMSM> FixedBases<G> {
    pub fn new(bases: &[G::MulBase]) -> Self {
        let shifted: Vec<G> = bases
            .par_iter()
            .flat_map_iter(|b| {
                let mut p: G = (*b).into();
                (0..WINDOWS).map(move |_| {
                    let out = p;
                    for _ in 0..C {
                        p.double_in_place();
                    }
                    out
                })
            })
            .collect();
        let points = shifted
            .par_chunks(4096 * WINDOWS)
            .flat_map_iter(G::batch_convert_to_mul_base)
            .collect();
        FixedBases { points }
    }

    pub fn len(&self) -> usize {
        self.points.len() / WINDOWS
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// Σ scalarᵢ·Pᵢ over `scalars` (as integers below the scalar field's modulus), `offset`
    /// being the index of the first base they multiply.
    pub fn msm(&self, offset: usize, scalars: &[BigInt<4>]) -> G
    where
        G::ScalarField: PrimeField<BigInt = BigInt<4>>,
    {
        assert!(offset + scalars.len() <= self.len(), "more scalars than bases");
        let threads = rayon::current_num_threads().max(1);
        let chunk = scalars.len().div_ceil(threads).max(1);
        scalars
            .par_chunks(chunk)
            .enumerate()
            .map(|(k, part)| self.msm_chunk(offset + k * chunk, part))
            .reduce(G::zero, |a, b| a + b)
    }

    fn msm_chunk(&self, offset: usize, scalars: &[BigInt<4>]) -> G {
        let mut buckets = vec![G::ZERO_BUCKET; BUCKETS];
        let mut any = false;
        for (i, s) in scalars.iter().enumerate() {
            if s.is_zero() {
                continue;
            }
            let row = &self.points[(offset + i) * WINDOWS..(offset + i + 1) * WINDOWS];
            let mut carry = 0u64;
            for (j, p) in row.iter().enumerate() {
                let v = window(s, j * C) + carry;
                if v == 0 {
                    continue;
                }
                if v > BUCKETS as u64 {
                    // digit v − 2^C < 0
                    carry = 1;
                    let d = (1u64 << C) - v;
                    if d != 0 {
                        buckets[d as usize - 1] -= p;
                        any = true;
                    }
                } else {
                    carry = 0;
                    buckets[v as usize - 1] += p;
                    any = true;
                }
            }
        }
        if !any {
            return G::zero();
        }
        // Σ k·bucket_k as running sums, highest bucket first.
        let mut running = G::ZERO_BUCKET;
        let mut total = G::zero();
        for b in buckets.iter().rev() {
            running += b;
            total += &running;
        }
        total
    }
}

/// Bits [at, at + C) of `s`.
#[inline(always)]
fn window(s: &BigInt<4>, at: usize) -> u64 {
    let (limb, bit) = (at / 64, at % 64);
    if limb >= 4 {
        return 0;
    }
    let mut v = s.0[limb] >> bit;
    if bit + C > 64 && limb + 1 < 4 {
        v |= s.0[limb + 1] << (64 - bit);
    }
    v & ((1u64 << C) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{Fr, G1Projective, G2Projective};
    use ark_ff::{UniformRand, Zero};
    use ark_std::test_rng;

    fn check<G: VariableBaseMSM<ScalarField = Fr>>(n: usize) {
        let mut rng = test_rng();
        let bases =
            G::batch_convert_to_mul_base(&(0..n).map(|_| G::rand(&mut rng)).collect::<Vec<_>>());
        let table = FixedBases::<G>::new(&bases);
        // random, zero, one, small, −1, −small, r−1 and 2^253-sized scalars
        let mut scalars: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        let specials = [
            Fr::zero(),
            Fr::from(1u8),
            Fr::from(4095u64),
            Fr::from(4096u64),
            Fr::from(4097u64),
            -Fr::from(1u8),
            -Fr::from(12345u64),
            Fr::from(u64::MAX),
        ];
        for (s, v) in scalars.iter_mut().zip(specials) {
            *s = v;
        }
        let ints: Vec<_> = scalars.iter().map(|s| s.into_bigint()).collect();
        let expected = G::msm(&bases, &scalars).unwrap();
        assert_eq!(table.msm(0, &ints), expected);
        // an offset window of the bases
        let expected = G::msm(&bases[3..], &scalars[3..]).unwrap();
        assert_eq!(table.msm(3, &ints[3..]), expected);
    }

    #[test]
    fn matches_arkworks_msm_g1() {
        check::<G1Projective>(300);
    }

    #[test]
    fn matches_arkworks_msm_g2() {
        check::<G2Projective>(60);
    }
}
