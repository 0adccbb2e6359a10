//! The lifecycle past publishing: the roll freezes and the vote opens,
//! the vote closes with its count certified, the clock moves both along,
//! and a year after the close the ballots are purged.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::challenges;
use super::roll::{RollMail, mail_roll, roll_lines};
use super::{election, lock, record, results};
use crate::context::Context;
use crate::db::DbConnection;
use crate::db::schema::{
    ballots, elections as el, participation, roll_challenges as rc, roll_entries as re,
};
use crate::elections::rules;
use crate::elections::states::Status;
use crate::mail::preferences::NoticeKind;
use crate::record::entry::{Entry, Opening, RollSummary};
use crate::record::hexcode;

/// Why an act on the lifecycle was refused: the election is not where the
/// act needs it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleRefusal {
    #[error("Only a draft can be published, and only once its cut-off date has come.")]
    NotPublishable,
    #[error(
        "The vote opens {opens}, which leaves less than {days} days to check and challenge the roll. Edit the draft to open on or after {earliest}, then publish it."
    )]
    ChallengeWindowTooShort {
        /// When the draft opens, in words.
        opens: String,
        /// The least number of days.
        days: u32,
        /// The earliest opening that leaves the window, in words.
        earliest: String,
    },
    #[error("Only a published election can open.")]
    NotPublished,
    #[error(
        "Name at least two trustees first: they make the election's key, and the vote cannot open without it."
    )]
    NoTrustees,
    #[error(
        "The vote cannot open until every trustee has confirmed the election key. The election's page says which step they are at."
    )]
    KeyNotMade,
    #[error(
        "The vote cannot open until its credential officer has uploaded one public credential per member on the roll. Their page for this vote says how."
    )]
    CredentialsMissing,
    #[error("Only an open election can be closed.")]
    NotOpen,
    #[error(
        "Only a published vote whose key was never made can go back to a draft; once it has its key it opens, and only closing ends it."
    )]
    NotWithdrawable,
    #[error("Records are kept at least a year after the close.")]
    KeptAYear,
}

/// Freezes the roll and opens the vote: the fingerprint is fixed and the
/// eligible members are told. Returns the fingerprint, or `None` when it
/// was not published.
pub fn open(conn: &mut DbConnection, ctx: &Context, id: i64) -> QueryResult<Option<String>> {
    let row = lock(conn, id)?;
    if row.status != Status::Published || row.keyed_at.is_none() {
        return Ok(None);
    }
    // A vote with credentials opens only with one per roll entry in hand.
    let credentials = match row.credential_officer_id {
        Some(_) => match super::credentials::list_entry(conn, id)? {
            Some(list) => Some(list),
            None => return Ok(None),
        },
        None => None,
    };
    let now = ctx.now;
    let numbers = roll_lines(conn, id)?;
    let print = rules::fingerprint(&numbers);
    let commitments: Vec<Vec<crate::crypto::Point>> = record::entries(conn, id)?
        .into_iter()
        .filter_map(|e| match e {
            Entry::Trustee(t) => t
                .commitments
                .iter()
                .map(|c| hexcode::key_point(c, "a commitment").ok())
                .collect(),
            _ => None,
        })
        .collect();
    let key = crate::crypto::threshold::election_key(&commitments);
    if let Some(list) = credentials {
        record::append(conn, id, list)?;
    }
    record::append(
        conn,
        id,
        Entry::Open(Opening {
            key: hexcode::point(&key),
            roll: RollSummary {
                size: numbers.len() as u64,
                fingerprint: print.clone(),
            },
        }),
    )?;
    diesel::update(el::table.find(id))
        .set((
            el::status.eq(Status::Open),
            el::roll_fingerprint.eq(&print),
            el::eligible.eq(i32::try_from(numbers.len()).unwrap_or(i32::MAX)),
            el::opens_at.eq(row.opens_at.min(now)),
            el::updated_at.eq(now),
        ))
        .execute(conn)?;
    // Challenges still open at the freeze can no longer change the roll.
    challenges::reject_open_challenges(conn, ctx, &row)?;
    let closes = crate::elections::local_time(&ctx.config, row.closes_at);
    mail_roll(
        conn,
        &RollMail {
            kind: NoticeKind::Election,
            only_not_voted: false,
            subject: format!("vote now: {}", row.title),
            lines: vec![
                format!("Voting in \"{}\" is open until {closes}.", row.title),
                format!("The roll's fingerprint is {print}."),
            ],
            election_id: id,
            invite: true,
            ctx,
        },
    )?;
    Ok(Some(print))
}

