//! The result: counted and certified inside the close, read back for the
//! election's page and the certification report, with the tracking codes
//! and the administrative record.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{ElectionRow, Question, questions, turnout};
use crate::db::DbConnection;
use crate::db::schema::{
    audit_log, ballots, election_outcomes as eo, election_results as er, users,
};
use crate::elections::rules::{self, Verdict};
use crate::elections::states::QuestionKind;

/// What a question's count decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    DidNotPass,
    WonBy(String),
    NoChoiceWon,
}

impl Outcome {
    /// The outcome of `question` by `verdict`.
    pub fn of(question: &Question, verdict: &Verdict) -> Self {
        match (question.kind, verdict.leader) {
            (QuestionKind::YesNo, Some(0)) if verdict.passed => Self::Passed,
            (QuestionKind::YesNo, _) => Self::DidNotPass,
            (QuestionKind::Choice, Some(i)) if verdict.passed => {
                Self::WonBy(question.choices[i].1.clone())
            }
            (QuestionKind::Choice, _) => Self::NoChoiceWon,
        }
    }

    /// As a sentence starts: "Passed", "Won by …".
    pub fn heading(&self) -> String {
        match self {
            Self::Passed => "Passed".to_owned(),
            Self::DidNotPass => "Did not pass".to_owned(),
            Self::WonBy(choice) => format!("Won by {choice}"),
            Self::NoChoiceWon => "No choice won".to_owned(),
        }
    }

    /// Inside a sentence, as the stored summary says it.
    pub fn in_words(&self) -> String {
        match self {
            Self::WonBy(choice) => format!("won by {choice}"),
            other => other.heading().to_lowercase(),
        }
    }

    /// As the result email says it: "passed", "failed", "Plan B won".
    pub fn in_mail(&self) -> String {
        match self {
            Self::Passed => "passed".to_owned(),
            Self::DidNotPass => "failed".to_owned(),
            Self::WonBy(choice) => format!("{choice} won"),
            Self::NoChoiceWon => "failed, no choice won".to_owned(),
        }
    }
}

/// Counts every question, stores the counts and the turnout as the
/// certified result, and adopts a dues rate whose question passed. Runs
/// inside the close; the stored summary has one "question: outcome" per
/// question.
pub fn certify(
    conn: &mut DbConnection,
    row: &ElectionRow,
    decrypted: &[Vec<u64>],
    now: NaiveDateTime,
) -> QueryResult<()> {
    let id = row.id;
    let turnout = turnout(conn, id)?;
    let eligible = i64::from(row.eligible.unwrap_or(0));
    let mut summary = Vec::new();
    for (q, question_counts) in questions(conn, id)?.into_iter().zip(decrypted) {
        let mut counts = Vec::new();
        for ((choice, _), &n) in q.choices.iter().zip(question_counts) {
            let votes = i64::try_from(n).unwrap_or(i64::MAX);
            diesel::insert_into(er::table)
                .values((
                    er::question_id.eq(q.id),
                    er::choice_id.eq(choice),
                    er::votes.eq(i32::try_from(votes).unwrap_or(i32::MAX)),
                ))
                .execute(conn)?;
            counts.push(votes);
        }
        let labels: Vec<&str> = q.choices.iter().map(|(_, l)| l.as_str()).collect();
        let verdict = rules::decide(&counts, &labels, &q.rule, turnout.voted(), eligible);
        if let (true, Some(0), Some((rate, from))) = (verdict.passed, verdict.leader, q.dues) {
            crate::dues::ledger::set_rate(conn, row.unit_id, from, rate, Some(q.id), now)?;
        }
        summary.push(format!(
            "{}: {}",
            q.text,
            Outcome::of(&q, &verdict).in_words()
        ));
    }
    diesel::insert_into(eo::table)
        .values((
            eo::election_id.eq(id),
            eo::participated_online.eq(i32::try_from(turnout.online).unwrap_or(0)),
            eo::participated_paper.eq(i32::try_from(turnout.paper).unwrap_or(0)),
            eo::summary.eq(summary.join("; ")),
        ))
        .execute(conn)
        .map(drop)
}

/// One question's result as shown.
#[derive(Debug, Clone)]
pub struct ResultView {
    pub text: String,
    pub rule: String,
    pub counts: Vec<(String, i64)>,
    pub cast: i64,
    pub outcome: Outcome,
    pub reason: String,
}

