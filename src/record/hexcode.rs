//! Points, scalars and proof pairs as the record writes them: lowercase hex
//! of their 32-byte encodings. Decoding says in words what was wrong, for
//! the verifier's report and the server's refusals.

use crate::crypto::group::{
    self, DecodeError, Point, Scalar, nonzero_point_from_bytes, point_from_bytes, scalar_from_bytes,
};

pub fn point(p: &Point) -> String {
    hex::encode(group::point_bytes(p))
}

pub fn scalar(s: &Scalar) -> String {
    hex::encode(s.as_bytes())
}

pub fn pair(c: &Scalar, s: &Scalar) -> [String; 2] {
    [scalar(c), scalar(s)]
}

// Lowercase only, so each value has one spelling and comparing spellings
// (trackers, repeated encryptions) compares values.
fn bytes(text: &str, what: &str) -> Result<Vec<u8>, String> {
    if !text
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(format!("{what} is not lowercase hexadecimal"));
    }
    hex::decode(text).map_err(|_| format!("{what} is not hexadecimal"))
}

fn words(what: &str, e: DecodeError) -> String {
    format!("{what} {e}")
}

/// A point that may be the identity (a sum, a share).
pub fn any_point(text: &str, what: &str) -> Result<Point, String> {
    point_from_bytes(&bytes(text, what)?).map_err(|e| words(what, e))
}

/// A key, commitment or first half of a ciphertext: never the identity.
pub fn key_point(text: &str, what: &str) -> Result<Point, String> {
    nonzero_point_from_bytes(&bytes(text, what)?).map_err(|e| words(what, e))
}

pub fn to_scalar(text: &str, what: &str) -> Result<Scalar, String> {
    scalar_from_bytes(&bytes(text, what)?).map_err(|e| words(what, e))
}

pub fn to_pair(pair: &[String; 2], what: &str) -> Result<(Scalar, Scalar), String> {
    Ok((to_scalar(&pair[0], what)?, to_scalar(&pair[1], what)?))
}

/// A 32-byte value written as hex (a hash, a credential).
pub fn to_32(text: &str, what: &str) -> Result<[u8; 32], String> {
    bytes(text, what)?
        .try_into()
        .map_err(|_| format!("{what} is not 32 bytes"))
}
