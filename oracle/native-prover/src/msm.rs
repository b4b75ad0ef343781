//! Multi-scalar multiplication over fixed bases, with the window shifts precomputed.
//!
//! A proving key's bases never change, so each base P is stored once with its shifted copies
//! 2^(c·j)·P for every window j (affine, normalised in one batch at load). An MSM then needs a
//! single pass of Pippenger's bucket method: the signed base-2^c digit d of scalar i in window
//! j adds ±2^(c·j)·Pᵢ to bucket |d|, and one bucket reduction Σ k·bucket_k ends it, instead of
//! one reduction and c doublings per window. Zero digits cost nothing, so zero, one and small
//! witness values (most of a circom witness's bits) cost one addition or none.
//!
//! Bucket sums use affine additions with one shared inversion per round (Montgomery's trick):
//! each bucket's points are summed in pairs, all buckets at once, until one point is left per
//! bucket; an affine addition with its share of the batched inversion costs about 6
//! multiplications against 11 for a mixed (Jacobian + affine) one.
//!
//! The points are split in as many chunks as there are threads; each chunk fills its own
//! buckets and the chunk sums are added.

use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::{
    serial_batch_inversion_and_mul, AdditiveGroup, BigInt, BigInteger, Field, PrimeField, Zero,
};
use rayon::prelude::*;

/// Window width in bits: 2^(C−1) buckets, about 254/C + 1 windows.
const C: usize = 13;
/// Windows per scalar: C·WINDOWS ≥ 256 leaves the signed recoding room for its last carry
/// (scalars are below r < 2^254).
const WINDOWS: usize = 256_usize.div_ceil(C);
const BUCKETS: usize = 1 << (C - 1);

/// Bases with their window shifts: `points[i·WINDOWS + j]` = 2^(C·j)·Pᵢ.
pub struct FixedBases<P: SWCurveConfig> {
    points: Vec<Affine<P>>,
}

