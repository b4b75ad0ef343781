//! Groth16 proving with snarkjs's QAP conventions, so proofs verify against the snarkjs key.
//!
//! a, b: the A and B rows of the R1CS (section 4 also holds the public-input rows) evaluated on
//! the witness over the n-th roots of unity; c = a·b pointwise. Each is interpolated and
//! re-evaluated on the odd coset ω_2n·H, where h_j = a_j·b_j − c_j; the H bases of the zkey
//! already include the 1/Z factor for that coset.

use ark_bn254::{g1, g2, Fr};
use ark_ec::CurveGroup;
use ark_ff::{PrimeField, UniformRand, Zero};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};

use rayon::prelude::*;

use crate::msm::FixedBases;
use crate::zkey::ProvingKey;

pub struct Proof {
    pub a: ark_bn254::G1Affine,
    pub b: ark_bn254::G2Affine,
    pub c: ark_bn254::G1Affine,
}

/// A proving key made ready for many proofs: the zkey's points, its QAP coefficients split by
/// matrix and sorted by row, and the FFT domains, all computed once at load.
pub struct Prepared {
    pub key: ProvingKey,
    pub n_vars: usize,
    pub n_public: usize,
    pub domain_size: usize,
    /// (row, signal, value) of the A and B matrices.
    a_coefs: Vec<(u32, u32, Fr)>,
    b_coefs: Vec<(u32, u32, Fr)>,
    domain: Radix2EvaluationDomain<Fr>,
    a: FixedBases<g1::Config>,
    b1: FixedBases<g1::Config>,
    b2: FixedBases<g2::Config>,
    c: FixedBases<g1::Config>,
    h: FixedBases<g1::Config>,
    /// ω_2n·H: the domain shifted by a generator of the domain of size 2n.
    odd_coset: Radix2EvaluationDomain<Fr>,
}

impl Prepared {
    pub fn new(mut key: ProvingKey) -> Result<Self, String> {
        let n = key.domain_size;
        if !n.is_power_of_two() || n < 2 {
            return Err(format!("domain size {n} is not a power of two"));
        }
        let mut a_coefs = vec![];
        let mut b_coefs = vec![];
        for c in &key.coefs {
            if c.signal as usize >= key.n_vars || c.constraint as usize >= n {
                return Err("a coefficient refers to a missing signal or row".into());
            }
            let e = (c.constraint, c.signal, c.value);
            match c.matrix {
                0 => a_coefs.push(e),
                1 => b_coefs.push(e),
                m => return Err(format!("unexpected matrix {m}")),
            }
        }
        a_coefs.sort_by_key(|e| e.0);
        b_coefs.sort_by_key(|e| e.0);
        let domain = Radix2EvaluationDomain::<Fr>::new(n).ok_or("bad domain size")?;
        let shift = Radix2EvaluationDomain::<Fr>::new(2 * n).ok_or("bad domain size")?.group_gen();
        let odd_coset = domain.get_coset(shift).ok_or("bad domain size")?;
        // The points live on only as tables (the zkey's own vectors are dropped).
        let a = FixedBases::new(&std::mem::take(&mut key.a));
        let b1 = FixedBases::new(&std::mem::take(&mut key.b1));
        let b2 = FixedBases::new(&std::mem::take(&mut key.b2));
        let c = FixedBases::new(&std::mem::take(&mut key.c));
        let h = FixedBases::new(&std::mem::take(&mut key.h));
        key.coefs = vec![];
        Ok(Prepared {
            a,
            b1,
            b2,
            c,
            h,
            n_vars: key.n_vars,
            n_public: key.n_public,
            domain_size: n,
            key,
            a_coefs,
            b_coefs,
            domain,
            odd_coset,
        })
    }

    /// Evaluations over H → evaluations over the odd coset.
    fn to_odd_coset(&self, mut evals: Vec<Fr>) -> Vec<Fr> {
        self.domain.ifft_in_place(&mut evals);
        self.odd_coset.fft_in_place(&mut evals);
        evals
    }

