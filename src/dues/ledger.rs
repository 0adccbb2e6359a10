//! The ledger and what is read from it: rates in force, monthly charges,
//! balances, good standing on a date, reconciliation and arrears.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::rules::{Rate, RateKind};
use crate::audit::{self, Actor, Entry};
use crate::db::DbConnection;
use crate::db::schema::{dues_rates as dr, ledger_entries as le, members, units};
use crate::money::Cents;

/// A rate as stored, with the day it takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatedRate {
    /// First day it applies.
    pub effective_from: NaiveDate,
    /// The rate.
    pub rate: Rate,
    /// The passed ballot question that adopted it, if one did.
    pub adopted_by: Option<i64>,
}

/// Stores a unit's rate from a date (replacing one set for the same date),
/// naming the passed ballot question that adopted it, if one did.
pub fn set_rate(
    conn: &mut DbConnection,
    unit_id: i64,
    from: NaiveDate,
    rate: Rate,
    adopted_by: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(
        dr::table
            .filter(dr::unit_id.eq(unit_id))
            .filter(dr::effective_from.eq(from)),
    )
    .execute(conn)?;
    let (bp, min, max, flat) = match rate {
        Rate::Percent {
            basis_points,
            monthly_min,
            monthly_max,
        } => (basis_points, monthly_min.0, monthly_max.0, 0),
        Rate::Flat { monthly } => (0, 0, 0, monthly.0),
    };
    diesel::insert_into(dr::table)
        .values((
            dr::unit_id.eq(unit_id),
            dr::effective_from.eq(from),
            dr::kind.eq(rate.kind()),
            dr::basis_points.eq(i32::try_from(bp).unwrap_or(i32::MAX)),
            dr::monthly_min_cents.eq(min),
            dr::monthly_max_cents.eq(max),
            dr::flat_cents.eq(flat),
            dr::adopted_by_question_id.eq(adopted_by),
            dr::created_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Every rate of a unit, oldest first.
pub fn rates(conn: &mut DbConnection, unit_id: i64) -> QueryResult<Vec<DatedRate>> {
    type RateRow = (NaiveDate, RateKind, i32, i64, i64, i64, Option<i64>);
    let rows: Vec<RateRow> = dr::table
        .filter(dr::unit_id.eq(unit_id))
        .order(dr::effective_from.asc())
        .select((
            dr::effective_from,
            dr::kind,
            dr::basis_points,
            dr::monthly_min_cents,
            dr::monthly_max_cents,
            dr::flat_cents,
            dr::adopted_by_question_id,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(effective_from, kind, bp, min, max, flat, adopted_by)| DatedRate {
                effective_from,
                adopted_by,
                rate: match kind {
                    RateKind::Flat => Rate::Flat {
                        monthly: Cents(flat),
                    },
                    RateKind::Percent => Rate::Percent {
                        basis_points: i64::from(bp),
                        monthly_min: Cents(min),
                        monthly_max: Cents(max),
                    },
                },
            },
        )
        .collect())
}

/// The rate in force on a day: the latest that started on or before it.
pub fn rate_on(rates: &[DatedRate], day: NaiveDate) -> Option<Rate> {
    rates
        .iter()
        .filter(|r| r.effective_from <= day)
        .max_by_key(|r| r.effective_from)
        .map(|r| r.rate)
}

/// The latest month that may be posted on `today`: the next one, so its
/// charges can go out before payday. The ledger is append-only, so a month
/// further ahead is refused rather than left to be reversed.
pub fn latest_postable(today: NaiveDate) -> NaiveDate {
    next_month(first_of_month(today))
}

/// The earliest month that may be posted on `today`: last month, for a
/// posting forgotten at the month's turn. Older charges would put members
/// behind at once and rewrite standing on past cut-offs.
pub fn earliest_postable(today: NaiveDate) -> NaiveDate {
    previous_month(first_of_month(today))
}

/// Why a month cannot be posted today, in words.
pub fn refuse_posting(month: NaiveDate, today: NaiveDate) -> Option<String> {
    let (earliest, latest) = (earliest_postable(today), latest_postable(today));
    let window = format!(
        "months can be posted from {} to {}",
        earliest.format("%Y-%m"),
        latest.format("%Y-%m")
    );
    if month > latest {
        Some(format!(
            "{} is too far ahead: {window}, the next one.",
            month.format("%Y-%m")
        ))
    } else if month < earliest {
        Some(format!(
            "{} has passed: {window}. Put an older month's dues on each ledger as an adjustment.",
            month.format("%Y-%m")
        ))
    } else {
        None
    }
}

/// Posts the month's dues charge to every member (status member) of every
/// unit with a rate in force on the first of the month. Who is a member
/// is read from the status history on the month's last day, so someone
/// who joined during the month is charged and someone who left before its
/// end is not, whatever the roster says today. A member charged for that
/// month already is skipped, so posting twice changes nothing. Returns how
/// many charges were added.
pub fn post_month(
    conn: &mut DbConnection,
    month: NaiveDate,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let period = month.format("%Y-%m").to_string();
    let already = charged_for(conn, &period)?;
    let last_day = next_month(month).pred_opt().unwrap_or(month);
    let members_then = crate::roster::status_history::everyone_on(conn, last_day)?;
    let unit_ids: Vec<i64> = units::table.select(units::id).load(conn)?;
    let mut posted = 0;
    for unit_id in unit_ids {
        let Some(rate) = rate_on(&rates(conn, unit_id)?, month) else {
            continue;
        };
        let people: Vec<(i64, i64)> = members::table
            .filter(members::unit_id.eq(unit_id))
            .select((members::id, members::annual_salary_cents))
            .load(conn)?;
        for (member_id, salary) in people {
            let member = members_then
                .get(&member_id)
                .is_some_and(|record| record.member_on(last_day));
            if !member || already.standing.contains(&member_id) {
                continue;
            }
            diesel::insert_into(le::table)
                .values((
                    le::member_id.eq(member_id),
                    le::entry_date.eq(month),
                    le::kind.eq(EntryKind::Charge),
                    le::amount_cents.eq(rate.monthly_dues(Cents(salary)).0),
                    le::period.eq(Some(period.clone())),
                    le::reason.eq(""),
                    le::charge_round.eq(already.next_round.get(&member_id).copied().unwrap_or(1)),
                    le::created_by.eq(actor.user_id),
                    le::created_at.eq(now),
                ))
                .execute(conn)?;
            posted += 1;
        }
    }
    audit::record(
        conn,
        now,
        Entry {
            actor,
            action: "dues_posted",
            target: &period,
            detail: &format!("{posted} charges"),
        },
    )?;
    Ok(posted)
}

/// Who holds a charge for the dues month that stands (not reversed), and
/// for everyone charged before, the round a new charge would take.
/// Posting skips the first, so posting twice changes nothing; a reversed
/// posting can be posted again, in the next round.
struct Charged {
    standing: HashSet<i64>,
    next_round: HashMap<i64, i32>,
}

fn charged_for(conn: &mut DbConnection, period: &str) -> QueryResult<Charged> {
    let charges: Vec<(i64, i64, Option<i64>, i32)> = le::table
        .filter(le::kind.eq(EntryKind::Charge))
        .filter(le::period.eq(period))
        .select((le::id, le::member_id, le::reverses_id, le::charge_round))
        .load(conn)?;
    let reversed: HashSet<i64> = charges.iter().filter_map(|c| c.2).collect();
    let mut charged = Charged {
        standing: HashSet::new(),
        next_round: HashMap::new(),
    };
    for (id, member, reverses, round) in charges {
        if reverses.is_some() {
            continue;
        }
        if !reversed.contains(&id) {
            charged.standing.insert(member);
        }
        let next = charged.next_round.entry(member).or_insert(1);
        *next = (*next).max(round + 1);
    }
    Ok(charged)
}

/// One member's line in a reconciliation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconciliationLine {
    /// Roster entry.
    pub member_id: i64,
    /// Employer's id.
    pub employee_number: String,
    /// "Last, First".
    pub name: String,
    /// What was charged for the month.
    pub expected: Cents,
    /// What the employer's check-off deducted.
    pub deducted: Cents,
}

impl ReconciliationLine {
    /// "matched", "under", "over" or "missing".
    pub fn verdict(&self) -> &'static str {
        match (self.deducted.0, self.deducted.cmp(&self.expected)) {
            (0, _) if self.expected.0 > 0 => "missing",
            (_, std::cmp::Ordering::Less) => "under",
            (_, std::cmp::Ordering::Greater) => "over",
            _ => "matched",
        }
    }

    /// Deducted minus expected.
    pub fn difference(&self) -> Cents {
        Cents(self.deducted.0 - self.expected.0)
    }
}

/// What was charged for a unit's month against what the employer's
/// check-off deducted, for everyone with either. Expected is the charge
/// as posted (net of reversals), so a later salary edit or a person added
/// after the posting does not change what the month expected.
pub fn reconcile(
    conn: &mut DbConnection,
    unit_id: i64,
    month: NaiveDate,
) -> QueryResult<Vec<ReconciliationLine>> {
    let period = month.format("%Y-%m").to_string();
    let entries: Vec<(i64, String, String, String, EntryKind, i64)> = le::table
        .inner_join(members::table)
        .filter(members::unit_id.eq(unit_id))
        .filter(le::period.eq(&period))
        .filter(le::kind.eq_any([EntryKind::Charge, EntryKind::Checkoff]))
        .order((
            members::last_name.asc(),
            members::first_name.asc(),
            le::id.asc(),
        ))
        .select((
            members::id,
            members::employee_number,
            members::last_name,
            members::first_name,
            le::kind,
            le::amount_cents,
        ))
        .load(conn)?;
    let mut lines: Vec<ReconciliationLine> = Vec::new();
    for (member_id, employee_number, last, first, kind, amount) in entries {
        if lines.last().is_none_or(|l| l.member_id != member_id) {
            lines.push(ReconciliationLine {
                member_id,
                employee_number,
                name: format!("{last}, {first}"),
                expected: Cents(0),
                deducted: Cents(0),
            });
        }
        if let Some(line) = lines.last_mut() {
            match kind {
                EntryKind::Charge => line.expected.0 += amount,
                _ => line.deducted.0 -= amount,
            }
        }
    }
    Ok(lines)
}

/// The first day of a dues month named like "2026-12".
pub fn month_of_period(period: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d").ok()
}

/// The first day of the month `day` is in.
pub fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The month before `month` (the first of it).
pub fn previous_month(month: NaiveDate) -> NaiveDate {
    first_of_month(first_of_month(month).pred_opt().unwrap_or(month))
}

/// The month after `month` (the first of it).
pub fn next_month(month: NaiveDate) -> NaiveDate {
    let (year, m) = if month.month() == 12 {
        (month.year() + 1, 1)
    } else {
        (month.year(), month.month() + 1)
    };
    NaiveDate::from_ymd_opt(year, m, 1).unwrap_or(month)
}

crate::db::text_enum::text_enum! {
    /// What a ledger entry is: charges add to what is owed, deductions and
    /// payments take from it, an adjustment does either with a reason.
    pub enum EntryKind {
        /// A month's dues, posted.
        Charge = "charge",
        /// A payroll deduction from an employer's check-off file.
        Checkoff = "checkoff",
        /// A payment made directly to the local.
        Payment = "payment",
        /// A correction, with its reason.
        Adjustment = "adjustment",
    }
}

/// One ledger entry as a statement shows it.
#[derive(Debug, Clone)]
pub struct StatementLine {
    /// The entry.
    pub id: i64,
    /// The entry's date.
    pub entry_date: NaiveDate,
    /// What the entry is.
    pub kind: EntryKind,
    /// The dues month it concerns, when it concerns one.
    pub period: Option<String>,
    /// Positive owed, negative paid.
    pub amount: Cents,
    /// Why (adjustments and reversals).
    pub reason: String,
    /// The first day it counts toward what is owed (a charge: the day
    /// after it falls due).
    pub counts_from: NaiveDate,
    /// Counts only after the statement's day: upcoming, not owed.
    pub upcoming: bool,
    /// For a reversal, the date of the entry it cancels.
    pub reverses: Option<NaiveDate>,
    /// For a reversed entry, when it was reversed and why.
    pub reversed: Option<(NaiveDate, String)>,
    /// The ledger's total after this entry, upcoming entries included.
    pub total: Cents,
}

impl StatementLine {
    /// True when a reversal may still be recorded against it.
    pub fn reversible(&self) -> bool {
        self.reverses.is_none() && self.reversed.is_none()
    }

    /// What the entry is, in words.
    pub fn kind_words(&self) -> &'static str {
        match self.kind {
            EntryKind::Charge => "Dues charge",
            EntryKind::Checkoff => "Payroll deduction",
            EntryKind::Payment => "Payment",
            EntryKind::Adjustment => "Adjustment",
        }
    }
}

