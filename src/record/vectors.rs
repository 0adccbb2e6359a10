//! Test vectors shared with the browser code (web/booth): ballots, a whole
//! record and a key generation with key files, made here, which its tests
//! under node must accept; and the ones it made, which the tests below must
//! accept. The files are committed; `cargo run --example write_vectors`
//! makes new ones when the format changes.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::ballot;
use super::entry::{Answer, BallotEntry, CastBy};
use super::hexcode;
use crate::crypto::group::{base_mul, random_scalar};
use crate::trustees::keyfile::KeyFile;
use crate::trustees::protocol::{self, Deal, Message, Setup, Transport};

/// The passphrase of every key file in the trustee vectors.
pub const PASSPHRASE: &str = "correct horse battery staple";

#[derive(Debug, Serialize, Deserialize)]
pub struct Shape {
    pub choices: usize,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct VectorBallot {
    pub credential: Option<String>,
    pub questions: Vec<Shape>,
    pub selected: Vec<usize>,
    pub answers: Vec<Answer>,
    pub tracker: String,
}

/// Ballots under one key and fingerprint.
#[derive(Debug, Serialize, Deserialize)]
pub struct Vectors {
    pub fingerprint: String,
    pub key: String,
    pub ballots: Vec<VectorBallot>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Trustee {
    pub index: u32,
    pub key_file: KeyFile,
    pub transport: Message,
    pub deal: Message,
    pub confirm: Message,
}

/// One key generation of three trustees, threshold two.
#[derive(Debug, Serialize, Deserialize)]
pub struct TrusteeVectors {
    pub fingerprint: String,
    pub threshold: u32,
    pub passphrase: String,
    pub trustees: Vec<Trustee>,
}

/// Three ballots: yes/no, two questions, and one signed with a credential.
pub fn ballots() -> Vectors {
    let key = base_mul(&random_scalar());
    let fingerprint: [u8; 32] = rand::random();
    // (credential, choices per question, selection per question)
    let cases = [
        (None, vec![2], vec![0]),
        (None, vec![2, 3], vec![1, 2]),
        (Some([5; 32]), vec![3], vec![1]),
    ];
    let ballots = cases
        .into_iter()
        .map(|(credential, choices, selected)| {
            let made = ballot::encrypt(
                &key,
                &fingerprint,
                credential,
                CastBy::Voter,
                &choices,
                &selected,
            );
            VectorBallot {
                credential: made.entry.credential,
                questions: choices.iter().map(|&choices| Shape { choices }).collect(),
                selected,
                answers: made.entry.answers,
                tracker: made.entry.tracker,
            }
        })
        .collect();
    Vectors {
        fingerprint: hex::encode(fingerprint),
        key: hexcode::point(&key),
        ballots,
    }
}

/// A complete record on two questions with voting credentials: a roll of
/// four, member 1 re-voting (the second ballot counts), member 2 voting
/// with a credential given after the first was lost, member 3 abstaining.
pub fn record() -> String {
    let casts = [
        (0, vec![0, 1]),
        (1, vec![1, 2]),
        (2, vec![0, 2]),
        (1, vec![0, 0]),
    ];
    super::sample::with_credentials(&[2, 3], 4, &casts, &[2], &[2, 3]).0
}

/// A key generation through the three messages, each trustee's key file
/// sealed with [`PASSPHRASE`] at `iterations` rounds.
pub fn trustees(iterations: u32) -> TrusteeVectors {
    let fingerprint: [u8; 32] = rand::random();
    let setup = Setup {
        fingerprint,
        trustees: 3,
        threshold: 2,
    };
    let seeds: Vec<[u8; 32]> = (0..3).map(|_| rand::random()).collect();
    let transports: Vec<Transport> = (1..=3u32)
        .map(
            |i| match protocol::transport(&setup, &seeds[i as usize - 1], i) {
                Message::Transport(t) => t,
                _ => unreachable!("step 1 makes a transport key"),
            },
        )
        .collect();
    let keys = protocol::transport_keys(&setup, &transports).expect("keys made here check");
    let deals: Vec<Deal> = (1..=3u32)
        .map(
            |i| match protocol::deal(&setup, &seeds[i as usize - 1], i, &keys) {
                Message::Deal(d) => d,
                _ => unreachable!("step 2 makes a deal"),
            },
        )
        .collect();
    let trustees = (1..=3u32)
        .map(|i| {
            let n = i as usize - 1;
            Trustee {
                index: i,
                key_file: KeyFile::seal_with(&seeds[n], &fingerprint, i, PASSPHRASE, iterations)
                    .expect("the passphrase is long enough"),
                transport: Message::Transport(transports[n].clone()),
                deal: Message::Deal(deals[n].clone()),
                confirm: protocol::confirm_or_complain(&setup, &seeds[n], i, &keys, &deals)
                    .expect("deals made here check"),
            }
        })
        .collect();
    TrusteeVectors {
        fingerprint: hex::encode(fingerprint),
        threshold: 2,
        passphrase: PASSPHRASE.into(),
        trustees,
    }
}

fn pretty<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("vectors serialise") + "\n"
}

/// Writes the three committed files into `dir` (tests/vectors).
pub fn write_all(dir: &Path) -> std::io::Result<()> {
    std::fs::write(dir.join("from-rust.json"), pretty(&ballots()))?;
    std::fs::write(dir.join("from-rust.jsonl"), record())?;
    let trustees = trustees(crate::trustees::keyfile::ITERATIONS);
    std::fs::write(dir.join("trustees-from-rust.json"), pretty(&trustees))
}

/// Every ballot checks; the number checked.
pub fn check_ballots(vectors: &Vectors) -> Result<usize, String> {
    let key = hexcode::key_point(&vectors.key, "the key")?;
    let fingerprint = hexcode::to_32(&vectors.fingerprint, "the fingerprint")?;
    for (i, b) in vectors.ballots.iter().enumerate() {
        let entry = BallotEntry {
            tracker: b.tracker.clone(),
            by: CastBy::Voter,
            credential: b.credential.clone(),
            signature: None,
            answers: b.answers.clone(),
        };
        let choices: Vec<usize> = b.questions.iter().map(|q| q.choices).collect();
        ballot::check(&entry, &key, &fingerprint, &choices)
            .map_err(|e| format!("ballot {}: {e}", i + 1))?;
    }
    Ok(vectors.ballots.len())
}

/// Every message checks, every key file opens with the passphrase, and
/// the seed inside rebuilds the confirmed verification key.
pub fn check_trustees(v: &TrusteeVectors) -> Result<(), String> {
    let fingerprint = hexcode::to_32(&v.fingerprint, "the fingerprint")?;
    let setup = Setup {
        fingerprint,
        trustees: v.trustees.len() as u32,
        threshold: v.threshold,
    };
    let transports: Vec<Transport> = v
        .trustees
        .iter()
        .map(|t| match &t.transport {
            Message::Transport(m) => Ok(m.clone()),
            other => Err(format!("a {} where a transport key belongs", other.step())),
        })
        .collect::<Result<_, _>>()?;
    let keys: BTreeMap<u32, _> = protocol::transport_keys(&setup, &transports)?;
    let deals: Vec<Deal> = v
        .trustees
        .iter()
        .map(|t| match &t.deal {
            Message::Deal(m) => Ok(m.clone()),
            other => Err(format!("a {} where a deal belongs", other.step())),
        })
        .collect::<Result<_, _>>()?;
    for t in &v.trustees {
        let Message::Confirm(c) = &t.confirm else {
            return Err(format!("trustee {} did not confirm", t.index));
        };
        protocol::check_confirm(&setup, c, &deals)?;
        let seed = t
            .key_file
            .open(&v.passphrase, &fingerprint, t.index)
            .map_err(|e| e.to_string())?;
        let Message::Confirm(again) =
            protocol::confirm_or_complain(&setup, &seed, t.index, &keys, &deals)?
        else {
            return Err(format!("trustee {}'s seed complains", t.index));
        };
        if again.verification_key != c.verification_key {
            return Err(format!("trustee {}'s seed gives another key", t.index));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::verify::verify;

    fn read(path: &str) -> String {
        let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
    }

    #[test]
    fn vectors_made_now_check_as_the_committed_ones_must() {
        assert_eq!(check_ballots(&ballots()), Ok(3));
        assert!(verify(&record(), None).passed());
        let made = trustees(1000);
        assert_eq!(check_trustees(&made), Ok(()));
        // A key file opened with the wrong passphrase fails the check.
        let mut wrong = made;
        wrong.passphrase = "not the passphrase at all".into();
        assert!(check_trustees(&wrong).is_err());
    }

    #[test]
    fn the_ballots_and_record_made_here_verify() {
        let vectors: Vectors = serde_json::from_str(&read("tests/vectors/from-rust.json")).unwrap();
        assert_eq!(check_ballots(&vectors), Ok(3));
        let report = verify(&read("tests/vectors/from-rust.jsonl"), None);
        assert!(report.passed(), "{}", report.to_text());
    }

    #[test]
    fn the_ballots_and_record_the_browser_code_made_verify() {
        let vectors: Vectors =
            serde_json::from_str(&read("web/booth/vectors/from-js.json")).unwrap();
        assert_eq!(check_ballots(&vectors), Ok(vectors.ballots.len()));
        assert!(vectors.ballots.len() >= 3);
        let report = verify(&read("web/booth/vectors/from-js.jsonl"), None);
        assert!(report.passed(), "{}", report.to_text());
        assert_eq!(report.stage, "complete");
    }

    #[test]
    fn a_record_cut_mid_line_is_refused() {
        let text = read("tests/vectors/from-rust.jsonl");
        let cut = &text[..text.len() - 10];
        let report = verify(cut, None);
        assert!(!report.passed());
        assert!(
            report.failures[0].contains("cut short"),
            "{:?}",
            report.failures
        );
    }

    #[test]
    fn the_trustee_messages_and_key_files_made_here_check() {
        let v: TrusteeVectors =
            serde_json::from_str(&read("tests/vectors/trustees-from-rust.json")).unwrap();
        assert_eq!(check_trustees(&v), Ok(()));
        assert_eq!(v.trustees.len(), 3);
    }

    #[test]
    fn the_trustee_messages_and_key_files_the_browser_code_made_check() {
        let v: TrusteeVectors =
            serde_json::from_str(&read("web/booth/vectors/trustees-from-js.json")).unwrap();
        assert_eq!(check_trustees(&v), Ok(()));
        assert_eq!(v.trustees.len(), 3);
    }
}
