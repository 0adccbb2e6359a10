//! Reminders an officer schedules for those on the roll who have not
//! voted: each row is claimed once, by whichever process sends it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::election;
use super::roll::{RollMail, mail_roll};
use crate::context::Context;
use crate::db::DbConnection;
use crate::db::schema::election_reminders as er_;
use crate::elections::states::Status;
use crate::forms::FieldProblem;
use crate::mail::preferences::NoticeKind;

/// Why a reminder was not scheduled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReminderRefusal {
    /// The time did not read as a local date and time.
    #[error("{0}")]
    BadTime(String),
    #[error("Reminders can be scheduled only before or during the vote.")]
    NotRunning,
    #[error("A reminder must go out before the vote closes.")]
    AfterClose,
    /// A time already gone would send at once, beside one already sent.
    #[error("That time has passed: leave the time empty to send the reminder now.")]
    Past,
}

impl FieldProblem for ReminderRefusal {
    fn field(&self) -> &'static str {
        match self {
            Self::BadTime(_) | Self::AfterClose | Self::Past => "at",
            // About the election, not the time typed: shown above the form.
            Self::NotRunning => "",
        }
    }
}

/// What a scheduled reminder did: went out at once to this many, or waits.
pub enum Scheduled {
    SentNow(usize),
    Later(NaiveDateTime),
}

/// Schedules a reminder at `at` (now when `None`); one due now goes out at
/// once rather than at the job's next turn.
pub fn schedule(
    conn: &mut DbConnection,
    ctx: &Context,
    id: i64,
    at: Option<NaiveDateTime>,
) -> QueryResult<Result<Scheduled, ReminderRefusal>> {
    // A minute's slack: a time typed as "now" is already a little past.
    if at.is_some_and(|at| at < ctx.now - chrono::Duration::minutes(1)) {
        return Ok(Err(ReminderRefusal::Past));
    }
    let at = at.unwrap_or(ctx.now);
    let row = election(conn, id)?;
    if row.status != Status::Open && row.status != Status::Published {
        return Ok(Err(ReminderRefusal::NotRunning));
    }
    if at >= row.closes_at {
        return Ok(Err(ReminderRefusal::AfterClose));
    }
    diesel::insert_into(er_::table)
        .values((er_::election_id.eq(id), er_::due_at.eq(at)))
        .execute(conn)?;
    let reminder = crate::db::last_insert_id(conn)?;
    Ok(Ok(if at <= ctx.now {
        Scheduled::SentNow(send_reminder(conn, ctx, reminder, id)?)
    } else {
        Scheduled::Later(at)
    }))
}

/// Claims and sends one reminder inside the caller's transaction; 0 when
/// another process claimed it first or the vote is not open.
pub fn send_reminder(
    conn: &mut DbConnection,
    ctx: &Context,
    reminder: i64,
    id: i64,
) -> QueryResult<usize> {
    let claimed = diesel::update(er_::table.find(reminder).filter(er_::sent_at.is_null()))
        .set(er_::sent_at.eq(ctx.now))
        .execute(conn)?;
    let row = election(conn, id)?;
    if claimed == 0 || !row.accepting(ctx.now) {
        return Ok(0);
    }
    let closes = crate::elections::local_time(&ctx.config, row.closes_at);
    let sent = mail_roll(
        conn,
        &RollMail {
            kind: NoticeKind::ElectionReminders,
            only_not_voted: true,
            subject: format!("reminder: vote in {}", row.title),
            lines: vec![format!(
                "You have not voted in \"{}\" yet. Voting closes {closes}.",
                row.title
            )],
            election_id: id,
            invite: true,
            ctx,
        },
    )?;
    diesel::update(er_::table.find(reminder))
        .set(er_::recipients.eq(i32::try_from(sent).unwrap_or(0)))
        .execute(conn)?;
    Ok(sent)
}

/// The reminders not yet sent whose time has come: (reminder, election).
pub fn due(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<Vec<(i64, i64)>> {
    er_::table
        .filter(er_::sent_at.is_null())
        .filter(er_::due_at.le(now))
        .select((er_::id, er_::election_id))
        .load(conn)
}

/// A scheduled reminder as the officer sees it.
pub struct ReminderLine {
    pub due_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub recipients: Option<i32>,
}

impl ReminderLine {
    /// Whether it went, and to how many.
    pub fn state(&self) -> String {
        match (self.sent_at, self.recipients) {
            (Some(_), Some(n)) => format!("sent to {n}"),
            (Some(_), None) => "not sent: the vote was not open".to_owned(),
            (None, _) => "scheduled".to_owned(),
        }
    }
}

/// An election's reminders, by when they go.
pub fn of_election(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<ReminderLine>> {
    Ok(er_::table
        .filter(er_::election_id.eq(id))
        .order(er_::due_at.asc())
        .select((er_::due_at, er_::sent_at, er_::recipients))
        .load::<(NaiveDateTime, Option<NaiveDateTime>, Option<i32>)>(conn)?
        .into_iter()
        .map(|(due_at, sent_at, recipients)| ReminderLine {
            due_at,
            sent_at,
            recipients,
        })
        .collect())
}
