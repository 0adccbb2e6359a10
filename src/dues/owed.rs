//! What members owe as of a day, and the standing that follows: the one
//! reading of the ledger behind a member's page, the arrears list, the
//! notices and an election's roll. A charge counts once it falls due
//! (`due::falls_due`), and a check-off deduction with it (or from its own
//! date, if later); payments and adjustments from their own date; a
//! reversal from when the entry it cancels counted, so a mistake never
//! happened.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::due::{DatedEntry, Owed, falls_due, owed_as_of};
use super::ledger::{EntryKind, month_of_period, rate_on, rates};
use super::rules::{Rate, Standing, StandingFacts, Status, standing};
use crate::db::DbConnection;
use crate::db::schema::{ledger_entries as le, members, units};
use crate::money::Cents;
use crate::roster::status_history::{self, StatusChange};

/// A member's dues on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DuesOn {
    /// The day the figures are for.
    pub day: NaiveDate,
    /// Owed on the day, and on the ledger but not yet owing.
    pub owed: Owed,
    /// Good standing on the day, and months behind.
    pub standing: Standing,
}

impl DuesOn {
    /// The day, in words.
    pub fn day_words(&self) -> String {
        crate::clock::long_date(self.day)
    }

    /// What is owed in words: an amount, or an amount "in credit".
    pub fn owed_words(&self) -> String {
        if self.owed.owed.0 < 0 {
            format!("{} in credit", Cents(-self.owed.owed.0))
        } else {
            self.owed.owed.to_string()
        }
    }
}

/// What a unit's terms say about dues on a day.
#[derive(Debug, Clone, Copy)]
struct UnitTerms {
    allowance_months: i64,
    grace_days: u32,
    rate: Option<Rate>,
}

/// One stored entry as the as-of reading needs it.
type EntryRow = (
    i64,
    i64,
    NaiveDate,
    EntryKind,
    Option<String>,
    i64,
    Option<i64>,
);

/// The terms on `day` of every unit, or of the one asked for.
fn unit_terms(
    conn: &mut DbConnection,
    day: NaiveDate,
    only: Option<i64>,
) -> QueryResult<HashMap<i64, UnitTerms>> {
    let mut query = units::table
        .select((
            units::id,
            units::arrears_allowance_months,
            units::grace_days,
        ))
        .into_boxed();
    if let Some(unit) = only {
        query = query.filter(units::id.eq(unit));
    }
    let rows: Vec<(i64, i32, i32)> = query.load(conn)?;
    let mut terms = HashMap::new();
    for (id, allowance, grace) in rows {
        terms.insert(
            id,
            UnitTerms {
                allowance_months: i64::from(allowance),
                grace_days: u32::try_from(grace).unwrap_or(0),
                rate: rate_on(&rates(conn, id)?, day),
            },
        );
    }
    Ok(terms)
}

/// Every entry of the members asked for (all when `only` is None), dated
/// for the as-of reading, by member, each with its id.
fn dated_entries(
    conn: &mut DbConnection,
    only: Option<i64>,
    grace_of_member: &HashMap<i64, u32>,
) -> QueryResult<HashMap<i64, Vec<(i64, DatedEntry)>>> {
    let mut query = le::table
        .select((
            le::id,
            le::member_id,
            le::entry_date,
            le::kind,
            le::period,
            le::amount_cents,
            le::reverses_id,
        ))
        .into_boxed();
    if let Some(member) = only {
        query = query.filter(le::member_id.eq(member));
    }
    let rows: Vec<EntryRow> = query.load(conn)?;
    Ok(date_rows(rows, grace_of_member))
}

