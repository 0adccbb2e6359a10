//! From checked ballots to a result: the encrypted sums, each trustee's
//! decryption share of them with its proof, and the counts that any
//! threshold of valid shares gives. The server, the trustee's device and
//! the verifier all use these, so they cannot disagree on what is checked.

use std::collections::HashMap;

use super::entry::{
    BallotEntry, DecryptionShare, QuestionShares, QuestionSums, ShareEntry, SumCiphertext, Sums,
    TrusteeKey,
};
use super::hexcode;
use crate::crypto::Ciphertext;
use crate::crypto::dlog::small_log;
use crate::crypto::group::{Point, Scalar, base_mul};
use crate::crypto::proofs::{EqualityProof, KeyProof};
use crate::crypto::threshold;

fn numbered(label: &[u8], fingerprint: &[u8; 32], numbers: &[u32]) -> Vec<u8> {
    let mut bytes = label.to_vec();
    bytes.extend_from_slice(fingerprint);
    for n in numbers {
        bytes.extend_from_slice(&n.to_be_bytes());
    }
    bytes
}

/// The context of trustee `index`'s key proof.
pub fn trustee_context(fingerprint: &[u8; 32], index: u32) -> Vec<u8> {
    numbered(b"trustee", fingerprint, &[index])
}

/// The context of trustee `index`'s share of question `q`, choice `c`.
pub fn share_context(fingerprint: &[u8; 32], index: u32, q: u32, c: u32) -> Vec<u8> {
    numbered(b"share", fingerprint, &[index, q, c])
}

/// A trustee's published commitments, checked: `threshold` points, none
/// the identity, with a valid key proof of the first.
pub fn check_trustee(
    fingerprint: &[u8; 32],
    trustee: &TrusteeKey,
    threshold: usize,
) -> Result<Vec<Point>, String> {
    let who = format!("trustee {}", trustee.index);
    if trustee.commitments.len() != threshold {
        return Err(format!(
            "{who} published {} commitments; the threshold needs {threshold}",
            trustee.commitments.len()
        ));
    }
    let points = trustee
        .commitments
        .iter()
        .map(|c| hexcode::key_point(c, &format!("{who}'s commitment")))
        .collect::<Result<Vec<_>, _>>()?;
    let (challenge, response) = hexcode::to_pair(&trustee.proof, &format!("{who}'s key proof"))?;
    let proof = KeyProof {
        challenge,
        response,
    };
    if !proof.verify(&trustee_context(fingerprint, trustee.index), &points[0]) {
        return Err(format!("{who}'s key proof does not check"));
    }
    Ok(points)
}

/// Which ballots count, by position among `ballots` (in record order).
/// Without credentials, all; with them, the last ballot of each
/// credential, so a member who voted under pressure can vote again.
pub fn counted(ballots: &[&BallotEntry], credentialed: bool) -> Vec<usize> {
    if !credentialed {
        return (0..ballots.len()).collect();
    }
    let mut last: HashMap<&str, usize> = HashMap::new();
    for (i, b) in ballots.iter().enumerate() {
        if let Some(c) = b.credential.as_deref() {
            last.insert(c, i);
        }
    }
    let mut positions: Vec<usize> = last.into_values().collect();
    positions.sort_unstable();
    positions
}

/// The sums of `ballots`, question by question and choice by choice.
pub fn sum<'a>(
    choices: &[usize],
    ballots: impl IntoIterator<Item = &'a Vec<Vec<Ciphertext>>>,
) -> Vec<Vec<Ciphertext>> {
    let mut sums: Vec<Vec<Ciphertext>> = choices
        .iter()
        .map(|&n| vec![Ciphertext::zero(); n])
        .collect();
    for ballot in ballots {
        for (total, answer) in sums.iter_mut().zip(ballot) {
            for (t, ct) in total.iter_mut().zip(answer) {
                *t = *t + *ct;
            }
        }
    }
    sums
}

