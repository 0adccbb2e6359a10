//! A whole record made in one process, with the trustees' keys made here
//! too: for the demo's closed vote, the verifier's benchmark and tests. A
//! real election's trustees make their keys on their own devices.

use super::ballot;
use super::chain::Head;
use super::entry::{
    CastBy, Closing, CredentialList, ElectionSpec, Entry, Opening, PassRule, QuestionCounts,
    QuestionSpec, ResultEntry, Revocation, RollSummary, TrusteeKey,
};
use super::hexcode;
use super::tally;
use crate::crypto::credential::Credential;
use crate::crypto::group::{Point, Scalar};
use crate::crypto::proofs::KeyProof;
use crate::crypto::threshold::{self, Polynomial};

/// A yes/no or one-of-N election of `choices[q]` choices per question.
pub fn spec(title: &str, trustees: u32, threshold: u32, choices: &[usize]) -> ElectionSpec {
    ElectionSpec {
        id: 1,
        title: title.to_owned(),
        unit: "Sample unit".to_owned(),
        opens_at: "2026-12-01T09:00:00".to_owned(),
        closes_at: "2026-12-08T17:00:00".to_owned(),
        trustees,
        threshold,
        questions: choices
            .iter()
            .enumerate()
            .map(|(q, &n)| QuestionSpec {
                position: q as u32 + 1,
                text: format!("Question {}", q + 1),
                kind: if n == 2 { "yes_no" } else { "choice" }.to_owned(),
                choices: (1..=n).map(|c| format!("Choice {c}")).collect(),
                pass: PassRule {
                    num: 1,
                    den: 2,
                    at_least: false,
                },
                min_turnout_bp: 0,
            })
            .collect(),
    }
}

/// A record being written, line by line.
#[derive(Debug, Clone)]
pub struct Writer {
    pub text: String,
    pub head: Head,
}

impl Default for Writer {
    fn default() -> Self {
        Writer {
            text: String::new(),
            head: Head::empty(),
        }
    }
}

impl Writer {
    pub fn push(&mut self, entry: Entry) {
        let (line, head) = self.head.append(entry);
        self.text.push_str(&line);
        self.text.push('\n');
        self.head = head;
    }
}

/// The trustees' secrets, by index from 1.
pub struct Trustees {
    pub secrets: Vec<Scalar>,
    pub commitments: Vec<Vec<Point>>,
    pub key: Point,
}

/// Each trustee's polynomial made here, their commitments published.
pub fn trustees(writer: &mut Writer, fingerprint: &[u8; 32], n: u32, t: u32) -> Trustees {
    let polys: Vec<Polynomial> = (0..n).map(|_| Polynomial::random(t as usize)).collect();
    let commitments: Vec<Vec<Point>> = polys.iter().map(Polynomial::commitments).collect();
    for (i, (poly, c)) in polys.iter().zip(&commitments).enumerate() {
        let index = i as u32 + 1;
        let proof = KeyProof::prove(&tally::trustee_context(fingerprint, index), poly.constant());
        writer.push(Entry::Trustee(TrusteeKey {
            index,
            name: format!("Trustee {index}"),
            commitments: c.iter().map(hexcode::point).collect(),
            proof: hexcode::pair(&proof.challenge, &proof.response),
        }));
    }
    let secrets = (1..=u64::from(n))
        .map(|j| polys.iter().map(|p| p.share_for(j)).sum())
        .collect();
    Trustees {
        secrets,
        key: threshold::election_key(&commitments),
        commitments,
    }
}

/// A complete record: `votes[b][q]` is ballot b's choice on question q;
/// trustees `decrypting` (indices from 1) publish shares.
pub fn complete(choices: &[usize], votes: &[Vec<usize>], decrypting: &[u32]) -> String {
    let casts: Vec<(usize, Vec<usize>)> = votes.iter().cloned().enumerate().collect();
    build(choices, &casts, votes.len() + 2, None, decrypting)
}

