//! Who is behind on their dues on a day, and the notices that tell them.

use std::collections::HashSet;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::due::falls_due;
use super::ledger::EntryKind;
use super::owed::{self, DuesOn};
use crate::audit::{self, Entry};
use crate::db::DbConnection;
use crate::db::schema::{ledger_entries as le, members, units};
use crate::money::Cents;

/// The members of the unit with a check-off deduction for the latest month
/// whose dues have fallen due by `day`.
fn deducted_for_latest_due_month(
    conn: &mut DbConnection,
    unit_id: i64,
    day: NaiveDate,
) -> QueryResult<HashSet<i64>> {
    let grace: i32 = units::table
        .find(unit_id)
        .select(units::grace_days)
        .first(conn)?;
    let grace = u32::try_from(grace).unwrap_or(0);
    // The month before the latest one begun is the last that can be due.
    let mut month = super::ledger::first_of_month(day);
    while falls_due(month, grace) >= day {
        month = super::ledger::previous_month(month);
    }
    let period = month.format("%Y-%m").to_string();
    let ids: Vec<i64> = le::table
        .inner_join(members::table)
        .filter(members::unit_id.eq(unit_id))
        .filter(le::kind.eq(EntryKind::Checkoff))
        .filter(le::period.eq(&period))
        .filter(le::reverses_id.is_null())
        .select(le::member_id)
        .load(conn)?;
    Ok(ids.into_iter().collect())
}

/// What sending arrears notices did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoticeCount {
    /// Queued.
    pub sent: usize,
    /// Behind, but the check-off for the latest month due holds their
    /// deduction: the employer is paying, so no notice.
    pub covered: usize,
    /// Already sent one this month.
    pub already: usize,
    /// No email on the roster.
    pub no_email: usize,
    /// Turned the notice off.
    pub declined: usize,
}

/// Queues an arrears notice to every member of the unit in arrears today,
/// at most one a month each, respecting those who turned them off and
/// never to one whose deduction for the latest month due is imported.
pub fn send_arrears_notices(
    conn: &mut DbConnection,
    unit_id: i64,
    ctx: &crate::context::Context,
) -> QueryResult<NoticeCount> {
    let (config, actor, now) = (&ctx.config, &ctx.actor, ctx.now);
    use crate::db::schema::{arrears_notices as an, users};
    use crate::mail::Notice;
    // The local's date: near midnight UTC and local dates differ.
    let today = ctx.today;
    let month = today.format("%Y-%m").to_string();
    let dues = owed::dues_on_days(conn, owed::Whose::Unit(unit_id), &[today])?
        .pop()
        .unwrap_or_default();
    let covered = deducted_for_latest_due_month(conn, unit_id, today)?;
    let people: Vec<(i64, String, String, Option<String>)> = members::table
        .filter(members::unit_id.eq(unit_id))
        .select((
            members::id,
            members::first_name,
            members::last_name,
            members::email,
        ))
        .load(conn)?;
    let mut count = NoticeCount::default();
    for (id, first, last, email) in people {
        let Some(DuesOn { standing, owed, .. }) =
            dues.get(&id).filter(|d| d.standing.months_behind > 0)
        else {
            continue;
        };
        if covered.contains(&id) {
            count.covered += 1;
            continue;
        }
        let Some(email) = email else {
            count.no_email += 1;
            continue;
        };
        let sent: i64 = an::table
            .filter(an::member_id.eq(id))
            .filter(an::month.eq(&month))
            .count()
            .get_result(conn)?;
        if sent > 0 {
            count.already += 1;
            continue;
        }
        let account: Option<i64> = users::table
            .filter(users::email.eq(&email))
            .select(users::id)
            .first(conn)
            .optional()?;
        if let Some(user_id) = account
            && !crate::mail::preferences::wants(
                conn,
                user_id,
                crate::mail::preferences::NoticeKind::Arrears,
            )?
        {
            count.declined += 1;
            continue;
        }
        let message = crate::mail::messages::ArrearsNotice {
            local_name: config.local_name.clone(),
            name: format!("{first} {last}"),
            owed: owed.owed.to_string(),
            months_behind: standing.months_behind,
            link: config.link("/dues"),
        }
        .to(&email)
        .map_err(|e| diesel::result::Error::QueryBuilderError(Box::new(e)))?;
        crate::mail::outbox::enqueue(conn, &message, &config.mail_domain())?;
        diesel::insert_into(an::table)
            .values((
                an::member_id.eq(id),
                an::month.eq(&month),
                an::sent_at.eq(now),
            ))
            .execute(conn)?;
        count.sent += 1;
    }
    let unit: String = units::table.find(unit_id).select(units::name).first(conn)?;
    audit::record(
        conn,
        now,
        Entry {
            actor,
            action: "arrears_notices",
            target: &unit,
            detail: &format!(
                "{} sent, {} already this month, {} covered by the check-off, {} without email, {} turned off",
                count.sent, count.already, count.covered, count.no_email, count.declined
            ),
        },
    )?;
    Ok(count)
}

/// One line of the arrears list.
#[derive(Debug, Clone)]
pub struct ArrearsLine {
    /// The roster entry.
    pub member_id: i64,
    /// The employer's id.
    pub employee_number: String,
    /// "Family, Given".
    pub name: String,
    /// What they owe on the day.
    pub owed: Cents,
    /// How many months of dues that is, past the unit's allowance.
    pub months_behind: i64,
}

/// Everyone in unit `unit_id` behind on their dues on `day`, by name.
pub fn arrears(
    conn: &mut DbConnection,
    unit_id: i64,
    day: NaiveDate,
) -> QueryResult<Vec<ArrearsLine>> {
    let dues = owed::dues_on_days(conn, owed::Whose::Unit(unit_id), &[day])?
        .pop()
        .unwrap_or_default();
    let people: Vec<(i64, String, String, String)> = members::table
        .filter(members::unit_id.eq(unit_id))
        .order((members::last_name.asc(), members::first_name.asc()))
        .select((
            members::id,
            members::employee_number,
            members::last_name,
            members::first_name,
        ))
        .load(conn)?;
    Ok(people
        .into_iter()
        .filter_map(|(id, number, last, first)| {
            let DuesOn { standing, owed, .. } = *dues.get(&id)?;
            (standing.months_behind > 0).then(|| ArrearsLine {
                member_id: id,
                employee_number: number,
                name: format!("{last}, {first}"),
                owed: owed.owed,
                months_behind: standing.months_behind,
            })
        })
        .collect())
}
