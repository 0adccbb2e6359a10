//! The election arithmetic: the roll's fingerprint, tracking codes, the
//! tally and whether each question's rule passed. Pure, so every rule is
//! tested by hand-worked examples.

use chrono::NaiveDateTime;
use rand::Rng;
use sha2::{Digest, Sha256};

/// One entry of the roll as the unit sees it: the name and classification
/// it was drawn with, and nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollLine {
    pub name: String,
    pub classification: String,
}

impl RollLine {
    /// The entry as a line of the published list: the name, a tab, the
    /// classification and a newline, each part with any control character
    /// (a tab, a newline) turned into a space and the ends trimmed.
    pub fn line(&self) -> String {
        fn clean(part: &str) -> String {
            part.chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect::<String>()
                .trim()
                .to_owned()
        }
        format!("{}\t{}\n", clean(&self.name), clean(&self.classification))
    }
}

/// The roll as published to the unit: every entry's line (see
/// `RollLine::line`), sorted by their UTF-8 bytes (as `LC_ALL=C sort`
/// sorts), two alike kept twice. This text is what the fingerprint hashes.
pub fn roll_list(lines: &[RollLine]) -> String {
    let mut sorted: Vec<String> = lines.iter().map(RollLine::line).collect();
    sorted.sort();
    sorted.concat()
}

/// The roll's fingerprint: SHA-256 of the published list's bytes
/// (`roll_list`), in lowercase hex. Anyone with the list of names and
/// classifications can recompute it, and any change to the roll changes it.
pub fn fingerprint(lines: &[RollLine]) -> String {
    hex::encode(Sha256::digest(roll_list(lines).as_bytes()))
}

/// Crockford's base32: no I, L, O or U to misread.
const CODE_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The earliest time a vote published `now` may open: members get at least
/// `min_days` to check and challenge the roll.
pub fn earliest_opening(now: NaiveDateTime, min_days: u32) -> NaiveDateTime {
    now + chrono::Duration::days(i64::from(min_days))
}

/// A random tracking code, 60 bits from the system's random source, as
/// "K7QF-M2XA-9C3D". Nothing about the voter or the moment goes into it.
pub fn tracking_code() -> String {
    let mut rng = rand::rngs::OsRng;
    let chars: Vec<char> = (0..12)
        .map(|_| char::from(CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())]))
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A question's rule to pass: a share of the votes cast on it, and a
/// minimum turnout of the eligible voters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassRule {
    /// The share's numerator: 2 for two thirds.
    pub num: i64,
    /// Its denominator: 3 for two thirds.
    pub den: i64,
    /// "At least" the share (two thirds), or "more than" it (a majority).
    pub at_least: bool,
    /// Turnout needed, in basis points of the eligible (5000 = half).
    pub min_turnout_bp: i64,
}

impl PassRule {
    /// The rules offered on the form: (key, words, rule without turnout).
    pub const CHOICES: [(&'static str, &'static str, i64, i64, bool); 3] = [
        (
            "majority",
            "A majority: more than half of the votes cast",
            1,
            2,
            false,
        ),
        (
            "two_thirds",
            "Two thirds: at least two thirds of the votes cast",
            2,
            3,
            true,
        ),
        (
            "three_quarters",
            "Three quarters: at least three quarters of the votes cast",
            3,
            4,
            true,
        ),
    ];

    /// The rule in words.
    pub fn describe(&self) -> String {
        let share = match (self.num, self.den, self.at_least) {
            (1, 2, false) => "more than half of the votes cast".to_owned(),
            (2, 3, true) => "at least two thirds of the votes cast".to_owned(),
            (3, 4, true) => "at least three quarters of the votes cast".to_owned(),
            (n, d, true) => format!("at least {n}/{d} of the votes cast"),
            (n, d, false) => format!("more than {n}/{d} of the votes cast"),
        };
        if self.min_turnout_bp > 0 {
            format!(
                "{share}, with a turnout of at least {}% of eligible members",
                percent(self.min_turnout_bp)
            )
        } else {
            share
        }
    }

    /// True when `votes` of `cast` meet the share.
    pub fn share_met(&self, votes: i64, cast: i64) -> bool {
        if cast == 0 {
            return false;
        }
        if self.at_least {
            votes * self.den >= self.num * cast
        } else {
            votes * self.den > self.num * cast
        }
    }

    /// True when `participated` of `eligible` meets the minimum turnout.
    pub fn turnout_met(&self, participated: i64, eligible: i64) -> bool {
        participated * 10_000 >= self.min_turnout_bp * eligible
    }
}

