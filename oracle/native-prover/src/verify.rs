//! Groth16 verification (BN254) against a snarkjs `verification_key.json`, with proofs and
//! public signals in snarkjs's JSON format.
//!
//! The check is snarkjs's: e(A, B) = e(α, β)·e(L, γ)·e(C, δ) with L = IC₀ + Σ xᵢ·ICᵢ, done as
//! one multi-Miller loop e(A, B)·e(L, −γ)·e(C, −δ) and one final exponentiation compared with
//! e(α, β), which is computed once when the key is loaded (as are the prepared −γ and −δ).
//! Unlike snarkjs, a public signal must be a canonical field element (< r, as the on-chain
//! verifier requires), and every proof point must be on its curve and, for B, in the
//! prime-order subgroup (G1 of BN254 has cofactor 1).

use ark_bn254::{Bn254, Fq, Fq2, Fr, G1Affine, G1Projective, G2Affine};
use ark_ec::pairing::{Pairing, PairingOutput};
use ark_ec::CurveGroup;
use ark_ff::{BigInt, PrimeField};
use serde_json::Value;

pub use crate::prove::Proof;

type G2Prepared = <Bn254 as Pairing>::G2Prepared;

/// A verifying key made ready for many checks.
pub struct PreparedVk {
    alpha_beta: PairingOutput<Bn254>,
    neg_gamma: G2Prepared,
    neg_delta: G2Prepared,
    ic: Vec<G1Affine>,
}

fn field<F: PrimeField<BigInt = BigInt<4>>>(v: &Value, what: &str) -> Result<F, String> {
    let s = v.as_str().ok_or_else(|| format!("{what}: expected a decimal string"))?;
    if s.is_empty() || s.len() > 78 || !s.bytes().all(|c| c.is_ascii_digit()) {
        return Err(format!("{what}: expected a decimal string, got {s:?}"));
    }
    let b: BigInt<4> = s.parse().map_err(|_| format!("{what}: {s} does not fit 256 bits"))?;
    F::from_bigint(b).ok_or_else(|| format!("{what}: {s} is not below the field modulus"))
}

fn array<'a>(v: &'a Value, len: usize, what: &str) -> Result<&'a [Value], String> {
    match v.as_array() {
        Some(a) if a.len() == len => Ok(a),
        _ => Err(format!("{what}: expected an array of {len}")),
    }
}

/// A snarkjs G1 point `[x, y, "1"]` (affine; `[_, _, "0"]` is the point at infinity).
fn g1(v: &Value, what: &str) -> Result<G1Affine, String> {
    let a = array(v, 3, what)?;
    let z: Fq = field(&a[2], what)?;
    if z == Fq::from(0u8) {
        return Ok(G1Affine::identity());
    }
    if z != Fq::from(1u8) {
        return Err(format!("{what}: expected an affine point (z = 1)"));
    }
    let p = G1Affine::new_unchecked(field(&a[0], what)?, field(&a[1], what)?);
    if !p.is_on_curve() {
        return Err(format!("{what}: not a point of G1"));
    }
    Ok(p)
}

fn fq2(v: &Value, what: &str) -> Result<Fq2, String> {
    let a = array(v, 2, what)?;
    Ok(Fq2::new(field(&a[0], what)?, field(&a[1], what)?))
}

/// A snarkjs G2 point `[[x0, x1], [y0, y1], ["1", "0"]]`.
fn g2(v: &Value, what: &str) -> Result<G2Affine, String> {
    let a = array(v, 3, what)?;
    let z = fq2(&a[2], what)?;
    if z == Fq2::from(0u8) {
        return Ok(G2Affine::identity());
    }
    if z != Fq2::from(1u8) {
        return Err(format!("{what}: expected an affine point (z = 1)"));
    }
    let p = G2Affine::new_unchecked(fq2(&a[0], what)?, fq2(&a[1], what)?);
    if !p.is_on_curve() || !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(format!("{what}: not a point of G2"));
    }
    Ok(p)
}

fn key<'a>(v: &'a Value, k: &str) -> Result<&'a Value, String> {
    v.get(k).ok_or_else(|| format!("missing {k}"))
}

impl PreparedVk {
    /// From a snarkjs `verification_key.json` (Groth16, bn128).
    pub fn from_json(v: &Value) -> Result<Self, String> {
        if v.get("protocol").and_then(Value::as_str) != Some("groth16")
            || v.get("curve").and_then(Value::as_str) != Some("bn128")
        {
            return Err("verifying key: not a Groth16 bn128 key".into());
        }
        let n_public =
            key(v, "nPublic")?.as_u64().ok_or("verifying key: nPublic is not a number")? as usize;
        let ic = key(v, "IC")?.as_array().ok_or("verifying key: IC is not an array")?;
        if ic.len() != n_public + 1 {
            return Err(format!(
                "verifying key: {} IC points for {n_public} public signals",
                ic.len()
            ));
        }
        let ic = ic
            .iter()
            .enumerate()
            .map(|(i, p)| g1(p, &format!("verifying key IC[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        let alpha = g1(key(v, "vk_alpha_1")?, "vk_alpha_1")?;
        let beta = g2(key(v, "vk_beta_2")?, "vk_beta_2")?;
        let gamma = g2(key(v, "vk_gamma_2")?, "vk_gamma_2")?;
        let delta = g2(key(v, "vk_delta_2")?, "vk_delta_2")?;
        Ok(Self::new(alpha, beta, gamma, delta, ic))
    }

    pub fn new(
        alpha: G1Affine,
        beta: G2Affine,
        gamma: G2Affine,
        delta: G2Affine,
        ic: Vec<G1Affine>,
    ) -> Self {
        PreparedVk {
            alpha_beta: Bn254::pairing(alpha, beta),
            neg_gamma: (-gamma).into(),
            neg_delta: (-delta).into(),
            ic,
        }
    }

    /// Number of public signals the key expects.
    pub fn n_public(&self) -> usize {
        self.ic.len() - 1
    }

    /// The pairing check; `Err` for a wrong number of public signals.
    pub fn verify(&self, proof: &Proof, publics: &[Fr]) -> Result<bool, String> {
        if publics.len() != self.n_public() {
            return Err(format!(
                "{} public signals, the verifying key expects {}",
                publics.len(),
                self.n_public()
            ));
        }
        let mut l = G1Projective::from(self.ic[0]);
        for (x, p) in publics.iter().zip(&self.ic[1..]) {
            l += *p * x;
        }
        let ml = Bn254::multi_miller_loop(
            [proof.a, l.into_affine(), proof.c],
            [G2Prepared::from(proof.b), self.neg_gamma.clone(), self.neg_delta.clone()],
        );
        Ok(Bn254::final_exponentiation(ml).is_some_and(|r| r == self.alpha_beta))
    }
}

/// A snarkjs proof object (`pi_a`, `pi_b`, `pi_c`) and its public signals (decimal strings).
pub fn proof_from_json(proof: &Value, publics: &Value) -> Result<(Proof, Vec<Fr>), String> {
    let p = Proof {
        a: g1(key(proof, "pi_a")?, "pi_a")?,
        b: g2(key(proof, "pi_b")?, "pi_b")?,
        c: g1(key(proof, "pi_c")?, "pi_c")?,
    };
    let publics = publics
        .as_array()
        .ok_or("publicSignals is not an array")?
        .iter()
        .enumerate()
        .map(|(i, v)| field::<Fr>(v, &format!("publicSignals[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((p, publics))
}
