//! Exponential ElGamal: a count `m` under key `Y` is `(r·G, m·G + r·Y)`.
//! Ciphertexts add component-wise to a ciphertext of the sum, which is how a
//! tally is decrypted without any single ballot ever being decrypted.

use std::iter::Sum;
use std::ops::Add;

use curve25519_dalek::traits::Identity;

use super::group::{Point, Scalar, base_mul, encode_count};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ciphertext {
    pub alpha: Point,
    pub beta: Point,
}

impl Ciphertext {
    /// `m` encrypted under `key` with randomness `r` (which the caller keeps
    /// only as long as a proof needs it, or reveals for a checked ballot).
    pub fn encrypt(key: &Point, m: u64, r: &Scalar) -> Self {
        Ciphertext {
            alpha: base_mul(r),
            beta: encode_count(m) + r * key,
        }
    }

    /// The ciphertext of zero with no randomness: the start of a sum.
    pub fn zero() -> Self {
        Ciphertext {
            alpha: Point::identity(),
            beta: Point::identity(),
        }
    }

    /// `m·G`, given `x·alpha` for the secret `x` (whole, or combined from
    /// trustees' shares).
    pub fn unblind(&self, x_alpha: &Point) -> Point {
        self.beta - x_alpha
    }
}

impl Add for Ciphertext {
    type Output = Ciphertext;
    fn add(self, other: Ciphertext) -> Ciphertext {
        Ciphertext {
            alpha: self.alpha + other.alpha,
            beta: self.beta + other.beta,
        }
    }
}

impl Sum for Ciphertext {
    fn sum<I: Iterator<Item = Ciphertext>>(iter: I) -> Ciphertext {
        iter.fold(Ciphertext::zero(), Add::add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::group::random_scalar;

    #[test]
    fn the_sum_of_ciphertexts_decrypts_to_the_sum_of_counts() {
        let x = random_scalar();
        let key = base_mul(&x);
        let votes = [1u64, 0, 1, 1, 0];
        let sum: Ciphertext = votes
            .iter()
            .map(|m| Ciphertext::encrypt(&key, *m, &random_scalar()))
            .sum();
        assert_eq!(sum.unblind(&(x * sum.alpha)), encode_count(3));
    }
}
