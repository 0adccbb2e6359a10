//! Elections move by the clock: a published election opens at its opening
//! time, an open one closes at its closing time, and scheduled reminders go
//! out once each. The per-election acts (`open`, `close`, `send_reminder`)
//! belong to the election store; this job only finds what is due.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::config::Config;
use crate::db::DbConnection;
use crate::db::schema::elections as el;
use crate::elections::store::{advance, send_reminder, vacuum_ballot_tables};

/// Sends each scheduled reminder whose time has come, once: the row is
/// claimed by setting `sent_at` where it is still empty, and only the
/// process whose update changed it sends the mail, in the same transaction.
pub fn send_due_reminders(
    conn: &mut DbConnection,
    config: &Config,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    use crate::db::schema::election_reminders as er_;
    let due: Vec<(i64, i64)> = er_::table
        .filter(er_::sent_at.is_null())
        .filter(er_::due_at.le(now))
        .select((er_::id, er_::election_id))
        .load(conn)?;
    let mut sent_total = 0;
    for (reminder, id) in due {
        sent_total +=
            crate::db::write_tx(conn, |conn| send_reminder(conn, config, reminder, id, now))?;
    }
    Ok(sent_total)
}

/// Advances every election whose opening or closing time has passed; the
/// job inside `serve` runs this, and each page does it for its election.
pub fn advance_due(
    conn: &mut DbConnection,
    config: &Config,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let due: Vec<i64> = el::table
        .filter(
            el::status
                .eq("published")
                .and(el::opens_at.le(now))
                .or(el::status.eq("open").and(el::closes_at.le(now))),
        )
        .select(el::id)
        .load(conn)?;
    for id in &due {
        // One election that cannot move on must not hold up the others, or
        // the rest of the job.
        if let Err(e) = crate::db::write_tx(conn, |conn| advance(conn, config, *id, now)) {
            tracing::warn!(election = id, error = %e, "cannot move the election on");
        }
    }
    if !due.is_empty() {
        vacuum_ballot_tables(conn);
    }
    if let Err(e) = send_due_reminders(conn, config, now) {
        tracing::warn!(error = %e, "cannot send election reminders");
    }
    Ok(due.len())
}
