//! Voting credentials (docs/crypto.md, "Credentials"): 16 random bytes a
//! credential officer hands a member as 12 BIP39 English words; from them
//! an Ed25519 key whose public half is on the election's credential list
//! and whose signature over a ballot's tracker shows the ballot came from
//! whoever holds the words. The words carry BIP39's 4-bit checksum, so a
//! mistyped word is caught before anything is signed.

use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use sha2::{Digest, Sha256};

const WORDS: &str = include_str!("bip39-english.txt");
const SEED_TAG: &[u8] = b"unionhall/v1/credential";
const SIGNATURE_TAG: &[u8] = b"unionhall/v1/signature";

fn wordlist() -> Vec<&'static str> {
    WORDS.lines().collect()
}

/// A secret credential. It never reaches the server's storage: the server
/// holds one only while it signs for a member who typed it in.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    entropy: [u8; 16],
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credential(…)")
    }
}

impl Credential {
    pub fn generate() -> Self {
        let mut entropy = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut entropy);
        Credential { entropy }
    }

    pub fn from_entropy(entropy: [u8; 16]) -> Self {
        Credential { entropy }
    }

    /// The 12 words, lowercase, one space apart.
    pub fn words(&self) -> String {
        let list = wordlist();
        // 128 bits of entropy then the checksum's 4, read 11 bits a word.
        let mut bytes = self.entropy.to_vec();
        bytes.push(Sha256::digest(self.entropy)[0]);
        let bit = |i: usize| (bytes[i / 8] >> (7 - i % 8)) & 1;
        (0..12)
            .map(|w| {
                let index =
                    (0..11).fold(0usize, |acc, b| (acc << 1) | usize::from(bit(w * 11 + b)));
                list[index]
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Reads the words as a member types or pastes them: any case, any
    /// spacing, commas or dashes between.
    pub fn from_words(text: &str) -> Result<Self, CredentialError> {
        let list = wordlist();
        let typed: Vec<String> = text
            .split(|c: char| c.is_whitespace() || c == ',' || c == '-')
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        if typed.len() != 12 {
            return Err(CredentialError::WordCount(typed.len()));
        }
        let mut bits: u128 = 0;
        let mut check = 0u8;
        for (i, word) in typed.iter().enumerate() {
            let Ok(index) = list.binary_search(&word.as_str()) else {
                return Err(CredentialError::UnknownWord(i + 1, word.clone()));
            };
            let index = index as u128;
            if i == 11 {
                bits = (bits << 7) | (index >> 4);
                check = (index & 0xf) as u8;
            } else {
                bits = (bits << 11) | index;
            }
        }
        let entropy = bits.to_be_bytes();
        if Sha256::digest(entropy)[0] >> 4 != check {
            return Err(CredentialError::Checksum);
        }
        Ok(Credential { entropy })
    }

    fn key_pair(&self) -> Ed25519KeyPair {
        let seed = Sha256::new()
            .chain_update(SEED_TAG)
            .chain_update(self.entropy)
            .finalize();
        Ed25519KeyPair::from_seed_unchecked(&seed).expect("any 32 bytes are an Ed25519 seed")
    }

    /// The public credential: the 32 bytes on the list and in the ballot.
    pub fn public(&self) -> [u8; 32] {
        self.key_pair()
            .public_key()
            .as_ref()
            .try_into()
            .expect("an Ed25519 public key is 32 bytes")
    }

    /// The signature over a ballot's tracker (its 32 bytes).
    pub fn sign(&self, tracker: &[u8; 32]) -> [u8; 64] {
        self.key_pair()
            .sign(&signed_message(tracker))
            .as_ref()
            .try_into()
            .expect("an Ed25519 signature is 64 bytes")
    }
}

fn signed_message(tracker: &[u8; 32]) -> Vec<u8> {
    [SIGNATURE_TAG, tracker.as_slice()].concat()
}

/// Whether `public` can be a credential: the one encoding of a point on
/// the curve that is not of small order. A small-order key (the neutral
/// point among them) has signatures anyone can make without a secret, so
/// it is refused on every list and by every verifier.
pub fn is_valid_public(public: &[u8; 32]) -> bool {
    let compressed = curve25519_dalek::edwards::CompressedEdwardsY(*public);
    compressed
        .decompress()
        .is_some_and(|p| !p.is_small_order() && p.compress().as_bytes() == public)
}

/// Whether `signature` is the public credential's signature over `tracker`.
pub fn verify(public: &[u8; 32], tracker: &[u8; 32], signature: &[u8; 64]) -> bool {
    is_valid_public(public)
        && UnparsedPublicKey::new(&ED25519, public)
            .verify(&signed_message(tracker), signature)
            .is_ok()
}

/// Why typed words are not a credential, in words a member can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error("A voting credential is 12 words; this has {0}.")]
    WordCount(usize),
    #[error(
        "Word {0}, \"{1}\", is not one of the credential words: check its spelling on your letter."
    )]
    UnknownWord(usize, String),
    #[error(
        "These 12 words are not a credential: one of them is probably mistyped. Check each against your letter."
    )]
    Checksum,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bip39_vectors_read_and_write() {
        // From the BIP39 reference vectors (trezor/python-mnemonic).
        let zeros = Credential::from_entropy([0; 16]);
        assert_eq!(
            zeros.words(),
            "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
        );
        let sevens = Credential::from_entropy([0x7f; 16]);
        assert_eq!(
            sevens.words(),
            "legal winner thank year wave sausage worth useful legal winner thank yellow"
        );
        let ffs = Credential::from_entropy([0xff; 16]);
        assert_eq!(
            ffs.words(),
            "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong"
        );
        for c in [zeros, sevens, ffs, Credential::generate()] {
            assert_eq!(Credential::from_words(&c.words()).unwrap(), c);
        }
    }

    #[test]
    fn typed_words_are_read_forgivingly_and_mistakes_said_in_words() {
        let c = Credential::generate();
        let shouted = c.words().to_uppercase().replace(' ', " ,  ");
        assert_eq!(Credential::from_words(&shouted).unwrap(), c);
        assert_eq!(
            Credential::from_words("abandon abandon"),
            Err(CredentialError::WordCount(2))
        );
        let wrong = c.words().replacen(' ', " zzz ", 1);
        let mut words: Vec<&str> = wrong.split(' ').collect();
        words.truncate(12);
        assert!(matches!(
            Credential::from_words(&words.join(" ")),
            Err(CredentialError::UnknownWord(2, _))
        ));
        let swapped = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon";
        assert_eq!(
            Credential::from_words(swapped),
            Err(CredentialError::Checksum)
        );
    }

    /// The same credential, key and signature as web/booth's
    /// credential.test.js: the browser and this code agree byte for byte.
    #[test]
    fn the_browser_and_rust_derive_and_sign_alike() {
        let c = Credential::from_entropy([0x7f; 16]);
        assert_eq!(
            hex::encode(c.public()),
            "dbcd9f40d2c4dac69faacabc0c7df6513014c2f2e2978c066772d678e7452cbe"
        );
        assert_eq!(
            hex::encode(c.sign(&[9; 32])),
            "41c34ed0619d7a02f25945f1f33f5d27773de0b55d0bf09dc34433fff0c54b8ecd10495a16fbaf67ed70e35923407251f0f0009933e281c696ce36495450ee02"
        );
    }

    #[test]
    fn keys_with_no_secret_behind_them_are_not_credentials() {
        assert!(is_valid_public(&Credential::generate().public()));
        let mut identity = [0u8; 32];
        identity[0] = 1;
        // The neutral point, a point of order 4, and two non-canonical
        // spellings (the last the neutral point's second one).
        let mut second_identity = [0xffu8; 32];
        second_identity[0] = 0xee;
        second_identity[31] = 0x7f;
        for bad in [identity, [0; 32], [0xff; 32], second_identity] {
            assert!(!is_valid_public(&bad), "{}", hex::encode(bad));
        }
        let mut forged = [0u8; 64];
        forged[0] = 1;
        assert!(
            !verify(&identity, &[9; 32], &forged),
            "the neutral point signs anything"
        );
    }

    #[test]
    fn a_signature_checks_only_for_its_tracker_and_its_credential() {
        let c = Credential::generate();
        let tracker = [9u8; 32];
        let sig = c.sign(&tracker);
        assert!(verify(&c.public(), &tracker, &sig));
        assert!(!verify(&c.public(), &[8u8; 32], &sig));
        assert!(!verify(&Credential::generate().public(), &tracker, &sig));
    }
}
