//! The hash every proof's challenge comes from. The encoding is spelled out
//! in `docs/crypto.md` so that the browser computes the same challenge.
//!
//! A transcript is SHA-512 over: the tag's length (4 bytes, big-endian) and
//! the tag; then per value one kind byte (`P` point, `S` scalar, `B` bytes,
//! `N` number), the value's length (4 bytes, big-endian) and the value
//! (points and scalars as their 32 canonical bytes, numbers as 8 bytes
//! big-endian). The 64-byte digest is reduced modulo the group order.
//! Length prefixes make every sequence of values encode differently.

use sha2::{Digest, Sha512};

use super::group::{Point, Scalar, point_bytes};

#[derive(Clone)]
pub struct Transcript {
    hash: Sha512,
}

impl Transcript {
    pub fn new(tag: &str) -> Self {
        let mut hash = Sha512::new();
        hash.update((tag.len() as u32).to_be_bytes());
        hash.update(tag.as_bytes());
        Transcript { hash }
    }

    fn value(&mut self, kind: u8, bytes: &[u8]) -> &mut Self {
        self.hash.update([kind]);
        self.hash.update((bytes.len() as u32).to_be_bytes());
        self.hash.update(bytes);
        self
    }

    pub fn point(&mut self, p: &Point) -> &mut Self {
        self.value(b'P', &point_bytes(p))
    }

    pub fn scalar(&mut self, s: &Scalar) -> &mut Self {
        self.value(b'S', s.as_bytes())
    }

    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.value(b'B', b)
    }

    pub fn number(&mut self, n: u64) -> &mut Self {
        self.value(b'N', &n.to_be_bytes())
    }

    pub fn challenge(&self) -> Scalar {
        let digest: [u8; 64] = self.hash.clone().finalize().into();
        Scalar::from_bytes_mod_order_wide(&digest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_a_byte_between_values_changes_the_challenge() {
        let a = Transcript::new("t").bytes(b"ab").bytes(b"c").challenge();
        let b = Transcript::new("t").bytes(b"a").bytes(b"bc").challenge();
        assert_ne!(a, b);
        let tagged = Transcript::new("u").bytes(b"ab").bytes(b"c").challenge();
        assert_ne!(a, tagged);
    }

    #[test]
    fn the_encoding_is_pinned() {
        // Computed independently from the encoding above (docs/crypto.md);
        // the browser code's tests check the same vector.
        let c = Transcript::new("unionhall/test")
            .number(7)
            .bytes(b"election")
            .challenge();
        assert_eq!(
            hex::encode(c.as_bytes()),
            "b68d26481ee045378d696c683e08212ce558598a4e887bfe83fc762540881004"
        );
    }
}
