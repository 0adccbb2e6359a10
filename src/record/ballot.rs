//! One encrypted ballot: made (on the server for a voter without
//! JavaScript or a paper ballot, in tests, and by the same rules in the
//! browser), and checked before it is appended and again by the verifier.
//! Every answer is one encryption of 0 or 1 per choice, each proved in
//! `0..=1`, and their sum proved to be 1: exactly one choice per question,
//! without anyone learning which.

use sha2::{Digest, Sha256};

use super::entry::{Answer, BallotEntry, CastBy, EncryptedChoice};
use super::hexcode;
use crate::crypto::Ciphertext;
use crate::crypto::credential::{self, Credential};
use crate::crypto::group::{Point, Scalar, random_scalar};
use crate::crypto::proofs::RangeProof;

const TRACKER_TAG: &[u8] = b"unionhall/v1/tracker";

fn context(
    label: &[u8],
    fingerprint: &[u8; 32],
    credential: &[u8; 32],
    numbers: &[u32],
) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(label.len() + 64 + 4 * numbers.len());
    bytes.extend_from_slice(label);
    bytes.extend_from_slice(fingerprint);
    bytes.extend_from_slice(credential);
    for n in numbers {
        bytes.extend_from_slice(&n.to_be_bytes());
    }
    bytes
}

/// The context of choice `choice` of question `question` (both from 1).
pub fn choice_context(
    fingerprint: &[u8; 32],
    credential: &[u8; 32],
    question: u32,
    choice: u32,
) -> Vec<u8> {
    context(b"ballot", fingerprint, credential, &[question, choice])
}

/// The context of the proof that question `question` has one choice.
pub fn sum_context(fingerprint: &[u8; 32], credential: &[u8; 32], question: u32) -> Vec<u8> {
    context(b"ballot-sum", fingerprint, credential, &[question])
}

/// The 32 bytes a ballot's proofs are bound to: its credential, or zeros.
pub fn credential_bytes(entry: &BallotEntry) -> Result<[u8; 32], String> {
    entry.credential.as_deref().map_or(Ok([0; 32]), |c| {
        hexcode::to_32(c, "the ballot's credential")
    })
}

/// A ballot just encrypted, with the randomness that makes it; the caller
/// discards the randomness, or reveals it for a checked (never cast) one.
#[derive(Debug, Clone)]
pub struct Encrypted {
    pub entry: BallotEntry,
    pub randomness: Vec<Vec<Scalar>>,
}

/// Encrypts `selected[q]` (counted from 0) for each question, whose choice
/// counts are `choices`.
pub fn encrypt(
    key: &Point,
    fingerprint: &[u8; 32],
    credential: Option<[u8; 32]>,
    by: CastBy,
    choices: &[usize],
    selected: &[usize],
) -> Encrypted {
    assert_eq!(choices.len(), selected.len(), "one selection per question");
    let k = credential.unwrap_or([0; 32]);
    let mut answers = Vec::with_capacity(choices.len());
    let mut randomness = Vec::with_capacity(choices.len());
    for (q, (&count, &pick)) in choices.iter().zip(selected).enumerate() {
        let question = q as u32 + 1;
        assert!(pick < count, "the selection is one of the choices");
        let rs: Vec<Scalar> = (0..count).map(|_| random_scalar()).collect();
        let cts: Vec<Ciphertext> = rs
            .iter()
            .enumerate()
            .map(|(c, r)| Ciphertext::encrypt(key, u64::from(c == pick), r))
            .collect();
        let encrypted = cts
            .iter()
            .zip(&rs)
            .enumerate()
            .map(|(c, (ct, r))| {
                let m = u64::from(c == pick);
                let ctx = choice_context(fingerprint, &k, question, c as u32 + 1);
                EncryptedChoice {
                    alpha: hexcode::point(&ct.alpha),
                    beta: hexcode::point(&ct.beta),
                    proof: pairs(&RangeProof::prove(&ctx, key, ct, m, r, 0, 1)),
                }
            })
            .collect();
        let total: Ciphertext = cts.iter().copied().sum();
        let r_total: Scalar = rs.iter().sum();
        let ctx = sum_context(fingerprint, &k, question);
        answers.push(Answer {
            question,
            choices: encrypted,
            proof: pairs(&RangeProof::prove(&ctx, key, &total, 1, &r_total, 1, 1)),
        });
        randomness.push(rs);
    }
    let mut entry = BallotEntry {
        tracker: String::new(),
        by,
        credential: credential.map(hex::encode),
        signature: None,
        answers,
    };
    entry.tracker = tracker(fingerprint, &entry).expect("a ballot just made is well formed");
    Encrypted { entry, randomness }
}

fn pairs(proof: &RangeProof) -> Vec<[String; 2]> {
    proof
        .parts
        .iter()
        .map(|(c, s)| hexcode::pair(c, s))
        .collect()
}

