//! BN254 bucket sums (G1 and G2) on eight lanes at once, with AVX-512 IFMA (52-bit
//! multiply-add).
//!
//! The bucket rounds of `msm.rs` are affine additions sharing one batched inversion: about six
//! base-field multiplications each, which is where the prover spends most of its time. One
//! arkworks multiplication (four 64-bit limbs, scalar `mul`) takes about 16 ns on the
//! development machine; here eight of them run side by side in the lanes of 512-bit registers,
//! each element as five 52-bit limbs (`vpmadd52luq`/`vpmadd52huq`), in Montgomery form with
//! R = 2^260.
//!
//! Every value is kept canonical (< p) after each operation, so equality is equality of limbs
//! and the identity is the all-zero point (neither curve has a point with x = y = 0: their
//! constant terms, 3 and 3/(9 + u), are not zero). G2's base field Fq2 is two Fq elements.
//! Additions with equal x (a doubling, or P + (−P)) are rare in bucket sums; their lanes are
//! computed with arkworks instead, as the scalar path does.
//!
//! Only used when the CPU has AVX-512 IFMA (`available()`, checked at run time); otherwise the
//! scalar path of `msm.rs` runs, and the tests compare the two on the same input.

#![allow(clippy::needless_range_loop)] // limb-by-limb loops read as the arithmetic they do

use std::arch::x86_64::*;
use std::sync::OnceLock;

use ark_bn254::{g1, g2, Fq, Fq2};
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{serial_batch_inversion_and_mul, AdditiveGroup, BigInt, Field, PrimeField};

const MASK: u64 = (1 << 52) - 1;

/// A point as two base-field elements in radix 2^52, Montgomery form with R = 2^260, canonical:
/// N = 5 words an element for G1 (Fq), 10 for G2 (Fq2, c0 then c1). All zero is the identity.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(C)]
pub struct LPoint<const N: usize> {
    pub x: [u64; N],
    pub y: [u64; N],
}

pub type WPoint = LPoint<5>;
pub type W2Point = LPoint<10>;

impl<const N: usize> Default for LPoint<N> {
    fn default() -> Self {
        LPoint { x: [0; N], y: [0; N] }
    }
}

/// What the multi-exponentiation asks of a point in lane form.
pub trait LanePoint: Copy + Default + Send + Sync {
    fn is_zero(&self) -> bool;
    fn neg(&self) -> Self;
}

impl<const N: usize> LanePoint for LPoint<N> {
    #[inline]
    fn is_zero(&self) -> bool {
        let mut o = 0;
        for j in 0..N {
            o |= self.x[j] | self.y[j];
        }
        o == 0
    }

    /// −P: (x, −y), each Fq component of y negated (p − c, and 0 for 0); the identity for the
    /// identity.
    fn neg(&self) -> Self {
        if self.is_zero() {
            return *self;
        }
        let p = &consts().p;
        let mut y = self.y;
        for c in y.chunks_exact_mut(5) {
            if c.iter().all(|&l| l == 0) {
                continue;
            }
            let mut borrow = 0i64;
            for j in 0..5 {
                let d = p[j] as i64 - c[j] as i64 + borrow;
                c[j] = d as u64 & MASK;
                borrow = d >> 52;
            }
        }
        LPoint { x: self.x, y }
    }
}

/// Whether this CPU runs the eight-lane path (read once).
pub fn available() -> bool {
    static HAS: OnceLock<bool> = OnceLock::new();
    *HAS.get_or_init(|| {
        std::env::var_os("ZKPIN_PROVER_NO_IFMA").is_none()
            && is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512ifma")
    })
}

fn split(v: &BigInt<4>) -> [u64; 5] {
    let l = v.0;
    [
        l[0] & MASK,
        (l[0] >> 52 | l[1] << 12) & MASK,
        (l[1] >> 40 | l[2] << 24) & MASK,
        (l[2] >> 28 | l[3] << 36) & MASK,
        l[3] >> 16,
    ]
}

fn join(w: &[u64; 5]) -> BigInt<4> {
    BigInt([
        w[0] | w[1] << 52,
        w[1] >> 12 | w[2] << 40,
        w[2] >> 24 | w[3] << 28,
        w[3] >> 36 | w[4] << 16,
    ])
}

