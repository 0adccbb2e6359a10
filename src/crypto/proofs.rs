//! The three Σ-protocols, each as a (challenge, response) list so the
//! verifier recomputes the commitments and checks that hashing them gives
//! the challenge:
//!
//! - [`KeyProof`]: knowledge of `x` with `X = x·G` (a trustee's key).
//! - [`EqualityProof`]: `log_G X = log_A D` (a decryption share `D = x·A`
//!   by the trustee whose key is `X`).
//! - [`RangeProof`]: a ciphertext encrypts one of `lo..=hi` (an answer is 0
//!   or 1; a one-of-N question's answers add up to 1), the disjunctive
//!   Chaum–Pedersen proof of Helios and Belenios.
//!
//! Each proof's transcript starts with its own tag and the caller's
//! `context` (the bytes docs/crypto.md defines for the statement: election
//! fingerprint, question, credential) and includes every public value.

use super::elgamal::Ciphertext;
use super::group::{Point, Scalar, base_mul, encode_count, random_scalar};
use super::transcript::Transcript;

const KEY_TAG: &str = "unionhall/v1/key";
const EQUALITY_TAG: &str = "unionhall/v1/equality";
const RANGE_TAG: &str = "unionhall/v1/range";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyProof {
    pub challenge: Scalar,
    pub response: Scalar,
}

impl KeyProof {
    pub fn prove(context: &[u8], x: &Scalar) -> Self {
        let public = base_mul(x);
        let w = random_scalar();
        let challenge = key_challenge(context, &public, &base_mul(&w));
        KeyProof {
            challenge,
            response: w + challenge * x,
        }
    }

    pub fn verify(&self, context: &[u8], public: &Point) -> bool {
        let commitment = base_mul(&self.response) - self.challenge * public;
        key_challenge(context, public, &commitment) == self.challenge
    }
}

fn key_challenge(context: &[u8], public: &Point, commitment: &Point) -> Scalar {
    Transcript::new(KEY_TAG)
        .bytes(context)
        .point(public)
        .point(commitment)
        .challenge()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EqualityProof {
    pub challenge: Scalar,
    pub response: Scalar,
}

impl EqualityProof {
    /// Proves `D = x·base` for the `x` behind `X = x·G`.
    pub fn prove(context: &[u8], x: &Scalar, base: &Point) -> Self {
        let (public, share) = (base_mul(x), x * base);
        let w = random_scalar();
        let challenge =
            equality_challenge(context, &public, base, &share, &base_mul(&w), &(w * base));
        EqualityProof {
            challenge,
            response: w + challenge * x,
        }
    }

    pub fn verify(&self, context: &[u8], public: &Point, base: &Point, share: &Point) -> bool {
        let (c, s) = (self.challenge, self.response);
        let a = base_mul(&s) - c * public;
        let b = s * base - c * share;
        equality_challenge(context, public, base, share, &a, &b) == c
    }
}

fn equality_challenge(
    context: &[u8],
    public: &Point,
    base: &Point,
    share: &Point,
    a: &Point,
    b: &Point,
) -> Scalar {
    Transcript::new(EQUALITY_TAG)
        .bytes(context)
        .point(public)
        .point(base)
        .point(share)
        .point(a)
        .point(b)
        .challenge()
}

/// One (challenge, response) per value in `lo..=hi`, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeProof {
    pub lo: u64,
    pub parts: Vec<(Scalar, Scalar)>,
}

impl RangeProof {
    /// Proves that `ct = encrypt(key, m, r)` with `lo <= m <= hi`. Panics if
    /// `m` is outside the range: a caller proving a false statement is a bug.
    pub fn prove(
        context: &[u8],
        key: &Point,
        ct: &Ciphertext,
        m: u64,
        r: &Scalar,
        lo: u64,
        hi: u64,
    ) -> Self {
        assert!((lo..=hi).contains(&m), "proving {m} is in {lo}..={hi}");
        let w = random_scalar();
        let mut parts = Vec::with_capacity((hi - lo + 1) as usize);
        let mut commitments = Vec::with_capacity(parts.capacity());
        let mut simulated_sum = Scalar::ZERO;
        for j in lo..=hi {
            if j == m {
                parts.push((Scalar::ZERO, Scalar::ZERO));
                commitments.push((base_mul(&w), w * key));
            } else {
                let (c, s) = (random_scalar(), random_scalar());
                simulated_sum += c;
                commitments.push(range_commitments(key, ct, j, c, s));
                parts.push((c, s));
            }
        }
        let total = range_challenge(context, key, ct, lo, &commitments);
        let c = total - simulated_sum;
        parts[(m - lo) as usize] = (c, w + c * r);
        RangeProof { lo, parts }
    }

