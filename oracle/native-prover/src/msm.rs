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
//! buckets and the chunk sums are added. The bucket reduction runs as many short running sums
//! side by side, so that it too adds in affine form with shared inversions (`reduce_chains`).

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
/// Chains of the bucket reduction (`reduce_chains`): 16 buckets each.
const CHAINS: usize = 256;

/// A chunk's digits: (bucket, point index with the sign in bit 31), and each bucket's start.
type Digits = (Vec<(u32, u32)>, Vec<u32>);

/// Curves whose bucket sums can run on eight lanes (`ifma.rs`): G1 and G2 of BN254, on a CPU
/// with AVX-512 IFMA.
pub trait Lanes: SWCurveConfig {
    /// A point in lane form; the default is the identity.
    type L: LanePoint;
    /// The conversions and the bucket sums of the lane form, where this curve has one.
    const LANES: Option<LaneOps<Self>> = None;
}

/// A curve's lane form: to and from arkworks' affine points, and each bucket's sum (as
/// `bucket_sums` gives it, the identity for an empty bucket).
pub struct LaneOps<P: Lanes> {
    pub to: fn(&Affine<P>) -> P::L,
    pub from: fn(&P::L) -> Affine<P>,
    pub sums: LaneSums<P>,
}

/// Each bucket's sum from the points sorted into buckets and where each bucket starts.
pub type LaneSums<P> = fn(Vec<<P as Lanes>::L>, &[u32]) -> Vec<<P as Lanes>::L>;

impl<P: Lanes> Clone for LaneOps<P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P: Lanes> Copy for LaneOps<P> {}

/// The lane form of a curve that has lane tables.
fn ops<P: Lanes>() -> LaneOps<P> {
    P::LANES.expect("lane tables exist only for a curve with a lane form")
}

/// Whether this CPU runs the eight-lane path.
fn lanes_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    return crate::ifma::available();
    #[cfg(not(target_arch = "x86_64"))]
    return false;
}

#[cfg(target_arch = "x86_64")]
use crate::ifma::{point_from_lanes, point_to_lanes, LanePoint};

#[cfg(target_arch = "x86_64")]
impl Lanes for ark_bn254::g1::Config {
    type L = crate::ifma::WPoint;
    const LANES: Option<LaneOps<Self>> = Some(LaneOps {
        to: point_to_lanes::<Self, 5>,
        from: point_from_lanes::<Self, 5>,
        sums: crate::ifma::bucket_sums,
    });
}

#[cfg(target_arch = "x86_64")]
impl Lanes for ark_bn254::g2::Config {
    type L = crate::ifma::W2Point;
    const LANES: Option<LaneOps<Self>> = Some(LaneOps {
        to: point_to_lanes::<Self, 10>,
        from: point_from_lanes::<Self, 10>,
        sums: crate::ifma::bucket_sums_g2,
    });
}

/// No lane form on this architecture.
#[cfg(not(target_arch = "x86_64"))]
pub trait LanePoint: Copy + Default + Send + Sync {
    fn is_zero(&self) -> bool;
    fn neg(&self) -> Self;
}

#[cfg(not(target_arch = "x86_64"))]
#[derive(Clone, Copy, Default)]
pub struct NoLanes;

#[cfg(not(target_arch = "x86_64"))]
impl LanePoint for NoLanes {
    fn is_zero(&self) -> bool {
        true
    }
    fn neg(&self) -> Self {
        NoLanes
    }
}

#[cfg(not(target_arch = "x86_64"))]
impl Lanes for ark_bn254::g1::Config {
    type L = NoLanes;
}

#[cfg(not(target_arch = "x86_64"))]
impl Lanes for ark_bn254::g2::Config {
    type L = NoLanes;
}

/// Bases with their window shifts: `points[i·WINDOWS + j]` = 2^(C·j)·Pᵢ, in arkworks' form or,
/// where the eight-lane path runs, in lane form (`lanes`; then `points` is empty).
pub struct FixedBases<P: Lanes> {
    points: Vec<Affine<P>>,
    lanes: Vec<P::L>,
}