fn proof_of(pairs: &[[String; 2]], lo: u64, what: &str) -> Result<RangeProof, String> {
    let parts = pairs
        .iter()
        .map(|p| hexcode::to_pair(p, what))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RangeProof { lo, parts })
}

/// The tracker `docs/record.md` defines, recomputed from the entry.
pub fn tracker(fingerprint: &[u8; 32], entry: &BallotEntry) -> Result<String, String> {
    let mut hash = Sha256::new();
    hash.update(TRACKER_TAG);
    hash.update(fingerprint);
    hash.update(credential_bytes(entry)?);
    let raw = |text: &str, what: &str| -> Result<[u8; 32], String> { hexcode::to_32(text, what) };
    for answer in &entry.answers {
        for choice in &answer.choices {
            hash.update(raw(&choice.alpha, "a choice's alpha")?);
            hash.update(raw(&choice.beta, "a choice's beta")?);
            for [c, s] in &choice.proof {
                hash.update(raw(c, "a proof's challenge")?);
                hash.update(raw(s, "a proof's response")?);
            }
        }
        for [c, s] in &answer.proof {
            hash.update(raw(c, "a proof's challenge")?);
            hash.update(raw(s, "a proof's response")?);
        }
    }
    Ok(hex::encode(hash.finalize()))
}

/// A ballot whose every proof checked: its ciphertexts, question by
/// question, ready to be added to the sums.
#[derive(Debug, Clone)]
pub struct Checked {
    pub ciphertexts: Vec<Vec<Ciphertext>>,
}

/// Checks a ballot for an election with `choices[q]` choices per question
/// under `key`: shape, encodings, every proof and the tracker. The error
/// says in words what is wrong.
pub fn check(
    entry: &BallotEntry,
    key: &Point,
    fingerprint: &[u8; 32],
    choices: &[usize],
) -> Result<Checked, String> {
    if entry.answers.len() != choices.len() {
        return Err(format!(
            "it answers {} questions; the election has {}",
            entry.answers.len(),
            choices.len()
        ));
    }
    let k = credential_bytes(entry)?;
    let mut ciphertexts = Vec::with_capacity(choices.len());
    for (q, (answer, &count)) in entry.answers.iter().zip(choices).enumerate() {
        let question = q as u32 + 1;
        if answer.question != question {
            return Err(format!(
                "its answer {question} says it is for question {}",
                answer.question
            ));
        }
        if answer.choices.len() != count {
            return Err(format!(
                "its answer to question {question} has {} choices; the question has {count}",
                answer.choices.len()
            ));
        }
        let mut cts = Vec::with_capacity(count);
        for (c, choice) in answer.choices.iter().enumerate() {
            let what = format!("question {question}, choice {}", c + 1);
            let ct = Ciphertext {
                alpha: hexcode::key_point(&choice.alpha, &format!("{what}: alpha"))?,
                beta: hexcode::any_point(&choice.beta, &format!("{what}: beta"))?,
            };
            let proof = proof_of(&choice.proof, 0, &what)?;
            let ctx = choice_context(fingerprint, &k, question, c as u32 + 1);
            if !proof.verify(&ctx, key, &ct, 0, 1) {
                return Err(format!(
                    "{what}: the proof that it encrypts 0 or 1 does not check"
                ));
            }
            cts.push(ct);
        }
        let total: Ciphertext = cts.iter().copied().sum();
        let proof = proof_of(&answer.proof, 1, &format!("question {question}"))?;
        if !proof.verify(&sum_context(fingerprint, &k, question), key, &total, 1, 1) {
            return Err(format!(
                "question {question}: the proof that exactly one choice is chosen does not check"
            ));
        }
        ciphertexts.push(cts);
    }
    if tracker(fingerprint, entry)? != entry.tracker {
        return Err("its tracker is not the hash of its contents".into());
    }
    Ok(Checked { ciphertexts })
}

/// Signs a ballot made with `credential`'s public half as its `K`.
pub fn sign(entry: &mut BallotEntry, credential: &Credential) {
    let tracker = hexcode::to_32(&entry.tracker, "the tracker").expect("a tracker just made");
    entry.signature = Some(hex::encode(credential.sign(&tracker)));
}

/// Checks that the ballot carries a credential and that credential's
/// signature over its tracker. Membership of the list is the caller's.
pub fn check_signature(entry: &BallotEntry) -> Result<[u8; 32], String> {
    let Some(public) = entry.credential.as_deref() else {
        return Err("carries no voting credential".into());
    };
    let Some(signature) = entry.signature.as_deref() else {
        return Err("is not signed with its credential".into());
    };
    let public = hexcode::to_32(public, "its credential")?;
    let tracker = hexcode::to_32(&entry.tracker, "its tracker")?;
    let signature: [u8; 64] = hex::decode(signature)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or("has a signature that is not 64 bytes of hexadecimal")?;
    if credential::verify(&public, &tracker, &signature) {
        Ok(public)
    } else {
        Err("has a signature that does not check against its credential".into())
    }
}

