//! The verifier: every check of `docs/record.md`, run on the file alone.
//! It reports what it checked, with counts, and in words what failed; a
//! record still being written verifies as far as it goes.

use std::collections::HashSet;

use super::ballot;
use super::chain::Record;
use super::entry::{BallotEntry, CastBy, CredentialList, ElectionSpec, Entry, ResultEntry};
use super::hexcode;
use super::tally;
use crate::crypto::Ciphertext;
use crate::crypto::credential;
use crate::crypto::group::Point;

/// One check and how it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: &'static str,
    /// What was checked, in words: "1,204 ballots".
    pub what: String,
    pub passed: bool,
}

/// What the verifier found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub checks: Vec<Check>,
    pub failures: Vec<String>,
    /// Where the record stands: "complete", "voting", ….
    pub stage: &'static str,
    pub head: String,
    pub ballots: u64,
    /// Ballots that count: all of them, or with credentials the last of each.
    pub counted: u64,
    /// Ballots by who encrypted them: voter, server, paper.
    pub by: [u64; 3],
    /// The counts the record's result states, once verified.
    pub counts: Option<Vec<Vec<u64>>>,
    pub title: String,
    /// Where the asked-for tracker is: its line, counted from 1.
    pub tracker_line: Option<Option<usize>>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    /// Whether the record itself holds, whatever became of a tracker looked
    /// for (a page says that on a line of its own).
    pub fn record_passed(&self) -> bool {
        self.record_failures().is_empty()
    }

    /// The failures of the record itself, without a tracker not found.
    pub fn record_failures(&self) -> Vec<String> {
        let missing = matches!(self.tracker_line, Some(None));
        let n = self.failures.len() - usize::from(missing);
        self.failures[..n].to_vec()
    }

    fn check(&mut self, name: &'static str, what: String, problems: Vec<String>) {
        self.checks.push(Check {
            name,
            what,
            passed: problems.is_empty(),
        });
        self.failures.extend(problems);
    }

    /// The report as the command prints it.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        if !self.title.is_empty() {
            out.push_str(&format!("Record of \"{}\" ({})\n", self.title, self.stage));
        }
        if !self.head.is_empty() {
            out.push_str(&format!("head hash {}\n", self.head));
        }
        for c in &self.checks {
            let mark = if c.passed { "ok  " } else { "FAIL" };
            out.push_str(&format!("{mark} {}: {}\n", c.name, c.what));
        }
        if let Some(found) = self.tracker_line {
            match found {
                Some(line) => out.push_str(&format!("ok   tracker: found on line {line}\n")),
                None => out.push_str("FAIL tracker: not in the record\n"),
            }
        }
        for f in &self.failures {
            out.push_str(&format!("  - {f}\n"));
        }
        out.push_str(if self.passed() {
            "The record verifies.\n"
        } else {
            "The record does NOT verify.\n"
        });
        out
    }
}

// Enough to say what is wrong without drowning it.
const MAX_LISTED: usize = 20;

fn listed(mut problems: Vec<String>) -> Vec<String> {
    if problems.len() > MAX_LISTED {
        let more = problems.len() - MAX_LISTED;
        problems.truncate(MAX_LISTED);
        problems.push(format!("… and {more} more"));
    }
    problems
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Verifies `text`; `tracker`, when given, is looked for among the ballots.
pub fn verify(text: &str, tracker: Option<&str>) -> Report {
    let mut report = Report {
        stage: "not a record",
        ..Report::default()
    };
    let record = match Record::parse(text) {
        Ok(record) => record,
        Err(e) => {
            report.check("chain", "the hash chain".into(), vec![e.to_string()]);
            return report;
        }
    };
    report.head = record.head().hex();
    report.check(
        "chain",
        format!(
            "{} entries, each carrying the hash of the one before",
            thousands(record.lines.len() as u64)
        ),
        vec![],
    );
    Walk::new(&record, &mut report).run();
    if let Some(t) = tracker {
        report.tracker_line = Some(record.lines.iter().position(|l| {
            matches!(&l.entry, Entry::Ballot(b) if b.tracker.eq_ignore_ascii_case(t.trim()))
        }).map(|i| i + 1));
        if report.tracker_line == Some(None) {
            report
                .failures
                .push(format!("the tracker {} is not in the record", t.trim()));
        }
    }
    report
}

/// Whether `new` is `old` with lines added after it: every line of the
/// older copy stands unchanged at the start of the newer. A ballot a
/// voter saw in the record and that is gone now is caught here.
pub fn grows_from(old: &str, new: &str) -> Result<usize, String> {
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    for (i, line) in old_lines.iter().enumerate() {
        match new_lines.get(i) {
            None => {
                return Err(format!(
                    "the newer record has {} lines; the older copy had {}: lines were removed",
                    new_lines.len(),
                    old_lines.len()
                ));
            }
            Some(l) if l != line => {
                return Err(format!(
                    "line {} differs from the older copy: the record was rewritten, not only added to",
                    i + 1
                ));
            }
            Some(_) => {}
        }
    }
    Ok(new_lines.len() - old_lines.len())
}

struct Walk<'a> {
    record: &'a Record,
    report: &'a mut Report,
    at: usize,
    fingerprint: [u8; 32],
    /// The credentials that may sign a ballot, when the record has a list.
    credentials: Option<HashSet<String>>,
}

