//! circom's `.r1cs` reader (iden3 format, version 1): header (section 1) and constraints
//! (section 2). Coefficients are stored little-endian in canonical (not Montgomery) form.

use ark_bn254::Fr;
use ark_ff::{BigInt, BigInteger, PrimeField};

use crate::binfile::{limbs, u32le, u64le, BinFile};

/// One linear combination: (signal, coefficient) pairs.
pub type Lc = Vec<(u32, Fr)>;

pub struct R1cs {
    /// Signals including the constant 1 at index 0 (snarkjs's nVars).
    pub n_wires: usize,
    pub n_pub_out: usize,
    pub n_pub_in: usize,
    /// A·w ∘ B·w = C·w, one (A, B, C) per constraint.
    pub constraints: Vec<[Lc; 3]>,
}

impl R1cs {
    /// Public signals (outputs then public inputs), not counting the constant 1.
    pub fn n_public(&self) -> usize {
        self.n_pub_out + self.n_pub_in
    }
}

pub fn read(data: &[u8]) -> Result<R1cs, String> {
    let f = BinFile::parse(data, b"r1cs")?;
    if u32le(data, 4)? != 1 {
        return Err("unsupported r1cs version (expected 1)".into());
    }
    if f.section(4).is_ok() || f.section(5).is_ok() {
        return Err("r1cs uses custom gates (PLONK only), not a Groth16 circuit".into());
    }
    let h = f.section(1)?;
    let n8 = u32le(h, 0)? as usize;
    if n8 != 32 || h.get(4..36) != Some(Fr::MODULUS.to_bytes_le().as_slice()) {
        return Err("r1cs is not over the BN254 scalar field".into());
    }
    let n_wires = u32le(h, 36)? as usize;
    let n_pub_out = u32le(h, 40)? as usize;
    let n_pub_in = u32le(h, 44)? as usize;
    // nPrvIn (48), nLabels u64 (52)
    u64le(h, 52)?;
    let n_constraints = u32le(h, 60)? as usize;

    let body = f.section(2)?;
    let mut pos = 0;
    let mut lc = || -> Result<Lc, String> {
        let n = u32le(body, pos)? as usize;
        pos += 4;
        let mut terms = Vec::with_capacity(n);
        for _ in 0..n {
            let signal = u32le(body, pos)?;
            let raw = body.get(pos + 4..pos + 36).ok_or("constraint section too short")?;
            let value = Fr::from_bigint(BigInt::new(limbs(raw)))
                .ok_or("non-canonical coefficient in the r1cs")?;
            if signal as usize >= n_wires {
                return Err(format!("constraint refers to signal {signal} of {n_wires}"));
            }
            terms.push((signal, value));
            pos += 36;
        }
        Ok(terms)
    };
    let mut constraints = Vec::with_capacity(n_constraints);
    for _ in 0..n_constraints {
        constraints.push([lc()?, lc()?, lc()?]);
    }
    if pos != body.len() {
        return Err("constraint section has trailing bytes".into());
    }
    Ok(R1cs { n_wires, n_pub_out, n_pub_in, constraints })
}