/// The ciphertexts of a ballot already checked (one read back from the
/// record this server appended it to): decoded, its proofs not checked again.
pub fn ciphertexts(entry: &BallotEntry) -> Result<Vec<Vec<Ciphertext>>, String> {
    entry
        .answers
        .iter()
        .map(|answer| {
            answer
                .choices
                .iter()
                .map(|c| {
                    Ok(Ciphertext {
                        alpha: hexcode::key_point(&c.alpha, "alpha")?,
                        beta: hexcode::any_point(&c.beta, "beta")?,
                    })
                })
                .collect()
        })
        .collect()
}

/// What a checked (never cast) ballot encrypts, from the randomness its
/// device revealed: for each question the choice (from 0) it holds.
pub fn reveal(
    entry: &BallotEntry,
    randomness: &[Vec<Scalar>],
    key: &Point,
) -> Result<Vec<usize>, String> {
    let mut picks = Vec::with_capacity(entry.answers.len());
    for (answer, rs) in entry.answers.iter().zip(randomness) {
        let mut pick = None;
        for (c, (choice, r)) in answer.choices.iter().zip(rs).enumerate() {
            let alpha = hexcode::key_point(&choice.alpha, "alpha")?;
            let beta = hexcode::any_point(&choice.beta, "beta")?;
            let found = [0u64, 1]
                .into_iter()
                .find(|m| Ciphertext::encrypt(key, *m, r) == Ciphertext { alpha, beta });
            match found {
                Some(1) => pick = Some(c),
                Some(_) => {}
                None => {
                    return Err(format!(
                        "question {}: the revealed randomness does not make choice {}",
                        answer.question,
                        c + 1
                    ));
                }
            }
        }
        picks.push(
            pick.ok_or_else(|| format!("question {}: no choice is chosen", answer.question))?,
        );
    }
    Ok(picks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::group::base_mul;

    fn setup() -> (Scalar, Point, [u8; 32]) {
        let x = random_scalar();
        (x, base_mul(&x), [9; 32])
    }

    #[test]
    fn a_ballot_made_here_checks_and_reveals_what_it_holds() {
        let (_, key, f) = setup();
        let made = encrypt(&key, &f, None, CastBy::Server, &[2, 3], &[0, 2]);
        let checked = check(&made.entry, &key, &f, &[2, 3]).expect("it checks");
        assert_eq!(checked.ciphertexts.len(), 2);
        assert_eq!(reveal(&made.entry, &made.randomness, &key), Ok(vec![0, 2]));
    }

    #[test]
    fn a_ballot_for_another_election_or_credential_or_shape_is_refused() {
        let (_, key, f) = setup();
        let made = encrypt(&key, &f, None, CastBy::Voter, &[2], &[1]);
        assert!(check(&made.entry, &key, &[8; 32], &[2]).is_err());
        assert!(check(&made.entry, &key, &f, &[3]).is_err());
        assert!(check(&made.entry, &key, &f, &[2, 2]).is_err());
        let mut signed = made.entry.clone();
        signed.credential = Some(hex::encode([1u8; 32]));
        let err = check(&signed, &key, &f, &[2]).unwrap_err();
        assert!(err.contains("does not check"), "{err}");
    }

    #[test]
    fn a_ballot_that_chooses_two_or_none_cannot_be_proved() {
        let (_, key, f) = setup();
        // Swap one choice for another ballot's, making Yes and Yes.
        let yes = encrypt(&key, &f, None, CastBy::Voter, &[2], &[0]);
        let no = encrypt(&key, &f, None, CastBy::Voter, &[2], &[1]);
        let mut both = no.entry.clone();
        both.answers[0].choices[0] = yes.entry.answers[0].choices[0].clone();
        both.tracker = tracker(&f, &both).unwrap();
        let err = check(&both, &key, &f, &[2]).unwrap_err();
        assert!(err.contains("exactly one"), "{err}");
    }

    #[test]
    fn a_changed_byte_or_tracker_is_refused_in_words() {
        let (_, key, f) = setup();
        let made = encrypt(&key, &f, None, CastBy::Voter, &[2], &[0]);
        let mut edited = made.entry.clone();
        edited.tracker = hex::encode([0u8; 32]);
        assert_eq!(
            check(&edited, &key, &f, &[2]).unwrap_err(),
            "its tracker is not the hash of its contents"
        );
        let mut flipped = made.entry.clone();
        let mut beta = hex::decode(&flipped.answers[0].choices[1].beta).unwrap();
        beta[0] ^= 1;
        flipped.answers[0].choices[1].beta = hex::encode(beta);
        assert!(check(&flipped, &key, &f, &[2]).is_err());
    }
}
