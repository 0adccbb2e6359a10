//! Casting: one ballot and the member's participation in one transaction,
//! online or on paper, and what officers may see while the vote runs (how
//! many voted, and who; never how).

use diesel::prelude::*;

use super::record;
use super::{lock, on_roll, questions};
use crate::db::DbConnection;
use crate::db::schema::{ballots, members, participation, roll_entries as re};
use crate::elections::states::Method;
use crate::record::ballot;
use crate::record::entry::{BallotEntry, CastBy, Entry};
use crate::record::hexcode;

/// Why a ballot was not taken. The words go into the audit log (never the
/// choice) and, for a paper ballot, onto the officer's screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No such election, or none this member may see: answered as a 404.
    #[error("no such election for this member")]
    Hidden,
    #[error("not open")]
    NotOpen,
    #[error("not on the roll")]
    NotOnRoll,
    #[error("already voted")]
    AlreadyVoted,
    /// An answer missing, twice, or not among the question's choices.
    #[error("an answer is missing, given twice, or not one of the question's choices")]
    BadAnswers,
}

/// True when the member has voted (online or on paper).
pub fn has_voted(conn: &mut DbConnection, id: i64, member_id: i64) -> QueryResult<bool> {
    Ok(participation::table
        .filter(participation::election_id.eq(id))
        .filter(participation::member_id.eq(member_id))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// Whether the member may vote in an election that is (`accepting`) or is
/// not taking ballots: the checks a cast makes before it reads the answers.
pub fn standing(
    conn: &mut DbConnection,
    id: i64,
    accepting: bool,
    member_id: i64,
) -> QueryResult<Result<(), Refusal>> {
    Ok(if !accepting {
        Err(Refusal::NotOpen)
    } else if !on_roll(conn, id, member_id)? {
        Err(Refusal::NotOnRoll)
    } else if has_voted(conn, id, member_id)? {
        Err(Refusal::AlreadyVoted)
    } else {
        Ok(())
    })
}

/// Records one ballot and the member's participation together. `answers`
/// pairs each question with the chosen choice. The caller moves the
/// election on first (`lifecycle::advance`) in the same transaction.
pub fn cast(
    conn: &mut DbConnection,
    id: i64,
    member_id: i64,
    answers: &[(i64, i64)],
    method: Method,
    now: chrono::NaiveDateTime,
) -> QueryResult<Result<String, Refusal>> {
    // Casts take the row for update, one after another on PostgreSQL too:
    // each appends the next line of the record after the one before.
    let row = lock(conn, id)?;
    if let Err(refusal) = standing(conn, id, row.accepting(now), member_id)? {
        return Ok(Err(refusal));
    }
    let questions = questions(conn, id)?;
    let fits = answers.len() == questions.len()
        && questions.iter().all(|q| {
            answers
                .iter()
                .filter(|(qid, _)| *qid == q.id)
                .map(|(_, cid)| q.choices.iter().any(|(c, _)| c == cid))
                .collect::<Vec<_>>()
                == [true]
        });
    if !fits {
        return Ok(Err(Refusal::BadAnswers));
    }
    // The server encrypts for a voter without JavaScript and for paper: the
    // choice exists here only until this function returns, and is stored
    // nowhere but in the ciphertexts.
    let selected: Vec<usize> = questions
        .iter()
        .map(|q| {
            let chosen = answers
                .iter()
                .find(|(qid, _)| *qid == q.id)
                .map(|(_, c)| *c);
            q.choices
                .iter()
                .position(|(c, _)| Some(*c) == chosen)
                .unwrap_or(0)
        })
        .collect();
    let choices: Vec<usize> = questions.iter().map(|q| q.choices.len()).collect();
    let (key, fingerprint) = election_key(conn, id)?;
    let by = match method {
        Method::Online => CastBy::Server,
        Method::Paper => CastBy::Paper,
    };
    let made = ballot::encrypt(&key, &fingerprint, None, by, &choices, &selected);
    append_ballot(conn, id, member_id, method, made.entry).map(Ok)
}

/// The election key and fingerprint, from the record.
pub fn election_key(
    conn: &mut DbConnection,
    id: i64,
) -> QueryResult<(crate::crypto::Point, [u8; 32])> {
    let fingerprint = record::fingerprint(conn, id)?.ok_or(diesel::result::Error::NotFound)?;
    let key = record::entries(conn, id)?
        .into_iter()
        .find_map(|e| match e {
            Entry::Open(o) => hexcode::key_point(&o.key, "the key").ok(),
            _ => None,
        })
        .ok_or(diesel::result::Error::NotFound)?;
    Ok((key, fingerprint))
}

/// Records the member's participation and appends their checked ballot,
/// in the caller's transaction. Returns the tracker.
fn append_ballot(
    conn: &mut DbConnection,
    id: i64,
    member_id: i64,
    method: Method,
    entry: BallotEntry,
) -> QueryResult<String> {
    diesel::insert_into(participation::table)
        .values((
            participation::election_id.eq(id),
            participation::member_id.eq(member_id),
            participation::method.eq(method),
        ))
        .execute(conn)?;
    let tracker = entry.tracker.clone();
    // The primary key refuses a tracker already cast.
    diesel::insert_into(ballots::table)
        .values((
            ballots::election_id.eq(id),
            ballots::tracking_code.eq(&tracker),
        ))
        .execute(conn)?;
    record::append(conn, id, Entry::Ballot(entry))?;
    Ok(tracker)
}

/// Turnout while the vote runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Turnout {
    pub online: i64,
    pub paper: i64,
    pub eligible: i64,
}

impl Turnout {
    /// Everyone who voted, either way.
    pub fn voted(&self) -> i64 {
        self.online + self.paper
    }
}

/// How many have voted each way, of how many on the roll.
pub fn turnout(conn: &mut DbConnection, id: i64) -> QueryResult<Turnout> {
    let methods: Vec<Method> = participation::table
        .filter(participation::election_id.eq(id))
        .select(participation::method)
        .load(conn)?;
    let online = methods.iter().filter(|m| **m == Method::Online).count();
    let eligible: i64 = re::table
        .filter(re::election_id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(Turnout {
        online: i64::try_from(online).unwrap_or(0),
        paper: i64::try_from(methods.len() - online).unwrap_or(0),
        eligible,
    })
}

/// Who has voted, for officers: "Last, First", number, method.
pub fn voters(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<(String, String, Method)>> {
    Ok(participation::table
        .inner_join(members::table)
        .filter(participation::election_id.eq(id))
        .order((members::last_name.asc(), members::first_name.asc()))
        .select((
            members::first_name,
            members::last_name,
            members::employee_number,
            participation::method,
        ))
        .load::<(String, String, String, Method)>(conn)?
        .into_iter()
        .map(|(f, l, n, m)| (format!("{l}, {f}"), n, m))
        .collect())
}

/// Who on the roll has not voted yet, for reminders: "Last, First", number.
pub fn not_voted(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<(String, String)>> {
    let voted: std::collections::HashSet<i64> = participation::table
        .filter(participation::election_id.eq(id))
        .select(participation::member_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    Ok(re::table
        .inner_join(members::table.on(members::id.eq(re::member_id)))
        .filter(re::election_id.eq(id))
        .order((members::last_name.asc(), members::first_name.asc()))
        .select((
            re::member_id,
            members::first_name,
            members::last_name,
            re::employee_number,
        ))
        .load::<(i64, String, String, String)>(conn)?
        .into_iter()
        .filter(|(member, ..)| !voted.contains(member))
        .map(|(_, f, l, n)| (format!("{l}, {f}"), n))
        .collect())
}
