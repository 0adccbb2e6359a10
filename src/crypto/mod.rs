//! The arithmetic of encrypted ballots: exponential ElGamal over
//! ristretto255, the Σ-protocol proofs that make a ballot, a trustee's key
//! and a decryption share checkable by anyone, and the threshold key the
//! trustees share. Nothing here touches the database or the web: the server,
//! the verifier and the tests all call the same functions, and
//! `docs/crypto.md` gives the byte encoding the browser code reproduces.
//!
//! Every proof is made non-interactive by hashing a [`Transcript`] that
//! starts with a domain tag and the caller's context (the election's
//! fingerprint, the question, the ballot's credential) and then every public
//! value of the statement and every commitment, so a proof made for one
//! statement or one election checks for no other (the weak Fiat–Shamir flaw).

pub mod credential;
pub mod dlog;
pub mod elgamal;
pub mod group;
pub mod proofs;
pub mod threshold;
pub mod transcript;

pub use elgamal::Ciphertext;
pub use group::{Point, Scalar};
pub use transcript::Transcript;