/// Entries dated for the as-of reading, by member, each with its id.
fn date_rows(
    rows: Vec<EntryRow>,
    grace_of_member: &HashMap<i64, u32>,
) -> HashMap<i64, Vec<(i64, DatedEntry)>> {
    // A reversal counts from when its original did: first date every entry.
    let mut counts_from: HashMap<i64, DatedEntry> = HashMap::new();
    for (id, member, entry_date, kind, period, amount, _) in &rows {
        let grace = grace_of_member.get(member).copied().unwrap_or(0);
        let month_due = period
            .as_deref()
            .and_then(month_of_period)
            .map(|month| falls_due(month, grace));
        let due_on = match kind {
            EntryKind::Charge => Some(month_due.unwrap_or_else(|| falls_due(*entry_date, grace))),
            // A deduction pays its month's charge: it counts when the charge
            // does (or later, if it came late), so nobody shows a credit
            // between payday and the end of the grace days.
            EntryKind::Checkoff => {
                month_due.map(|due| due.max(entry_date.pred_opt().unwrap_or(*entry_date)))
            }
            EntryKind::Payment | EntryKind::Adjustment => None,
        };
        counts_from.insert(
            *id,
            DatedEntry {
                amount: Cents(*amount),
                entry_date: *entry_date,
                due_on,
            },
        );
    }
    let mut by_member: HashMap<i64, Vec<(i64, DatedEntry)>> = HashMap::new();
    for (id, member, _, _, _, _, reverses) in rows {
        let own = counts_from[&id];
        let entry = match reverses.and_then(|original| counts_from.get(&original)) {
            Some(original) => DatedEntry {
                amount: own.amount,
                entry_date: original.entry_date,
                due_on: original.due_on,
            },
            None => own,
        };
        by_member.entry(member).or_default().push((id, entry));
    }
    by_member
}

/// The status standing reads on `day`: the one then in force, and not a
/// member before joining. Nobody on the roster by then is not a member.
fn status_on(day: NaiveDate, record: Option<&StatusChange>) -> Status {
    match record {
        Some(record) if record.member_on(day) => Status::Member,
        Some(record) if record.status == Status::Member => Status::NonMember,
        Some(record) => record.status,
        None => Status::NonMember,
    }
}

fn dues_on(
    day: NaiveDate,
    status: Status,
    salary: Cents,
    terms: Option<&UnitTerms>,
    entries: &[(i64, DatedEntry)],
    settled: i64,
) -> DuesOn {
    let entries: Vec<DatedEntry> = entries.iter().map(|(_, e)| *e).collect();
    let mut owed = owed_as_of(&entries, day);
    owed.owed.0 += settled;
    let monthly = terms
        .and_then(|t| t.rate)
        .map_or(Cents(0), |r| r.monthly_dues(salary));
    DuesOn {
        day,
        owed,
        standing: standing(StandingFacts {
            status,
            balance: owed.owed,
            monthly_dues: monthly,
            allowance_months: terms.map_or(0, |t| t.allowance_months),
        }),
    }
}

/// Whose dues a reading is for.
#[derive(Debug, Clone, Copy)]
pub enum Whose<'a> {
    /// Every roster entry.
    Everyone,
    /// The roster entries of one unit.
    Unit(i64),
    /// These roster entries.
    Members(&'a [i64]),
}

/// Every roster entry's dues on a day.
pub fn everyone_on(conn: &mut DbConnection, day: NaiveDate) -> QueryResult<HashMap<i64, DuesOn>> {
    Ok(dues_on_days(conn, Whose::Everyone, &[day])?
        .pop()
        .unwrap_or_default())
}

/// Every roster entry's dues on each of `days`, in their order, reading
/// the ledger once for them all.
pub fn everyone_on_days(
    conn: &mut DbConnection,
    days: &[NaiveDate],
) -> QueryResult<Vec<HashMap<i64, DuesOn>>> {
    dues_on_days(conn, Whose::Everyone, days)
}

/// The last day of the latest month whose every entry counts by `day`
/// whatever its kind, under at most `grace` days of grace: a charge for
/// that month (or dated in it) has fallen due, a deduction for it too,
/// and every entry dated by then counts from its own date or earlier.
fn settled_by(day: NaiveDate, grace: u32) -> NaiveDate {
    let mut month = super::ledger::first_of_month(day);
    while falls_due(month, grace) >= day {
        month = super::ledger::previous_month(month);
    }
    super::ledger::next_month(month).pred_opt().unwrap_or(month)
}