/// a·2^260 mod p, from arkworks' a·2^256 mod p: the representation of 16·a.
pub fn to_w(a: &Fq) -> [u64; 5] {
    split(&a.double().double().double().double().0)
}

pub fn from_w(w: &[u64; 5]) -> Fq {
    static INV16: OnceLock<Fq> = OnceLock::new();
    Fq::new_unchecked(join(w)) * INV16.get_or_init(|| Fq::from(16u8).inverse().unwrap())
}

/// A base field's lane form: Fq as 5 words, Fq2 as 10 (c0, then c1).
pub trait LaneCoord<const N: usize>: Sized {
    fn to_lane(&self) -> [u64; N];
    fn from_lane(w: &[u64; N]) -> Self;
}

impl LaneCoord<5> for Fq {
    fn to_lane(&self) -> [u64; 5] {
        to_w(self)
    }
    fn from_lane(w: &[u64; 5]) -> Self {
        from_w(w)
    }
}

impl LaneCoord<10> for Fq2 {
    fn to_lane(&self) -> [u64; 10] {
        let mut w = [0u64; 10];
        w[..5].copy_from_slice(&to_w(&self.c0));
        w[5..].copy_from_slice(&to_w(&self.c1));
        w
    }
    fn from_lane(w: &[u64; 10]) -> Self {
        Fq2::new(from_w(w[..5].try_into().unwrap()), from_w(w[5..].try_into().unwrap()))
    }
}

/// An affine point in lane form (the identity as all zero).
pub fn point_to_lanes<P: SWCurveConfig, const N: usize>(p: &Affine<P>) -> LPoint<N>
where
    P::BaseField: LaneCoord<N>,
{
    match p.xy() {
        Some((x, y)) => LPoint { x: x.to_lane(), y: y.to_lane() },
        None => LPoint::default(),
    }
}

pub fn point_from_lanes<P: SWCurveConfig, const N: usize>(w: &LPoint<N>) -> Affine<P>
where
    P::BaseField: LaneCoord<N>,
{
    if w.is_zero() {
        Affine::identity()
    } else {
        Affine::new_unchecked(P::BaseField::from_lane(&w.x), P::BaseField::from_lane(&w.y))
    }
}

/// P + Q by arkworks (the rare pairs with equal x).
fn add_by_arkworks<P: SWCurveConfig, const N: usize>(p: &LPoint<N>, q: &LPoint<N>) -> LPoint<N>
where
    P::BaseField: LaneCoord<N>,
{
    let sum = Projective::<P>::from(point_from_lanes::<P, N>(p)) + point_from_lanes::<P, N>(q);
    point_to_lanes::<P, N>(&sum.into_affine())
}

struct Consts {
    p: [u64; 5],
    /// −p⁻¹ mod 2^52
    pinv: u64,
    one: [u64; 5],
}

fn consts() -> &'static Consts {
    static C: OnceLock<Consts> = OnceLock::new();
    C.get_or_init(|| {
        let p = split(&Fq::MODULUS);
        let mut inv = 1u64;
        for _ in 0..7 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(p[0].wrapping_mul(inv)));
        }
        Consts { p, pinv: inv.wrapping_neg() & MASK, one: to_w(&Fq::ONE) }
    })
}

type V = [__m512i; 5];

#[derive(Clone, Copy)]
struct K {
    p: V,
    pinv: __m512i,
    mask: __m512i,
    one: V,
}

#[target_feature(enable = "avx512f")]
unsafe fn splat(c: &[u64; 5]) -> V {
    let mut v = [_mm512_setzero_si512(); 5];
    for j in 0..5 {
        v[j] = _mm512_set1_epi64(c[j] as i64);
    }
    v
}

#[target_feature(enable = "avx512f")]
unsafe fn k() -> K {
    let c = consts();
    K {
        p: splat(&c.p),
        pinv: _mm512_set1_epi64(c.pinv as i64),
        mask: _mm512_set1_epi64(MASK as i64),
        one: splat(&c.one),
    }
}