    /// A·w or B·w over the rows of H.
    fn eval(&self, coefs: &[(u32, u32, Fr)], w: &[Fr]) -> Vec<Fr> {
        let mut out = vec![Fr::zero(); self.domain_size];
        for &(row, signal, value) in coefs {
            out[row as usize] += value * w[signal as usize];
        }
        out
    }
}

/// `trace`: print the time of each phase on stderr.
pub fn prove(p: &Prepared, w: &[Fr], trace: bool) -> Result<Proof, String> {
    let pk = &p.key;
    if w.len() != pk.n_vars {
        return Err(format!("witness has {} values, the circuit {}", w.len(), pk.n_vars));
    }
    let t0 = std::time::Instant::now();
    let lap = |what: &str| {
        if trace {
            eprintln!("{what}: {:?}", t0.elapsed());
        }
    };
    let n = pk.domain_size;
    let wi: Vec<_> = w.par_iter().map(|v| v.into_bigint()).collect();
    if trace {
        let zero_one =
            wi.iter().filter(|v| v.0[1..].iter().all(|l| *l == 0) && v.0[0] <= 1).count();
        eprintln!("witness: {} values, {zero_one} zero or one", wi.len());
    }
    // The witness MSMs (A, B1, B2, C) do not wait for the QAP: both branches run at once, and
    // rayon's work stealing fills each one's sequential stretches (bucket merges, reductions,
    // the third FFT of three) with the other's work. The four witness MSMs are joined too, not
    // run one after another, so that there is always work to steal (B2, the G2 one and the
    // longest, first): 6-10 % faster on 2 cores at the same CPU time (docs/zkml.md).
    let ((pi_a, pib1, pi_b, pi_c), res_h) = rayon::join(
        || {
            let ((pi_b, pi_a), (pi_c, pib1)) = rayon::join(
                || rayon::join(|| p.b2.msm(0, &wi), || p.a.msm(0, &wi)),
                || rayon::join(|| p.c.msm(0, &wi[pk.n_public + 1..]), || p.b1.msm(0, &wi)),
            );
            lap("msm a, b1, b2, c");
            (pi_a, pib1, pi_b, pi_c)
        },
        || {
            let (a, b) = rayon::join(|| p.eval(&p.a_coefs, w), || p.eval(&p.b_coefs, w));
            let c: Vec<Fr> = a.iter().zip(&b).map(|(x, y)| *x * y).collect();
            let (a_odd, (b_odd, c_odd)) =
                rayon_join3(|| p.to_odd_coset(a), || p.to_odd_coset(b), || p.to_odd_coset(c));
            let hi: Vec<_> = (0..n)
                .into_par_iter()
                .map(|i| (a_odd[i] * b_odd[i] - c_odd[i]).into_bigint())
                .collect();
            lap("qap");
            let res_h = p.h.msm(0, &hi);
            lap("msm h");
            res_h
        },
    );

    let mut rng = rand::rngs::OsRng;
    let r = Fr::rand(&mut rng);
    let s = Fr::rand(&mut rng);
    let pi_a = pi_a + pk.alpha1 + pk.delta1 * r;
    let pi_b = pi_b + pk.beta2 + pk.delta2 * s;
    let pib1 = pib1 + pk.beta1 + pk.delta1 * s;
    let pi_c = pi_c + res_h + pi_a * s + pib1 * r - pk.delta1 * (r * s);
    Ok(Proof { a: pi_a.into_affine(), b: pi_b.into_affine(), c: pi_c.into_affine() })
}

fn rayon_join3<A: Send, B: Send, C: Send>(
    fa: impl FnOnce() -> A + Send,
    fb: impl FnOnce() -> B + Send,
    fc: impl FnOnce() -> C + Send,
) -> (A, (B, C)) {
    rayon::join(fa, || rayon::join(fb, fc))
}