/// The dues of `whose` on each of `days`. An entry settled before the
/// earliest day (see `settled_by`) counts the same on every one of them,
/// so the database sums those per member; only the later ones, and every
/// reversal with what it reverses, are read one by one.
pub fn dues_on_days(
    conn: &mut DbConnection,
    whose: Whose<'_>,
    days: &[NaiveDate],
) -> QueryResult<Vec<HashMap<i64, DuesOn>>> {
    let Some(earliest) = days.iter().min().copied() else {
        return Ok(Vec::new());
    };
    let mut query = members::table
        .select((members::id, members::unit_id, members::annual_salary_cents))
        .into_boxed();
    match whose {
        Whose::Everyone => {}
        Whose::Unit(unit) => query = query.filter(members::unit_id.eq(unit)),
        Whose::Members(ids) => query = query.filter(members::id.eq_any(ids.to_vec())),
    }
    let people: Vec<(i64, i64, i64)> = query.load(conn)?;
    let mut terms_on = Vec::with_capacity(days.len());
    for day in days {
        terms_on.push(unit_terms(conn, *day, None)?);
    }
    // Grace days are the unit's, whatever the day.
    let grace: HashMap<i64, u32> = match terms_on.first() {
        Some(terms) => people
            .iter()
            .map(|(id, unit, _)| (*id, terms.get(unit).map_or(0, |t| t.grace_days)))
            .collect(),
        None => HashMap::new(),
    };
    let most_grace = terms_on
        .first()
        .and_then(|t| t.values().map(|t| t.grace_days).max())
        .unwrap_or(0);
    let settled_on = settled_by(earliest, most_grace);
    let settled_month = settled_on.format("%Y-%m").to_string();
    let (settled, entries) = match whose {
        Whose::Members(ids) if ids.len() <= 200 => {
            let ids = ids.to_vec();
            (
                settled_sums(conn, Some(&ids), None, settled_on, &settled_month)?,
                dated_after(conn, Some(&ids), None, settled_on, &settled_month, &grace)?,
            )
        }
        Whose::Unit(unit) => (
            settled_sums(conn, None, Some(unit), settled_on, &settled_month)?,
            dated_after(conn, None, Some(unit), settled_on, &settled_month, &grace)?,
        ),
        _ => (
            settled_sums(conn, None, None, settled_on, &settled_month)?,
            dated_after(conn, None, None, settled_on, &settled_month, &grace)?,
        ),
    };
    let mut out = Vec::with_capacity(days.len());
    for (day, terms) in days.iter().zip(&terms_on) {
        let statuses = status_history::everyone_on(conn, *day)?;
        out.push(
            people
                .iter()
                .map(|(id, unit, salary)| {
                    let mine = entries.get(id).map_or(&[][..], Vec::as_slice);
                    let status = status_on(*day, statuses.get(id));
                    let mut on = dues_on(
                        *day,
                        status,
                        Cents(*salary),
                        terms.get(unit),
                        mine,
                        settled.get(id).copied().unwrap_or(0),
                    );
                    on.day = *day;
                    (*id, on)
                })
                .collect(),
        );
    }
    Ok(out)
}

/// Whether an entry is settled by `on`: not a reversal, dated by then and
/// for a month no later than its month.
macro_rules! settled_filter {
    ($query:expr, $on:expr, $month:expr) => {
        $query
            .filter(le::reverses_id.is_null())
            .filter(le::entry_date.le($on))
            .filter(le::period.is_null().or(le::period.le($month.to_owned())))
    };
}

