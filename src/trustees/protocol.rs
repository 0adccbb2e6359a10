//! The trustees' key generation and decryption, as `docs/trustees.md`
//! gives them. Every value a trustee's device computes comes from its seed
//! and public messages, so the seed is all its key file holds; every
//! message carries proofs the server and the other trustees check.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::crypto::Transcript;
use crate::crypto::group::{Point, Scalar, base_mul};
use crate::crypto::proofs::KeyProof;
use crate::crypto::threshold;
use crate::record::entry::{Entry, ShareEntry};
use crate::record::hexcode;
use crate::record::tally;
use crate::record::verify;

/// What every message of one election is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setup {
    pub fingerprint: [u8; 32],
    pub trustees: u32,
    pub threshold: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transport {
    pub trustee: u32,
    pub key: String,
    pub proof: [String; 2],
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deal {
    pub trustee: u32,
    pub commitments: Vec<String>,
    pub proof: [String; 2],
    /// The padded share for each other trustee, by index as text.
    pub shares: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Confirm {
    pub trustee: u32,
    pub verification_key: String,
    pub proof: [String; 2],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Complain {
    pub trustee: u32,
    pub against: u32,
}

/// One message a trustee's device sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Message {
    Transport(Transport),
    Deal(Deal),
    Confirm(Confirm),
    Complain(Complain),
}

impl Message {
    pub fn trustee(&self) -> u32 {
        match self {
            Message::Transport(m) => m.trustee,
            Message::Deal(m) => m.trustee,
            Message::Confirm(m) => m.trustee,
            Message::Complain(m) => m.trustee,
        }
    }

    pub fn step(&self) -> &'static str {
        match self {
            Message::Transport(_) => "transport",
            Message::Deal(_) => "deal",
            Message::Confirm(_) => "confirm",
            Message::Complain(_) => "complain",
        }
    }
}

fn numbered(label: &[u8], fingerprint: &[u8; 32], index: u32) -> Vec<u8> {
    let mut bytes = label.to_vec();
    bytes.extend_from_slice(fingerprint);
    bytes.extend_from_slice(&index.to_be_bytes());
    bytes
}

fn derive(seed: &[u8; 32], fingerprint: &[u8; 32], label: &[u8], k: Option<u64>) -> Scalar {
    let mut t = Transcript::new("unionhall/v1/derive");
    t.bytes(label).bytes(seed).bytes(fingerprint);
    if let Some(k) = k {
        t.number(k);
    }
    t.challenge()
}

/// What a seed gives a trustee of an election.
pub struct Derived {
    pub transport_secret: Scalar,
    pub coefficients: Vec<Scalar>,
}

impl Derived {
    pub fn new(seed: &[u8; 32], setup: &Setup) -> Self {
        let f = &setup.fingerprint;
        Derived {
            transport_secret: derive(seed, f, b"transport", None),
            coefficients: (0..u64::from(setup.threshold))
                .map(|k| derive(seed, f, b"coefficient", Some(k)))
                .collect(),
        }
    }

    fn value_at(&self, index: u32) -> Scalar {
        let x = Scalar::from(index);
        self.coefficients
            .iter()
            .rev()
            .fold(Scalar::ZERO, |acc, a| acc * x + a)
    }
}

fn pad(setup: &Setup, from: u32, to: u32, shared: &Point) -> Scalar {
    Transcript::new("unionhall/v1/share-pad")
        .bytes(&setup.fingerprint)
        .number(u64::from(from))
        .number(u64::from(to))
        .point(shared)
        .challenge()
}

fn proof_pair(p: &KeyProof) -> [String; 2] {
    hexcode::pair(&p.challenge, &p.response)
}

fn key_proof(pair: &[String; 2], what: &str) -> Result<KeyProof, String> {
    let (challenge, response) = hexcode::to_pair(pair, what)?;
    Ok(KeyProof {
        challenge,
        response,
    })
}

/// Step 1: the trustee's transport key.
pub fn transport(setup: &Setup, seed: &[u8; 32], index: u32) -> Message {
    let d = Derived::new(seed, setup);
    let proof = KeyProof::prove(
        &numbered(b"transport", &setup.fingerprint, index),
        &d.transport_secret,
    );
    Message::Transport(Transport {
        trustee: index,
        key: hexcode::point(&base_mul(&d.transport_secret)),
        proof: proof_pair(&proof),
    })
}

/// The transport keys, decoded and checked, by trustee.
pub fn transport_keys(
    setup: &Setup,
    messages: &[Transport],
) -> Result<BTreeMap<u32, Point>, String> {
    let mut keys = BTreeMap::new();
    for m in messages {
        let key = check_transport(setup, m)?;
        keys.insert(m.trustee, key);
    }
    if keys.len() as u32 != setup.trustees {
        return Err(format!(
            "{} of {} transport keys are in",
            keys.len(),
            setup.trustees
        ));
    }
    Ok(keys)
}

fn check_index(setup: &Setup, index: u32) -> Result<(), String> {
    if index == 0 || index > setup.trustees {
        return Err(format!(
            "trustee {index} is not one of the {} trustees",
            setup.trustees
        ));
    }
    Ok(())
}

pub fn check_transport(setup: &Setup, m: &Transport) -> Result<Point, String> {
    check_index(setup, m.trustee)?;
    let what = format!("trustee {}'s transport key", m.trustee);
    let key = hexcode::key_point(&m.key, &what)?;
    if !key_proof(&m.proof, &what)?
        .verify(&numbered(b"transport", &setup.fingerprint, m.trustee), &key)
    {
        return Err(format!("the proof of {what} does not check"));
    }
    Ok(key)
}

/// Step 2: the trustee's commitments and a padded share for each other.
pub fn deal(setup: &Setup, seed: &[u8; 32], index: u32, keys: &BTreeMap<u32, Point>) -> Message {
    let d = Derived::new(seed, setup);
    let commitments: Vec<String> = d
        .coefficients
        .iter()
        .map(|a| hexcode::point(&base_mul(a)))
        .collect();
    let proof = KeyProof::prove(
        &tally::trustee_context(&setup.fingerprint, index),
        &d.coefficients[0],
    );
    let shares = keys
        .iter()
        .filter(|(j, _)| **j != index)
        .map(|(&j, key)| {
            let padded = d.value_at(j) + pad(setup, index, j, &(d.transport_secret * key));
            (j.to_string(), hexcode::scalar(&padded))
        })
        .collect();
    Message::Deal(Deal {
        trustee: index,
        commitments,
        proof: proof_pair(&proof),
        shares,
    })
}

/// A deal's commitments, checked: shape, points and key proof; and a
/// padded share for every other trustee.
pub fn check_deal(setup: &Setup, m: &Deal) -> Result<Vec<Point>, String> {
    check_index(setup, m.trustee)?;
    let entry = crate::record::entry::TrusteeKey {
        index: m.trustee,
        name: String::new(),
        commitments: m.commitments.clone(),
        proof: m.proof.clone(),
    };
    let points = tally::check_trustee(&setup.fingerprint, &entry, setup.threshold as usize)?;
    for j in (1..=setup.trustees).filter(|j| *j != m.trustee) {
        let share = m
            .shares
            .get(&j.to_string())
            .ok_or_else(|| format!("trustee {}'s deal has no share for trustee {j}", m.trustee))?;
        hexcode::to_scalar(
            share,
            &format!("trustee {}'s share for trustee {j}", m.trustee),
        )?;
    }
    if m.shares.len() as u32 != setup.trustees - 1 {
        return Err(format!(
            "trustee {}'s deal has shares for trustees who are not others",
            m.trustee
        ));
    }
    Ok(points)
}

/// What trustee `index` holds after every deal: its secret `x_j`, checked
/// share by share against the dealers' commitments; or the first dealer
/// whose share does not check.
pub fn secret(
    setup: &Setup,
    seed: &[u8; 32],
    index: u32,
    keys: &BTreeMap<u32, Point>,
    deals: &[Deal],
) -> Result<Result<Scalar, u32>, String> {
    let d = Derived::new(seed, setup);
    // The deal the server holds as this trustee's must be the one its seed
    // makes, or the key would not be the one this device took part in.
    let own: Vec<String> = d
        .coefficients
        .iter()
        .map(|a| hexcode::point(&base_mul(a)))
        .collect();
    if deals
        .iter()
        .any(|m| m.trustee == index && m.commitments != own)
    {
        return Err("the deal kept as this trustee's is not the one this key file makes".into());
    }
    let mut x = d.value_at(index);
    for deal in deals.iter().filter(|m| m.trustee != index) {
        let commitments = check_deal(setup, deal)?;
        let key = keys
            .get(&deal.trustee)
            .ok_or_else(|| format!("no transport key from trustee {}", deal.trustee))?;
        let padded = hexcode::to_scalar(&deal.shares[&index.to_string()], "a share")?;
        let share = padded - pad(setup, deal.trustee, index, &(d.transport_secret * key));
        if !threshold::share_is_committed(&commitments, u64::from(index), &share) {
            return Ok(Err(deal.trustee));
        }
        x += share;
    }
    Ok(Ok(x))
}

/// Every dealer's commitments, in trustee order.
pub fn all_commitments(setup: &Setup, deals: &[Deal]) -> Result<Vec<Vec<Point>>, String> {
    let mut by_index: BTreeMap<u32, Vec<Point>> = BTreeMap::new();
    for deal in deals {
        by_index.insert(deal.trustee, check_deal(setup, deal)?);
    }
    if by_index.len() as u32 != setup.trustees {
        return Err(format!(
            "{} of {} deals are in",
            by_index.len(),
            setup.trustees
        ));
    }
    Ok(by_index.into_values().collect())
}

/// Step 3: confirm the key (with a proof of the secret behind the
/// verification key), or complain about the dealer whose share is wrong.
pub fn confirm_or_complain(
    setup: &Setup,
    seed: &[u8; 32],
    index: u32,
    keys: &BTreeMap<u32, Point>,
    deals: &[Deal],
) -> Result<Message, String> {
    match secret(setup, seed, index, keys, deals)? {
        Err(against) => Ok(Message::Complain(Complain {
            trustee: index,
            against,
        })),
        Ok(x) => {
            let commitments = all_commitments(setup, deals)?;
            let expected = threshold::verification_key(&commitments, u64::from(index));
            if base_mul(&x) != expected {
                return Err("the shares do not add up to this trustee's verification key".into());
            }
            let proof = KeyProof::prove(&numbered(b"confirm", &setup.fingerprint, index), &x);
            Ok(Message::Confirm(Confirm {
                trustee: index,
                verification_key: hexcode::point(&expected),
                proof: proof_pair(&proof),
            }))
        }
    }
}

/// A complaint, checked: by a trustee against another.
pub fn check_complain(setup: &Setup, m: &Complain) -> Result<(), String> {
    check_index(setup, m.trustee)?;
    check_index(setup, m.against)?;
    if m.against == m.trustee {
        return Err(format!("trustee {} complains against itself", m.trustee));
    }
    Ok(())
}

/// A confirmation, checked against the verification key the deals give.
pub fn check_confirm(setup: &Setup, m: &Confirm, deals: &[Deal]) -> Result<(), String> {
    check_index(setup, m.trustee)?;
    let what = format!("trustee {}'s confirmation", m.trustee);
    let key = hexcode::key_point(&m.verification_key, &what)?;
    let commitments = all_commitments(setup, deals)?;
    if key != threshold::verification_key(&commitments, u64::from(m.trustee)) {
        return Err(format!("{what} names a key the deals do not give"));
    }
    if !key_proof(&m.proof, &what)?
        .verify(&numbered(b"confirm", &setup.fingerprint, m.trustee), &key)
    {
        return Err(format!("the proof in {what} does not check"));
    }
    Ok(())
}

/// At the close: the trustee's share entry for `record`, made only after
/// the whole record verifies and the sums are recomputed from its ballots.
pub fn share_for_record(
    record: &str,
    seed: &[u8; 32],
    index: u32,
    keys: &BTreeMap<u32, Point>,
    deals: &[Deal],
) -> Result<ShareEntry, String> {
    let report = verify::verify(record, None);
    if !report.passed() {
        return Err(format!(
            "the record does not verify, so no share was made: {}",
            report.failures.join("; ")
        ));
    }
    let parsed = crate::record::Record::parse(record).map_err(|e| e.to_string())?;
    let Some(Entry::Election(spec)) = parsed.lines.first().map(|l| &l.entry) else {
        return Err("the record has no election entry".into());
    };
    let setup = Setup {
        fingerprint: parsed.fingerprint(),
        trustees: spec.trustees,
        threshold: spec.threshold,
    };
    let Some(sums) = parsed.lines.iter().find_map(|l| match &l.entry {
        Entry::Sums(s) => Some(s),
        _ => None,
    }) else {
        return Err("the record has no sums yet: the vote has not closed".into());
    };
    let choices: Vec<usize> = spec.questions.iter().map(|q| q.choices.len()).collect();
    // The whole record is verified here, the sums recomputed from its
    // counted ballots, not taken from the server: only the sum of what the
    // record holds is ever decrypted.
    let report = crate::record::verify::verify(record, None);
    if let Some(problem) = report.failures.first() {
        return Err(format!("the record does not verify: {problem}"));
    }
    let recorded: Vec<Vec<String>> = parsed
        .lines
        .iter()
        .filter_map(|l| match &l.entry {
            Entry::Trustee(t) => Some(t.commitments.clone()),
            _ => None,
        })
        .collect();
    let sums = tally::decode_sums(sums, &choices)?;
    let dealt: Vec<Vec<String>> = {
        let mut by_index: Vec<&Deal> = deals.iter().collect();
        by_index.sort_by_key(|d| d.trustee);
        by_index.iter().map(|d| d.commitments.clone()).collect()
    };
    if dealt != recorded {
        return Err("the key generation handed over is not the one in the record".into());
    }
    let x = secret(&setup, seed, index, keys, deals)?
        .map_err(|dealer| format!("the share from trustee {dealer} does not check"))?;
    let commitments = all_commitments(&setup, deals)?;
    if base_mul(&x) != threshold::verification_key(&commitments, u64::from(index)) {
        return Err("this key file does not hold this trustee's key".into());
    }
    Ok(tally::make_share(&setup.fingerprint, index, &x, &sums))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> Setup {
        Setup {
            fingerprint: [1; 32],
            trustees: 3,
            threshold: 2,
        }
    }

    fn keygen(setup: &Setup, seeds: &[[u8; 32]]) -> (BTreeMap<u32, Point>, Vec<Deal>) {
        let transports: Vec<Transport> = seeds
            .iter()
            .enumerate()
            .map(|(i, s)| match transport(setup, s, i as u32 + 1) {
                Message::Transport(t) => t,
                _ => unreachable!(),
            })
            .collect();
        let keys = transport_keys(setup, &transports).unwrap();
        let deals = seeds
            .iter()
            .enumerate()
            .map(|(i, s)| match deal(setup, s, i as u32 + 1, &keys) {
                Message::Deal(d) => d,
                _ => unreachable!(),
            })
            .collect();
        (keys, deals)
    }

    #[test]
    fn three_trustees_make_a_key_whose_secret_no_one_holds_and_any_two_rebuild() {
        let s = setup();
        let seeds = [[11u8; 32], [12; 32], [13; 32]];
        let (keys, deals) = keygen(&s, &seeds);
        let mut secrets = Vec::new();
        for (i, seed) in seeds.iter().enumerate() {
            let index = i as u32 + 1;
            let Message::Confirm(c) = confirm_or_complain(&s, seed, index, &keys, &deals).unwrap()
            else {
                panic!("trustee {index} complained")
            };
            check_confirm(&s, &c, &deals).unwrap();
            secrets.push(secret(&s, seed, index, &keys, &deals).unwrap().unwrap());
        }
        let commitments = all_commitments(&s, &deals).unwrap();
        let key = threshold::election_key(&commitments);
        // x·G from any two trustees' secrets, weighted at zero.
        for pair in [[1u64, 2], [1, 3], [2, 3]] {
            let x: Scalar = pair
                .iter()
                .map(|&j| threshold::lagrange_at_zero(&pair, j) * secrets[j as usize - 1])
                .sum();
            assert_eq!(base_mul(&x), key);
        }
        assert_ne!(
            base_mul(&secrets[0]),
            key,
            "one trustee alone does not hold it"
        );
    }

    #[test]
    fn a_wrong_share_draws_a_complaint_naming_its_dealer() {
        let s = setup();
        let seeds = [[21u8; 32], [22; 32], [23; 32]];
        let (keys, mut deals) = keygen(&s, &seeds);
        let honest = deals[1].shares["1"].clone();
        let bumped = hexcode::to_scalar(&honest, "x").unwrap() + Scalar::ONE;
        deals[1].shares.insert("1".into(), hexcode::scalar(&bumped));
        let answer = confirm_or_complain(&s, &seeds[0], 1, &keys, &deals).unwrap();
        assert_eq!(
            answer,
            Message::Complain(Complain {
                trustee: 1,
                against: 2
            })
        );
    }

    #[test]
    fn a_message_with_a_wrong_proof_or_for_a_stranger_is_refused() {
        let s = setup();
        let Message::Transport(mut t) = transport(&s, &[5; 32], 2) else {
            unreachable!()
        };
        check_transport(&s, &t).unwrap();
        let other = Setup {
            fingerprint: [2; 32],
            ..s
        };
        assert!(
            check_transport(&other, &t)
                .unwrap_err()
                .contains("does not check")
        );
        t.trustee = 4;
        assert!(
            check_transport(&s, &t)
                .unwrap_err()
                .contains("is not one of the 3 trustees")
        );
    }

    #[test]
    fn messages_read_back_as_the_document_writes_them() {
        let s = setup();
        let text = serde_json::to_string(&transport(&s, &[5; 32], 1)).unwrap();
        assert!(
            text.starts_with("{\"step\":\"transport\",\"trustee\":1,\"key\":\""),
            "{text}"
        );
        let back: Message = serde_json::from_str(&text).unwrap();
        assert_eq!(back.step(), "transport");
    }

    #[test]
    fn trustees_share_only_a_record_that_verifies_and_two_shares_give_the_count() {
        use crate::record::ballot;
        use crate::record::entry::{CastBy, Closing, Opening, RollSummary, TrusteeKey};
        use crate::record::sample::{self, Writer};

        let mut w = Writer::default();
        w.push(Entry::Election(sample::spec("Strike?", 3, 2, &[2])));
        let s = Setup {
            fingerprint: w.head.hash,
            trustees: 3,
            threshold: 2,
        };
        let seeds = [[31u8; 32], [32; 32], [33; 32]];
        let (keys, deals) = keygen(&s, &seeds);
        for d in &deals {
            w.push(Entry::Trustee(TrusteeKey {
                index: d.trustee,
                name: format!("Trustee {}", d.trustee),
                commitments: d.commitments.clone(),
                proof: d.proof.clone(),
            }));
        }
        let key = threshold::election_key(&all_commitments(&s, &deals).unwrap());
        w.push(Entry::Open(Opening {
            key: hexcode::point(&key),
            roll: RollSummary {
                size: 4,
                fingerprint: hex::encode([0u8; 32]),
            },
        }));
        let mut cts = Vec::new();
        for pick in [0, 0, 1] {
            let made = ballot::encrypt(&key, &s.fingerprint, None, CastBy::Voter, &[2], &[pick]);
            cts.push(
                ballot::check(&made.entry, &key, &s.fingerprint, &[2])
                    .unwrap()
                    .ciphertexts,
            );
            w.push(Entry::Ballot(made.entry));
        }
        w.push(Entry::Close(Closing {
            ballots: 3,
            counted: None,
        }));
        let before_sums = w.text.clone();
        assert!(
            share_for_record(&before_sums, &seeds[0], 1, &keys, &deals)
                .unwrap_err()
                .contains("not closed")
        );
        w.push(Entry::Sums(tally::sums_entry(&tally::sum(
            &[2],
            cts.iter(),
        ))));

        let mut forged = w.clone();
        let wrong = tally::sum(&[2], cts.iter().take(2));
        forged.text = before_sums;
        forged.head = crate::record::Record::parse(&forged.text).unwrap().head();
        forged.push(Entry::Sums(tally::sums_entry(&wrong)));
        assert!(
            share_for_record(&forged.text, &seeds[0], 1, &keys, &deals)
                .unwrap_err()
                .contains("does not verify")
        );

        let first = share_for_record(&w.text, &seeds[0], 1, &keys, &deals).unwrap();
        let third = share_for_record(&w.text, &seeds[2], 3, &keys, &deals).unwrap();
        w.push(Entry::Share(first));
        w.push(Entry::Share(third));
        w.push(Entry::Result(crate::record::entry::ResultEntry {
            questions: vec![crate::record::entry::QuestionCounts {
                question: 1,
                counts: vec![2, 1],
            }],
            voted: 3,
            eligible: 4,
        }));
        let report = verify::verify(&w.text, None);
        assert!(report.passed(), "{}", report.to_text());
        assert_eq!(report.counts, Some(vec![vec![2, 1]]));
    }
}