/// Closes the vote: no ballot is taken after it, and the record gets the
/// close and the encrypted sums for the trustees to decrypt. An empty
/// `reason` is the close at the closing time. Returns false when it was
/// not open.
pub fn close(conn: &mut DbConnection, ctx: &Context, id: i64, reason: &str) -> QueryResult<bool> {
    let row = lock(conn, id)?;
    if row.status != Status::Open || row.closed_at.is_some() {
        return Ok(false);
    }
    let now = ctx.now;
    let closed_at = if reason.is_empty() {
        row.closes_at.min(now)
    } else {
        now
    };
    diesel::update(el::table.find(id))
        .set((
            el::closed_at.eq(closed_at),
            el::close_reason.eq(reason),
            el::updated_at.eq(now),
        ))
        .execute(conn)?;
    let entries = record::entries(conn, id)?;
    let choices: Vec<usize> = super::questions(conn, id)?
        .iter()
        .map(|q| q.choices.len())
        .collect();
    // Every ballot's proofs were checked before it was appended: the close
    // only adds them up (anyone re-checks them with the verifier).
    let cast: Vec<&crate::record::entry::BallotEntry> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Ballot(b) => Some(b),
            _ => None,
        })
        .collect();
    let credentialed = entries.iter().any(|e| matches!(e, Entry::Credentials(_)));
    let counted = crate::record::tally::counted(&cast, credentialed);
    let ballots: Vec<_> = counted
        .iter()
        .filter_map(|&i| crate::record::ballot::ciphertexts(cast[i]).ok())
        .collect();
    // The counted trackers are what members look for after the close: a
    // ballot its voter replaced stays in the record and leaves the list.
    if counted.len() < cast.len() {
        let kept: std::collections::HashSet<usize> = counted.iter().copied().collect();
        let replaced: Vec<&str> = (0..cast.len())
            .filter(|i| !kept.contains(i))
            .map(|i| cast[i].tracker.as_str())
            .collect();
        diesel::delete(
            ballots::table
                .filter(ballots::election_id.eq(id))
                .filter(ballots::tracking_code.eq_any(replaced)),
        )
        .execute(conn)?;
    }
    record::append(
        conn,
        id,
        Entry::Close(crate::record::entry::Closing {
            ballots: cast.len() as u64,
            counted: credentialed.then_some(ballots.len() as u64),
        }),
    )?;
    let sums = crate::record::tally::sum(&choices, ballots.iter());
    record::append(
        conn,
        id,
        Entry::Sums(crate::record::tally::sums_entry(&sums)),
    )?;
    super::trustees::tell(
        conn,
        ctx,
        &row,
        "decrypt the result",
        &format!(
            "The vote \"{}\" has closed. Your trustee page checks the whole record and, if it holds, sends your share of the decryption; the result is counted once {} trustees have sent theirs.",
            row.title, row.threshold
        ),
    )?;
    Ok(true)
}

/// Decrypts the sums once enough trustees' shares are in: appends the
/// result, stores it as the certified count, adopts a dues rate whose
/// question passed, and tells the roll. Returns false when the shares are
/// not enough yet (or it is already done).
pub fn finish(conn: &mut DbConnection, ctx: &Context, id: i64) -> QueryResult<bool> {
    let row = lock(conn, id)?;
    if row.status != Status::Open || row.closed_at.is_none() {
        return Ok(false);
    }
    let now = ctx.now;
    let text = record::text(conn, id)?;
    let Some(decrypted) = super::trustees::decrypt(&text)? else {
        return Ok(false);
    };
    let eligible_n = row.eligible.unwrap_or(0).max(0) as u64;
    let voted: u64 = decrypted.first().map_or(0, |q| q.iter().sum());
    record::append(
        conn,
        id,
        Entry::Result(crate::record::entry::ResultEntry {
            questions: decrypted
                .iter()
                .enumerate()
                .map(|(q, counts)| crate::record::entry::QuestionCounts {
                    question: q as u32 + 1,
                    counts: counts.clone(),
                })
                .collect(),
            voted,
            eligible: eligible_n,
        }),
    )?;
    diesel::update(el::table.find(id))
        .set((el::status.eq(Status::Closed), el::updated_at.eq(now)))
        .execute(conn)?;
    results::certify(conn, &row, &decrypted, now)?;
    // The email says what the certified record says, read back from it.
    let certified = results::certified(conn, &row)?;
    let eligible = i64::from(row.eligible.unwrap_or(0));
    rewrite_ballots(conn, id)?;
    mail_roll(
        conn,
        &RollMail {
            kind: NoticeKind::Election,
            only_not_voted: false,
            subject: format!("result: {}", row.title),
            lines: results::mail_lines(&row.title, &certified, eligible),
            election_id: id,
            invite: false,
            ctx,
        },
    )?;
    Ok(true)
}

