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
