//! Employer check-off files (the format of samples/checkoff.csv): every
//! row checked against the roster before anything is written, then the
//! whole file written as ledger entries in one transaction, once.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::audit::{self, Actor, Entry};
use crate::db::DbConnection;
use crate::db::schema::{checkoff_imports as ci, ledger_entries as le, members, units};
use crate::forms::text::{self, Limit};
use crate::money::Cents;
use crate::roster::csv_import::{self, LineError};

/// The columns a check-off file must have.
pub const COLUMNS: [&str; 4] = ["employee_number", "period_start", "period_end", "amount"];
/// Each column with how a problem names it and the most characters a cell
/// of it may hold.
pub const FIELD_LIMITS: [(&str, &str, usize); 4] = [
    ("employee_number", "employee number", 40),
    ("period_start", "period start", 40),
    ("period_end", "period end", 40),
    ("amount", "amount", 40),
];
/// The largest check-off file accepted.
pub const MAX_BYTES: usize = 32 * 1024 * 1024;

/// One deduction, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deduction {
    /// File line.
    pub line: u64,
    /// The roster entry it belongs to.
    pub member_id: i64,
    /// As in the file.
    pub employee_number: String,
    /// What was deducted.
    pub amount: Cents,
}

/// A file ready to import: its period, its rows, its fingerprint.
#[derive(Debug, Clone)]
pub struct CheckedFile {
    /// The unit it is for.
    pub unit_id: i64,
    /// The unit's name.
    pub unit_name: String,
    /// The pay period's first day.
    pub period_start: NaiveDate,
    /// The pay period's last day.
    pub period_end: NaiveDate,
    /// The deductions.
    pub rows: Vec<Deduction>,
    /// The sum of the deductions.
    pub total: Cents,
    /// SHA-256 of the file's bytes, to refuse the same file twice.
    pub sha256: String,
}

fn date(raw: &str, what: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{what} {:?} is not a date like 2026-10-31", raw.trim()))
}

/// Why a file was refused as a whole, or by line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Problems on lines; nothing can be imported until all are fixed.
    Lines(Vec<LineError>),
    /// This exact file, or this period for the unit, is already in.
    AlreadyImported(String),
    /// The unit named does not exist.
    UnknownUnit(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Lines(errors) => {
                let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
                write!(f, "{}", lines.join("\n"))
            }
            Self::AlreadyImported(message) | Self::UnknownUnit(message) => f.write_str(message),
        }
    }
}