/// a·b·2^−260 mod p, canonical, for canonical a and b.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn mul(k: &K, a: &V, b: &V) -> V {
    let z = _mm512_setzero_si512();
    let mut t = [z; 10];
    for i in 0..5 {
        for j in 0..5 {
            t[i + j] = _mm512_madd52lo_epu64(t[i + j], a[i], b[j]);
            t[i + j + 1] = _mm512_madd52hi_epu64(t[i + j + 1], a[i], b[j]);
        }
    }
    // Montgomery reduction, one 52-bit word at a time: t[i] + m·p ≡ 0 mod 2^52.
    for i in 0..5 {
        let m = _mm512_madd52lo_epu64(z, t[i], k.pinv);
        for j in 0..5 {
            t[i + j] = _mm512_madd52lo_epu64(t[i + j], m, k.p[j]);
            t[i + j + 1] = _mm512_madd52hi_epu64(t[i + j + 1], m, k.p[j]);
        }
        t[i + 1] = _mm512_add_epi64(t[i + 1], _mm512_srli_epi64::<52>(t[i]));
    }
    let mut r = [t[5], t[6], t[7], t[8], t[9]];
    carry(k, &mut r);
    reduce_once(k, r)
}

/// Carries each limb's bits above 52 into the next (limbs ≥ 0; the top one keeps its own).
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn carry(k: &K, r: &mut V) {
    for j in 0..4 {
        r[j + 1] = _mm512_add_epi64(r[j + 1], _mm512_srli_epi64::<52>(r[j]));
        r[j] = _mm512_and_si512(r[j], k.mask);
    }
}

/// The same for limbs that may be negative: borrows move up, the top limb keeps the sign.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn carry_signed(k: &K, r: &mut V) {
    for j in 0..4 {
        r[j + 1] = _mm512_add_epi64(r[j + 1], _mm512_srai_epi64::<52>(r[j]));
        r[j] = _mm512_and_si512(r[j], k.mask);
    }
}

/// r − p where r ≥ p, else r, for normalised limbs of r < 2p.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn reduce_once(k: &K, mut r: V) -> V {
    let z = _mm512_setzero_si512();
    let mut d = [z; 5];
    for j in 0..5 {
        d[j] = _mm512_sub_epi64(r[j], k.p[j]);
    }
    carry_signed(k, &mut d);
    let neg = _mm512_cmplt_epi64_mask(d[4], z);
    for j in 0..5 {
        r[j] = _mm512_mask_blend_epi64(neg, d[j], r[j]);
    }
    r
}

/// a + b mod p, canonical, for canonical a and b.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn add(k: &K, a: &V, b: &V) -> V {
    let mut r = *a;
    for j in 0..5 {
        r[j] = _mm512_add_epi64(a[j], b[j]);
    }
    carry(k, &mut r);
    reduce_once(k, r)
}

/// a − b mod p, canonical, for canonical a and b.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn sub(k: &K, a: &V, b: &V) -> V {
    let mut d = *a;
    for j in 0..5 {
        d[j] = _mm512_sub_epi64(a[j], b[j]);
    }
    carry_signed(k, &mut d);
    let neg = _mm512_cmplt_epi64_mask(d[4], _mm512_setzero_si512());
    for j in 0..5 {
        d[j] = _mm512_add_epi64(d[j], _mm512_maskz_mov_epi64(neg, k.p[j]));
    }
    carry(k, &mut d);
    d[4] = _mm512_and_si512(d[4], k.mask);
    d
}

/// Lanes where every limb of a is zero.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn is_zero(a: &V) -> __mmask8 {
    let o = _mm512_or_si512(
        _mm512_or_si512(a[0], a[1]),
        _mm512_or_si512(_mm512_or_si512(a[2], a[3]), a[4]),
    );
    _mm512_cmpeq_epi64_mask(o, _mm512_setzero_si512())
}

#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn lanes(a: &V) -> [[u64; 5]; 8] {
    let mut out = [[0u64; 5]; 8];
    for (j, limb) in a.iter().enumerate() {
        let mut l = [0u64; 8];
        _mm512_storeu_si512(l.as_mut_ptr() as *mut _, *limb);
        for (o, v) in out.iter_mut().zip(l) {
            o[j] = v;
        }
    }
    out
}

#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn from_lanes(v: &[[u64; 5]; 8]) -> V {
    let mut out = [_mm512_setzero_si512(); 5];
    for j in 0..5 {
        let mut l = [0u64; 8];
        for i in 0..8 {
            l[i] = v[i][j];
        }
        out[j] = _mm512_loadu_si512(l.as_ptr() as *const _);
    }
    out
}

