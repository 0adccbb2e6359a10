//! The trustees' threshold key, by Pedersen's key generation with Feldman
//! commitments: each of `n` trustees picks a random polynomial of degree
//! `t − 1`, publishes `a_k·G` for its coefficients, and gives trustee `j`
//! the value of the polynomial at `j`. Trustee `j`'s secret is the sum of
//! the values it received; the election key is the sum of the constant
//! commitments. No one ever holds the whole secret, any `t` trustees'
//! decryption shares combine (Lagrange at zero) into `x·α`, and every
//! share given or used is checkable against the public commitments.
//! Trustees are numbered from 1.

use curve25519_dalek::traits::{Identity, VartimeMultiscalarMul};

use super::group::{Point, Scalar, base_mul, random_scalar};

pub struct Polynomial {
    coefficients: Vec<Scalar>,
}

impl Polynomial {
    /// A random polynomial for a `threshold`-of-n key.
    pub fn random(threshold: usize) -> Self {
        assert!(threshold >= 1, "a threshold of at least one");
        Polynomial {
            coefficients: (0..threshold).map(|_| random_scalar()).collect(),
        }
    }

    /// The secret this trustee contributes to the election key.
    pub fn constant(&self) -> &Scalar {
        &self.coefficients[0]
    }

    /// `a_k·G` for each coefficient: published with the trustee's key proof.
    pub fn commitments(&self) -> Vec<Point> {
        self.coefficients.iter().map(base_mul).collect()
    }

    /// The value owed to trustee `index`.
    pub fn share_for(&self, index: u64) -> Scalar {
        let x = Scalar::from(index);
        self.coefficients
            .iter()
            .rev()
            .fold(Scalar::ZERO, |acc, a| acc * x + a)
    }
}

/// `Σ_k C_k·index^k`: what `share·G` must be for a share from the trustee
/// whose commitments are `commitments`.
pub fn committed_value(commitments: &[Point], index: u64) -> Point {
    let x = Scalar::from(index);
    let mut power = Scalar::ONE;
    let powers: Vec<Scalar> = commitments
        .iter()
        .map(|_| {
            let p = power;
            power *= x;
            p
        })
        .collect();
    Point::vartime_multiscalar_mul(&powers, commitments)
}

/// Whether `share` is the value at `index` of the polynomial behind
/// `commitments`: a trustee checks every share it receives.
pub fn share_is_committed(commitments: &[Point], index: u64, share: &Scalar) -> bool {
    base_mul(share) == committed_value(commitments, index)
}

/// The election key: the sum of every trustee's constant commitment.
pub fn election_key(all_commitments: &[Vec<Point>]) -> Point {
    all_commitments
        .iter()
        .map(|c| c[0])
        .fold(Point::identity(), |a, b| a + b)
}

/// Trustee `index`'s public verification key `x_index·G`, from the public
/// commitments alone: a decryption share is checked against it.
pub fn verification_key(all_commitments: &[Vec<Point>], index: u64) -> Point {
    all_commitments
        .iter()
        .map(|c| committed_value(c, index))
        .fold(Point::identity(), |a, b| a + b)
}

/// `Π_{m ≠ j} m / (m − j)` over the trustees taking part.
pub fn lagrange_at_zero(indices: &[u64], j: u64) -> Scalar {
    let xj = Scalar::from(j);
    let (num, den) =
        indices
            .iter()
            .filter(|m| **m != j)
            .fold((Scalar::ONE, Scalar::ONE), |(num, den), m| {
                let xm = Scalar::from(*m);
                (num * xm, den * (xm - xj))
            });
    num * den.invert()
}

/// `x·α` from decryption shares `(trustee, x_trustee·α)` of distinct
/// trustees, as many as the threshold.
pub fn combine(shares: &[(u64, Point)]) -> Point {
    let indices: Vec<u64> = shares.iter().map(|(j, _)| *j).collect();
    let weights: Vec<Scalar> = indices
        .iter()
        .map(|j| lagrange_at_zero(&indices, *j))
        .collect();
    let points: Vec<Point> = shares.iter().map(|(_, d)| *d).collect();
    Point::vartime_multiscalar_mul(&weights, &points)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::elgamal::Ciphertext;
    use crate::crypto::group::encode_count;
    use crate::crypto::proofs::EqualityProof;

    /// Three trustees, threshold two: each trustee's secret share and the
    /// public commitments.
    fn key_generation(n: u64, threshold: usize) -> (Vec<Scalar>, Vec<Vec<Point>>) {
        let polynomials: Vec<Polynomial> = (0..n).map(|_| Polynomial::random(threshold)).collect();
        let commitments: Vec<Vec<Point>> = polynomials.iter().map(|p| p.commitments()).collect();
        let secrets = (1..=n)
            .map(|j| {
                polynomials
                    .iter()
                    .zip(&commitments)
                    .map(|(p, c)| {
                        let share = p.share_for(j);
                        assert!(share_is_committed(c, j, &share));
                        share
                    })
                    .sum()
            })
            .collect();
        (secrets, commitments)
    }

    #[test]
    fn any_two_of_three_trustees_decrypt_the_sum_and_one_alone_cannot() {
        let (secrets, commitments) = key_generation(3, 2);
        let key = election_key(&commitments);
        let ballots: Ciphertext = [1u64, 1, 0, 1]
            .iter()
            .map(|m| Ciphertext::encrypt(&key, *m, &random_scalar()))
            .sum();
        let shares: Vec<(u64, Point)> = secrets
            .iter()
            .zip(1u64..)
            .map(|(x, j)| {
                assert_eq!(base_mul(x), verification_key(&commitments, j));
                let share = x * ballots.alpha;
                let proof = EqualityProof::prove(b"tally", x, &ballots.alpha);
                assert!(proof.verify(
                    b"tally",
                    &verification_key(&commitments, j),
                    &ballots.alpha,
                    &share
                ));
                (j, share)
            })
            .collect();
        for pair in [[0, 1], [0, 2], [1, 2]] {
            let chosen = [shares[pair[0]], shares[pair[1]]];
            assert_eq!(ballots.unblind(&combine(&chosen)), encode_count(3));
        }
        assert_eq!(ballots.unblind(&combine(&shares)), encode_count(3));
        assert_ne!(ballots.unblind(&combine(&shares[..1])), encode_count(3));
    }

    #[test]
    fn a_share_off_the_polynomial_is_caught() {
        let p = Polynomial::random(2);
        let c = p.commitments();
        assert!(share_is_committed(&c, 2, &p.share_for(2)));
        assert!(!share_is_committed(&c, 2, &p.share_for(3)));
        assert!(!share_is_committed(&c, 2, &(p.share_for(2) + Scalar::ONE)));
    }
}