/// Checks a file against the roster of `unit_name`. Writes nothing.
pub fn check(
    conn: &mut DbConnection,
    unit_name: &str,
    bytes: &[u8],
) -> QueryResult<Result<CheckedFile, Refusal>> {
    let line_error =
        |line, message: String| Ok(Err(Refusal::Lines(vec![LineError { line, message }])));
    // A name that cannot be stored cannot be a unit's; PostgreSQL would
    // refuse even to look it up.
    if let Err(problem) = text::check(unit_name.trim(), Limit::line(100)) {
        return Ok(Err(Refusal::UnknownUnit(problem.about("the unit name"))));
    }
    let Some((unit_id, unit_name)) = units::table
        .filter(units::name.eq(unit_name.trim()))
        .select((units::id, units::name))
        .first::<(i64, String)>(conn)
        .optional()?
    else {
        return Ok(Err(Refusal::UnknownUnit(format!(
            "there is no unit named {:?}",
            unit_name.trim()
        ))));
    };
    if bytes.len() > MAX_BYTES {
        return line_error(
            0,
            format!(
                "the file is {} MB; a check-off file may be at most {} MB",
                bytes.len() / 1_048_576,
                MAX_BYTES / 1_048_576
            ),
        );
    }
    let sha256 = hex::encode(Sha256::digest(bytes));
    let (mut reader, index) = match csv_import::open(bytes, &COLUMNS, "a check-off file") {
        Ok(opened) => opened,
        Err(error) => return Ok(Err(Refusal::Lines(vec![error]))),
    };
    let roster: HashMap<String, (i64, i64)> = members::table
        .select((members::employee_number, members::id, members::unit_id))
        .load::<(String, i64, i64)>(conn)?
        .into_iter()
        .map(|(number, id, unit)| (number, (id, unit)))
        .collect();
    let mut errors: Vec<LineError> = Vec::new();
    let mut rows: Vec<Deduction> = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut period: Option<(NaiveDate, NaiveDate, u64)> = None;
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                let message = match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => {
                        "the text is not UTF-8; save the file as \"CSV UTF-8\"".to_owned()
                    }
                    _ => format!("this is not a readable CSV line ({e})"),
                };
                errors.push(LineError { line, message });
                if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                    continue;
                }
                break;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |name: &str| record.get(index[name]).unwrap_or("").trim().to_owned();
        let mut problems: Vec<String> = Vec::new();
        // A cell too long or holding a control character is named for that
        // alone and read no further, so its value is never repeated back.
        let mut unreadable: Vec<&str> = Vec::new();
        for (field, label, chars) in FIELD_LIMITS {
            if let Err(problem) = text::check(&get(field), Limit::line(chars)) {
                problems.push(problem.about(&format!("the {label}")));
                unreadable.push(field);
            }
        }
        let get = |name: &str| {
            if unreadable.contains(&name) {
                None
            } else {
                Some(get(name))
            }
        };
        let Some(number) = get("employee_number") else {
            errors.push(LineError {
                line,
                message: problems.join("; "),
            });
            continue;
        };
        let member = match roster.get(&number) {
            _ if number.is_empty() => {
                problems.push("the employee number is empty".into());
                None
            }
            None => {
                problems.push(format!("employee number {number} is not on the roster"));
                None
            }
            Some((_, member_unit)) if *member_unit != unit_id => {
                problems.push(format!(
                    "employee number {number} is in another unit, not {unit_name}"
                ));
                None
            }
            Some((id, _)) => Some(*id),
        };
        if let Some(first) = seen.get(&number).filter(|_| !number.is_empty()) {
            problems.push(format!(
                "employee number {number} is repeated (first on line {first})"
            ));
        } else if !number.is_empty() {
            seen.insert(number.clone(), line);
        }
        let start = get("period_start").and_then(|raw| {
            date(&raw, "the period start")
                .map_err(|e| problems.push(e))
                .ok()
        });
        let end = get("period_end").and_then(|raw| {
            date(&raw, "the period end")
                .map_err(|e| problems.push(e))
                .ok()
        });
        if let (Some(start), Some(end)) = (start, end) {
            if end < start {
                problems.push(format!(
                    "the period ends ({end}) before it starts ({start})"
                ));
            } else {
                match period {
                    None => period = Some((start, end, line)),
                    Some((s, e, first)) if (s, e) != (start, end) => problems.push(format!(
                        "the period {start} to {end} differs from line {first}'s ({s} to {e}); a check-off file covers one pay period"
                    )),
                    Some(_) => {}
                }
            }
        }
        let amount = get("amount").and_then(|raw| {
            Cents::parse(&raw, false)
                .map_err(|e| problems.push(format!("the amount: {e}")))
                .ok()
        });
        match (problems.is_empty(), member, amount) {
            (true, Some(member_id), Some(amount)) => rows.push(Deduction {
                line,
                member_id,
                employee_number: number,
                amount,
            }),
            _ => errors.push(LineError {
                line,
                message: problems.join("; "),
            }),
        }
    }
    if !errors.is_empty() {
        return Ok(Err(Refusal::Lines(errors)));
    }
    let Some((period_start, period_end, _)) = period else {
        return line_error(2, "the file has a header but no deductions".into());
    };
    if let Some(message) =
        already_imported(conn, unit_id, &unit_name, period_start, period_end, &sha256)?
    {
        return Ok(Err(Refusal::AlreadyImported(message)));
    }
    let total = Cents(rows.iter().map(|r| r.amount.0).sum());
    Ok(Ok(CheckedFile {
        unit_id,
        unit_name,
        period_start,
        period_end,
        rows,
        total,
        sha256,
    }))
}

fn already_imported(
    conn: &mut DbConnection,
    unit_id: i64,
    unit_name: &str,
    start: NaiveDate,
    end: NaiveDate,
    sha256: &str,
) -> QueryResult<Option<String>> {
    let by_file: Option<(NaiveDateTime, String)> = ci::table
        .filter(ci::file_sha256.eq(sha256))
        .select((ci::imported_at, ci::imported_by_label))
        .first(conn)
        .optional()?;
    if let Some((at, by)) = by_file {
        return Ok(Some(format!(
            "this file was already imported on {} (UTC) by {by}; nothing was written",
            at.format("%Y-%m-%d %H:%M")
        )));
    }
    let by_period: Option<(NaiveDateTime, String)> = ci::table
        .filter(ci::unit_id.eq(unit_id))
        .filter(ci::period_start.eq(start))
        .filter(ci::period_end.eq(end))
        .select((ci::imported_at, ci::imported_by_label))
        .first(conn)
        .optional()?;
    Ok(by_period.map(|(at, by)| {
        format!(
            "the period {start} to {end} of {unit_name} was already imported on {} (UTC) by {by}; nothing was written",
            at.format("%Y-%m-%d %H:%M")
        )
    }))
}

