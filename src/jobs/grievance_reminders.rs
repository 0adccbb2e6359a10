//! Deadline reminders: the assigned steward hears 5 days and 1 day before
//! each deadline. The job runs inside every `serve` process; the
//! `deadline_reminders` key makes each reminder go out at most once, since
//! the row and its mail are written in one transaction and a second process
//! finds the row already there.

use chrono::{Days, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::clock::long_date;
use crate::config::Config;
use crate::db::schema::deadline_reminders as dr;
use crate::db::{DbConnection, write_tx};
use crate::grievances::notices;
use crate::grievances::store::{self as case_store, number, reads};

/// Days before a deadline when the steward is reminded.
pub const DAYS_BEFORE: [i32; 2] = [5, 1];

/// Sends the reminders due today. Returns how many mails were queued.
pub fn run_once(
    conn: &mut DbConnection,
    config: &Config,
    today: NaiveDate,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let horizon = today + Days::new(5);
    let due = reads::due_within(conn, today, horizon)?;
    let mut sent = 0;
    for reads::DueDeadline {
        id,
        steward_id,
        due_on,
        due_act,
        due_basis: basis,
    } in due
    {
        let Some(steward) = steward_id else {
            continue;
        };
        let left = i32::try_from((due_on - today).num_days()).unwrap_or(i32::MAX);
        // Only the nearest reminder that is due: a server that was down at
        // the 5-day mark does not send it late next to the 1-day one.
        let Some(days_before) = DAYS_BEFORE.iter().copied().filter(|d| left <= *d).min() else {
            continue;
        };
        sent += write_tx(conn, |conn| {
            // The case may have moved on, or its steward lost the role,
            // since the list was read; only a current deadline is reminded.
            let row = case_store::lock(conn, id)?;
            let still_due =
                row.is_open() && row.steward_id == Some(steward) && row.due_on == Some(due_on);
            if !still_due || !case_store::carries_cases(conn, steward)? {
                return Ok(0);
            }
            let claimed = claim(conn, id, due_on, days_before, steward, now)?;
            if !claimed {
                return Ok::<_, diesel::result::Error>(0);
            }
            let when = match left {
                0 => "today".to_owned(),
                1 => "tomorrow".to_owned(),
                n => format!("in {n} days"),
            };
            notices::send(
                conn,
                config,
                &[steward],
                crate::mail::preferences::NoticeKind::DeadlineReminders,
                id,
                &format!("grievance {} deadline {when}", number(id)),
                vec![
                    format!(
                        "Grievance {}: {due_act} by {} ({when}).",
                        number(id),
                        long_date(due_on)
                    ),
                    format!("How it was computed: {basis}."),
                ],
            )
        })?;
    }
    Ok(sent)
}

/// Records the reminder; false when some process already did.
fn claim(
    conn: &mut DbConnection,
    id: i64,
    due_on: NaiveDate,
    days_before: i32,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let exists: i64 = dr::table
        .filter(dr::grievance_id.eq(id))
        .filter(dr::due_on.eq(due_on))
        .filter(dr::days_before.eq(days_before))
        .filter(dr::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(false);
    }
    let row = (
        dr::grievance_id.eq(id),
        dr::due_on.eq(due_on),
        dr::days_before.eq(days_before),
        dr::user_id.eq(user_id),
        dr::sent_at.eq(now),
    );
    // Two processes can both see no row; the primary key lets one insert
    // win, and the loser's insert changes nothing.
    let inserted = match conn {
        DbConnection::Postgres(pg) => diesel::insert_into(dr::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(pg)?,
        DbConnection::Sqlite(lite) => diesel::insert_or_ignore_into(dr::table)
            .values(row)
            .execute(lite)?,
    };
    Ok(inserted == 1)
}