impl<P: Lanes> FixedBases<P>
where
    P::ScalarField: PrimeField<BigInt = BigInt<4>>,
{
    pub fn new(bases: &[Affine<P>]) -> Self {
        let mut table = Self::new_scalar(bases);
        if let Some(ops) = P::LANES.filter(|_| lanes_available()) {
            table.lanes = table.points.par_iter().map(ops.to).collect();
            table.points = Vec::new();
        }
        table
    }

    /// The table in arkworks' form only, whatever the CPU (the tests' reference).
    pub fn new_scalar(bases: &[Affine<P>]) -> Self {
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
        FixedBases { points, lanes: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.points.len().max(self.lanes.len()) / WINDOWS
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn base_is_zero(&self, i: usize) -> bool {
        if self.lanes.is_empty() {
            self.points[i].is_zero()
        } else {
            LanePoint::is_zero(&self.lanes[i])
        }
    }

    /// Σ scalarᵢ·Pᵢ over `scalars` (as integers below the scalar field's modulus), `offset`
    /// being the index of the first base they multiply.
    pub fn msm(&self, offset: usize, scalars: &[BigInt<4>]) -> Projective<P> {
        assert!(offset + scalars.len() <= self.len(), "more scalars than bases");
        let threads = rayon::current_num_threads().max(1);
        let chunk = scalars.len().div_ceil(threads).max(1);
        if !self.lanes.is_empty() {
            return self.msm_lanes(offset, scalars, chunk, threads);
        }
        let parts: Vec<Vec<Option<Affine<P>>>> = scalars
            .par_chunks(chunk)
            .enumerate()
            .map(|(k, part)| self.bucket_chunk(offset + k * chunk, part))
            .collect();
        // The chunks' buckets added bucket by bucket (one more batched round)…
        let sums = if parts.len() == 1 {
            parts.into_iter().next().unwrap_or_default()
        } else {
            let (flat, starts) = by_bucket(&parts, |p| *p);
            bucket_sums(flat, starts)
        };
        // …then Σ (k + 1)·bucket_k (bucket k holds digit k + 1), in chains that share their
        // inversions (`reduce_chains`), the chains split between the threads.
        in_chains(sums.len(), threads, |len, c0, c1| reduce_chains(&sums, len, c0, c1))
    }

    /// `msm` on the eight-lane path: the chunks' buckets, their merge and the reduction all
    /// add in lane form; only the chains' results come back to arkworks' form.
    fn msm_lanes(
        &self,
        offset: usize,
        scalars: &[BigInt<4>],
        chunk: usize,
        threads: usize,
    ) -> Projective<P> {
        let parts: Vec<Vec<P::L>> = scalars
            .par_chunks(chunk)
            .enumerate()
            .map(|(k, part)| self.bucket_chunk_lanes(offset + k * chunk, part))
            .collect();
        let sums = if parts.len() == 1 {
            parts.into_iter().next().unwrap_or_default()
        } else {
            let (flat, starts) = by_bucket(&parts, |w| (!LanePoint::is_zero(w)).then_some(*w));
            (ops::<P>().sums)(flat, &starts)
        };
        in_chains(sums.len(), threads, |len, c0, c1| reduce_chains_lanes::<P>(&sums, len, c0, c1))
    }

    /// Signed digits → (bucket, ±point index), and where each bucket starts once they are
    /// sorted into buckets by counting; `None` when every digit is zero.
    fn digits(&self, offset: usize, scalars: &[BigInt<4>]) -> Option<Digits> {
        let mut entries: Vec<(u32, u32)> = Vec::with_capacity(scalars.len() * WINDOWS);
        let mut counts = vec![0u32; BUCKETS + 1];
        for (i, s) in scalars.iter().enumerate() {
            let base = ((offset + i) * WINDOWS) as u32;
            // (a zero base has zero shifts)
            if s.is_zero() || self.base_is_zero(base as usize) {
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
            return None;
        }
        let mut starts = counts;
        for k in 1..starts.len() {
            starts[k] += starts[k - 1];
        }
        Some((entries, starts))
    }

    /// One chunk's bucket sums: bucket k holds Σ ±2^(C·j)·Pᵢ over the digits equal to ±(k + 1).
    fn bucket_chunk(&self, offset: usize, scalars: &[BigInt<4>]) -> Vec<Option<Affine<P>>> {
        let Some((entries, starts)) = self.digits(offset, scalars) else {
            return vec![None; BUCKETS];
        };
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

    /// The same in lane form (the identity for an empty bucket).
    fn bucket_chunk_lanes(&self, offset: usize, scalars: &[BigInt<4>]) -> Vec<P::L> {
        let Some((entries, starts)) = self.digits(offset, scalars) else {
            return vec![P::L::default(); BUCKETS];
        };
        let mut fill = starts.clone();
        let mut flat = vec![P::L::default(); entries.len()];
        for &(b, p) in &entries {
            let pt = &self.lanes[(p & !(1 << 31)) as usize];
            flat[fill[b as usize] as usize] = if p >> 31 == 1 { pt.neg() } else { *pt };
            fill[b as usize] += 1;
        }
        drop(entries);
        (ops::<P>().sums)(flat, &starts)
    }
}

/// The chunks' bucket sums gathered bucket by bucket (those `keep` keeps), with each bucket's
/// start: the input of one more round of bucket sums.
fn by_bucket<T, U>(parts: &[Vec<T>], keep: impl Fn(&T) -> Option<U>) -> (Vec<U>, Vec<u32>) {
    let mut flat = Vec::new();
    let mut starts = vec![0u32; BUCKETS + 1];
    for b in 0..BUCKETS {
        flat.extend(parts.iter().filter_map(|p| keep(&p[b])));
        starts[b + 1] = flat.len() as u32;
    }
    (flat, starts)
}

/// Σ (k + 1)·bucket_k over `n` buckets as chains of about n / CHAINS buckets, the chains split
/// between the threads: `reduce(len, c0, c1)` reduces chains [c0, c1) of `len` buckets.
fn in_chains<P: SWCurveConfig>(
    n: usize,
    threads: usize,
    reduce: impl Fn(usize, usize, usize) -> Projective<P> + Sync,
) -> Projective<P> {
    let len = n.div_ceil(CHAINS).max(1);
    let chains = n.div_ceil(len);
    let per = chains.div_ceil(threads).max(1);
    (0..chains.div_ceil(per))
        .into_par_iter()
        .map(|g| reduce(len, g * per, ((g + 1) * per).min(chains)))
        .reduce(Projective::<P>::zero, |a, b| a + b)
}

/// `reduce_chains` in lane form: each step adds the chains' buckets to their running sums,
/// then the running sums to their totals, each as one call of the lane bucket sums with the
/// two points of every chain as a bucket.
fn reduce_chains_lanes<P: Lanes>(sums: &[P::L], len: usize, c0: usize, c1: usize) -> Projective<P> {
    let n = c1 - c0;
    let mut running = vec![P::L::default(); n];
    let mut total = vec![P::L::default(); n];
    let tops: Vec<usize> = (c0..c1).map(|r| ((r + 1) * len).min(sums.len())).collect();
    let add = |acc: &mut Vec<P::L>, addend: &dyn Fn(usize) -> Option<P::L>| {
        let mut flat = Vec::with_capacity(2 * n);
        let mut starts = Vec::with_capacity(n + 1);
        starts.push(0u32);
        for (i, a) in acc.iter().enumerate() {
            if !LanePoint::is_zero(a) {
                flat.push(*a);
            }
            if let Some(b) = addend(i).filter(|b| !LanePoint::is_zero(b)) {
                flat.push(b);
            }
            starts.push(flat.len() as u32);
        }
        if !flat.is_empty() {
            *acc = (ops::<P>().sums)(flat, &starts);
        }
    };
    for step in 0..len {
        // chain i's bucket at this step, if it still has one
        let at = |i: usize| (tops[i] > (c0 + i) * len + step).then(|| tops[i] - 1 - step);
        add(&mut running, &|i| at(i).map(|k| sums[k]));
        add(&mut total, &|i| at(i).map(|_| running[i]));
    }
    let running: Vec<Option<Affine<P>>> =
        running.iter().map(|w| (!LanePoint::is_zero(w)).then(|| (ops::<P>().from)(w))).collect();
    let total: Vec<Option<Affine<P>>> =
        total.iter().map(|w| (!LanePoint::is_zero(w)).then(|| (ops::<P>().from)(w))).collect();
    combine_chains(&running, &total, len, c0)
}

/// Sum each bucket's points (`points[starts[b]..starts[b + 1]]`) by rounds of pairwise affine
/// additions with one batched inversion per round. Each round writes its sums in place, at the
/// front of the bucket's own range (the sum of the pair at 2m and 2m + 1 goes to m, read
/// before it is written), so no round allocates or moves a bucket.
fn bucket_sums<P: SWCurveConfig>(
    mut points: Vec<Affine<P>>,
    starts: Vec<u32>,
) -> Vec<Option<Affine<P>>> {
    let buckets = starts.len() - 1;
    let mut lens: Vec<u32> = starts.windows(2).map(|w| w[1] - w[0]).collect();
    let mut dens: Vec<P::BaseField> = Vec::new();
    loop {
        // Pairs (points[k], points[k + 1]) of each bucket with two or more points.
        dens.clear();
        for b in 0..buckets {
            let s = starts[b] as usize;
            let e = s + lens[b] as usize;
            let mut k = s;
            while k + 1 < e {
                dens.push(points[k + 1].x - points[k].x);
                k += 2;
            }
        }
        if dens.is_empty() {
            break;
        }
        serial_batch_inversion_and_mul(&mut dens, &P::BaseField::ONE);
        let mut di = 0;
        for b in 0..buckets {
            let s = starts[b] as usize;
            let e = s + lens[b] as usize;
            let (mut k, mut w) = (s, s);
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
                    points[w] = r;
                    w += 1;
                }
                k += 2;
            }
            if k < e {
                points[w] = points[k];
                w += 1;
            }
            lens[b] = (w - s) as u32;
        }
    }
    (0..buckets).map(|b| (lens[b] > 0).then(|| points[starts[b] as usize])).collect()
}

/// Σ (k + 1)·sums[k] over the chains [c0, c1) of `len` buckets each: chain r covers buckets
/// [r·len, (r + 1)·len). Each chain walks its buckets from the top, keeping a running sum
/// S (the buckets so far) and a total T (the running sums so far), so that at its end
/// T = Σ (k − r·len + 1)·bucket_k and S = Σ bucket_k over the chain; the chains' result is
/// Σ T_r + len·Σ r·S_r. The chains are independent, so one step of all of them is a batch of
/// affine additions with one shared inversion, about 8 field multiplications each, where the
/// usual single running sum in projective form costs about 11 (S += bucket) and 16 (T += S).
fn reduce_chains<P: SWCurveConfig>(
    sums: &[Option<Affine<P>>],
    len: usize,
    c0: usize,
    c1: usize,
) -> Projective<P> {
    let n = c1 - c0;
    let mut running: Vec<Option<Affine<P>>> = vec![None; n];
    let mut total: Vec<Option<Affine<P>>> = vec![None; n];
    let mut addend: Vec<Option<Affine<P>>> = vec![None; n];
    let mut scratch = (Vec::with_capacity(n), Vec::with_capacity(n));
    // The top bucket of each chain; only the last chain can be shorter than `len`.
    let tops: Vec<usize> = (c0..c1).map(|r| ((r + 1) * len).min(sums.len())).collect();
    for step in 0..len {
        // chain i's bucket at this step, if it still has one
        let at = |i: usize| (tops[i] > (c0 + i) * len + step).then(|| tops[i] - 1 - step);
        for (i, a) in addend.iter_mut().enumerate() {
            *a = at(i).and_then(|k| sums[k]);
        }
        add_batch(&mut running, &addend, &mut scratch);
        for (i, a) in addend.iter_mut().enumerate() {
            *a = at(i).and(running[i]);
        }
        add_batch(&mut total, &addend, &mut scratch);
    }
    combine_chains(&running, &total, len, c0)
}

/// The chains' result from their running sums S_r and totals T_r (chains c0.. of `len`
/// buckets): Σ T_r + len·Σ r·S_r.
fn combine_chains<P: SWCurveConfig>(
    running: &[Option<Affine<P>>],
    total: &[Option<Affine<P>>],
    len: usize,
    c0: usize,
) -> Projective<P> {
    let n = running.len();
    // Σ_r (r − c0)·S_r by running sums from the top, then c0·Σ S_r
    let mut acc = Projective::<P>::zero();
    let mut weighted = Projective::<P>::zero();
    for i in (0..n).rev() {
        if let Some(s) = running[i] {
            acc += s;
        }
        if i > 0 {
            weighted += acc;
        }
    }
    let rs = weighted + acc.mul_bigint([c0 as u64]);
    let mut out = rs.mul_bigint([len as u64]);
    for t in total.iter().flatten() {
        out += t;
    }
    out
}

/// acc[i] += add[i] for every i, in affine form with one batched inversion.
fn add_batch<P: SWCurveConfig>(
    acc: &mut [Option<Affine<P>>],
    add: &[Option<Affine<P>>],
    (dens, idx): &mut (Vec<P::BaseField>, Vec<usize>),
) {
    dens.clear();
    idx.clear();
    for (i, (a, b)) in acc.iter_mut().zip(add).enumerate() {
        match (*a, *b) {
            (_, None) => {}
            (None, Some(q)) => *a = Some(q),
            (Some(p), Some(q)) if p.x == q.x => {
                // a doubling or P + (−P); rare, done in projective form
                let r = (Projective::from(p) + q).into_affine();
                *a = (!r.is_zero()).then_some(r);
            }
            (Some(p), Some(q)) => {
                dens.push(q.x - p.x);
                idx.push(i);
            }
        }
    }
    serial_batch_inversion_and_mul(dens, &P::BaseField::ONE);
    for (&i, inv) in idx.iter().zip(dens.iter()) {
        let (p, q) = (acc[i].unwrap_or_default(), add[i].unwrap_or_default());
        let l = (q.y - p.y) * inv;
        let x = l.square() - p.x - q.x;
        let y = l * (p.x - x) - p.y;
        acc[i] = Some(Affine::new_unchecked(x, y));
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
    use ark_bn254::{g1, g2, Fr};
    use ark_ec::VariableBaseMSM;
    use ark_ff::{UniformRand, Zero};
    use ark_std::test_rng;

    fn check<P: Lanes<ScalarField = Fr>>(n: usize) {
        let mut rng = test_rng();
        let mut bases = Projective::<P>::normalize_batch(
            &(0..n).map(|_| Projective::<P>::rand(&mut rng)).collect::<Vec<_>>(),
        );
        // a zero base (a zkey holds them for signals outside a matrix) and a repeated one
        // a zero base (a zkey holds them for signals outside a matrix), a repeated one (its
        // digits add equal points to one bucket: doublings) and a repeated one with the opposite
        // scalar (P + (−P) in every bucket it touches)
        bases[10] = Affine::identity();
        bases[11] = bases[12];
        bases[13] = bases[14];
        // the table on this CPU (eight lanes where it can) and in arkworks' form only
        let tables = [FixedBases::<P>::new(&bases), FixedBases::<P>::new_scalar(&bases)];
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
        scalars[13] = -scalars[14];
        let ints: Vec<_> = scalars.iter().map(|s| s.into_bigint()).collect();
        for table in &tables {
            let expected = Projective::<P>::msm(&bases, &scalars).unwrap();
            assert_eq!(table.msm(0, &ints), expected);
            // an offset window of the bases
            let expected = Projective::<P>::msm(&bases[3..], &scalars[3..]).unwrap();
            assert_eq!(table.msm(3, &ints[3..]), expected);
        }
    }

    /// The eight-lane bucket sums against the scalar ones, bucket by bucket: buckets of 0 to
    /// 40 points, sums that double (a point twice) and vanish (P and −P), enough pairs for many
    /// groups of eight and a partial last one.
    #[cfg(target_arch = "x86_64")]
    fn lane_sums_match<P: Lanes>(buckets: usize)
    where
        P::L: std::fmt::Debug,
    {
        if !crate::ifma::available() {
            eprintln!("no AVX-512 IFMA on this CPU: the eight-lane path is not tested here");
            return;
        }
        let mut rng = test_rng();
        let pool: Vec<Affine<P>> = Projective::<P>::normalize_batch(
            &(0..64).map(|_| Projective::<P>::rand(&mut rng)).collect::<Vec<_>>(),
        );
        let mut pts = Vec::new();
        let mut starts = vec![0u32];
        for b in 0..buckets {
            let len = (b * 7) % 41;
            for i in 0..len {
                let p = pool[(b * 13 + i * 5) % 64];
                pts.push(match (b % 5, i % 3) {
                    (0, 1) => pts.last().copied().unwrap_or(p),
                    (1, 1) => -pts.last().copied().unwrap_or(p),
                    _ => p,
                });
            }
            starts.push(pts.len() as u32);
        }
        let ops = ops::<P>();
        let table: Vec<P::L> = pts.iter().map(ops.to).collect();
        let want = bucket_sums(pts, starts.clone());
        let got = (ops.sums)(table, &starts);
        for (b, (w, g)) in want.iter().zip(&got).enumerate() {
            assert_eq!(w.unwrap_or_default(), (ops.from)(g), "bucket {b}");
        }
    }

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn lane_bucket_sums_match_scalar_g1() {
        lane_sums_match::<g1::Config>(300);
    }

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn lane_bucket_sums_match_scalar_g2() {
        lane_sums_match::<g2::Config>(120);
    }

    /// Every case of one batched step: a sum, a doubling, P + (−P), an empty accumulator and
    /// an empty addend.
    #[test]
    fn batched_affine_step_cases() {
        let mut rng = test_rng();
        let [p, q, r]: [Affine<g2::Config>; 3] =
            std::array::from_fn(|_| Projective::<g2::Config>::rand(&mut rng).into_affine());
        let mut acc = vec![Some(p), Some(p), None, Some(p), Some(q), None];
        let add = vec![Some(p), Some(-p), Some(q), None, Some(r), None];
        add_batch(&mut acc, &add, &mut (Vec::new(), Vec::new()));
        let want = [
            Some((p + p).into_affine()),
            None,
            Some(q),
            Some(p),
            Some((q + r).into_affine()),
            None,
        ];
        assert_eq!(acc, want);
    }

    /// The chained reduction against Σ (k + 1)·bucket_k computed directly: empty buckets, a
    /// bucket equal to another (a doubling in a running sum) and its negation (a sum that
    /// vanishes), chains of any length, and a last chain shorter than the others.
    #[test]
    fn chained_reduction_matches_direct_sum() {
        let mut rng = test_rng();
        for n in [1usize, 2, 31, 32, 33, 200, BUCKETS] {
            let mut sums: Vec<Option<Affine<g1::Config>>> = (0..n)
                .map(|k| {
                    (k % 7 != 3).then(|| Projective::<g1::Config>::rand(&mut rng).into_affine())
                })
                .collect();
            if n > 20 {
                sums[5] = sums[6];
                sums[9] = sums[10].map(|p| -p);
                sums[12] = None;
                sums[n - 1] = sums[n - 2];
            }
            let direct = sums
                .iter()
                .enumerate()
                .filter_map(|(k, b)| b.map(|b| b.into_group().mul_bigint([k as u64 + 1])))
                .fold(Projective::<g1::Config>::zero(), |a, b| a + b);
            for len in [1usize, 3, 32, 64] {
                let chains = n.div_ceil(len);
                for per in [1usize, 2, chains] {
                    let got = (0..chains.div_ceil(per))
                        .map(|g| reduce_chains(&sums, len, g * per, ((g + 1) * per).min(chains)))
                        .fold(Projective::<g1::Config>::zero(), |a, b| a + b);
                    assert_eq!(got, direct, "n {n}, len {len}, per {per}");
                    #[cfg(target_arch = "x86_64")]
                    if crate::ifma::available() {
                        let lanes: Vec<_> = sums
                            .iter()
                            .map(|s| (ops::<g1::Config>().to)(&s.unwrap_or_default()))
                            .collect();
                        let got = (0..chains.div_ceil(per))
                            .map(|g| {
                                reduce_chains_lanes::<g1::Config>(
                                    &lanes,
                                    len,
                                    g * per,
                                    ((g + 1) * per).min(chains),
                                )
                            })
                            .fold(Projective::<g1::Config>::zero(), |a, b| a + b);
                        assert_eq!(got, direct, "lanes: n {n}, len {len}, per {per}");
                    }
                }
            }
        }
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