/// Writes a checked file: one import record and one ledger entry per
/// deduction (a payment, so negative). Call inside one write transaction;
/// the unique indexes refuse a file or period that slipped in meanwhile.
pub fn commit(
    conn: &mut DbConnection,
    file: &CheckedFile,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(ci::table)
        .values((
            ci::unit_id.eq(file.unit_id),
            ci::period_start.eq(file.period_start),
            ci::period_end.eq(file.period_end),
            ci::file_sha256.eq(&file.sha256),
            ci::row_count.eq(i32::try_from(file.rows.len()).unwrap_or(i32::MAX)),
            ci::total_cents.eq(file.total.0),
            ci::imported_by.eq(actor.user_id),
            ci::imported_by_label.eq(&actor.label),
            ci::imported_at.eq(now),
        ))
        .execute(conn)?;
    let import_id: i64 = ci::table
        .filter(ci::file_sha256.eq(&file.sha256))
        .select(ci::id)
        .first(conn)?;
    let period = file.period_start.format("%Y-%m").to_string();
    // Batches keep each statement under the backends' bind-parameter limits.
    for chunk in file.rows.chunks(2_000) {
        let values: Vec<_> = chunk
            .iter()
            .map(|row| {
                (
                    le::member_id.eq(row.member_id),
                    le::entry_date.eq(file.period_end),
                    le::kind.eq(crate::dues::ledger::EntryKind::Checkoff),
                    le::amount_cents.eq(-row.amount.0),
                    le::period.eq(Some(period.clone())),
                    le::reason.eq(""),
                    le::import_id.eq(Some(import_id)),
                    le::created_by.eq(actor.user_id),
                    le::created_at.eq(now),
                )
            })
            .collect();
        // Multi-row inserts are backend-specific in diesel, so each backend
        // runs the same statement on its own connection type.
        match conn {
            DbConnection::Postgres(pg) => {
                diesel::insert_into(le::table).values(&values).execute(pg)?
            }
            DbConnection::Sqlite(lite) => diesel::insert_into(le::table)
                .values(&values)
                .execute(lite)?,
        };
    }
    audit::record(
        conn,
        now,
        Entry {
            actor,
            action: "checkoff_import",
            target: &file.unit_name,
            detail: &format!(
                "{} to {}: {} rows, {}",
                file.period_start,
                file.period_end,
                file.rows.len(),
                file.total
            ),
        },
    )?;
    Ok(import_id)
}

/// A past check-off import, for the imports page.
#[derive(Debug, Clone)]
pub struct PastImport {
    /// The import.
    pub id: i64,
    /// The unit's name ("" when the unit is gone).
    pub unit: String,
    /// The pay period's first day.
    pub period_start: NaiveDate,
    /// The pay period's last day.
    pub period_end: NaiveDate,
    /// How many deductions it held.
    pub rows: i32,
    /// Their sum.
    pub total: Cents,
    /// Who imported it.
    pub by: String,
    /// When, in UTC.
    pub at: NaiveDateTime,
    /// When it was reversed (UTC) and why.
    pub reversed: Option<(NaiveDateTime, String)>,
}

/// How many check-off files have been imported.
pub fn import_count(conn: &mut DbConnection) -> QueryResult<i64> {
    ci::table.count().get_result(conn)
}

/// The imports from `offset` on, newest first, at most `limit` of them.
pub fn recent(conn: &mut DbConnection, offset: i64, limit: i64) -> QueryResult<Vec<PastImport>> {
    let names: HashMap<i64, String> = units::table
        .select((units::id, units::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    type Row = (
        i64,
        i64,
        NaiveDate,
        NaiveDate,
        i32,
        i64,
        String,
        NaiveDateTime,
        Option<NaiveDateTime>,
        Option<String>,
    );
    let rows: Vec<Row> = ci::table
        .order((ci::imported_at.desc(), ci::id.desc()))
        .offset(offset)
        .limit(limit)
        .select((
            ci::id,
            ci::unit_id,
            ci::period_start,
            ci::period_end,
            ci::row_count,
            ci::total_cents,
            ci::imported_by_label,
            ci::imported_at,
            ci::reversed_at,
            ci::reversal_reason,
        ))
        .load(conn)?;
    let past = rows
        .into_iter()
        .map(
            |(id, unit, period_start, period_end, rows, total, by, at, reversed, why)| PastImport {
                id,
                unit: names.get(&unit).cloned().unwrap_or_default(),
                period_start,
                period_end,
                rows,
                total: Cents(total),
                by,
                at,
                reversed: reversed.map(|on| (on, why.unwrap_or_default())),
            },
        )
        .collect();
    Ok(past)
}

/// The month's reconciliation as it would read once `file` is imported:
/// what was charged against what was deducted, before and with this file,
/// so the officer sees who is under, over or missing before confirming.
pub fn as_it_would_reconcile(
    conn: &mut DbConnection,
    file: &CheckedFile,
) -> QueryResult<Vec<crate::dues::ledger::ReconciliationLine>> {
    use crate::dues::ledger::{self, ReconciliationLine};
    let month = ledger::first_of_month(file.period_start);
    let mut lines = ledger::reconcile(conn, file.unit_id, month)?;
    let mut at: HashMap<i64, usize> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| (l.member_id, i))
        .collect();
    for row in &file.rows {
        if let Some(&i) = at.get(&row.member_id) {
            lines[i].deducted.0 += row.amount.0;
            continue;
        }
        at.insert(row.member_id, lines.len());
        let (first, last): (String, String) = members::table
            .find(row.member_id)
            .select((members::first_name, members::last_name))
            .first(conn)?;
        lines.push(ReconciliationLine {
            member_id: row.member_id,
            employee_number: row.employee_number.clone(),
            name: format!("{last}, {first}"),
            expected: Cents(0),
            deducted: row.amount,
        });
    }
    lines.sort_by(|a, b| a.name.cmp(&b.name).then(a.member_id.cmp(&b.member_id)));
    Ok(lines)
}