/// A base field in lane form, for the generic bucket sums: its elements are `N` words.
trait LaneField<const N: usize> {
    type E: Copy;
    unsafe fn one(k: &K) -> Self::E;
    unsafe fn mul(k: &K, a: &Self::E, b: &Self::E) -> Self::E;
    unsafe fn sub(k: &K, a: &Self::E, b: &Self::E) -> Self::E;
    /// Lanes where a is zero.
    unsafe fn zero_mask(a: &Self::E) -> __mmask8;
    /// b in the lanes of m, a elsewhere.
    unsafe fn blend(m: __mmask8, a: &Self::E, b: &Self::E) -> Self::E;
    /// Coordinate c (0 = x, 1 = y) of the points at word offsets `idx` from `base`.
    unsafe fn gather(base: *const u64, idx: __m512i, c: usize) -> Self::E;
    unsafe fn scatter(base: *mut u64, m: __mmask8, idx: __m512i, c: usize, e: &Self::E);
    /// 1/a in every lane (a nonzero), by arkworks.
    unsafe fn invert(a: &Self::E) -> Self::E;
    /// P + Q by arkworks, for the rare pairs with equal x.
    fn add_points(p: &LPoint<N>, q: &LPoint<N>) -> LPoint<N>;
}

#[target_feature(enable = "avx512f")]
unsafe fn gather5(base: *const u64, idx: __m512i, at: usize) -> V {
    let b = base.add(at) as *const i64;
    let mut out = [_mm512_setzero_si512(); 5];
    for j in 0..5 {
        out[j] = _mm512_i64gather_epi64::<8>(idx, b.add(j));
    }
    out
}

#[target_feature(enable = "avx512f")]
unsafe fn scatter5(base: *mut u64, m: __mmask8, idx: __m512i, at: usize, v: &V) {
    let b = base.add(at) as *mut i64;
    for j in 0..5 {
        _mm512_mask_i64scatter_epi64::<8>(b.add(j), m, idx, v[j]);
    }
}

/// G1's base field Fq.
struct G1Field;