/// The result email's lines for a closed election with `eligible` on its
/// roll: that it closed, the turnout, then each question on a line of its
/// own with its count per choice, its ballots of the eligible (a count and
/// a percentage in integers) and its outcome by its rule.
pub fn mail_lines(title: &str, certified: &Certified, eligible: i64) -> Vec<String> {
    let of_eligible = |cast: i64| match rules::share_percent(cast, eligible) {
        Some(percent) => format!("{cast} of {eligible} eligible ({percent}%)"),
        None => format!("{cast} of {eligible} eligible"),
    };
    let voted = certified.online + certified.paper;
    let mut lines = vec![
        format!("Voting in \"{title}\" has closed. The certified result:"),
        format!(
            "Turnout: {} voted ({} online, {} on paper).",
            of_eligible(voted),
            certified.online,
            certified.paper
        ),
    ];
    for (n, q) in certified.questions.iter().enumerate() {
        let counts = q
            .counts
            .iter()
            .map(|(label, votes)| format!("{label} {votes}"))
            .collect::<Vec<_>>()
            .join(", ");
        lines.push(format!(
            "{}. \"{}\" {counts}; ballots cast {}; outcome: {}. {}",
            n + 1,
            q.text,
            of_eligible(q.cast),
            q.outcome.in_mail(),
            q.reason
        ));
    }
    lines
}

/// The certified result of a closed election: each question's view, and
/// how many voted online and on paper.
pub struct Certified {
    pub questions: Vec<ResultView>,
    pub online: i64,
    pub paper: i64,
}

/// Results of a closed election, from the certified counts.
pub fn certified(conn: &mut DbConnection, row: &ElectionRow) -> QueryResult<Certified> {
    let (online, paper): (i32, i32) = eo::table
        .find(row.id)
        .select((eo::participated_online, eo::participated_paper))
        .first(conn)
        .optional()?
        .unwrap_or((0, 0));
    let (online, paper) = (i64::from(online), i64::from(paper));
    let eligible = i64::from(row.eligible.unwrap_or(0));
    // The public record is what anyone can check, so pages show its counts;
    // the stored copy stands only for elections closed before records.
    let recorded = super::record::result_counts(conn, row.id)?;
    let mut views = Vec::new();
    for (qi, q) in questions(conn, row.id)?.into_iter().enumerate() {
        let from_record: Option<Vec<i64>> = recorded.as_ref().and_then(|r| r.get(qi)).map(|c| {
            c.iter()
                .map(|n| i64::try_from(*n).unwrap_or(i64::MAX))
                .collect()
        });
        let stored: HashMap<i64, i64> = er::table
            .filter(er::question_id.eq(q.id))
            .select((er::choice_id, er::votes))
            .load::<(i64, i32)>(conn)?
            .into_iter()
            .map(|(c, v)| (c, i64::from(v)))
            .collect();
        let counts: Vec<i64> = from_record.unwrap_or_else(|| {
            q.choices
                .iter()
                .map(|(c, _)| stored.get(c).copied().unwrap_or(0))
                .collect()
        });
        let labels: Vec<&str> = q.choices.iter().map(|(_, l)| l.as_str()).collect();
        let verdict = rules::decide(&counts, &labels, &q.rule, online + paper, eligible);
        views.push(ResultView {
            text: q.text.clone(),
            rule: q.rule.describe(),
            outcome: Outcome::of(&q, &verdict),
            counts: q
                .choices
                .iter()
                .map(|(_, l)| l.clone())
                .zip(counts)
                .collect(),
            cast: verdict.cast,
            reason: verdict.reason,
        });
    }
    Ok(Certified {
        questions: views,
        online,
        paper,
    })
}