impl<P: SWCurveConfig> FixedBases<P>
where
    P::ScalarField: PrimeField<BigInt = BigInt<4>>,
{
    pub fn new(bases: &[Affine<P>]) -> Self {
        let shifted: Vec<Projective<P>> = bases
            .par_iter()
            .flat_map_iter(|b| {
                let mut p: Projective<P> = (*b).into();
                (0..WINDOWS).map(move |_| {
                    let out = p;
                    for _ in 0..C {
                        p.double_in_place();
                    }
                    out
                })
            })
            .collect();
        let points =
            shifted.par_chunks(4096 * WINDOWS).flat_map_iter(Projective::normalize_batch).collect();
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
    pub fn msm(&self, offset: usize, scalars: &[BigInt<4>]) -> Projective<P> {
        assert!(offset + scalars.len() <= self.len(), "more scalars than bases");
        let threads = rayon::current_num_threads().max(1);
        let chunk = scalars.len().div_ceil(threads).max(1);
        let parts: Vec<Vec<Option<Affine<P>>>> = scalars
            .par_chunks(chunk)
            .enumerate()
            .map(|(k, part)| self.bucket_chunk(offset + k * chunk, part))
            .collect();
        // The chunks' buckets added bucket by bucket (one more batched round)…
        let sums = if parts.len() == 1 {
            parts.into_iter().next().unwrap_or_default()
        } else {
            let mut flat = Vec::new();
            let mut starts = vec![0u32; BUCKETS + 1];
            for b in 0..BUCKETS {
                flat.extend(parts.iter().filter_map(|p| p[b]));
                starts[b + 1] = flat.len() as u32;
            }
            bucket_sums(flat, starts)
        };
        // …then Σ k·bucket_k, the bucket ranges shared between the threads: over [lo, hi) the
        // running sums give Σ (k − lo)·B_k, and lo·Σ B_k makes up the rest.
        let per = sums.len().div_ceil(threads).max(1);
        sums.par_chunks(per)
            .enumerate()
            .map(|(t, range)| {
                let lo = (t * per + 1) as u64; // bucket index k holds digit k + 1
                let mut running = Projective::<P>::zero();
                let mut total = Projective::<P>::zero();
                for b in range.iter().rev() {
                    if let Some(b) = b {
                        running += b;
                    }
                    total += &running;
                }
                // total = Σ (k − lo + 1)·B_k over the range; add (lo − 1)·Σ B_k
                total + running.mul_bigint([lo - 1])
            })
            .reduce(Projective::<P>::zero, |a, b| a + b)
    }

    /// One chunk's bucket sums: bucket k holds Σ ±2^(C·j)·Pᵢ over the digits equal to ±(k + 1).
    fn bucket_chunk(&self, offset: usize, scalars: &[BigInt<4>]) -> Vec<Option<Affine<P>>> {
        // Signed digits → (bucket, ±point), sorted into buckets by counting.
        let mut entries: Vec<(u32, u32)> = Vec::with_capacity(scalars.len() * WINDOWS);
        let mut counts = vec![0u32; BUCKETS + 1];
        for (i, s) in scalars.iter().enumerate() {
            let base = ((offset + i) * WINDOWS) as u32;
            // (a zero base has zero shifts)
            if s.is_zero() || self.points[base as usize].is_zero() {
                continue;
            }
            let mut carry = 0u64;
            for j in 0..WINDOWS {
                let v = window(s, j * C) + carry;
                if v == 0 {
                    continue;
                }
                let p = base + j as u32;
                if v > BUCKETS as u64 {
                    // digit v − 2^C < 0
                    carry = 1;
                    let d = (1u64 << C) - v;
                    if d != 0 {
                        entries.push((d as u32 - 1, p | 1 << 31));
                        counts[d as usize] += 1;
                    }
                } else {
                    carry = 0;
                    entries.push((v as u32 - 1, p));
                    counts[v as usize] += 1;
                }
            }
        }
        if entries.is_empty() {
            return vec![None; BUCKETS];
        }
        let mut starts = counts;
        for k in 1..starts.len() {
            starts[k] += starts[k - 1];
        }
        let mut fill = starts.clone();
        let mut flat = vec![Affine::<P>::identity(); entries.len()];
        for &(b, p) in &entries {
            let pt = self.points[(p & !(1 << 31)) as usize];
            flat[fill[b as usize] as usize] = if p >> 31 == 1 { -pt } else { pt };
            fill[b as usize] += 1;
        }
        drop(entries);
        bucket_sums(flat, starts)
    }
}

/// Sum each bucket's points (`points[starts[b]..starts[b + 1]]`) by rounds of pairwise affine
/// additions with one batched inversion per round.
fn bucket_sums<P: SWCurveConfig>(
    mut points: Vec<Affine<P>>,
    mut starts: Vec<u32>,
) -> Vec<Option<Affine<P>>> {
    let buckets = starts.len() - 1;
    let mut dens: Vec<P::BaseField> = Vec::new();
    loop {
        // Pairs (points[k], points[k + 1]) of each bucket with two or more points.
        dens.clear();
        let mut pairs = 0usize;
        for b in 0..buckets {
            let (s, e) = (starts[b] as usize, starts[b + 1] as usize);
            let mut k = s;
            while k + 1 < e {
                let d = points[k + 1].x - points[k].x;
                dens.push(d);
                pairs += 1;
                k += 2;
            }
        }
        if pairs == 0 {
            break;
        }
        serial_batch_inversion_and_mul(&mut dens, &P::BaseField::ONE);
        let mut next = Vec::with_capacity(points.len() - pairs);
        let mut next_starts = vec![0u32; buckets + 1];
        let mut di = 0;
        for b in 0..buckets {
            let (s, e) = (starts[b] as usize, starts[b + 1] as usize);
            let mut k = s;
            while k + 1 < e {
                let (p, q) = (points[k], points[k + 1]);
                let inv = dens[di];
                di += 1;
                let r = if p.x == q.x {
                    // equal x: a doubling or P + (−P); rare, done in projective form
                    (Projective::from(p) + q).into_affine()
                } else {
                    let l = (q.y - p.y) * inv;
                    let x = l.square() - p.x - q.x;
                    let y = l * (p.x - x) - p.y;
                    Affine::new_unchecked(x, y)
                };
                if !r.is_zero() {
                    next.push(r);
                }
                k += 2;
            }
            if k < e {
                next.push(points[k]);
            }
            next_starts[b + 1] = next.len() as u32;
        }
        points = next;
        starts = next_starts;
    }
    (0..buckets).map(|b| (starts[b] < starts[b + 1]).then(|| points[starts[b] as usize])).collect()
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
    use ark_bn254::{g1, g2, Fr};
    use ark_ec::VariableBaseMSM;
    use ark_ff::{UniformRand, Zero};
    use ark_std::test_rng;

    fn check<P: SWCurveConfig<ScalarField = Fr>>(n: usize) {
        let mut rng = test_rng();
        let mut bases = Projective::<P>::normalize_batch(
            &(0..n).map(|_| Projective::<P>::rand(&mut rng)).collect::<Vec<_>>(),
        );
        // a zero base (a zkey holds them for signals outside a matrix) and a repeated one
        bases[10] = Affine::identity();
        bases[11] = bases[12];
        let table = FixedBases::<P>::new(&bases);
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
        scalars[11] = scalars[12];
        let ints: Vec<_> = scalars.iter().map(|s| s.into_bigint()).collect();
        let expected = Projective::<P>::msm(&bases, &scalars).unwrap();
        assert_eq!(table.msm(0, &ints), expected);
        // an offset window of the bases
        let expected = Projective::<P>::msm(&bases[3..], &scalars[3..]).unwrap();
        assert_eq!(table.msm(3, &ints[3..]), expected);
    }

    #[test]
    fn matches_arkworks_msm_g1() {
        check::<g1::Config>(300);
    }

    #[test]
    fn matches_arkworks_msm_g2() {
        check::<g2::Config>(60);
    }
}