/// Moves an election along by the clock inside the caller's transaction:
/// opens a published election at its opening time and closes an open one
/// at its closing time. Every act that depends on the status runs this
/// first; the clock job runs it for every election that is due. True when
/// it closed the vote: the caller vacuums once the transaction commits.
pub fn advance(conn: &mut DbConnection, ctx: &Context, id: i64) -> QueryResult<bool> {
    let row = election(conn, id)?;
    if row.status == Status::Published && row.keyed_at.is_some() && ctx.now >= row.opens_at {
        open(conn, ctx, id)?;
    }
    let row = election(conn, id)?;
    if row.status == Status::Open && row.closed_at.is_none() && ctx.now >= row.closes_at {
        return close(conn, ctx, id, "");
    }
    Ok(false)
}

/// The elections whose opening or closing time has passed.
pub fn due(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<Vec<i64>> {
    el::table
        .filter(
            el::status
                .eq(Status::Published)
                .and(el::keyed_at.is_not_null())
                .and(el::opens_at.le(now))
                .or(el::status
                    .eq(Status::Open)
                    .and(el::closed_at.is_null())
                    .and(el::closes_at.le(now))),
        )
        .select(el::id)
        .load(conn)
}

/// On PostgreSQL, every row keeps the id of the transaction that wrote it
/// (`xmin`) and sits where it was written (`ctid`): a cast's participation
/// and ballot rows would share one and sit in casting order. At the close
/// this election's rows are taken out and written back in key order inside
/// the close's transaction, so all share its id and the order of the random
/// codes. (SQLite keeps no such column; its WITHOUT ROWID tables are stored
/// in key order.) `vacuum_ballot_tables` then clears the old row versions.
fn rewrite_ballots(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    let DbConnection::Postgres(pg) = conn else {
        return Ok(());
    };
    use diesel::connection::SimpleConnection;
    pg.batch_execute(&format!(
        "CREATE TEMP TABLE rewrite_ballots ON COMMIT DROP AS SELECT * FROM ballots WHERE election_id = {id};
         CREATE TEMP TABLE rewrite_participation ON COMMIT DROP AS SELECT * FROM participation WHERE election_id = {id};
         DELETE FROM ballots WHERE election_id = {id};
         DELETE FROM participation WHERE election_id = {id};
         INSERT INTO ballots SELECT * FROM rewrite_ballots ORDER BY tracking_code;
         INSERT INTO participation SELECT * FROM rewrite_participation ORDER BY member_id;"
    ))
}

/// Clears the row versions a close left behind (PostgreSQL only; it cannot
/// run inside a transaction, so callers run it after the close commits).
pub fn vacuum_ballot_tables(conn: &mut DbConnection) {
    if let DbConnection::Postgres(pg) = conn {
        use diesel::connection::SimpleConnection;
        if let Err(e) = pg.batch_execute("VACUUM ballots, participation") {
            tracing::warn!(error = %e, "vacuum after an election's close");
        }
    }
}

/// When the records of an election closed at `closed_at` may be purged.
pub fn purge_from(closed_at: NaiveDateTime) -> NaiveDateTime {
    closed_at + chrono::Duration::days(365)
}

/// Deletes the roll, participation and ballots a year after the close,
/// keeping the certified result.
pub fn purge(
    conn: &mut DbConnection,
    id: i64,
    now: NaiveDateTime,
) -> QueryResult<Result<(), LifecycleRefusal>> {
    let row = lock(conn, id)?;
    let due = row.closed_at.is_some_and(|c| now >= purge_from(c));
    if !due || row.purged_at.is_some() {
        return Ok(Err(LifecycleRefusal::KeptAYear));
    }
    diesel::delete(ballots::table.filter(ballots::election_id.eq(id))).execute(conn)?;
    diesel::delete(participation::table.filter(participation::election_id.eq(id))).execute(conn)?;
    diesel::delete(
        crate::db::schema::ballot_alphas::table
            .filter(crate::db::schema::ballot_alphas::election_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(re::table.filter(re::election_id.eq(id))).execute(conn)?;
    diesel::delete(rc::table.filter(rc::election_id.eq(id))).execute(conn)?;
    diesel::update(el::table.find(id))
        .set((el::purged_at.eq(now), el::updated_at.eq(now)))
        .execute(conn)?;
    Ok(Ok(()))
}
