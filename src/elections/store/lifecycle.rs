//! The lifecycle past publishing: the roll freezes and the vote opens,
//! the vote closes with its count certified, the clock moves both along,
//! and a year after the close the ballots are purged.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::challenges;
use super::roll::{RollMail, mail_roll, roll_numbers};
use super::{election, lock, results};
use crate::context::Context;
use crate::db::DbConnection;
use crate::db::schema::{
    ballot_answers as ba, ballots, elections as el, participation, roll_challenges as rc,
    roll_entries as re,
};
use crate::elections::rules;
use crate::elections::states::Status;
use crate::mail::preferences::NoticeKind;

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
    #[error("Only an open election can be closed.")]
    NotOpen,
    #[error("Records are kept at least a year after the close.")]
    KeptAYear,
}

/// Freezes the roll and opens the vote: the fingerprint is fixed and the
/// eligible members are told. Returns the fingerprint, or `None` when it
/// was not published.
pub fn open(conn: &mut DbConnection, ctx: &Context, id: i64) -> QueryResult<Option<String>> {
    let row = lock(conn, id)?;
    if row.status != Status::Published {
        return Ok(None);
    }
    let now = ctx.now;
    let numbers = roll_numbers(conn, id)?;
    let print = rules::fingerprint(&numbers);
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
            config: &ctx.config,
        },
    )?;
    Ok(Some(print))
}

/// Closes the vote: counts every question, decides it by its rule,
/// stores the certified result, adopts a dues rate whose question passed,
/// and tells the roll. An empty `reason` is the close at the closing time.
/// Returns false when it was not open.
pub fn close(conn: &mut DbConnection, ctx: &Context, id: i64, reason: &str) -> QueryResult<bool> {
    let row = lock(conn, id)?;
    if row.status != Status::Open {
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
            el::status.eq(Status::Closed),
            el::closed_at.eq(closed_at),
            el::close_reason.eq(reason),
            el::updated_at.eq(now),
        ))
        .execute(conn)?;
    results::certify(conn, &row, now)?;
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
            config: &ctx.config,
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
    if row.status == Status::Published && ctx.now >= row.opens_at {
        open(conn, ctx, id)?;
    }
    let row = election(conn, id)?;
    if row.status == Status::Open && ctx.now >= row.closes_at {
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
                .and(el::opens_at.le(now))
                .or(el::status.eq(Status::Open).and(el::closes_at.le(now))),
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
        "CREATE TEMP TABLE rewrite_answers ON COMMIT DROP AS SELECT * FROM ballot_answers WHERE election_id = {id};
         CREATE TEMP TABLE rewrite_ballots ON COMMIT DROP AS SELECT * FROM ballots WHERE election_id = {id};
         CREATE TEMP TABLE rewrite_participation ON COMMIT DROP AS SELECT * FROM participation WHERE election_id = {id};
         DELETE FROM ballot_answers WHERE election_id = {id};
         DELETE FROM ballots WHERE election_id = {id};
         DELETE FROM participation WHERE election_id = {id};
         INSERT INTO ballots SELECT * FROM rewrite_ballots ORDER BY tracking_code;
         INSERT INTO ballot_answers SELECT * FROM rewrite_answers ORDER BY tracking_code, question_id;
         INSERT INTO participation SELECT * FROM rewrite_participation ORDER BY member_id;"
    ))
}

/// Clears the row versions a close left behind (PostgreSQL only; it cannot
/// run inside a transaction, so callers run it after the close commits).
pub fn vacuum_ballot_tables(conn: &mut DbConnection) {
    if let DbConnection::Postgres(pg) = conn {
        use diesel::connection::SimpleConnection;
        if let Err(e) = pg.batch_execute("VACUUM ballots, ballot_answers, participation") {
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
    diesel::delete(ba::table.filter(ba::election_id.eq(id))).execute(conn)?;
    diesel::delete(ballots::table.filter(ballots::election_id.eq(id))).execute(conn)?;
    diesel::delete(participation::table.filter(participation::election_id.eq(id))).execute(conn)?;
    diesel::delete(re::table.filter(re::election_id.eq(id))).execute(conn)?;
    diesel::delete(rc::table.filter(rc::election_id.eq(id))).execute(conn)?;
    diesel::update(el::table.find(id))
        .set((el::purged_at.eq(now), el::updated_at.eq(now)))
        .execute(conn)?;
    Ok(Ok(()))
}
