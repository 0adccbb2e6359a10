//! The trustee's key file: its 32-byte seed sealed with ChaCha20-Poly1305
//! under a key stretched from a passphrase by PBKDF2-HMAC-SHA256, bound to
//! one election and one trustee. Only the trustee holds it.

use std::num::NonZeroU32;

use rand::RngCore;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, UnboundKey};
use ring::pbkdf2;
use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "unionhall-trustee-key/1";
/// OWASP's figure for PBKDF2-HMAC-SHA256.
pub const ITERATIONS: u32 = 600_000;
/// Anything shorter is refused when a file is made.
pub const MIN_PASSPHRASE_CHARS: usize = 12;
// A file claiming more would make opening it a denial of service.
const MAX_ITERATIONS: u32 = 10_000_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyFile {
    pub format: String,
    pub election: String,
    pub trustee: u32,
    pub salt: String,
    pub iterations: u32,
    pub nonce: String,
    pub sealed: String,
}

/// Why a key file did not open, in words for the trustee.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyFileError {
    #[error("This is not a unionhall trustee key file.")]
    NotAKeyFile,
    #[error("This key file is for another election.")]
    OtherElection,
    #[error("This key file is for trustee {found}, not trustee {wanted}.")]
    OtherTrustee { found: u32, wanted: u32 },
    #[error("The passphrase does not open this key file.")]
    WrongPassphrase,
    #[error("Choose a passphrase of at least {MIN_PASSPHRASE_CHARS} characters.")]
    ShortPassphrase,
}

fn aad(fingerprint: &[u8; 32], trustee: u32) -> Vec<u8> {
    let mut bytes = b"unionhall trustee key".to_vec();
    bytes.extend_from_slice(fingerprint);
    bytes.extend_from_slice(&trustee.to_be_bytes());
    bytes
}

fn stretch(passphrase: &str, salt: &[u8], iterations: NonZeroU32) -> LessSafeKey {
    let mut key = [0u8; 32];
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        iterations,
        salt,
        passphrase.as_bytes(),
        &mut key,
    );
    LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, &key).expect("a 32-byte key"))
}

impl KeyFile {
    /// Seals `seed` for trustee `trustee` of the election `fingerprint`.
    pub fn seal(
        seed: &[u8; 32],
        fingerprint: &[u8; 32],
        trustee: u32,
        passphrase: &str,
    ) -> Result<KeyFile, KeyFileError> {
        Self::seal_with(seed, fingerprint, trustee, passphrase, ITERATIONS)
    }

    /// As [`KeyFile::seal`] with a chosen work factor (tests use a small one).
    pub fn seal_with(
        seed: &[u8; 32],
        fingerprint: &[u8; 32],
        trustee: u32,
        passphrase: &str,
        iterations: u32,
    ) -> Result<KeyFile, KeyFileError> {
        if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
            return Err(KeyFileError::ShortPassphrase);
        }
        let mut salt = [0u8; 16];
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let rounds = NonZeroU32::new(iterations).ok_or(KeyFileError::NotAKeyFile)?;
        let key = stretch(passphrase, &salt, rounds);
        let mut data = seed.to_vec();
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad(fingerprint, trustee)),
            &mut data,
        )
        .expect("32 bytes are within what ChaCha20-Poly1305 seals");
        Ok(KeyFile {
            format: FORMAT.into(),
            election: hex::encode(fingerprint),
            trustee,
            salt: hex::encode(salt),
            iterations,
            nonce: hex::encode(nonce),
            sealed: hex::encode(data),
        })
    }

    /// The seed, for trustee `trustee` of the election `fingerprint`.
    pub fn open(
        &self,
        passphrase: &str,
        fingerprint: &[u8; 32],
        trustee: u32,
    ) -> Result<[u8; 32], KeyFileError> {
        if self.format != FORMAT {
            return Err(KeyFileError::NotAKeyFile);
        }
        if self.election != hex::encode(fingerprint) {
            return Err(KeyFileError::OtherElection);
        }
        if self.trustee != trustee {
            return Err(KeyFileError::OtherTrustee {
                found: self.trustee,
                wanted: trustee,
            });
        }
        let bad = |_| KeyFileError::NotAKeyFile;
        let salt = hex::decode(&self.salt).map_err(bad)?;
        let nonce: [u8; 12] = hex::decode(&self.nonce)
            .map_err(bad)?
            .try_into()
            .map_err(|_| KeyFileError::NotAKeyFile)?;
        let mut data = hex::decode(&self.sealed).map_err(bad)?;
        let rounds = NonZeroU32::new(self.iterations)
            .filter(|n| n.get() <= MAX_ITERATIONS)
            .ok_or(KeyFileError::NotAKeyFile)?;
        let key = stretch(passphrase, &salt, rounds);
        let seed = key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad(fingerprint, trustee)),
                &mut data,
            )
            .map_err(|_| KeyFileError::WrongPassphrase)?;
        seed.try_into().map_err(|_| KeyFileError::NotAKeyFile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_opens_only_with_its_passphrase_election_and_trustee() {
        let (seed, f) = ([3u8; 32], [4u8; 32]);
        let file = KeyFile::seal_with(&seed, &f, 2, "correct horse battery", 1000).unwrap();
        assert_eq!(file.open("correct horse battery", &f, 2), Ok(seed));
        assert_eq!(
            file.open("wrong horse battery", &f, 2),
            Err(KeyFileError::WrongPassphrase)
        );
        assert_eq!(
            file.open("correct horse battery", &[5; 32], 2),
            Err(KeyFileError::OtherElection)
        );
        assert_eq!(
            file.open("correct horse battery", &f, 3),
            Err(KeyFileError::OtherTrustee {
                found: 2,
                wanted: 3
            })
        );
        let mut moved = file.clone();
        moved.trustee = 3;
        assert_eq!(
            moved.open("correct horse battery", &f, 3),
            Err(KeyFileError::WrongPassphrase)
        );
        assert_eq!(
            KeyFile::seal(&seed, &f, 2, "short"),
            Err(KeyFileError::ShortPassphrase)
        );
    }
}