type StatementRow = (
    i64,
    NaiveDate,
    EntryKind,
    Option<String>,
    i64,
    String,
    Option<i64>,
    NaiveDateTime,
);

/// A member's ledger, oldest first, with running totals; `counts_from`
/// (by entry id, from `owed::member_on`) dates each entry for `day`.
pub fn statement(
    conn: &mut DbConnection,
    member_id: i64,
    counts_from: &HashMap<i64, NaiveDate>,
    day: NaiveDate,
) -> QueryResult<Vec<StatementLine>> {
    let rows: Vec<StatementRow> = le::table
        .filter(le::member_id.eq(member_id))
        .order((le::entry_date.asc(), le::id.asc()))
        .select((
            le::id,
            le::entry_date,
            le::kind,
            le::period,
            le::amount_cents,
            le::reason,
            le::reverses_id,
            le::created_at,
        ))
        .load(conn)?;
    let dates: HashMap<i64, NaiveDate> = rows.iter().map(|r| (r.0, r.1)).collect();
    let reversals: HashMap<i64, (NaiveDate, String)> = rows
        .iter()
        .filter_map(|r| r.6.map(|original| (original, (r.7.date(), r.5.clone()))))
        .collect();
    let mut total = 0;
    Ok(rows
        .into_iter()
        .map(
            |(id, entry_date, kind, period, amount, reason, reverses, _)| {
                total += amount;
                let counts = counts_from.get(&id).copied().unwrap_or(entry_date);
                StatementLine {
                    id,
                    entry_date,
                    kind,
                    period,
                    amount: Cents(amount),
                    reason,
                    counts_from: counts,
                    upcoming: counts > day,
                    reverses: reverses.and_then(|o| dates.get(&o).copied()),
                    reversed: reversals.get(&id).cloned(),
                    total: Cents(total),
                }
            },
        )
        .collect())
}