impl<'a> Walk<'a> {
    fn new(record: &'a Record, report: &'a mut Report) -> Self {
        Walk {
            fingerprint: record.fingerprint(),
            record,
            report,
            at: 0,
            credentials: None,
        }
    }

    fn peek(&self) -> Option<&'a Entry> {
        self.record.lines.get(self.at).map(|l| &l.entry)
    }

    fn order_error(&mut self, expected: &str) {
        let problem = match self.peek() {
            Some(entry) => format!(
                "line {}: a {} entry where {expected} must come",
                self.at + 1,
                entry.kind()
            ),
            None => return,
        };
        self.report.check(
            "order",
            "entries in the order the format sets".into(),
            vec![problem],
        );
    }

    fn run(&mut self) {
        let Some(Entry::Election(spec)) = self.peek() else {
            self.order_error("the election entry");
            return;
        };
        self.at += 1;
        self.report.title = spec.title.clone();
        self.report.stage = "key generation";
        let Some(choices) = self.election(spec) else {
            return;
        };
        let Some(key) = self.trustees_and_key(spec) else {
            return;
        };
        let (commitments, key, roll_size) = key;
        self.report.stage = "voting";
        let ballots = self.ballots(&key, &choices);
        let Some(Entry::Close(close)) = self.peek() else {
            if self.peek().is_some() {
                self.order_error("a ballot or the close");
            }
            return;
        };
        self.at += 1;
        self.report.stage = "counting";
        let cast = self.report.ballots;
        let n = self.report.counted;
        let mut problems = Vec::new();
        if close.ballots != cast {
            problems.push(format!(
                "the close says {} ballots; the record holds {cast}",
                close.ballots
            ));
        }
        if self.credentials.is_some() && close.counted != Some(n) {
            problems.push(format!(
                "the close says {} ballots count; by the last ballot of each credential, {n} do",
                close
                    .counted
                    .map_or("no number of".into(), |c| c.to_string())
            ));
        }
        self.report.check(
            "close",
            format!(
                "the close counts {} ballots, {} of them counted",
                thousands(close.ballots),
                thousands(n)
            ),
            problems,
        );
        let Some(Entry::Sums(published)) = self.peek() else {
            self.order_error("the sums");
            return;
        };
        self.at += 1;
        let sums = tally::sum(&choices, ballots.iter());
        let problems = match tally::decode_sums(published, &choices) {
            Ok(decoded) if decoded == sums => vec![],
            Ok(_) => vec!["the published sums are not the sums of the ballots".into()],
            Err(e) => vec![e],
        };
        let sums_ok = problems.is_empty();
        self.report.check(
            "sums",
            format!(
                "{} encrypted sums recomputed from the ballots",
                choices.iter().sum::<usize>()
            ),
            problems,
        );
        if !sums_ok {
            return;
        }
        let shares = self.shares(spec, &commitments, &sums);
        match self.peek() {
            Some(Entry::Result(result)) => {
                self.at += 1;
                self.result(spec, result, &shares, &sums, n, roll_size);
                self.report.stage = "complete";
            }
            Some(_) => self.order_error("a share or the result"),
            None => {}
        }
        if self.peek().is_some() {
            self.order_error("nothing (the record ends with its result)");
        }
    }

    fn election(&mut self, spec: &ElectionSpec) -> Option<Vec<usize>> {
        let mut problems = Vec::new();
        if spec.trustees < 2 {
            problems.push(format!("{} trustees; at least 2 are needed", spec.trustees));
        }
        if spec.threshold < 2 || spec.threshold > spec.trustees {
            problems.push(format!(
                "a threshold of {} of {} trustees",
                spec.threshold, spec.trustees
            ));
        }
        for (i, q) in spec.questions.iter().enumerate() {
            if q.position != i as u32 + 1 {
                problems.push(format!(
                    "question {} says it is question {}",
                    i + 1,
                    q.position
                ));
            }
            if q.choices.len() < 2 {
                problems.push(format!("question {} has fewer than two choices", i + 1));
            }
        }
        if spec.questions.is_empty() {
            problems.push("the election has no question".into());
        }
        let ok = problems.is_empty();
        self.report.check(
            "election",
            format!(
                "{} questions, {} of {} trustees to decrypt",
                spec.questions.len(),
                spec.threshold,
                spec.trustees
            ),
            problems,
        );
        ok.then(|| spec.questions.iter().map(|q| q.choices.len()).collect())
    }

    fn trustees_and_key(&mut self, spec: &ElectionSpec) -> Option<(Vec<Vec<Point>>, Point, u64)> {
        let mut commitments = Vec::new();
        let mut problems = Vec::new();
        while let Some(Entry::Trustee(t)) = self.peek() {
            self.at += 1;
            let expected = commitments.len() as u32 + 1;
            if t.index != expected {
                problems.push(format!(
                    "trustee {} comes where trustee {expected} must",
                    t.index
                ));
            }
            match tally::check_trustee(&self.fingerprint, t, spec.threshold as usize) {
                Ok(points) => commitments.push(points),
                Err(e) => {
                    problems.push(e);
                    commitments.push(vec![]);
                }
            }
        }
        if self.peek().is_none()
            && problems.is_empty()
            && (commitments.len() as u32) < spec.trustees
        {
            self.report.check(
                "trustees",
                format!(
                    "{} of {} trustees' keys so far",
                    commitments.len(),
                    spec.trustees
                ),
                vec![],
            );
            return None;
        }
        if commitments.len() as u32 != spec.trustees {
            problems.push(format!(
                "{} trustees published keys; the election names {}",
                commitments.len(),
                spec.trustees
            ));
        }
        let ok = problems.is_empty();
        self.report.check(
            "trustees",
            format!("{} trustees' commitments and key proofs", commitments.len()),
            problems,
        );
        if !ok {
            return None;
        }
        let credentials = match self.peek() {
            Some(Entry::Credentials(list)) => {
                self.at += 1;
                Some(self.credential_list(list)?)
            }
            _ => None,
        };
        let Some(Entry::Open(open)) = self.peek() else {
            if self.peek().is_some() {
                self.order_error("the credentials or the opening");
            }
            return None;
        };
        self.at += 1;
        if let Some(list) = &credentials
            && list.len() as u64 != open.roll.size
        {
            self.report.check(
                "credentials",
                "one credential per member on the roll".into(),
                vec![format!(
                    "{} credentials for a roll of {}",
                    list.len(),
                    open.roll.size
                )],
            );
            return None;
        }
        self.credentials = credentials;
        let key = crate::crypto::threshold::election_key(&commitments);
        let problems = match hexcode::key_point(&open.key, "the election key") {
            Ok(published) if published == key => vec![],
            Ok(_) => vec!["the election key is not the sum of the trustees' keys".into()],
            Err(e) => vec![e],
        };
        let ok = problems.is_empty();
        self.report.check(
            "key",
            format!(
                "the election key is the trustees' joint key; roll of {}",
                thousands(open.roll.size)
            ),
            problems,
        );
        ok.then_some((commitments, key, open.roll.size))
    }

    fn credential_list(&mut self, list: &CredentialList) -> Option<HashSet<String>> {
        let mut problems = Vec::new();
        if list.count != list.keys.len() as u64 {
            problems.push(format!(
                "the list says {} credentials and holds {}",
                list.count,
                list.keys.len()
            ));
        }
        if !list.keys.is_sorted_by(|a, b| a < b) {
            problems.push("the credentials are not sorted, or one is listed twice".into());
        }
        for (i, key) in list.keys.iter().enumerate() {
            match hexcode::to_32(key, &format!("credential {}", i + 1)) {
                Err(e) => problems.push(e),
                Ok(bytes) if !credential::is_valid_public(&bytes) => problems.push(format!(
                    "credential {} is not a public key with a secret behind it (a small-order or non-canonical point): anyone could sign for it",
                    i + 1
                )),
                Ok(_) => {}
            }
        }
        let ok = problems.is_empty();
        self.report.check(
            "credentials",
            format!("{} public voting credentials", thousands(list.count)),
            listed(problems),
        );
        ok.then(|| list.keys.iter().cloned().collect())
    }

    fn ballots(&mut self, key: &Point, choices: &[usize]) -> Vec<Vec<Vec<Ciphertext>>> {
        let mut entries: Vec<(usize, &'a BallotEntry)> = Vec::new();
        let mut problems = Vec::new();
        let mut revoked: HashSet<&str> = HashSet::new();
        let mut signed_by: HashSet<&str> = HashSet::new();
        let mut revocations = 0u64;
        loop {
            let line = self.at + 1;
            match self.peek() {
                Some(Entry::Ballot(b)) => {
                    if let Some(active) = &self.credentials {
                        match b.credential.as_deref() {
                            Some(c) if revoked.contains(c) => problems.push(format!(
                                "line {line}: a ballot signed with a revoked credential"
                            )),
                            Some(c) if !active.contains(c) => problems.push(format!(
                                "line {line}: a ballot signed with a credential not on the list"
                            )),
                            Some(c) => {
                                signed_by.insert(c);
                            }
                            None => {}
                        }
                    }
                    entries.push((self.at, b));
                }
                Some(Entry::Revoke(r)) => {
                    revocations += 1;
                    match self.credentials.as_mut() {
                        None => problems.push(format!(
                            "line {line}: a revocation in a record without credentials"
                        )),
                        Some(active) => {
                            if signed_by.contains(r.old.as_str()) {
                                problems.push(format!(
                                    "line {line}: a credential revoked after a ballot was cast with it"
                                ));
                            }
                            if !active.remove(&r.old) {
                                problems.push(format!(
                                    "line {line}: the revoked credential is not on the list"
                                ));
                            }
                            if revoked.contains(r.new.as_str())
                                || active.contains(&r.new)
                                || !hexcode::to_32(&r.new, "the new credential")
                                    .is_ok_and(|b| credential::is_valid_public(&b))
                            {
                                problems.push(format!(
                                    "line {line}: the replacement credential is not a new one"
                                ));
                            }
                            active.insert(r.new.clone());
                            revoked.insert(r.old.as_str());
                        }
                    }
                }
                _ => break,
            }
            self.at += 1;
        }
        let credentialed = self.credentials.is_some();
        let checked = check_in_parallel(&entries, key, &self.fingerprint, choices, credentialed);
        let mut trackers = HashSet::new();
        let mut alphas = HashSet::new();
        let mut ciphertexts = Vec::with_capacity(entries.len());
        for ((line, entry), result) in entries.iter().zip(checked) {
            let n = line + 1;
            match result {
                Ok(c) => ciphertexts.push(Some(c.ciphertexts)),
                Err(e) => {
                    problems.push(format!("line {n}: the ballot {e}"));
                    ciphertexts.push(None);
                }
            }
            if !trackers.insert(entry.tracker.to_ascii_lowercase()) {
                problems.push(format!(
                    "line {n}: a second ballot with tracker {}",
                    entry.tracker
                ));
            }
            for a in &entry.answers {
                for c in &a.choices {
                    if !alphas.insert(c.alpha.to_ascii_lowercase()) {
                        problems.push(format!(
                            "line {n}: the ballot repeats an encryption already in the record"
                        ));
                    }
                }
            }
            self.report.by[match entry.by {
                CastBy::Voter => 0,
                CastBy::Server => 1,
                CastBy::Paper => 2,
            }] += 1;
        }
        self.report.ballots = entries.len() as u64;
        let ballots: Vec<&BallotEntry> = entries.iter().map(|(_, b)| *b).collect();
        let counted = tally::counted(&ballots, credentialed);
        self.report.counted = counted.len() as u64;
        let [voter, server, paper] = self.report.by;
        let signed = if credentialed {
            format!(
                ", each signed by a listed credential; {} counted, the last of each of {} credentials; {} revoked",
                thousands(counted.len() as u64),
                thousands(signed_by.len() as u64),
                thousands(revocations)
            )
        } else {
            String::new()
        };
        self.report.check(
            "ballots",
            format!(
                "{} ballots, every proof and tracker ({} encrypted by the voter, {} by the server, {} on paper){signed}",
                thousands(entries.len() as u64),
                thousands(voter),
                thousands(server),
                thousands(paper)
            ),
            listed(problems),
        );
        counted
            .into_iter()
            .filter_map(|i| ciphertexts[i].take())
            .collect()
    }

    fn shares(
        &mut self,
        spec: &ElectionSpec,
        commitments: &[Vec<Point>],
        sums: &[Vec<Ciphertext>],
    ) -> Vec<(u32, Vec<Vec<Point>>)> {
        let keys = tally::verification_keys(commitments);
        let mut shares = Vec::new();
        let mut problems = Vec::new();
        let mut seen = HashSet::new();
        while let Some(Entry::Share(share)) = self.peek() {
            self.at += 1;
            let line = self.at;
            let index = share.trustee;
            if index == 0 || index > spec.trustees {
                problems.push(format!(
                    "line {line}: a share from trustee {index}, who is not a trustee"
                ));
                continue;
            }
            if !seen.insert(index) {
                problems.push(format!("line {line}: a second share from trustee {index}"));
                continue;
            }
            match tally::check_share(&self.fingerprint, share, &keys[index as usize - 1], sums) {
                Ok(points) => shares.push((index, points)),
                Err(e) => problems.push(format!("line {line}: {e}")),
            }
        }
        self.report.check(
            "shares",
            format!("{} decryption shares and their proofs", shares.len()),
            problems,
        );
        shares
    }

    fn result(
        &mut self,
        spec: &ElectionSpec,
        result: &ResultEntry,
        shares: &[(u32, Vec<Vec<Point>>)],
        sums: &[Vec<Ciphertext>],
        ballots: u64,
        roll: u64,
    ) {
        let mut problems = Vec::new();
        match tally::counts(shares, sums, spec.threshold as usize, ballots) {
            Ok(counts) => {
                let published: Vec<Vec<u64>> =
                    result.questions.iter().map(|q| q.counts.clone()).collect();
                if published != counts {
                    problems.push(format!(
                        "the published counts {published:?} are not what the shares decrypt to, {counts:?}"
                    ));
                }
                for (q, c) in counts.iter().enumerate() {
                    let total: u64 = c.iter().sum();
                    if total != ballots {
                        problems.push(format!(
                            "question {}: the counts add up to {total}, not the {ballots} ballots",
                            q + 1
                        ));
                    }
                }
                if problems.is_empty() {
                    self.report.counts = Some(counts);
                }
            }
            Err(e) => problems.push(e),
        }
        if result.voted != ballots {
            problems.push(format!(
                "the result says {} voted; the record holds {ballots} ballots",
                result.voted
            ));
        }
        if result.eligible != roll {
            problems.push(format!(
                "the result says {} were eligible; the roll holds {roll}",
                result.eligible
            ));
        }
        self.report.check(
            "result",
            format!(
                "the counts of {} questions decrypted from the shares",
                spec.questions.len()
            ),
            problems,
        );
    }
}

