//! The ledger and what is read from it: rates in force, monthly charges,
//! balances, good standing on a date, reconciliation and arrears.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::rules::{Rate, RateKind, Standing, StandingFacts, Status, standing};
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
}

/// Stores a unit's rate from a date (replacing one set for the same date).
pub fn set_rate(
    conn: &mut DbConnection,
    unit_id: i64,
    from: NaiveDate,
    rate: Rate,
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
            dr::created_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Every rate of a unit, oldest first.
pub fn rates(conn: &mut DbConnection, unit_id: i64) -> QueryResult<Vec<DatedRate>> {
    let rows: Vec<(NaiveDate, RateKind, i32, i64, i64, i64)> = dr::table
        .filter(dr::unit_id.eq(unit_id))
        .order(dr::effective_from.asc())
        .select((
            dr::effective_from,
            dr::kind,
            dr::basis_points,
            dr::monthly_min_cents,
            dr::monthly_max_cents,
            dr::flat_cents,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(effective_from, kind, bp, min, max, flat)| DatedRate {
            effective_from,
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
        })
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

/// Posts the month's dues charge to every member (status member) of every
/// unit with a rate in force on the first of the month. A member charged
/// for that month already is skipped, so posting twice changes nothing.
/// Returns how many charges were added.
pub fn post_month(
    conn: &mut DbConnection,
    month: NaiveDate,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let period = month.format("%Y-%m").to_string();
    let already: Vec<i64> = le::table
        .filter(le::kind.eq(EntryKind::Charge))
        .filter(le::period.eq(&period))
        .select(le::member_id)
        .load(conn)?;
    let unit_ids: Vec<i64> = units::table.select(units::id).load(conn)?;
    let mut posted = 0;
    for unit_id in unit_ids {
        let Some(rate) = rate_on(&rates(conn, unit_id)?, month) else {
            continue;
        };
        let people: Vec<(i64, i64)> = members::table
            .filter(members::unit_id.eq(unit_id))
            .filter(members::status.eq(Status::Member))
            .select((members::id, members::annual_salary_cents))
            .load(conn)?;
        for (member_id, salary) in people {
            if already.contains(&member_id) {
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

/// What a member owes on a day (entries dated on or before it).
pub fn balance_on(conn: &mut DbConnection, member_id: i64, day: NaiveDate) -> QueryResult<Cents> {
    let amounts: Vec<i64> = le::table
        .filter(le::member_id.eq(member_id))
        .filter(le::entry_date.le(day))
        .select(le::amount_cents)
        .load(conn)?;
    Ok(Cents(amounts.iter().sum()))
}

/// Good standing of one roster entry on a day: the one function elections
/// call with their cut-off date.
pub fn standing_on(
    conn: &mut DbConnection,
    member_id: i64,
    day: NaiveDate,
) -> QueryResult<Standing> {
    let (unit_id, status, salary): (i64, Status, i64) = members::table
        .find(member_id)
        .select((
            members::unit_id,
            members::status,
            members::annual_salary_cents,
        ))
        .first(conn)?;
    let allowance: i32 = units::table
        .find(unit_id)
        .select(units::arrears_allowance_months)
        .first(conn)?;
    let monthly =
        rate_on(&rates(conn, unit_id)?, day).map_or(Cents(0), |r| r.monthly_dues(Cents(salary)));
    Ok(standing(StandingFacts {
        status,
        balance: balance_on(conn, member_id, day)?,
        monthly_dues: monthly,
        allowance_months: i64::from(allowance),
    }))
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
    /// What the rate and salary say should have been deducted.
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

/// Expected dues against check-off deductions for a unit's month, for
/// every member (status member) and anyone with a deduction.
pub fn reconcile(
    conn: &mut DbConnection,
    unit_id: i64,
    month: NaiveDate,
) -> QueryResult<Vec<ReconciliationLine>> {
    let period = month.format("%Y-%m").to_string();
    let rate = rate_on(&rates(conn, unit_id)?, month);
    let people: Vec<(i64, String, String, String, Status, i64)> = members::table
        .filter(members::unit_id.eq(unit_id))
        .order((members::last_name.asc(), members::first_name.asc()))
        .select((
            members::id,
            members::employee_number,
            members::last_name,
            members::first_name,
            members::status,
            members::annual_salary_cents,
        ))
        .load(conn)?;
    let deducted: HashMap<i64, i64> = le::table
        .filter(le::kind.eq(EntryKind::Checkoff))
        .filter(le::period.eq(&period))
        .select((le::member_id, le::amount_cents))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .fold(HashMap::new(), |mut sums, (member, amount)| {
            *sums.entry(member).or_insert(0) -= amount;
            sums
        });
    Ok(people
        .into_iter()
        .filter_map(
            |(member_id, employee_number, last, first, status, salary)| {
                let is_member = status == Status::Member;
                let expected = match rate {
                    Some(rate) if is_member => rate.monthly_dues(Cents(salary)),
                    _ => Cents(0),
                };
                let deducted = Cents(deducted.get(&member_id).copied().unwrap_or(0));
                (is_member || deducted.0 != 0).then(|| ReconciliationLine {
                    member_id,
                    employee_number,
                    name: format!("{last}, {first}"),
                    expected,
                    deducted,
                })
            },
        )
        .collect())
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

/// Every member's balance on a day, from one read of the ledger.
pub fn balances_on(conn: &mut DbConnection, day: NaiveDate) -> QueryResult<HashMap<i64, Cents>> {
    let rows: Vec<(i64, i64)> = le::table
        .filter(le::entry_date.le(day))
        .select((le::member_id, le::amount_cents))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .fold(HashMap::new(), |mut sums, (member, amount)| {
            sums.entry(member).or_insert(Cents(0)).0 += amount;
            sums
        }))
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

/// One ledger entry with the balance after it.
#[derive(Debug, Clone)]
pub struct StatementLine {
    /// The entry's date.
    pub entry_date: NaiveDate,
    /// What the entry is.
    pub kind: EntryKind,
    /// The dues month it concerns, when it concerns one.
    pub period: Option<String>,
    /// Positive owed, negative paid.
    pub amount: Cents,
    /// Why (adjustments).
    pub reason: String,
    /// What is owed after this entry.
    pub balance: Cents,
}

/// A member's ledger, oldest first, with running balances.
pub fn statement(conn: &mut DbConnection, member_id: i64) -> QueryResult<Vec<StatementLine>> {
    let rows: Vec<(NaiveDate, EntryKind, Option<String>, i64, String)> = le::table
        .filter(le::member_id.eq(member_id))
        .order((le::entry_date.asc(), le::id.asc()))
        .select((
            le::entry_date,
            le::kind,
            le::period,
            le::amount_cents,
            le::reason,
        ))
        .load(conn)?;
    let mut balance = 0;
    Ok(rows
        .into_iter()
        .map(|(entry_date, kind, period, amount, reason)| {
            balance += amount;
            StatementLine {
                entry_date,
                kind,
                period,
                amount: Cents(amount),
                reason,
                balance: Cents(balance),
            }
        })
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

/// Every roster entry's standing on a day, with the balance behind it,
/// computed from one read of each table.
pub fn standings_on(
    conn: &mut DbConnection,
    day: NaiveDate,
) -> QueryResult<HashMap<i64, (Standing, Cents)>> {
    let people: Vec<(i64, i64, Status, i64)> = members::table
        .select((
            members::id,
            members::unit_id,
            members::status,
            members::annual_salary_cents,
        ))
        .load(conn)?;
    let allowances: HashMap<i64, i32> = units::table
        .select((units::id, units::arrears_allowance_months))
        .load::<(i64, i32)>(conn)?
        .into_iter()
        .collect();
    let mut unit_rates: HashMap<i64, Option<Rate>> = HashMap::new();
    for unit in allowances.keys() {
        unit_rates.insert(*unit, rate_on(&rates(conn, *unit)?, day));
    }
    let balances = balances_on(conn, day)?;
    Ok(people
        .into_iter()
        .map(|(id, unit, status, salary)| {
            let monthly = unit_rates
                .get(&unit)
                .copied()
                .flatten()
                .map_or(Cents(0), |r| r.monthly_dues(Cents(salary)));
            let balance = balances.get(&id).copied().unwrap_or_default();
            let verdict = standing(StandingFacts {
                status,
                balance,
                monthly_dues: monthly,
                allowance_months: i64::from(allowances.get(&unit).copied().unwrap_or(0)),
            });
            (id, (verdict, balance))
        })
        .collect())
}

/// What sending arrears notices did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoticeCount {
    /// Queued.
    pub sent: usize,
    /// Already sent one this month.
    pub already: usize,
    /// No email on the roster.
    pub no_email: usize,
    /// Turned the notice off.
    pub declined: usize,
}

/// Queues an arrears notice to every member of the unit in arrears today,
/// at most one a month each, respecting those who turned them off.
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
    let standings = standings_on(conn, today)?;
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
        let Some((standing, owed)) = standings.get(&id).filter(|(s, _)| s.months_behind > 0) else {
            continue;
        };
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
            owed: owed.to_string(),
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
                "{} sent, {} already this month, {} without email, {} turned off",
                count.sent, count.already, count.no_email, count.declined
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
    /// What they owe.
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
    let standings = standings_on(conn, day)?;
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
            let (standing, owed) = *standings.get(&id)?;
            (standing.months_behind > 0).then(|| ArrearsLine {
                member_id: id,
                employee_number: number,
                name: format!("{last}, {first}"),
                owed,
                months_behind: standing.months_behind,
            })
        })
        .collect())
}