/// "66.67" from basis points.
pub fn percent(bp: i64) -> String {
    if bp % 100 == 0 {
        format!("{}", bp / 100)
    } else {
        format!("{}.{:02}", bp / 100, bp % 100)
    }
}

/// `part` of `whole` as a percentage in integers, rounded down to a
/// hundredth so a turnout is never shown above what it was: "75", "66.66".
/// `None` when there is no whole to be a share of.
pub fn share_percent(part: i64, whole: i64) -> Option<String> {
    (whole > 0).then(|| percent(part.max(0) * 10_000 / whole))
}

/// One question's count and verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Ballots that answered the question.
    pub cast: i64,
    /// The leading choice, unless tied.
    pub leader: Option<usize>,
    /// True when the rule passed (for yes/no: "yes" won under the rule).
    pub passed: bool,
    /// Why, in words.
    pub reason: String,
}

/// Decides a question from its counts (in choice order). For a yes/no
/// question choice 0 is "Yes"; otherwise the leading choice must be alone
/// at the top and meet the share.
pub fn decide(
    counts: &[i64],
    labels: &[&str],
    rule: &PassRule,
    participated: i64,
    eligible: i64,
) -> Verdict {
    let cast: i64 = counts.iter().sum();
    let top = counts.iter().copied().max().unwrap_or(0);
    let leaders: Vec<usize> = counts
        .iter()
        .enumerate()
        .filter(|(_, c)| **c == top)
        .map(|(i, _)| i)
        .collect();
    let leader = (leaders.len() == 1 && top > 0).then(|| leaders[0]);
    let turnout_ok = rule.turnout_met(participated, eligible);
    let share_ok = leader.is_some_and(|i| rule.share_met(counts[i], cast));
    let label = |i: usize| labels.get(i).copied().unwrap_or("The leading choice");
    let votes = |n: i64| {
        let share = share_percent(n, cast).unwrap_or_else(|| "0".to_owned());
        format!(
            "{} of {} ({share}%)",
            crate::plural::count(n, "vote", "votes"),
            cast
        )
    };
    let reason = if cast == 0 {
        "No votes were cast.".to_owned()
    } else if !turnout_ok {
        format!(
            "Turnout was {participated} of {eligible} eligible, under the minimum of {}%.",
            percent(rule.min_turnout_bp)
        )
    } else if let Some(i) = leader {
        if share_ok {
            format!(
                "{} won with {}, reaching {}.",
                label(i),
                votes(counts[i]),
                rule.describe()
            )
        } else {
            format!(
                "{} led with {}, short of {}.",
                label(i),
                votes(counts[i]),
                rule.describe()
            )
        }
    } else {
        let names: Vec<&str> = leaders.iter().map(|&i| label(i)).collect();
        let (last, rest) = names.split_last().map_or(("", &[][..]), |(l, r)| (*l, r));
        format!(
            "{} and {last} are tied with {} each.",
            rest.join(", "),
            crate::plural::count(top, "vote", "votes")
        )
    };
    Verdict {
        cast,
        leader,
        passed: turnout_ok && share_ok,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide_unnamed(
        counts: &[i64],
        rule: &PassRule,
        participated: i64,
        eligible: i64,
    ) -> Verdict {
        decide(
            counts,
            &["Yes", "No", "Other"],
            rule,
            participated,
            eligible,
        )
    }

    #[test]
    fn the_reason_names_the_choice_that_won_or_led_or_tied() {
        assert_eq!(
            decide_unnamed(&[31, 30], &MAJORITY, 61, 100).reason,
            "Yes won with 31 votes of 61 (50.81%), reaching more than half of the votes cast."
        );
        assert_eq!(
            decide_unnamed(&[10, 20], &MAJORITY, 30, 100).reason,
            "No won with 20 votes of 30 (66.66%), reaching more than half of the votes cast."
        );
        assert_eq!(
            decide_unnamed(&[39, 21], &TWO_THIRDS, 60, 100).reason,
            "Yes led with 39 votes of 60 (65%), short of at least two thirds of the votes cast, \
             with a turnout of at least 50% of eligible members."
        );
        assert_eq!(
            decide_unnamed(&[1, 1, 1], &MAJORITY, 3, 3).reason,
            "Yes, No and Other are tied with 1 vote each."
        );
    }

    const MAJORITY: PassRule = PassRule {
        num: 1,
        den: 2,
        at_least: false,
        min_turnout_bp: 0,
    };
    const TWO_THIRDS: PassRule = PassRule {
        num: 2,
        den: 3,
        at_least: true,
        min_turnout_bp: 5000,
    };

    #[test]
    fn exactly_two_thirds_passes_and_one_vote_less_does_not() {
        // 100 eligible, 60 voted: 40 yes of 60 is exactly two thirds.
        assert!(decide_unnamed(&[40, 20], &TWO_THIRDS, 60, 100).passed);
        assert!(!decide_unnamed(&[39, 21], &TWO_THIRDS, 60, 100).passed);
    }

    #[test]
    fn a_tie_fails_a_majority_and_names_no_leader() {
        let verdict = decide_unnamed(&[30, 30], &MAJORITY, 60, 100);
        assert!(!verdict.passed);
        assert_eq!(verdict.leader, None);
        assert_eq!(verdict.reason, "Yes and No are tied with 30 votes each.");
        // One vote more than half passes.
        assert!(decide_unnamed(&[31, 30], &MAJORITY, 61, 100).passed);
        // A three-way choice tied at the top has no winner.
        assert_eq!(decide_unnamed(&[5, 5, 2], &MAJORITY, 12, 20).leader, None);
    }

    #[test]
    fn turnout_just_under_the_minimum_fails_whatever_the_share() {
        // 200 eligible, 50% needed: 99 voters fail even if all say yes.
        let verdict = decide_unnamed(&[99, 0], &TWO_THIRDS, 99, 200);
        assert!(!verdict.passed);
        assert_eq!(
            verdict.reason,
            "Turnout was 99 of 200 eligible, under the minimum of 50%."
        );
        assert!(decide_unnamed(&[100, 0], &TWO_THIRDS, 100, 200).passed);
    }

    #[test]
    fn a_share_is_rounded_down_to_a_hundredth_in_integers() {
        assert_eq!(share_percent(3, 4).as_deref(), Some("75"));
        assert_eq!(share_percent(2, 3).as_deref(), Some("66.66"));
        assert_eq!(share_percent(1, 3).as_deref(), Some("33.33"));
        assert_eq!(share_percent(4, 4).as_deref(), Some("100"));
        assert_eq!(share_percent(0, 4).as_deref(), Some("0"));
        // Just under a half is not shown as a half.
        assert_eq!(share_percent(99_999, 200_000).as_deref(), Some("49.99"));
        assert_eq!(share_percent(0, 0), None);
    }

    fn entry(name: &str, classification: &str) -> RollLine {
        RollLine {
            name: name.into(),
            classification: classification.into(),
        }
    }

    #[test]
    fn the_fingerprint_is_of_the_sorted_list_of_names_and_classifications() {
        let a = fingerprint(&[
            entry("Miguel Santos", "Organizer"),
            entry("Ann Lee", "Research Analyst"),
            entry("Ann", "Clerk"),
        ]);
        let b = fingerprint(&[
            entry("Ann", "Clerk"),
            entry("Ann Lee", "Research Analyst"),
            entry("Miguel Santos", "Organizer"),
        ]);
        assert_eq!(a, b, "order does not matter");
        assert_eq!(
            a,
            hex::encode(Sha256::digest(
                "Ann\tClerk\nAnn Lee\tResearch Analyst\nMiguel Santos\tOrganizer\n".as_bytes()
            )),
            "recomputable by anyone with the list: a tab sorts before a space"
        );
        assert_ne!(
            a,
            fingerprint(&[entry("Ann", "Clerk"), entry("Miguel Santos", "Organizer")])
        );
        assert_ne!(
            fingerprint(&[entry("Ann", "Clerk")]),
            fingerprint(&[entry("Ann", "Clerk"), entry("Ann", "Clerk")]),
            "two entries alike count twice"
        );
        assert_eq!(
            entry(" Ann\tLee\n", "Clerk\r").line(),
            "Ann Lee\tClerk\n",
            "no entry can add a column or a line"
        );
        assert_eq!(
            fingerprint(&[]),
            hex::encode(Sha256::digest(b"")),
            "an empty roll hashes nothing"
        );
    }

    #[test]
    fn tracking_codes_look_alike_and_differ() {
        let codes: std::collections::HashSet<String> = (0..1000).map(|_| tracking_code()).collect();
        assert_eq!(codes.len(), 1000);
        for code in &codes {
            assert_eq!(code.len(), 14);
            assert!(
                code.chars()
                    .all(|c| c == '-' || CODE_ALPHABET.contains(&(c as u8)))
            );
        }
    }
}