/// Each member's sum of the entries settled by `on`.
fn settled_sums(
    conn: &mut DbConnection,
    ids: Option<&Vec<i64>>,
    unit: Option<i64>,
    on: NaiveDate,
    month: &str,
) -> QueryResult<HashMap<i64, i64>> {
    let mut query = le::table
        .group_by(le::member_id)
        .select((
            le::member_id,
            diesel::dsl::sql::<diesel::sql_types::BigInt>(
                "CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT)",
            ),
        ))
        .into_boxed();
    if let Some(ids) = ids {
        query = query.filter(le::member_id.eq_any(ids.clone()));
    }
    if let Some(unit) = unit {
        query = query.filter(
            le::member_id.eq_any(
                members::table
                    .filter(members::unit_id.eq(unit))
                    .select(members::id),
            ),
        );
    }
    let rows: Vec<(i64, i64)> = settled_filter!(query, on, month).load(conn)?;
    Ok(rows.into_iter().collect())
}

/// The entries not settled by `on`, every reversal, and what each
/// reversal reverses, dated for the as-of reading, by member.
fn dated_after(
    conn: &mut DbConnection,
    ids: Option<&Vec<i64>>,
    unit: Option<i64>,
    on: NaiveDate,
    month: &str,
    grace_of_member: &HashMap<i64, u32>,
) -> QueryResult<HashMap<i64, Vec<(i64, DatedEntry)>>> {
    let mut query = le::table
        .select((
            le::id,
            le::member_id,
            le::entry_date,
            le::kind,
            le::period,
            le::amount_cents,
            le::reverses_id,
        ))
        .filter(
            le::reverses_id
                .is_not_null()
                .or(le::entry_date.gt(on))
                .or(le::period.gt(month.to_owned())),
        )
        .into_boxed();
    if let Some(ids) = ids {
        query = query.filter(le::member_id.eq_any(ids.clone()));
    }
    if let Some(unit) = unit {
        query = query.filter(
            le::member_id.eq_any(
                members::table
                    .filter(members::unit_id.eq(unit))
                    .select(members::id),
            ),
        );
    }
    let mut rows: Vec<EntryRow> = query.load(conn)?;
    // A reversal counts from when its original did, so the original is
    // read for its dates; a settled one only for that, not counted again.
    let have: std::collections::HashSet<i64> = rows.iter().map(|r| r.0).collect();
    let originals: Vec<i64> = rows
        .iter()
        .filter_map(|r| r.6)
        .filter(|o| !have.contains(o))
        .collect();
    let mut only_dates = std::collections::HashSet::new();
    if !originals.is_empty() {
        let more: Vec<EntryRow> = le::table
            .filter(le::id.eq_any(originals))
            .select((
                le::id,
                le::member_id,
                le::entry_date,
                le::kind,
                le::period,
                le::amount_cents,
                le::reverses_id,
            ))
            .load(conn)?;
        only_dates.extend(more.iter().map(|r| r.0));
        rows.extend(more);
    }
    let mut by_member = date_rows(rows, grace_of_member);
    for list in by_member.values_mut() {
        list.retain(|(id, _)| !only_dates.contains(id));
    }
    Ok(by_member)
}

/// One roster entry's dues on a day, and the day each of its ledger
/// entries counts from (by entry id), for a member's page.
pub fn member_on(
    conn: &mut DbConnection,
    member_id: i64,
    day: NaiveDate,
) -> QueryResult<(DuesOn, HashMap<i64, NaiveDate>)> {
    let (unit, salary): (i64, i64) = members::table
        .find(member_id)
        .select((members::unit_id, members::annual_salary_cents))
        .first(conn)?;
    let status = status_on(
        day,
        status_history::member_on(conn, member_id, day)?.as_ref(),
    );
    let terms = unit_terms(conn, day, Some(unit))?;
    let grace = HashMap::from([(member_id, terms.get(&unit).map_or(0, |t| t.grace_days))]);
    let entries = dated_entries(conn, Some(member_id), &grace)?;
    let mine = entries.get(&member_id).map_or(&[][..], Vec::as_slice);
    let counts_from = mine.iter().map(|(id, e)| (*id, e.counts_from())).collect();
    Ok((
        dues_on(day, status, Cents(salary), terms.get(&unit), mine, 0),
        counts_from,
    ))
}