/// The counted tracking codes, sorted, which reveals nothing of the order.
pub fn tracking_codes(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<String>> {
    // The close took out the ballots their voters replaced.
    ballots::table
        .filter(ballots::election_id.eq(id))
        .order(ballots::tracking_code.asc())
        .select(ballots::tracking_code)
        .load(conn)
}

/// One act in the administrative record: when, who, what, detail.
pub type RecordLine = (NaiveDateTime, String, String, String);

/// The election's audit entries for the certification report, oldest
/// first, each naming who acted (their name, not their account's address)
/// and the act in words; refused votes stay out (they say nothing about
/// the count).
pub fn record(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<RecordLine>> {
    let rows: Vec<(NaiveDateTime, Option<i64>, String, String, String)> = audit_log::table
        .filter(audit_log::target.eq(format!("election {id}")))
        .filter(audit_log::action.ne("vote_refused"))
        .order(audit_log::id.asc())
        .select((
            audit_log::at,
            audit_log::actor_id,
            audit_log::actor_label,
            audit_log::action,
            audit_log::detail,
        ))
        .load(conn)?;
    let actors: Vec<i64> = rows.iter().filter_map(|r| r.1).collect();
    let names: HashMap<i64, String> = users::table
        .filter(users::id.eq_any(&actors))
        .select((users::id, users::display_name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|(at, actor, label, action, detail)| {
            let who = actor
                .and_then(|a| names.get(&a).cloned())
                .unwrap_or_else(|| match label.as_str() {
                    "command line" => "The command line".to_owned(),
                    _ => label,
                });
            (at, who, act_in_words(&action), detail)
        })
        .collect())
}

/// An audit action as the record reads it: "Roll published".
pub fn act_in_words(action: &str) -> String {
    let (act, refused) = match action.strip_suffix("_refused") {
        Some(act) => (act, true),
        None => (action, false),
    };
    let words = match act {
        "election_create" => "Drafted",
        "election_edit" => "Draft edited",
        "election_publish" => "Roll published",
        "roll_challenge" => "Roll challenged",
        "roll_challenge_resolve" => "Challenge decided",
        "election_open" => "Vote opened",
        "paper_ballot" => "Paper ballot recorded",
        "election_reminder_scheduled" => "Reminder scheduled",
        "election_close_early" => "Closed early",
        "election_purge" => "Records purged",
        _ => return action.replace('_', " "),
    };
    if refused {
        format!("{words}: refused")
    } else {
        words.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(text: &str, counts: &[(&str, i64)], outcome: Outcome, reason: &str) -> ResultView {
        ResultView {
            text: text.into(),
            rule: String::new(),
            counts: counts.iter().map(|(l, v)| ((*l).to_owned(), *v)).collect(),
            cast: counts.iter().map(|(_, v)| v).sum(),
            outcome,
            reason: reason.into(),
        }
    }

    #[test]
    fn the_record_says_each_act_in_words() {
        assert_eq!(act_in_words("election_publish"), "Roll published");
        assert_eq!(
            act_in_words("roll_challenge_resolve_refused"),
            "Challenge decided: refused"
        );
        assert_eq!(act_in_words("something_new"), "something new");
    }

    #[test]
    fn the_result_email_has_a_line_per_question_with_its_turnout_and_outcome() {
        let certified = Certified {
            questions: vec![
                view(
                    "Strike?",
                    &[("Yes", 4), ("No", 2)],
                    Outcome::Passed,
                    "Yes won with 4 votes of 6 (66.66%), reaching at least two thirds of the votes cast.",
                ),
                view(
                    "Which plan?",
                    &[("A", 3), ("B", 3)],
                    Outcome::NoChoiceWon,
                    "A and B are tied with 3 votes each.",
                ),
            ],
            online: 5,
            paper: 1,
        };
        assert_eq!(
            mail_lines("Strike vote", &certified, 9),
            [
                "Voting in \"Strike vote\" has closed. The certified result:",
                "Turnout: 6 of 9 eligible (66.66%) voted (5 online, 1 on paper).",
                "1. \"Strike?\" Yes 4, No 2; ballots cast 6 of 9 eligible (66.66%); outcome: passed. Yes won with 4 votes of 6 (66.66%), reaching at least two thirds of the votes cast.",
                "2. \"Which plan?\" A 3, B 3; ballots cast 6 of 9 eligible (66.66%); outcome: failed, no choice won. A and B are tied with 3 votes each.",
            ]
        );
        // An empty roll has no percentage to give.
        let empty = Certified {
            questions: Vec::new(),
            online: 0,
            paper: 0,
        };
        assert_eq!(
            mail_lines("Empty", &empty, 0)[1],
            "Turnout: 0 of 0 eligible voted (0 online, 0 on paper)."
        );
    }
}