fn check_in_parallel(
    entries: &[(usize, &BallotEntry)],
    key: &Point,
    fingerprint: &[u8; 32],
    choices: &[usize],
    signed: bool,
) -> Vec<Result<ballot::Checked, String>> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = entries.len().div_ceil(workers).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = entries
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(_, e)| {
                            if signed {
                                ballot::check_signature(e)?;
                            }
                            ballot::check(e, key, fingerprint, choices)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a ballot check does not panic"))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::entry::Line;
    use crate::record::sample::{self, Writer};

    fn votes() -> Vec<Vec<usize>> {
        vec![vec![0, 2], vec![0, 1], vec![1, 2], vec![0, 0], vec![0, 2]]
    }

    fn record() -> String {
        sample::complete(&[2, 3], &votes(), &[1, 3])
    }

    /// The record rewritten the way a dishonest server could: every entry
    /// re-chained after `edit`, so only the content checks can catch it.
    fn rewritten(text: &str, edit: impl FnOnce(&mut Vec<Entry>)) -> String {
        let mut entries: Vec<Entry> = text
            .lines()
            .map(|l| serde_json::from_str::<Line>(l).unwrap().entry)
            .collect();
        edit(&mut entries);
        let mut w = Writer::default();
        for e in entries {
            w.push(e);
        }
        w.text
    }

    fn fails_with(text: &str, words: &str) {
        let report = verify(text, None);
        assert!(!report.passed(), "verified: {}", report.to_text());
        assert!(
            report.failures.iter().any(|f| f.contains(words)),
            "expected {words:?} in {:?}",
            report.failures
        );
    }

    #[test]
    fn a_complete_record_verifies_with_its_counts() {
        let report = verify(&record(), None);
        assert!(report.passed(), "{}", report.to_text());
        assert_eq!(report.stage, "complete");
        assert_eq!(report.counts, Some(vec![vec![4, 1], vec![1, 1, 3]]));
        assert_eq!(report.ballots, 5);
        let text = report.to_text();
        assert!(text.contains("The record verifies."), "{text}");
    }

    #[test]
    fn any_two_of_three_trustees_decrypt_and_one_cannot() {
        for pair in [[1, 2], [1, 3], [2, 3]] {
            let report = verify(
                &sample::complete(&[2], &[vec![0], vec![1], vec![0]], &pair),
                None,
            );
            assert_eq!(
                report.counts,
                Some(vec![vec![2, 1]]),
                "{}",
                report.to_text()
            );
        }
        fails_with(
            &sample::complete(&[2], &[vec![0]], &[2]),
            "1 valid decryption shares of the 2 needed",
        );
    }

    #[test]
    fn a_changed_byte_a_dropped_or_a_moved_line_breaks_the_chain() {
        let text = record();
        let lines: Vec<&str> = text.lines().collect();
        let ballot = lines
            .iter()
            .position(|l| l.contains("\"type\":\"ballot\""))
            .unwrap();
        let mut edited: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        let at = edited[ballot].find("\"beta\":\"").unwrap() + 9;
        let byte = if &edited[ballot][at..=at] == "a" {
            "b"
        } else {
            "a"
        };
        edited[ballot].replace_range(at..=at, byte);
        fails_with(&(edited.join("\n") + "\n"), &format!("line {}", ballot + 2));

        let mut dropped = lines.clone();
        dropped.remove(ballot);
        fails_with(
            &(dropped.join("\n") + "\n"),
            "an entry was removed, added or moved",
        );

        let mut moved = lines.clone();
        moved.swap(ballot, ballot + 1);
        fails_with(
            &(moved.join("\n") + "\n"),
            "an entry was removed, added or moved",
        );
    }

    #[test]
    fn a_rewritten_ballot_is_caught_by_its_proofs() {
        let text = rewritten(&record(), |entries| {
            let Some(Entry::Ballot(b)) = entries.iter_mut().find(|e| matches!(e, Entry::Ballot(_)))
            else {
                unreachable!()
            };
            b.answers[0].choices.swap(0, 1);
        });
        fails_with(&text, "does not check");
    }

    #[test]
    fn a_dropped_or_duplicated_ballot_is_caught_even_when_rechained() {
        let dropped = rewritten(&record(), |entries| {
            let at = entries
                .iter()
                .position(|e| matches!(e, Entry::Ballot(_)))
                .unwrap();
            entries.remove(at);
        });
        fails_with(&dropped, "the close says 5 ballots; the record holds 4");

        let doubled = rewritten(&record(), |entries| {
            let at = entries
                .iter()
                .position(|e| matches!(e, Entry::Ballot(_)))
                .unwrap();
            let copy = entries[at].clone();
            entries.insert(at + 1, copy);
        });
        fails_with(&doubled, "a second ballot with tracker");
        fails_with(&doubled, "repeats an encryption");
    }

    #[test]
    fn a_wrong_sum_share_or_count_is_rejected() {
        let wrong_sum = rewritten(&record(), |entries| {
            let Some(Entry::Sums(s)) = entries.iter_mut().find(|e| matches!(e, Entry::Sums(_)))
            else {
                unreachable!()
            };
            s.questions[0].choices.swap(0, 1);
        });
        fails_with(&wrong_sum, "not the sums of the ballots");

        let wrong_share = rewritten(&record(), |entries| {
            let Some(Entry::Share(s)) = entries.iter_mut().find(|e| matches!(e, Entry::Share(_)))
            else {
                unreachable!()
            };
            let d = s.questions[0].choices[1].share.clone();
            s.questions[0].choices[0].share = d;
        });
        fails_with(
            &wrong_share,
            "the proof of correct decryption does not check",
        );

        let stranger = rewritten(&record(), |entries| {
            let Some(Entry::Share(s)) = entries.iter_mut().find(|e| matches!(e, Entry::Share(_)))
            else {
                unreachable!()
            };
            s.trustee = 4;
        });
        fails_with(&stranger, "from trustee 4, who is not a trustee");

        let wrong_count = rewritten(&record(), |entries| {
            let Some(Entry::Result(r)) = entries.last_mut() else {
                unreachable!()
            };
            r.questions[0].counts = vec![3, 2];
        });
        fails_with(&wrong_count, "are not what the shares decrypt to");
    }

    #[test]
    fn a_swapped_key_is_rejected() {
        let text = rewritten(&record(), |entries| {
            let Some(Entry::Open(o)) = entries.iter_mut().find(|e| matches!(e, Entry::Open(_)))
            else {
                unreachable!()
            };
            o.key = hexcode::point(&crate::crypto::group::base_mul(
                &crate::crypto::group::random_scalar(),
            ));
        });
        fails_with(&text, "not the sum of the trustees' keys");
    }

    #[test]
    fn a_tracker_is_found_or_said_to_be_missing() {
        let text = record();
        let tracker = text
            .lines()
            .find_map(|l| match serde_json::from_str::<Line>(l).unwrap().entry {
                Entry::Ballot(b) => Some(b.tracker),
                _ => None,
            })
            .unwrap();
        let report = verify(&text, Some(&tracker));
        assert_eq!(report.tracker_line, Some(Some(6)));
        assert!(report.passed());
        let missing = verify(&text, Some(&"0".repeat(64)));
        assert!(!missing.passed());
    }

    #[test]
    fn a_record_still_being_written_verifies_as_far_as_it_goes() {
        let text = record();
        let upto_ballots: String = text
            .lines()
            .take_while(|l| !l.contains("\"type\":\"close\""))
            .map(|l| format!("{l}\n"))
            .collect();
        let report = verify(&upto_ballots, None);
        assert!(report.passed(), "{}", report.to_text());
        assert_eq!(report.stage, "voting");
    }

    mod credentials {
        use super::*;
        use crate::crypto::credential::Credential;
        use crate::record::entry::Revocation;

        // Member 0 votes twice (the second counts), 1 votes once, 2 lost
        // their credential and votes with the new one, 3 abstains.
        fn casts() -> Vec<(usize, Vec<usize>)> {
            vec![(0, vec![0]), (1, vec![1]), (2, vec![1]), (0, vec![1])]
        }

        fn made() -> (String, Vec<Credential>) {
            sample::with_credentials(&[2], 4, &casts(), &[2], &[1, 2])
        }

        fn ballot_lines(entries: &[Entry]) -> Vec<usize> {
            entries
                .iter()
                .enumerate()
                .filter(|(_, e)| matches!(e, Entry::Ballot(_)))
                .map(|(i, _)| i)
                .collect()
        }

        #[test]
        fn the_last_ballot_of_each_credential_is_the_one_counted() {
            let (text, _) = made();
            let report = verify(&text, None);
            assert!(report.passed(), "{}", report.to_text());
            assert_eq!(report.ballots, 4);
            assert_eq!(report.counted, 3);
            // Member 0's first "yes" was replaced by a "no".
            assert_eq!(report.counts, Some(vec![vec![0, 3]]));
            let text = report.to_text();
            assert!(text.contains("4 public voting credentials"), "{text}");
            assert!(
                text.contains("3 counted, the last of each of 3 credentials; 1 revoked"),
                "{text}"
            );
        }

        #[test]
        fn a_ballot_unsigned_or_signed_without_the_secret_is_rejected() {
            let (text, held) = made();
            let unsigned = rewritten(&text, |entries| {
                let at = ballot_lines(entries)[0];
                let Entry::Ballot(b) = &mut entries[at] else {
                    unreachable!()
                };
                b.signature = None;
            });
            fails_with(&unsigned, "is not signed with its credential");

            // The server casts for member 3, who abstained: it knows the
            // public credential but not the secret, so it signs with another.
            let forged = rewritten(&text, |entries| {
                let at = ballot_lines(entries)[0];
                let Entry::Ballot(b) = &entries[at] else {
                    unreachable!()
                };
                let mut b = b.clone();
                b.credential = Some(hex::encode(held[3].public()));
                crate::record::ballot::sign(&mut b, &Credential::generate());
                entries.insert(at + 1, Entry::Ballot(b));
            });
            fails_with(&forged, "does not check against its credential");

            let stranger = rewritten(&text, |entries| {
                let at = ballot_lines(entries)[0];
                let Entry::Ballot(b) = &mut entries[at] else {
                    unreachable!()
                };
                let c = Credential::generate();
                b.credential = Some(hex::encode(c.public()));
                crate::record::ballot::sign(b, &c);
            });
            fails_with(&stranger, "a credential not on the list");
        }

        #[test]
        fn a_revoked_credential_cannot_vote_nor_be_revoked_once_used() {
            let (text, _) = made();
            let revoked_key = text
                .lines()
                .find_map(|l| match serde_json::from_str::<Line>(l).unwrap().entry {
                    Entry::Revoke(r) => Some(r.old),
                    _ => None,
                })
                .unwrap();
            let with_old = rewritten(&text, |entries| {
                let at = *ballot_lines(entries).last().unwrap();
                let Entry::Ballot(b) = &mut entries[at] else {
                    unreachable!()
                };
                b.credential = Some(revoked_key.clone());
            });
            fails_with(&with_old, "signed with a revoked credential");

            let late = rewritten(&text, |entries| {
                let first = ballot_lines(entries)[0];
                let Entry::Ballot(b) = &entries[first] else {
                    unreachable!()
                };
                let used = b.credential.clone().unwrap();
                entries.insert(
                    first + 1,
                    Entry::Revoke(Revocation {
                        old: used,
                        new: hex::encode(Credential::generate().public()),
                    }),
                );
            });
            fails_with(&late, "revoked after a ballot was cast with it");
        }

        #[test]
        fn a_list_that_does_not_match_the_roll_or_the_close_is_rejected() {
            let (text, _) = made();
            let short = rewritten(&text, |entries| {
                let Some(Entry::Credentials(list)) = entries
                    .iter_mut()
                    .find(|e| matches!(e, Entry::Credentials(_)))
                else {
                    unreachable!()
                };
                list.keys.pop();
                list.count -= 1;
            });
            fails_with(&short, "3 credentials for a roll of 4");

            // A key with no secret behind it (the neutral point): anyone
            // could sign for it, so no list may hold it.
            let neutral = rewritten(&text, |entries| {
                let Some(Entry::Credentials(list)) = entries
                    .iter_mut()
                    .find(|e| matches!(e, Entry::Credentials(_)))
                else {
                    unreachable!()
                };
                list.keys[0] = format!("01{}", "0".repeat(62));
                list.keys.sort();
            });
            fails_with(&neutral, "not a public key with a secret behind it");

            let all_counted = rewritten(&text, |entries| {
                let Some(Entry::Close(c)) =
                    entries.iter_mut().find(|e| matches!(e, Entry::Close(_)))
                else {
                    unreachable!()
                };
                c.counted = Some(4);
            });
            fails_with(&all_counted, "the close says 4 ballots count");
        }

        #[test]
        fn since_catches_a_dropped_ballot_and_accepts_growth() {
            let (text, _) = made();
            let lines: Vec<&str> = text.lines().collect();
            let seen: String = lines[..8].iter().map(|l| format!("{l}\n")).collect();
            assert_eq!(grows_from(&seen, &text), Ok(lines.len() - 8));
            let dropped = rewritten(&text, |entries| {
                let at = ballot_lines(entries)[1];
                entries.remove(at);
            });
            let err = grows_from(&text, &dropped).unwrap_err();
            assert!(err.contains("differs from the older copy"), "{err}");
            let cut: String = lines[..5].iter().map(|l| format!("{l}\n")).collect();
            assert!(
                grows_from(&text, &cut)
                    .unwrap_err()
                    .contains("lines were removed")
            );
        }
    }
}