pub fn sums_entry(sums: &[Vec<Ciphertext>]) -> Sums {
    Sums {
        questions: sums
            .iter()
            .enumerate()
            .map(|(q, cts)| QuestionSums {
                question: q as u32 + 1,
                choices: cts
                    .iter()
                    .map(|ct| SumCiphertext {
                        alpha: hexcode::point(&ct.alpha),
                        beta: hexcode::point(&ct.beta),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The published sums, decoded, in the election's shape.
pub fn decode_sums(entry: &Sums, choices: &[usize]) -> Result<Vec<Vec<Ciphertext>>, String> {
    if entry.questions.len() != choices.len() {
        return Err("the sums do not cover the election's questions".into());
    }
    entry
        .questions
        .iter()
        .zip(choices)
        .enumerate()
        .map(|(q, (question, &n))| {
            if question.question != q as u32 + 1 || question.choices.len() != n {
                return Err(format!(
                    "the sums of question {} are not in its shape",
                    q + 1
                ));
            }
            question
                .choices
                .iter()
                .map(|ct| {
                    Ok(Ciphertext {
                        alpha: hexcode::any_point(&ct.alpha, "a sum's alpha")?,
                        beta: hexcode::any_point(&ct.beta, "a sum's beta")?,
                    })
                })
                .collect()
        })
        .collect()
}

/// Trustee `index`'s decryption share of `sums`, made with its secret `x`.
pub fn make_share(
    fingerprint: &[u8; 32],
    index: u32,
    x: &Scalar,
    sums: &[Vec<Ciphertext>],
) -> ShareEntry {
    ShareEntry {
        trustee: index,
        questions: sums
            .iter()
            .enumerate()
            .map(|(q, cts)| QuestionShares {
                question: q as u32 + 1,
                choices: cts
                    .iter()
                    .enumerate()
                    .map(|(c, ct)| {
                        let ctx = share_context(fingerprint, index, q as u32 + 1, c as u32 + 1);
                        let proof = EqualityProof::prove(&ctx, x, &ct.alpha);
                        DecryptionShare {
                            share: hexcode::point(&(x * ct.alpha)),
                            proof: hexcode::pair(&proof.challenge, &proof.response),
                        }
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// A share entry checked against trustee `index`'s verification key: the
/// points `x_index·α`, question by question.
pub fn check_share(
    fingerprint: &[u8; 32],
    entry: &ShareEntry,
    verification_key: &Point,
    sums: &[Vec<Ciphertext>],
) -> Result<Vec<Vec<Point>>, String> {
    let who = format!("trustee {}'s share", entry.trustee);
    if entry.questions.len() != sums.len() {
        return Err(format!("{who} does not cover the election's questions"));
    }
    entry
        .questions
        .iter()
        .zip(sums)
        .enumerate()
        .map(|(q, (question, cts))| {
            let qn = q as u32 + 1;
            if question.question != qn || question.choices.len() != cts.len() {
                return Err(format!("{who} of question {qn} is not in its shape"));
            }
            question
                .choices
                .iter()
                .zip(cts)
                .enumerate()
                .map(|(c, (share, ct))| {
                    let what = format!("{who} of question {qn}, choice {}", c + 1);
                    let d = hexcode::any_point(&share.share, &what)?;
                    let (challenge, response) = hexcode::to_pair(&share.proof, &what)?;
                    let proof = EqualityProof {
                        challenge,
                        response,
                    };
                    let ctx = share_context(fingerprint, entry.trustee, qn, c as u32 + 1);
                    if proof.verify(&ctx, verification_key, &ct.alpha, &d) {
                        Ok(d)
                    } else {
                        Err(format!(
                            "{what}: the proof of correct decryption does not check"
                        ))
                    }
                })
                .collect()
        })
        .collect()
}

/// Each trustee's verification key, from every trustee's commitments.
pub fn verification_keys(commitments: &[Vec<Point>]) -> Vec<Point> {
    (1..=commitments.len() as u64)
        .map(|j| threshold::verification_key(commitments, j))
        .collect()
}

/// The counts, from checked shares `(trustee, points)` of `threshold` or
/// more distinct trustees; each count is found between 0 and `bound`.
pub fn counts(
    shares: &[(u32, Vec<Vec<Point>>)],
    sums: &[Vec<Ciphertext>],
    threshold: usize,
    bound: u64,
) -> Result<Vec<Vec<u64>>, String> {
    if shares.len() < threshold {
        return Err(format!(
            "{} valid decryption shares of the {threshold} needed",
            shares.len()
        ));
    }
    let used = &shares[..threshold];
    sums.iter()
        .enumerate()
        .map(|(q, cts)| {
            cts.iter()
                .enumerate()
                .map(|(c, ct)| {
                    let parts: Vec<(u64, Point)> = used
                        .iter()
                        .map(|(j, points)| (u64::from(*j), points[q][c]))
                        .collect();
                    let m = ct.unblind(&threshold::combine(&parts));
                    small_log(&m, bound).ok_or_else(|| {
                        format!(
                            "question {}, choice {}: the shares do not decrypt to a count between 0 and {bound}",
                            q + 1,
                            c + 1
                        )
                    })
                })
                .collect()
        })
        .collect()
}

/// `x·G`, for a trustee checking its own secret against the commitments.
pub fn public_of(x: &Scalar) -> Point {
    base_mul(x)
}
