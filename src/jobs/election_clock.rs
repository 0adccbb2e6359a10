//! Elections move by the clock: a published election opens at its opening
//! time, an open one closes at its closing time, and scheduled reminders go
//! out once each. The per-election acts (`advance`, `send_reminder`) belong
//! to the election store; this job only finds what is due. Pages never move
//! an election on: they show it by the clock until this job, or the next
//! act that needs it, does.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::config::Config;
use crate::context::Context;
use crate::db::{DbConnection, write_tx};
use crate::elections::store::{lifecycle, reminders};

/// The job's circumstances: the command line acting at `now`.
fn context(config: &Config, now: NaiveDateTime) -> Context {
    Context {
        now,
        ..Context::command_line(config)
    }
}

/// Sends each scheduled reminder whose time has come, once: the row is
/// claimed by setting `sent_at` where it is still empty, and only the
/// process whose update changed it sends the mail, in the same transaction.
pub fn send_due_reminders(
    conn: &mut DbConnection,
    config: &Config,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let ctx = context(config, now);
    let mut sent_total = 0;
    for (reminder, id) in reminders::due(conn, now)? {
        sent_total += write_tx(conn, |conn| {
            reminders::send_reminder(conn, &ctx, reminder, id)
        })?;
    }
    Ok(sent_total)
}

/// Advances every election whose opening or closing time has passed, then
/// sends the reminders that are due; the job inside `serve` runs this.
pub fn advance_due(
    conn: &mut DbConnection,
    config: &Config,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let ctx = context(config, now);
    let due = lifecycle::due(conn, now)?;
    for id in &due {
        // One election that cannot move on must not hold up the others, or
        // the rest of the job.
        if let Err(e) = write_tx(conn, |conn| lifecycle::advance(conn, &ctx, *id).map(drop)) {
            tracing::warn!(election = id, error = %e, "cannot move the election on");
        }
    }
    if !due.is_empty() {
        lifecycle::vacuum_ballot_tables(conn);
    }
    if let Err(e) = send_due_reminders(conn, config, now) {
        tracing::warn!(error = %e, "cannot send election reminders");
    }
    Ok(due.len())
}