    /// Whether `ct` is proved to encrypt a value in `lo..=hi` under `key`.
    pub fn verify(&self, context: &[u8], key: &Point, ct: &Ciphertext, lo: u64, hi: u64) -> bool {
        if self.lo != lo || hi < lo || self.parts.len() as u64 != hi - lo + 1 {
            return false;
        }
        let commitments: Vec<(Point, Point)> = self
            .parts
            .iter()
            .zip(lo..=hi)
            .map(|((c, s), j)| range_commitments(key, ct, j, *c, *s))
            .collect();
        let sum: Scalar = self.parts.iter().map(|(c, _)| c).sum();
        range_challenge(context, key, ct, lo, &commitments) == sum
    }
}

/// `(s·G − c·α, s·Y − c·(β − j·G))`: what an honest prover committed to.
fn range_commitments(key: &Point, ct: &Ciphertext, j: u64, c: Scalar, s: Scalar) -> (Point, Point) {
    (
        base_mul(&s) - c * ct.alpha,
        s * key - c * (ct.beta - encode_count(j)),
    )
}

fn range_challenge(
    context: &[u8],
    key: &Point,
    ct: &Ciphertext,
    lo: u64,
    commitments: &[(Point, Point)],
) -> Scalar {
    let mut t = Transcript::new(RANGE_TAG);
    t.bytes(context)
        .point(key)
        .point(&ct.alpha)
        .point(&ct.beta)
        .number(lo)
        .number(commitments.len() as u64);
    for (a, b) in commitments {
        t.point(a).point(b);
    }
    t.challenge()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keypair() -> (Scalar, Point) {
        let x = random_scalar();
        (x, base_mul(&x))
    }

    #[test]
    fn a_key_proof_checks_for_its_key_and_context_only() {
        let (x, public) = keypair();
        let proof = KeyProof::prove(b"election A, trustee 1", &x);
        assert!(proof.verify(b"election A, trustee 1", &public));
        assert!(!proof.verify(b"election B, trustee 1", &public));
        assert!(!proof.verify(b"election A, trustee 1", &keypair().1));
    }

    #[test]
    fn a_decryption_share_proof_checks_only_the_true_share() {
        let (x, public) = keypair();
        let base = base_mul(&random_scalar());
        let share = x * base;
        let proof = EqualityProof::prove(b"ctx", &x, &base);
        assert!(proof.verify(b"ctx", &public, &base, &share));
        let wrong = share + base_mul(&Scalar::ONE);
        assert!(!proof.verify(b"ctx", &public, &base, &wrong));
        assert!(!proof.verify(b"other", &public, &base, &share));
    }

    #[test]
    fn zero_and_one_are_proved_and_two_cannot_pass_as_either() {
        let (_, key) = keypair();
        for m in [0u64, 1] {
            let r = random_scalar();
            let ct = Ciphertext::encrypt(&key, m, &r);
            let proof = RangeProof::prove(b"q1", &key, &ct, m, &r, 0, 1);
            assert!(proof.verify(b"q1", &key, &ct, 0, 1), "{m}");
            assert!(!proof.verify(b"q2", &key, &ct, 0, 1), "context is bound");
            assert!(!proof.verify(b"q1", &key, &ct, 0, 2), "range is bound");
            let other = Ciphertext::encrypt(&key, m, &random_scalar());
            assert!(
                !proof.verify(b"q1", &key, &other, 0, 1),
                "ciphertext is bound"
            );
        }
        // A proof for a ciphertext of 1, moved to a ciphertext of 2 with the
        // same randomness, fails.
        let r = random_scalar();
        let one = Ciphertext::encrypt(&key, 1, &r);
        let proof = RangeProof::prove(b"q1", &key, &one, 1, &r, 0, 1);
        let two = Ciphertext::encrypt(&key, 2, &r);
        assert!(!proof.verify(b"q1", &key, &two, 0, 1));
    }

    #[test]
    fn a_wider_range_proves_a_sum_of_answers() {
        let (_, key) = keypair();
        let r = random_scalar();
        let ct = Ciphertext::encrypt(&key, 2, &r);
        let proof = RangeProof::prove(b"sum", &key, &ct, 2, &r, 1, 3);
        assert!(proof.verify(b"sum", &key, &ct, 1, 3));
        assert!(!proof.verify(b"sum", &key, &ct, 0, 3));
    }
}
