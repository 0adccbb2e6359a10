//! Test vectors shared with the browser code (web/booth): ballots and a
//! whole record made here, which its tests under node must accept, and the
//! ones it made, which these tests must accept. The files are committed;
//! `cargo test --lib write_rust_vectors -- --ignored` makes new ones.

use serde::{Deserialize, Serialize};

use super::ballot;
use super::entry::{Answer, BallotEntry, CastBy};
use super::hexcode;
use super::verify::verify;

#[derive(Debug, Serialize, Deserialize)]
struct Shape {
    choices: usize,
}

#[derive(Debug, Serialize, Deserialize)]
struct VectorBallot {
    credential: Option<String>,
    questions: Vec<Shape>,
    selected: Vec<usize>,
    answers: Vec<Answer>,
    tracker: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Vectors {
    fingerprint: String,
    key: String,
    ballots: Vec<VectorBallot>,
}

fn check_all(vectors: &Vectors) -> Result<usize, String> {
    let key = hexcode::key_point(&vectors.key, "the key")?;
    let fingerprint = hexcode::to_32(&vectors.fingerprint, "the fingerprint")?;
    for (i, b) in vectors.ballots.iter().enumerate() {
        let entry = BallotEntry {
            tracker: b.tracker.clone(),
            by: CastBy::Voter,
            credential: b.credential.clone(),
            answers: b.answers.clone(),
        };
        let choices: Vec<usize> = b.questions.iter().map(|q| q.choices).collect();
        ballot::check(&entry, &key, &fingerprint, &choices)
            .map_err(|e| format!("ballot {}: {e}", i + 1))?;
    }
    Ok(vectors.ballots.len())
}

fn read(path: &str) -> String {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

#[test]
fn the_ballots_and_record_made_here_verify() {
    let vectors: Vectors = serde_json::from_str(&read("tests/vectors/from-rust.json")).unwrap();
    assert_eq!(check_all(&vectors), Ok(3));
    let report = verify(&read("tests/vectors/from-rust.jsonl"), None);
    assert!(report.passed(), "{}", report.to_text());
}

#[test]
fn the_ballots_and_record_the_browser_code_made_verify() {
    let vectors: Vectors = serde_json::from_str(&read("web/booth/vectors/from-js.json")).unwrap();
    assert_eq!(check_all(&vectors), Ok(vectors.ballots.len()));
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
#[ignore = "writes the committed vectors; run by hand when the format changes"]
fn write_rust_vectors() {
    use crate::crypto::group::{base_mul, random_scalar};
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
    let vectors = Vectors {
        fingerprint: hex::encode(fingerprint),
        key: hexcode::point(&key),
        ballots,
    };
    let dir = format!("{}/tests/vectors", env!("CARGO_MANIFEST_DIR"));
    std::fs::write(
        format!("{dir}/from-rust.json"),
        serde_json::to_string_pretty(&vectors).unwrap() + "\n",
    )
    .unwrap();
    let record = super::sample::complete(&[2, 3], &[vec![0, 1], vec![1, 2], vec![0, 2]], &[2, 3]);
    std::fs::write(format!("{dir}/from-rust.jsonl"), record).unwrap();
}

mod trustee_vectors {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Serialize};

    use super::read;
    use crate::trustees::keyfile::KeyFile;
    use crate::trustees::protocol::{self, Deal, Message, Setup, Transport};

    pub const PASSPHRASE: &str = "correct horse battery staple";

    #[derive(Debug, Serialize, Deserialize)]
    struct Trustee {
        index: u32,
        key_file: KeyFile,
        transport: Message,
        deal: Message,
        confirm: Message,
    }

    #[derive(Debug, Serialize, Deserialize)]
    struct TrusteeVectors {
        fingerprint: String,
        threshold: u32,
        passphrase: String,
        trustees: Vec<Trustee>,
    }

    /// Every message checks, every key file opens with the passphrase, and
    /// the seed inside rebuilds the confirmed verification key.
    fn check(v: &TrusteeVectors) -> Result<(), String> {
        let fingerprint = crate::record::hexcode::to_32(&v.fingerprint, "the fingerprint")?;
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
            let rebuilt = protocol::confirm_or_complain(&setup, &seed, t.index, &keys, &deals)?;
            let Message::Confirm(again) = rebuilt else {
                return Err(format!("trustee {}'s seed complains", t.index));
            };
            if again.verification_key != c.verification_key {
                return Err(format!("trustee {}'s seed gives another key", t.index));
            }
        }
        Ok(())
    }

    #[test]
    fn the_trustee_messages_and_key_files_made_here_check() {
        let v: TrusteeVectors =
            serde_json::from_str(&read("tests/vectors/trustees-from-rust.json")).unwrap();
        assert_eq!(check(&v), Ok(()));
        assert_eq!(v.trustees.len(), 3);
    }

    #[test]
    fn the_trustee_messages_and_key_files_the_browser_code_made_check() {
        let v: TrusteeVectors =
            serde_json::from_str(&read("web/booth/vectors/trustees-from-js.json")).unwrap();
        assert_eq!(check(&v), Ok(()));
        assert_eq!(v.trustees.len(), 3);
    }

    #[test]
    #[ignore = "writes the committed vectors; run by hand when the format changes"]
    fn write_rust_trustee_vectors() {
        let fingerprint: [u8; 32] = rand::random();
        let setup = Setup {
            fingerprint,
            trustees: 3,
            threshold: 2,
        };
        let seeds: Vec<[u8; 32]> = (0..3).map(|_| rand::random()).collect();
        let transports: Vec<Message> = (1..=3)
            .map(|i| protocol::transport(&setup, &seeds[i - 1], i as u32))
            .collect();
        let plain: Vec<Transport> = transports
            .iter()
            .map(|m| match m {
                Message::Transport(t) => t.clone(),
                _ => unreachable!(),
            })
            .collect();
        let keys = protocol::transport_keys(&setup, &plain).unwrap();
        let deals: Vec<Message> = (1..=3)
            .map(|i| protocol::deal(&setup, &seeds[i - 1], i as u32, &keys))
            .collect();
        let plain_deals: Vec<Deal> = deals
            .iter()
            .map(|m| match m {
                Message::Deal(d) => d.clone(),
                _ => unreachable!(),
            })
            .collect();
        let trustees = (1..=3u32)
            .map(|i| {
                let seed = &seeds[i as usize - 1];
                Trustee {
                    index: i,
                    key_file: KeyFile::seal(seed, &fingerprint, i, PASSPHRASE).unwrap(),
                    transport: transports[i as usize - 1].clone(),
                    deal: deals[i as usize - 1].clone(),
                    confirm: protocol::confirm_or_complain(&setup, seed, i, &keys, &plain_deals)
                        .unwrap(),
                }
            })
            .collect();
        let v = TrusteeVectors {
            fingerprint: hex::encode(fingerprint),
            threshold: 2,
            passphrase: PASSPHRASE.into(),
            trustees,
        };
        let path = format!(
            "{}/tests/vectors/trustees-from-rust.json",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::write(path, serde_json::to_string_pretty(&v).unwrap() + "\n").unwrap();
    }
}
