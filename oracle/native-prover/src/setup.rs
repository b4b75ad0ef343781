//! INSECURE development Groth16 setup: a circuit-specific key computed directly from fixed,
//! public toxic waste and written in snarkjs's `.zkey` format.
//!
//! Anyone can recompute τ, α, β, γ, δ from the public domain separator and the r1cs bytes, and
//! with them forge a proof of anything for a key made here. The key exists so that tests and
//! local networks get a working key in seconds; production keys come from the multi-party
//! phase-2 ceremony (docs/ceremony.md).
//!
//! What the key holds (snarkjs's QAP conventions, which both snarkjs's prover and
//! `crate::prove` follow): the domain H of size n = 2^k ≥ constraints + public + 1 with the
//! generator arkworks and snarkjs share; L_i the Lagrange basis of H at τ. Row j < constraints
//! is constraint j; rows constraints + s (s ≤ public) add the term 1·w_s to A, which makes
//! every public A-column independent. Per signal s: a_s = Σ A[j][s]·L_j(τ), likewise b_s, c_s.
//! - section 2: [α]₁, [β]₁, [β]₂, [γ]₂, [δ]₁, [δ]₂;
//! - section 3 (IC, s ≤ public): [(β·a_s + α·b_s + c_s)/γ]₁;
//! - section 4: the A and B coefficients as (matrix, row, signal, value·R²);
//! - sections 5, 6, 7: [a_s]₁, [b_s]₁, [b_s]₂;
//! - section 8 (s > public): [(β·a_s + α·b_s + c_s)/δ]₁;
//! - section 9: [L'_{2i+1}(τ)/δ]₁, i < n, with L' the Lagrange basis of the domain of size 2n:
//!   the provers evaluate A·B − C on the odd coset ω_{2n}·H, where A·B − C = h·Z and H's own
//!   points are roots, so Σ_i (A·B − C)(ω_{2n}^{2i+1})·L'_{2i+1}(τ) = h(τ)·Z(τ);
//! - section 10: a 64-byte key hash (SHA-512 of sections 2–9; snarkjs's "circuit hash" is
//!   defined over a phase-1 key, which this setup never makes) and zero contributions;
//! - section [`NOTICE_SECTION`]: [`NOTICE`] in UTF-8, which readers that do not know it skip.

