//! The verifier against its goals (docs and VOTING.md): a record of 10,000
//! yes/no ballots checked in under 10 s on 2 cores, one of 340,000 in under
//! 5 minutes. The records are made first (ballots encrypted on every core,
//! three trustees, two shares, every ballot signed with its own voting
//! credential as a vote with credentials has them), then `unionhall::record::verify` runs on
//! the text alone, as `unionhall verify` does.
//!
//! Run: `cargo bench --bench verifier [-- --sizes 10000,340000]`. Prints
//! figures; never fails on time.

#![allow(
    clippy::unwrap_used,
    reason = "a benchmark stops at the first broken step"
)]

use std::time::Instant;

use unionhall::crypto::credential::Credential;
use unionhall::record::ballot;
use unionhall::record::entry::{
    CastBy, Closing, Entry, Opening, QuestionCounts, ResultEntry, RollSummary,
};
use unionhall::record::hexcode;
use unionhall::record::sample::{self, Writer};
use unionhall::record::tally;
use unionhall::record::verify::verify;

fn sizes() -> Vec<usize> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--sizes")
        .and_then(|i| args.get(i + 1))
        .map_or(vec![10_000, 340_000], |s| {
            s.split(',').filter_map(|n| n.parse().ok()).collect()
        })
}

/// A complete record of `n` yes/no ballots, two in three Yes.
fn record(n: usize) -> String {
    let mut w = Writer::default();
    w.push(Entry::Election(sample::spec(
        "Benchmark strike vote",
        3,
        2,
        &[2],
    )));
    let fingerprint = w.head.hash;
    let trustees = sample::trustees(&mut w, &fingerprint, 3, 2);
    let credentials: Vec<Credential> = (0..n).map(|_| Credential::generate()).collect();
    w.push(Entry::Credentials(sample::credential_list(&credentials)));
    w.push(Entry::Open(Opening {
        key: hexcode::point(&trustees.key),
        roll: RollSummary {
            size: n as u64,
            fingerprint: hex::encode([0u8; 32]),
        },
    }));
    let workers = std::thread::available_parallelism().map_or(2, usize::from);
    let chunk = n.div_ceil(workers);
    let key = trustees.key;
    let credentials = &credentials;
    let made: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|t| {
                s.spawn(move || {
                    (t * chunk..((t + 1) * chunk).min(n))
                        .map(|i| {
                            let mut e = ballot::encrypt(
                                &key,
                                &fingerprint,
                                Some(credentials[i].public()),
                                CastBy::Voter,
                                &[2],
                                &[usize::from(i % 3 == 2)],
                            );
                            ballot::sign(&mut e.entry, &credentials[i]);
                            let cts = ballot::check(&e.entry, &key, &fingerprint, &[2])
                                .unwrap()
                                .ciphertexts;
                            (e.entry, cts)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let sums = tally::sum(&[2], made.iter().map(|(_, c)| c));
    for (entry, _) in made {
        w.push(Entry::Ballot(entry));
    }
    w.push(Entry::Close(Closing {
        ballots: n as u64,
        counted: Some(n as u64),
    }));
    w.push(Entry::Sums(tally::sums_entry(&sums)));
    for j in [1u32, 2] {
        w.push(Entry::Share(tally::make_share(
            &fingerprint,
            j,
            &trustees.secrets[j as usize - 1],
            &sums,
        )));
    }
    let yes = (0..n).filter(|i| i % 3 != 2).count() as u64;
    w.push(Entry::Result(ResultEntry {
        questions: vec![QuestionCounts {
            question: 1,
            counts: vec![yes, n as u64 - yes],
        }],
        voted: n as u64,
        eligible: n as u64,
    }));
    w.text
}

fn main() {
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    println!("unionhall verifier benchmark: {cores} cores");
    for n in sizes() {
        let started = Instant::now();
        let text = record(n);
        let made = started.elapsed();
        let started = Instant::now();
        let report = verify(&text, None);
        let took = started.elapsed();
        assert!(report.passed(), "{}", report.to_text());
        let goal = if n <= 10_000 {
            "goal: 10 s for 10,000"
        } else {
            "goal: 300 s for 340,000"
        };
        println!(
            "{n} signed yes/no ballots ({:.1} MB record, made in {:.1} s): verified in {:.2} s = {:.0} ballots/s ({goal})",
            text.len() as f64 / 1e6,
            made.as_secs_f64(),
            took.as_secs_f64(),
            n as f64 / took.as_secs_f64()
        );
    }
}
