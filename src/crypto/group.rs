//! ristretto255 points and scalars, and their canonical 32-byte encodings.

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_TABLE;
use curve25519_dalek::ristretto::CompressedRistretto;
use curve25519_dalek::traits::Identity;
use rand::rngs::OsRng;

pub use curve25519_dalek::ristretto::RistrettoPoint as Point;
pub use curve25519_dalek::scalar::Scalar;

/// Why bytes are not a group element or a scalar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("is not 32 bytes")]
    Length,
    #[error("is not the canonical encoding of a ristretto255 point")]
    NotAPoint,
    #[error("is the identity point, which no key or ciphertext may be")]
    Identity,
    #[error("is not a scalar below the group order")]
    NotAScalar,
}

/// `s·G` for the fixed generator, from the precomputed table.
pub fn base_mul(s: &Scalar) -> Point {
    RISTRETTO_BASEPOINT_TABLE * s
}

/// `m·G` for a small count (a vote, a tally).
pub fn encode_count(m: u64) -> Point {
    base_mul(&Scalar::from(m))
}

pub fn random_scalar() -> Scalar {
    Scalar::random(&mut OsRng)
}

pub fn point_bytes(p: &Point) -> [u8; 32] {
    p.compress().to_bytes()
}

/// A point from its 32 bytes; non-canonical encodings are refused, so each
/// point has exactly one encoding and a hash over encodings binds the point.
pub fn point_from_bytes(bytes: &[u8]) -> Result<Point, DecodeError> {
    let compressed = CompressedRistretto::from_slice(bytes).map_err(|_| DecodeError::Length)?;
    compressed.decompress().ok_or(DecodeError::NotAPoint)
}

/// As [`point_from_bytes`], refusing the identity: a public key or the first
/// half of a ciphertext that is the identity gives secrecy away.
pub fn nonzero_point_from_bytes(bytes: &[u8]) -> Result<Point, DecodeError> {
    let point = point_from_bytes(bytes)?;
    if point == Point::identity() {
        return Err(DecodeError::Identity);
    }
    Ok(point)
}

/// A scalar from its 32 little-endian bytes, refused unless below the order.
pub fn scalar_from_bytes(bytes: &[u8]) -> Result<Scalar, DecodeError> {
    let array: [u8; 32] = bytes.try_into().map_err(|_| DecodeError::Length)?;
    Option::from(Scalar::from_canonical_bytes(array)).ok_or(DecodeError::NotAScalar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_and_scalars_round_trip_through_their_bytes() {
        let s = random_scalar();
        let p = base_mul(&s);
        assert_eq!(point_from_bytes(&point_bytes(&p)), Ok(p));
        assert_eq!(scalar_from_bytes(s.as_bytes()), Ok(s));
    }

    #[test]
    fn bad_bytes_are_refused() {
        assert_eq!(point_from_bytes(&[0u8; 31]), Err(DecodeError::Length));
        assert_eq!(point_from_bytes(&[0xffu8; 32]), Err(DecodeError::NotAPoint));
        assert_eq!(
            nonzero_point_from_bytes(&[0u8; 32]),
            Err(DecodeError::Identity)
        );
        // The order itself, one past the largest scalar.
        let mut order = [0u8; 32];
        order.copy_from_slice(
            &hex::decode("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")
                .unwrap(),
        );
        assert_eq!(scalar_from_bytes(&order), Err(DecodeError::NotAScalar));
    }
}