impl LaneField<5> for G1Field {
    type E = V;
    #[inline]
    unsafe fn one(k: &K) -> V {
        k.one
    }
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn mul(k: &K, a: &V, b: &V) -> V {
        mul(k, a, b)
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn sub(k: &K, a: &V, b: &V) -> V {
        sub(k, a, b)
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn zero_mask(a: &V) -> __mmask8 {
        is_zero(a)
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn blend(m: __mmask8, a: &V, b: &V) -> V {
        let mut r = *a;
        for j in 0..5 {
            r[j] = _mm512_mask_blend_epi64(m, a[j], b[j]);
        }
        r
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn gather(base: *const u64, idx: __m512i, c: usize) -> V {
        gather5(base, idx, 5 * c)
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn scatter(base: *mut u64, m: __mmask8, idx: __m512i, c: usize, e: &V) {
        scatter5(base, m, idx, 5 * c, e)
    }
    #[target_feature(enable = "avx512f")]
    unsafe fn invert(a: &V) -> V {
        let v = lanes(a);
        // one inversion for the eight lanes (Montgomery's trick again)
        let mut f: [Fq; 8] = std::array::from_fn(|l| from_w(&v[l]));
        serial_batch_inversion_and_mul(&mut f, &Fq::ONE);
        from_lanes(&std::array::from_fn(|l| to_w(&f[l])))
    }
    fn add_points(p: &WPoint, q: &WPoint) -> WPoint {
        add_by_arkworks::<g1::Config, 5>(p, q)
    }
}

/// G2's base field Fq2 = Fq[u]/(u² + 1), as two Fq: (c0, c1).
struct G2Field;

impl LaneField<10> for G2Field {
    type E = [V; 2];
    #[inline]
    unsafe fn one(k: &K) -> [V; 2] {
        let z = _mm512_setzero_si512();
        [k.one, [z; 5]]
    }
    /// Karatsuba: (a0 + a1u)(b0 + b1u) = a0b0 − a1b1 + ((a0 + a1)(b0 + b1) − a0b0 − a1b1)u.
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn mul(k: &K, a: &[V; 2], b: &[V; 2]) -> [V; 2] {
        let v0 = mul(k, &a[0], &b[0]);
        let v1 = mul(k, &a[1], &b[1]);
        let s = mul(k, &add(k, &a[0], &a[1]), &add(k, &b[0], &b[1]));
        [sub(k, &v0, &v1), sub(k, &sub(k, &s, &v0), &v1)]
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn sub(k: &K, a: &[V; 2], b: &[V; 2]) -> [V; 2] {
        [sub(k, &a[0], &b[0]), sub(k, &a[1], &b[1])]
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn zero_mask(a: &[V; 2]) -> __mmask8 {
        is_zero(&a[0]) & is_zero(&a[1])
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn blend(m: __mmask8, a: &[V; 2], b: &[V; 2]) -> [V; 2] {
        [G1Field::blend(m, &a[0], &b[0]), G1Field::blend(m, &a[1], &b[1])]
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn gather(base: *const u64, idx: __m512i, c: usize) -> [V; 2] {
        [gather5(base, idx, 10 * c), gather5(base, idx, 10 * c + 5)]
    }
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn scatter(base: *mut u64, m: __mmask8, idx: __m512i, c: usize, e: &[V; 2]) {
        scatter5(base, m, idx, 10 * c, &e[0]);
        scatter5(base, m, idx, 10 * c + 5, &e[1]);
    }
    #[target_feature(enable = "avx512f")]
    unsafe fn invert(a: &[V; 2]) -> [V; 2] {
        let (c0, c1) = (lanes(&a[0]), lanes(&a[1]));
        let mut f: [Fq2; 8] = std::array::from_fn(|l| Fq2::new(from_w(&c0[l]), from_w(&c1[l])));
        serial_batch_inversion_and_mul(&mut f, &Fq2::ONE);
        [
            from_lanes(&std::array::from_fn(|l| to_w(&f[l].c0))),
            from_lanes(&std::array::from_fn(|l| to_w(&f[l].c1))),
        ]
    }
    fn add_points(p: &W2Point, q: &W2Point) -> W2Point {
        add_by_arkworks::<g2::Config, 10>(p, q)
    }
}

/// Sum each bucket's G1 points (`points[starts[b]..starts[b + 1]]`), as `msm::bucket_sums`
/// does, with eight additions per step. Returns each bucket's sum (the identity for an empty
/// one).
pub fn bucket_sums(points: Vec<WPoint>, starts: &[u32]) -> Vec<WPoint> {
    assert!(available(), "AVX-512 IFMA is not available on this CPU");
    // SAFETY: the CPU has AVX-512F and IFMA (checked above).
    unsafe { bucket_sums_inner::<G1Field, 5>(points, starts) }
}

/// The same for G2 points.
pub fn bucket_sums_g2(points: Vec<W2Point>, starts: &[u32]) -> Vec<W2Point> {
    assert!(available(), "AVX-512 IFMA is not available on this CPU");
    // SAFETY: the CPU has AVX-512F and IFMA (checked above).
    unsafe { bucket_sums_inner::<G2Field, 10>(points, starts) }
}

/// Groups of eight pairs per batched inversion: 4,096 pairs, whose points (640 KB in G1) stay
/// in a core's L2 cache between the pass that reads their x and the pass that adds them.
const BLOCK: usize = 512;

#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn bucket_sums_inner<F: LaneField<N>, const N: usize>(
    mut points: Vec<LPoint<N>>,
    starts: &[u32],
) -> Vec<LPoint<N>> {
    let k = k();
    // words a point
    let stride = 2 * N as u64;
    let buckets = starts.len() - 1;
    let mut lens: Vec<u32> = starts.windows(2).map(|w| w[1] - w[0]).collect();
    // per pair: its first point, as an offset in words, and its bucket
    let mut pairs: Vec<u64> = Vec::new();
    let mut bucket_of: Vec<u32> = Vec::new();
    // per bucket: where its next sum goes
    let mut next: Vec<u32> = Vec::new();
    let mut dests: Vec<u64> = Vec::with_capacity(8 * BLOCK);
    let mut dens: Vec<F::E> = Vec::with_capacity(BLOCK);
    let mut invs: Vec<F::E> = Vec::with_capacity(BLOCK);
    // pairs with equal x (a doubling or P + (−P)): (pair, sum)
    let mut special: Vec<(usize, LPoint<N>)> = Vec::new();
    let step = _mm512_set1_epi64(stride as i64);
    loop {
        pairs.clear();
        bucket_of.clear();
        for b in 0..buckets {
            let s = starts[b] as u64;
            let e = s + lens[b] as u64;
            let mut i = s;
            while i + 1 < e {
                pairs.push(stride * i);
                bucket_of.push(b as u32);
                i += 2;
            }
        }
        if pairs.is_empty() {
            break;
        }
        let n = pairs.len();
        let groups = n.div_ceil(8);
        // lanes past the end repeat the last pair; nothing of theirs is written
        pairs.resize(groups * 8, pairs[n - 1]);
        next.clear();
        next.extend_from_slice(&starts[..buckets]);
        let out = points.as_mut_ptr();
        let words = out as *mut u64;
        for block in (0..groups).step_by(BLOCK) {
            let end = (block + BLOCK).min(groups);
            dens.clear();
            invs.clear();
            special.clear();
            // 1. the denominators x2 − x1 and, lane by lane, their running products
            let mut acc = F::one(&k);
            for g in block..end {
                let i1 = _mm512_loadu_si512(pairs.as_ptr().add(8 * g) as *const _);
                let i2 = _mm512_add_epi64(i1, step);
                let mut d = F::sub(&k, &F::gather(words, i2, 0), &F::gather(words, i1, 0));
                let z = F::zero_mask(&d);
                if z != 0 {
                    for l in 0..8 {
                        let t = 8 * g + l;
                        if z >> l & 1 == 1 && t < n {
                            let pi = (pairs[t] / stride) as usize;
                            special.push((t, F::add_points(&*out.add(pi), &*out.add(pi + 1))));
                        }
                    }
                    d = F::blend(z, &d, &F::one(&k));
                }
                invs.push(acc);
                acc = F::mul(&k, &acc, &d);
                dens.push(d);
            }
            // 2. one inversion per lane, then each denominator's inverse, from the last
            let mut inv = F::invert(&acc);
            for i in (0..end - block).rev() {
                let di = F::mul(&k, &inv, &invs[i]);
                inv = F::mul(&k, &inv, &dens[i]);
                invs[i] = di;
            }
            // where each sum goes: the front of its bucket's range, in order, skipping the
            // sums that vanish (P + (−P)). Every sum goes at or before its own pair's first
            // point, and behind every point a later pair reads.
            dests.clear();
            let mut sp = special.iter().peekable();
            for t in 8 * block..(8 * end).min(n) {
                let b = bucket_of[t] as usize;
                let vanishes = match sp.peek() {
                    Some(&&(at, r)) if at == t => {
                        sp.next();
                        r.is_zero()
                    }
                    _ => false,
                };
                dests.push(stride * next[b] as u64);
                next[b] += !vanishes as u32;
            }
            dests.resize(8 * (end - block), 0);
            // 3. the sums, written in place; the special pairs' lanes are not written
            let mut sp_next = 0;
            for g in block..end {
                let i1 = _mm512_loadu_si512(pairs.as_ptr().add(8 * g) as *const _);
                let i2 = _mm512_add_epi64(i1, step);
                let (x1, y1) = (F::gather(words, i1, 0), F::gather(words, i1, 1));
                let (x2, y2) = (F::gather(words, i2, 0), F::gather(words, i2, 1));
                let l = F::mul(&k, &F::sub(&k, &y2, &y1), &invs[g - block]);
                let x3 = F::sub(&k, &F::sub(&k, &F::mul(&k, &l, &l), &x1), &x2);
                let y3 = F::sub(&k, &F::mul(&k, &l, &F::sub(&k, &x1, &x3)), &y1);
                let live = (n - 8 * g).min(8);
                let mut write: __mmask8 = ((1u16 << live) - 1) as u8;
                // (the special pairs are in order: the ones of this group are next)
                while let Some(&(at, _)) = special.get(sp_next).filter(|(at, _)| at / 8 == g) {
                    write &= !(1 << (at % 8));
                    sp_next += 1;
                }
                let o = _mm512_loadu_si512(dests.as_ptr().add(8 * (g - block)) as *const _);
                F::scatter(words, write, o, 0, &x3);
                F::scatter(words, write, o, 1, &y3);
            }
            for &(at, r) in &special {
                if !r.is_zero() {
                    *out.add((dests[at - 8 * block] / stride) as usize) = r;
                }
            }
        }
        // an odd point out follows its bucket's sums
        for b in 0..buckets {
            let (s, len) = (starts[b] as usize, lens[b] as usize);
            let mut w = next[b] as usize;
            if len % 2 == 1 {
                points[w] = points[s + len - 1];
                w += 1;
            }
            lens[b] = (w - s) as u32;
        }
    }
    (0..buckets)
        .map(|b| if lens[b] > 0 { points[starts[b] as usize] } else { LPoint::default() })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{UniformRand, Zero};
    use ark_std::test_rng;

    fn edge_values() -> Vec<Fq> {
        let mut rng = test_rng();
        let mut v = vec![Fq::ZERO, Fq::ONE, -Fq::ONE, Fq::from(2u8), -Fq::from(2u8)];
        v.extend((0..200).map(|_| Fq::rand(&mut rng)));
        v
    }

    #[test]
    fn conversions_round_trip() {
        for a in edge_values() {
            assert_eq!(from_w(&to_w(&a)), a);
        }
    }

    #[test]
    fn lane_arithmetic_matches_arkworks() {
        if !available() {
            eprintln!("no AVX-512 IFMA here: skipped");
            return;
        }
        let vals = edge_values();
        let k = unsafe { k() };
        let rev: Vec<Fq> = vals.iter().rev().copied().collect();
        for (a, b) in vals.chunks_exact(8).zip(rev.chunks_exact(8)) {
            let va = unsafe { from_lanes(&std::array::from_fn(|i| to_w(&a[i]))) };
            let vb = unsafe { from_lanes(&std::array::from_fn(|i| to_w(&b[i]))) };
            let (m, s) = unsafe { (lanes(&mul(&k, &va, &vb)), lanes(&sub(&k, &va, &vb))) };
            let d = unsafe { lanes(&add(&k, &va, &vb)) };
            for i in 0..8 {
                assert_eq!(from_w(&m[i]), a[i] * b[i]);
                assert_eq!(m[i], to_w(&(a[i] * b[i])), "canonical product");
                assert_eq!(s[i], to_w(&(a[i] - b[i])), "canonical difference");
                assert_eq!(d[i], to_w(&(a[i] + b[i])), "canonical sum");
            }
        }
        // Fq2: products (Karatsuba) and inverses per lane
        let pairs: Vec<(Fq2, Fq2)> = vals
            .iter()
            .zip(vals.iter().rev())
            .zip(vals.iter().skip(3))
            .map(|((a, b), c)| (Fq2::new(*a, *b), Fq2::new(*c, *a)))
            .collect();
        for chunk in pairs.chunks_exact(8) {
            let pack = |f: &dyn Fn(&(Fq2, Fq2)) -> Fq2| unsafe {
                let v: Vec<Fq2> = chunk.iter().map(f).collect();
                [
                    from_lanes(&std::array::from_fn(|i| to_w(&v[i].c0))),
                    from_lanes(&std::array::from_fn(|i| to_w(&v[i].c1))),
                ]
            };
            let (a, b) = (pack(&|p| p.0), pack(&|p| p.1));
            let m = unsafe { G2Field::mul(&k, &a, &b) };
            let (m0, m1) = unsafe { (lanes(&m[0]), lanes(&m[1])) };
            for i in 0..8 {
                let want = chunk[i].0 * chunk[i].1;
                assert_eq!((m0[i], m1[i]), (to_w(&want.c0), to_w(&want.c1)), "Fq2 product");
            }
            if chunk.iter().all(|p| !p.0.is_zero()) {
                let inv = unsafe { G2Field::invert(&a) };
                let (i0, i1) = unsafe { (lanes(&inv[0]), lanes(&inv[1])) };
                for i in 0..8 {
                    let want = chunk[i].0.inverse().unwrap();
                    assert_eq!((i0[i], i1[i]), (to_w(&want.c0), to_w(&want.c1)), "Fq2 inverse");
                }
            }
        }
    }
}