/// A payment or adjustment typed by an officer.
#[derive(Debug, Clone)]
pub struct ManualEntry {
    /// A payment or an adjustment.
    pub kind: EntryKind,
    /// The date it counts from.
    pub entry_date: NaiveDate,
    /// Positive owed, negative paid.
    pub amount: Cents,
    /// Why; required for adjustments.
    pub reason: String,
}

/// Appends an officer's entry and audits it.
pub fn add_entry(
    conn: &mut DbConnection,
    member_id: i64,
    entry: &ManualEntry,
    ctx: &crate::context::Context,
) -> QueryResult<()> {
    let (actor, now) = (&ctx.actor, ctx.now);
    diesel::insert_into(le::table)
        .values((
            le::member_id.eq(member_id),
            le::entry_date.eq(entry.entry_date),
            le::kind.eq(entry.kind),
            le::amount_cents.eq(entry.amount.0),
            le::reason.eq(&entry.reason),
            le::created_by.eq(actor.user_id),
            le::created_at.eq(now),
        ))
        .execute(conn)?;
    let number: String = members::table
        .find(member_id)
        .select(members::employee_number)
        .first(conn)?;
    audit::record(
        conn,
        now,
        Entry {
            actor,
            action: "ledger_entry",
            target: &number,
            detail: &format!(
                "{} of {} on {}: {}",
                entry.kind, entry.amount, entry.entry_date, entry.reason
            ),
        },
    )
}
