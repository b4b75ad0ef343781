//! snarkjs Groth16 `.zkey` reader (sections 1–9). Curve points are stored little-endian in
//! Montgomery form (the same representation arkworks keeps internally, R = 2^256), the point at
//! infinity as (0, 0); the QAP coefficients of section 4 carry an extra factor R (stored as
//! c·R² in raw form).

use ark_bn254::{Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ff::{BigInt, BigInteger, PrimeField};

use crate::binfile::{limbs, u32le, BinFile};

pub struct Coef {
    pub matrix: u32,
    pub constraint: u32,
    pub signal: u32,
    pub value: Fr,
}

pub struct ProvingKey {
    pub n_vars: usize,
    pub n_public: usize,
    pub domain_size: usize,
    pub alpha1: G1Affine,
    pub beta1: G1Affine,
    pub beta2: G2Affine,
    pub delta1: G1Affine,
    pub delta2: G2Affine,
    pub coefs: Vec<Coef>,
    pub a: Vec<G1Affine>,
    pub b1: Vec<G1Affine>,
    pub b2: Vec<G2Affine>,
    pub c: Vec<G1Affine>,
    pub h: Vec<G1Affine>,
}

fn fq_mont(b: &[u8]) -> Fq {
    Fq::new_unchecked(BigInt::new(limbs(b)))
}

fn g1(b: &[u8]) -> G1Affine {
    let (x, y) = (fq_mont(&b[0..32]), fq_mont(&b[32..64]));
    if x == Fq::from(0u8) && y == Fq::from(0u8) {
        G1Affine::identity()
    } else {
        G1Affine::new_unchecked(x, y)
    }
}

fn g2(b: &[u8]) -> G2Affine {
    let x = Fq2::new(fq_mont(&b[0..32]), fq_mont(&b[32..64]));
    let y = Fq2::new(fq_mont(&b[64..96]), fq_mont(&b[96..128]));
    if x == Fq2::from(0u8) && y == Fq2::from(0u8) {
        G2Affine::identity()
    } else {
        G2Affine::new_unchecked(x, y)
    }
}

fn points<T>(data: &[u8], size: usize, count: usize, f: fn(&[u8]) -> T) -> Result<Vec<T>, String> {
    if data.len() != size * count {
        return Err(format!("section holds {} bytes, expected {}", data.len(), size * count));
    }
    Ok(data.chunks_exact(size).map(f).collect())
}

/// What a verifier needs: the header's α, β, γ, δ and the IC points of section 3.
pub struct VerifyingKey {
    pub alpha1: G1Affine,
    pub beta2: G2Affine,
    pub gamma2: G2Affine,
    pub delta2: G2Affine,
    pub ic: Vec<G1Affine>,
}

pub fn read_vk(data: &[u8]) -> Result<VerifyingKey, String> {
    let f = BinFile::parse(data, b"zkey")?;
    let h = f.section(2)?;
    // n8q = n8r = 32 (checked by `read`): header fields start at 4 + 32 + 4 + 32
    let p = 72;
    let n_public = u32le(h, p + 4)? as usize;
    let p = p + 12;
    if h.len() < p + 576 {
        return Err("zkey header too short".into());
    }
    Ok(VerifyingKey {
        alpha1: g1(&h[p..p + 64]),
        beta2: g2(&h[p + 128..p + 256]),
        gamma2: g2(&h[p + 256..p + 384]),
        delta2: g2(&h[p + 448..p + 576]),
        ic: points(f.section(3)?, 64, n_public + 1, g1)?,
    })
}

pub fn read(data: &[u8]) -> Result<ProvingKey, String> {
    let f = BinFile::parse(data, b"zkey")?;
    if u32le(f.section(1)?, 0)? != 1 {
        return Err("zkey is not a Groth16 key".into());
    }
    let h = f.section(2)?;
    let n8q = u32le(h, 0)? as usize;
    let q = &h[4..4 + n8q];
    let mut p = 4 + n8q;
    let n8r = u32le(h, p)? as usize;
    p += 4 + n8r;
    if n8q != 32 || n8r != 32 || q != Fq::MODULUS.to_bytes_le().as_slice() {
        return Err("zkey is not for BN254".into());
    }
    let n_vars = u32le(h, p)? as usize;
    let n_public = u32le(h, p + 4)? as usize;
    let domain_size = u32le(h, p + 8)? as usize;
    p += 12;
    let alpha1 = g1(&h[p..p + 64]);
    let beta1 = g1(&h[p + 64..p + 128]);
    let beta2 = g2(&h[p + 128..p + 256]);
    // gamma2 (p+256..p+384) is only needed by the verifier
    let delta1 = g1(&h[p + 384..p + 448]);
    let delta2 = g2(&h[p + 448..p + 576]);

    let cs = f.section(4)?;
    let n = u32le(cs, 0)? as usize;
    let mut coefs = Vec::with_capacity(n);
    for i in 0..n {
        let o = 4 + i * 44;
        let raw = cs.get(o..o + 44).ok_or("coefficient section too short")?;
        // raw = c·R² as an integer: two Montgomery reductions give c.
        let once = Fr::new_unchecked(BigInt::new(limbs(&raw[12..44]))).into_bigint();
        coefs.push(Coef {
            matrix: u32le(raw, 0)?,
            constraint: u32le(raw, 4)?,
            signal: u32le(raw, 8)?,
            value: Fr::new_unchecked(once),
        });
    }
    Ok(ProvingKey {
        n_vars,
        n_public,
        domain_size,
        alpha1,
        beta1,
        beta2,
        delta1,
        delta2,
        coefs,
        a: points(f.section(5)?, 64, n_vars, g1)?,
        b1: points(f.section(6)?, 64, n_vars, g1)?,
        b2: points(f.section(7)?, 128, n_vars, g2)?,
        c: points(f.section(8)?, 64, n_vars - n_public - 1, g1)?,
        h: points(f.section(9)?, 64, domain_size, g1)?,
    })
}