use ark_bn254::{Fq, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::scalar_mul::BatchMulPreprocessing;
use ark_ec::{AffineRepr, PrimeGroup};
use ark_ff::{BigInteger, Field, One, PrimeField, Zero};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use sha2::{Digest, Sha256, Sha512};

use crate::r1cs::R1cs;

/// Hashed with each secret's name and the r1cs bytes to derive the toxic waste. Public on purpose.
pub const DOMAIN_SEPARATOR: &str = "zkpin INSECURE development Groth16 setup v1";

/// Section id of the plain-text warning that marks a key as made here.
pub const NOTICE_SECTION: u32 = 1000;

/// The warning written into every key.
pub const NOTICE: &str = "zkpin INSECURE development Groth16 key. Its toxic waste \
(tau, alpha, beta, gamma, delta) is derived from a public string and the circuit's r1cs \
(zkpin-dev-setup): anyone can forge proofs for it. Tests and local networks only; production \
keys come from the multi-party ceremony in docs/ceremony.md.";

/// Largest domain for which the odd coset ω_{2n}·H exists in BN254's scalar field (2-adicity 28).
const MAX_POWER: u32 = 27;

/// The secrets of a Groth16 setup. Here they are public.
pub struct ToxicWaste {
    pub tau: Fr,
    pub alpha: Fr,
    pub beta: Fr,
    pub gamma: Fr,
    pub delta: Fr,
}

impl ToxicWaste {
    /// `sha256(DOMAIN_SEPARATOR || 0 || name || 0 || sha256(r1cs))` read as a little-endian
    /// integer mod r, for name in tau, alpha, beta, gamma, delta.
    pub fn derive(r1cs_bytes: &[u8]) -> Self {
        let circuit = Sha256::digest(r1cs_bytes);
        let pick = |name: &str| {
            let mut h = Sha256::new();
            h.update(DOMAIN_SEPARATOR.as_bytes());
            h.update([0]);
            h.update(name.as_bytes());
            h.update([0]);
            h.update(circuit);
            Fr::from_le_bytes_mod_order(&h.finalize())
        };
        ToxicWaste {
            tau: pick("tau"),
            alpha: pick("alpha"),
            beta: pick("beta"),
            gamma: pick("gamma"),
            delta: pick("delta"),
        }
    }
}

/// snarkjs's domain: the smallest power of two ≥ constraints + public signals + 1.
pub fn domain_size(r1cs: &R1cs) -> Result<usize, String> {
    let rows = r1cs.constraints.len() + r1cs.n_public() + 1;
    let n = rows.next_power_of_two();
    if n > 1 << MAX_POWER {
        return Err(format!("{rows} rows need a domain above 2^{MAX_POWER}"));
    }
    Ok(n)
}

fn put_u32(out: &mut Vec<u8>, v: usize) {
    out.extend_from_slice(&(v as u32).to_le_bytes());
}

/// Montgomery form, little-endian: the representation snarkjs keeps in its files.
fn put_fq(out: &mut Vec<u8>, x: Fq) {
    out.extend_from_slice(&x.0.to_bytes_le());
}

fn put_g1(out: &mut Vec<u8>, p: &G1Affine) {
    match p.xy() {
        Some((x, y)) => {
            put_fq(out, x);
            put_fq(out, y);
        }
        None => out.extend_from_slice(&[0u8; 64]),
    }
}

fn put_g2(out: &mut Vec<u8>, p: &G2Affine) {
    match p.xy() {
        Some((x, y)) => {
            put_fq(out, x.c0);
            put_fq(out, x.c1);
            put_fq(out, y.c0);
            put_fq(out, y.c1);
        }
        None => out.extend_from_slice(&[0u8; 128]),
    }
}

/// Compute the key for `r1cs` with `waste` and return the `.zkey` file's bytes.
pub fn make_zkey(r1cs: &R1cs, waste: &ToxicWaste) -> Result<Vec<u8>, String> {
    let ToxicWaste { tau, alpha, beta, gamma, delta } = *waste;
    let n = domain_size(r1cs)?;
    let n_vars = r1cs.n_wires;
    let n_public = r1cs.n_public();
    let n_constraints = r1cs.constraints.len();
    if n_vars < n_public + 1 {
        return Err("r1cs declares more public signals than signals".into());
    }
    let domain = Radix2EvaluationDomain::<Fr>::new(n).ok_or("bad domain size")?;
    let domain2 = Radix2EvaluationDomain::<Fr>::new(2 * n).ok_or("bad domain size")?;
    // τ on either domain would make the Lagrange basis degenerate (probability ~2^-226).
    if tau.pow([2 * n as u64]).is_one() {
        return Err("tau lies on the evaluation domain; change DOMAIN_SEPARATOR".into());
    }
    for (name, x) in [("alpha", alpha), ("beta", beta), ("gamma", gamma), ("delta", delta)] {
        if x.is_zero() {
            return Err(format!("{name} is zero; change DOMAIN_SEPARATOR"));
        }
    }
    let lag = domain.evaluate_all_lagrange_coefficients(tau);
    let lag2 = domain2.evaluate_all_lagrange_coefficients(tau);

    // QAP polynomials at τ, per signal; the coefficient list for section 4 on the way.
    let (mut a, mut b, mut c) =
        (vec![Fr::zero(); n_vars], vec![Fr::zero(); n_vars], vec![Fr::zero(); n_vars]);
    let r = Fr::from(2u8).pow([256]); // Montgomery R mod r
    let r2 = r.square();
    let mut coefs: Vec<u8> = Vec::new();
    let mut n_coefs = 0usize;
    let mut coef = |out: &mut Vec<u8>, matrix: usize, row: usize, signal: usize, v: Fr| {
        put_u32(out, matrix);
        put_u32(out, row);
        put_u32(out, signal);
        out.extend_from_slice(&(v * r2).into_bigint().to_bytes_le());
        n_coefs += 1;
    };
    for (row, [la, lb, lc]) in r1cs.constraints.iter().enumerate() {
        let l = lag[row];
        for &(s, v) in la {
            a[s as usize] += v * l;
            coef(&mut coefs, 0, row, s as usize, v);
        }
        for &(s, v) in lb {
            b[s as usize] += v * l;
            coef(&mut coefs, 1, row, s as usize, v);
        }
        for &(s, v) in lc {
            c[s as usize] += v * l;
        }
    }
    for s in 0..=n_public {
        a[s] += lag[n_constraints + s];
        coef(&mut coefs, 0, n_constraints + s, s, Fr::one());
    }

    // Every G1 point from one table of multiples of the generator.
    let gamma_inv = gamma.inverse().ok_or("gamma is zero")?;
    let delta_inv = delta.inverse().ok_or("delta is zero")?;
    let lin = |s: usize| beta * a[s] + alpha * b[s] + c[s];
    let mut g1_scalars: Vec<Fr> = Vec::with_capacity(3 * n_vars + n + 3);
    g1_scalars.extend([alpha, beta, delta]);
    g1_scalars.extend((0..=n_public).map(|s| lin(s) * gamma_inv));
    g1_scalars.extend(&a);
    g1_scalars.extend(&b);
    g1_scalars.extend((n_public + 1..n_vars).map(|s| lin(s) * delta_inv));
    g1_scalars.extend((0..n).map(|i| lag2[2 * i + 1] * delta_inv));
    let g1 = BatchMulPreprocessing::new(G1Projective::generator(), g1_scalars.len())
        .batch_mul(&g1_scalars);
    let mut g2_scalars: Vec<Fr> = vec![beta, gamma, delta];
    g2_scalars.extend(&b);
    let g2 = BatchMulPreprocessing::new(G2Projective::generator(), g2_scalars.len())
        .batch_mul(&g2_scalars);

    let (head1, rest) = g1.split_at(3);
    let (ic, rest) = rest.split_at(n_public + 1);
    let (a1, rest) = rest.split_at(n_vars);
    let (b1, rest) = rest.split_at(n_vars);
    let (c1, h1) = rest.split_at(n_vars - n_public - 1);
    let (head2, b2) = g2.split_at(3);

    let g1_section = |pts: &[G1Affine]| {
        let mut out = Vec::with_capacity(pts.len() * 64);
        pts.iter().for_each(|p| put_g1(&mut out, p));
        out
    };
    let mut header = Vec::new();
    put_u32(&mut header, 32);
    header.extend_from_slice(&Fq::MODULUS.to_bytes_le());
    put_u32(&mut header, 32);
    header.extend_from_slice(&Fr::MODULUS.to_bytes_le());
    put_u32(&mut header, n_vars);
    put_u32(&mut header, n_public);
    put_u32(&mut header, n);
    put_g1(&mut header, &head1[0]); // alpha
    put_g1(&mut header, &head1[1]); // beta
    put_g2(&mut header, &head2[0]); // beta
    put_g2(&mut header, &head2[1]); // gamma
    put_g1(&mut header, &head1[2]); // delta
    put_g2(&mut header, &head2[2]); // delta

    let mut cs = Vec::with_capacity(4 + coefs.len());
    put_u32(&mut cs, n_coefs);
    cs.extend_from_slice(&coefs);

    let mut b2s = Vec::with_capacity(b2.len() * 128);
    b2.iter().for_each(|p| put_g2(&mut b2s, p));

    let mut sections: Vec<(u32, Vec<u8>)> = vec![
        (1, 1u32.to_le_bytes().to_vec()), // Groth16
        (2, header),
        (3, g1_section(ic)),
        (4, cs),
        (5, g1_section(a1)),
        (6, g1_section(b1)),
        (7, b2s),
        (8, g1_section(c1)),
        (9, g1_section(h1)),
    ];
    let mut key_hash = Sha512::new();
    sections[1..].iter().for_each(|(_, d)| key_hash.update(d));
    let mut contributions = key_hash.finalize().to_vec();
    put_u32(&mut contributions, 0);
    sections.push((10, contributions));
    sections.push((NOTICE_SECTION, NOTICE.as_bytes().to_vec()));

    let total: usize = sections.iter().map(|(_, d)| 12 + d.len()).sum();
    let mut out = Vec::with_capacity(12 + total);
    out.extend_from_slice(b"zkey");
    put_u32(&mut out, 1);
    put_u32(&mut out, sections.len());
    for (ty, data) in &sections {
        out.extend_from_slice(&ty.to_le_bytes());
        out.extend_from_slice(&(data.len() as u64).to_le_bytes());
        out.extend_from_slice(data);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{prove, zkey};
    use ark_bn254::Bn254;
    use ark_ec::pairing::Pairing;
    use ark_ec::{CurveGroup, VariableBaseMSM};

    /// Signals [1, out, x, y, t]: t = x·y, out = t·(x + 2), so out is the one public signal.
    fn circuit() -> R1cs {
        let one = Fr::one();
        R1cs {
            n_wires: 5,
            n_pub_out: 1,
            n_pub_in: 0,
            constraints: vec![
                [vec![(2, one)], vec![(3, one)], vec![(4, one)]],
                [vec![(4, one)], vec![(2, one), (0, Fr::from(2u8))], vec![(1, one)]],
            ],
        }
    }

    fn witness(x: u64, y: u64) -> Vec<Fr> {
        let (x, y) = (Fr::from(x), Fr::from(y));
        vec![Fr::one(), x * y * (x + Fr::from(2u8)), x, y, x * y]
    }

    fn verifies(vk: &zkey::VerifyingKey, publics: &[Fr], p: &prove::Proof) -> bool {
        let acc = vk.ic[0] + G1Projective::msm(&vk.ic[1..], publics).unwrap();
        let lhs = Bn254::multi_pairing(
            [p.a, -vk.alpha1, (-acc).into_affine(), -p.c],
            [p.b, vk.beta2, vk.gamma2, vk.delta2],
        );
        lhs.is_zero()
    }

    #[test]
    fn proofs_from_the_key_verify_and_tampering_fails() {
        let key = make_zkey(&circuit(), &ToxicWaste::derive(b"unit test circuit")).unwrap();
        let pk = prove::Prepared::new(zkey::read(&key).unwrap()).unwrap();
        let vk = zkey::read_vk(&key).unwrap();
        let prepared = crate::verify::PreparedVk::new(
            vk.alpha1,
            vk.beta2,
            vk.gamma2,
            vk.delta2,
            vk.ic.clone(),
        );
        assert_eq!((pk.n_vars, pk.n_public, pk.domain_size), (5, 1, 4));
        let w = witness(3, 5);
        let p = prove::prove(&pk, &w, false).unwrap();
        assert!(verifies(&vk, &w[1..2], &p));
        assert!(prepared.verify(&p, &w[1..2]).unwrap());
        assert!(!verifies(&vk, &[w[1] + Fr::one()], &p));
        assert!(!prepared.verify(&p, &[w[1] + Fr::one()]).unwrap());
        assert!(prepared.verify(&p, &[]).is_err());
        // A witness that breaks a constraint gives a proof that does not verify.
        let mut bad = witness(3, 5);
        bad[1] += Fr::one();
        let p = prove::prove(&pk, &bad, false).unwrap();
        assert!(!verifies(&vk, &bad[1..2], &p));
        assert!(!prepared.verify(&p, &bad[1..2]).unwrap());
    }

    #[test]
    fn same_circuit_same_key_and_marked_insecure() {
        let waste = ToxicWaste::derive(b"unit test circuit");
        let a = make_zkey(&circuit(), &waste).unwrap();
        assert_eq!(a, make_zkey(&circuit(), &waste).unwrap());
        let other = make_zkey(&circuit(), &ToxicWaste::derive(b"another r1cs")).unwrap();
        assert_ne!(a, other);
        let f = crate::binfile::BinFile::parse(&a, b"zkey").unwrap();
        assert_eq!(f.section(NOTICE_SECTION).unwrap(), NOTICE.as_bytes());
        assert!(NOTICE.contains("INSECURE"));
    }
}