/// Voting with credentials: one per member of a roll of `roll`;
/// `casts` are (member, votes) in order, a member casting again replacing
/// their ballot; each member in `replaced` loses their credential and is
/// given a new one before voting starts. Returns the record and every
/// credential as it stands at the close, by member.
pub fn with_credentials(
    choices: &[usize],
    roll: usize,
    casts: &[(usize, Vec<usize>)],
    replaced: &[usize],
    decrypting: &[u32],
) -> (String, Vec<Credential>) {
    let mut held: Vec<Credential> = (0..roll).map(|_| Credential::generate()).collect();
    let text = build(
        choices,
        casts,
        roll,
        Some((&mut held, replaced)),
        decrypting,
    );
    (text, held)
}

/// The public credential list entry of `credentials`.
pub fn credential_list(credentials: &[Credential]) -> CredentialList {
    let mut keys: Vec<String> = credentials
        .iter()
        .map(|c| hex::encode(c.public()))
        .collect();
    keys.sort();
    CredentialList {
        count: keys.len() as u64,
        keys,
    }
}

type Ballot = Vec<Vec<crate::crypto::Ciphertext>>;

fn build(
    choices: &[usize],
    casts: &[(usize, Vec<usize>)],
    roll: usize,
    mut credentials: Option<(&mut Vec<Credential>, &[usize])>,
    decrypting: &[u32],
) -> String {
    let spec = spec("Sample strike vote", 3, 2, choices);
    let mut w = Writer::default();
    w.push(Entry::Election(spec));
    let fingerprint = w.head.hash;
    let trustees = trustees(&mut w, &fingerprint, 3, 2);
    if let Some((held, _)) = &credentials {
        w.push(Entry::Credentials(credential_list(held)));
    }
    w.push(Entry::Open(Opening {
        key: hexcode::point(&trustees.key),
        roll: RollSummary {
            size: roll as u64,
            fingerprint: hex::encode([7u8; 32]),
        },
    }));
    if let Some((held, replaced)) = credentials.as_mut() {
        for &m in replaced.iter() {
            let new = Credential::generate();
            w.push(Entry::Revoke(Revocation {
                old: hex::encode(held[m].public()),
                new: hex::encode(new.public()),
            }));
            held[m] = new;
        }
    }
    // Each member's last ballot: its ciphertexts and what it chose.
    let mut last: Vec<Option<(Ballot, &Vec<usize>)>> = vec![None; roll.max(casts.len())];
    for (member, vote) in casts {
        let held = credentials.as_ref().map(|(h, _)| &h[*member]);
        let mut made = ballot::encrypt(
            &trustees.key,
            &fingerprint,
            held.map(Credential::public),
            CastBy::Voter,
            choices,
            vote,
        );
        if let Some(c) = held {
            ballot::sign(&mut made.entry, c);
        }
        let cts = ballot::check(&made.entry, &trustees.key, &fingerprint, choices)
            .expect("made here")
            .ciphertexts;
        last[*member] = Some((cts, vote));
        w.push(Entry::Ballot(made.entry));
    }
    let counted: Vec<_> = last.into_iter().flatten().collect();
    w.push(Entry::Close(Closing {
        ballots: casts.len() as u64,
        counted: credentials.is_some().then_some(counted.len() as u64),
    }));
    let sums = tally::sum(choices, counted.iter().map(|(cts, _)| cts));
    w.push(Entry::Sums(tally::sums_entry(&sums)));
    for &j in decrypting {
        w.push(Entry::Share(tally::make_share(
            &fingerprint,
            j,
            &trustees.secrets[j as usize - 1],
            &sums,
        )));
    }
    let counts: Vec<Vec<u64>> = choices
        .iter()
        .enumerate()
        .map(|(q, &n)| {
            (0..n)
                .map(|c| counted.iter().filter(|(_, v)| v[q] == c).count() as u64)
                .collect()
        })
        .collect();
    w.push(Entry::Result(ResultEntry {
        questions: counts
            .into_iter()
            .enumerate()
            .map(|(q, counts)| QuestionCounts {
                question: q as u32 + 1,
                counts,
            })
            .collect(),
        voted: counted.len() as u64,
        eligible: roll as u64,
    }));
    w.text
}
