//! The roster: bargaining units, classifications and the people in them,
//! and the CSV import that keeps it in step with the employer's records.

pub mod csv_import;
pub mod edit;
pub mod handlers;
pub mod import_page;
pub mod imports;
pub mod invitations;
pub mod person;
pub mod status_history;
pub mod store;
pub mod unit_pages;
pub mod unit_store;
pub mod uploads;

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::audit::{self, Actor, Entry};
use crate::db::DbConnection;
use crate::db::schema::{classifications, members, units, users};
use crate::dues::rules::Status;
use csv_import::RosterRow;
use person::Person;

/// A roster entry as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = members)]
pub struct MemberRow {
    /// Row id.
    pub id: i64,
    /// Unit.
    pub unit_id: i64,
    /// Classification.
    pub classification_id: i64,
    /// Who they are.
    #[diesel(embed)]
    pub person: Person,
}

/// What an import would do to one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Not on the roster yet.
    New,
    /// On the roster; these fields differ (name, old, new).
    Changed(Vec<(&'static str, String, String)>),
    /// Already exactly so.
    Unchanged,
}

/// What an import would do, shown before anything is written.
#[derive(Debug, Clone)]
pub struct Preview {
    /// Each row of the file with its change.
    pub rows: Vec<(RosterRow, Change)>,
    /// Units named in the file that do not exist yet and will be created.
    pub new_units: Vec<String>,
    /// Classifications (unit, name) that will be created.
    pub new_classifications: Vec<(String, String)>,
}

impl Preview {
    /// How many rows are new, changed and unchanged.
    pub fn counts(&self) -> (usize, usize, usize) {
        let new = self.rows.iter().filter(|(_, c)| *c == Change::New).count();
        let unchanged = self
            .rows
            .iter()
            .filter(|(_, c)| *c == Change::Unchanged)
            .count();
        (new, self.rows.len() - new - unchanged, unchanged)
    }
}

fn unit_ids(conn: &mut DbConnection) -> QueryResult<HashMap<String, i64>> {
    Ok(units::table
        .select((units::name, units::id))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect())
}

fn classification_ids(conn: &mut DbConnection) -> QueryResult<HashMap<(i64, String), i64>> {
    Ok(classifications::table
        .select((
            classifications::unit_id,
            classifications::name,
            classifications::id,
        ))
        .load::<(i64, String, i64)>(conn)?
        .into_iter()
        .map(|(unit, name, id)| ((unit, name), id))
        .collect())
}

fn existing_members(conn: &mut DbConnection) -> QueryResult<HashMap<String, MemberRow>> {
    Ok(members::table
        .select(MemberRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|m| (m.person.employee_number.clone(), m))
        .collect())
}

fn describe_date(date: Option<NaiveDate>) -> String {
    date.map_or_else(String::new, |d| d.to_string())
}

/// Compares the file with the roster.
pub fn preview(conn: &mut DbConnection, rows: Vec<RosterRow>) -> QueryResult<Preview> {
    let units = unit_ids(conn)?;
    let classes = classification_ids(conn)?;
    let existing = existing_members(conn)?;
    let unit_names: HashMap<i64, String> = units.iter().map(|(n, id)| (*id, n.clone())).collect();
    let class_names: HashMap<i64, String> = classes
        .iter()
        .map(|((_, n), id)| (*id, n.clone()))
        .collect();
    let mut new_units: Vec<String> = Vec::new();
    let mut new_classifications: Vec<(String, String)> = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let unit_id = units.get(&row.unit).copied();
        if unit_id.is_none() && !new_units.contains(&row.unit) {
            new_units.push(row.unit.clone());
        }
        let class_known =
            unit_id.is_some_and(|u| classes.contains_key(&(u, row.classification.clone())));
        let pair = (row.unit.clone(), row.classification.clone());
        if !class_known && !new_classifications.contains(&pair) {
            new_classifications.push(pair);
        }
        let change = match existing.get(&row.person.employee_number) {
            None => Change::New,
            Some(old) => {
                let mut diffs: Vec<(&'static str, String, String)> = Vec::new();
                let mut compare = |field: &'static str, before: String, after: String| {
                    if before != after {
                        diffs.push((field, before, after));
                    }
                };
                compare(
                    "first_name",
                    old.person.first_name.clone(),
                    row.person.first_name.clone(),
                );
                compare(
                    "last_name",
                    old.person.last_name.clone(),
                    row.person.last_name.clone(),
                );
                compare(
                    "email",
                    old.person.email.clone().unwrap_or_default(),
                    row.person.email.clone().unwrap_or_default(),
                );
                compare(
                    "unit",
                    unit_names.get(&old.unit_id).cloned().unwrap_or_default(),
                    row.unit.clone(),
                );
                compare(
                    "classification",
                    class_names
                        .get(&old.classification_id)
                        .cloned()
                        .unwrap_or_default(),
                    row.classification.clone(),
                );
                compare(
                    "department",
                    old.person.department.clone(),
                    row.person.department.clone(),
                );
                compare(
                    "hire_date",
                    old.person.hire_date.to_string(),
                    row.person.hire_date.to_string(),
                );
                compare(
                    "annual_salary",
                    old.person.annual_salary.to_string(),
                    row.person.annual_salary.to_string(),
                );
                compare(
                    "work_arrangement",
                    old.person.work_arrangement.to_string(),
                    row.person.work_arrangement.to_string(),
                );
                compare(
                    "status",
                    old.person.status.to_string(),
                    row.person.status.to_string(),
                );
                compare(
                    "join_date",
                    describe_date(old.person.join_date),
                    describe_date(row.person.join_date),
                );
                if diffs.is_empty() {
                    Change::Unchanged
                } else {
                    Change::Changed(diffs)
                }
            }
        };
        out.push((row, change));
    }
    Ok(Preview {
        rows: out,
        new_units,
        new_classifications,
    })
}

/// What a committed import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    /// People added.
    pub added: usize,
    /// People whose record changed.
    pub changed: usize,
    /// People already up to date.
    pub unchanged: usize,
    /// Units created.
    pub units_created: usize,
    /// Each row written with what it changed, so callers need not compare again.
    pub rows: Vec<(RosterRow, Change)>,
}

fn keep_status(
    conn: &mut DbConnection,
    row: &RosterRow,
    from: NaiveDate,
    actor: &Actor,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let id: i64 = members::table
        .filter(members::employee_number.eq(&row.person.employee_number))
        .select(members::id)
        .first(conn)?;
    status_history::record(
        conn,
        id,
        row.person.status,
        row.person.join_date,
        from,
        now,
        &actor.label,
    )
}

/// Writes a previewed import. Call inside one write transaction: it reads
/// the roster again, so a roster changed since the preview is compared anew.
pub fn commit(
    conn: &mut DbConnection,
    rows: Vec<RosterRow>,
    actor: &Actor,
    now: NaiveDateTime,
    status_from: NaiveDate,
) -> QueryResult<ImportSummary> {
    let summary = write_rows(conn, rows, actor, now, status_from)?;
    audit::record(
        conn,
        now,
        Entry {
            actor,
            action: "roster_import",
            target: "roster",
            detail: &format!(
                "{} added, {} changed, {} unchanged, {} units created",
                summary.added, summary.changed, summary.unchanged, summary.units_created
            ),
        },
    )?;
    Ok(summary)
}

/// Adds or updates roster entries (by employee number), creating units and
/// classifications they name, and audits each change with old and new values.
/// A changed status or join date is kept in the history from `status_from`;
/// a new person's from the start (their join date says when they joined).
pub fn write_rows(
    conn: &mut DbConnection,
    rows: Vec<RosterRow>,
    actor: &Actor,
    now: NaiveDateTime,
    status_from: NaiveDate,
) -> QueryResult<ImportSummary> {
    let preview = preview(conn, rows)?;
    for name in &preview.new_units {
        diesel::insert_into(units::table)
            .values((units::name.eq(name), units::created_at.eq(now)))
            .execute(conn)?;
        audit::record(
            conn,
            now,
            Entry {
                actor,
                action: "unit_created",
                target: name,
                detail: "by roster import",
            },
        )?;
    }
    let units = unit_ids(conn)?;
    for (unit, name) in &preview.new_classifications {
        diesel::insert_into(classifications::table)
            .values((
                classifications::unit_id.eq(units[unit]),
                classifications::name.eq(name),
            ))
            .execute(conn)?;
    }
    let classes = classification_ids(conn)?;
    let (added, changed, unchanged) = preview.counts();
    for (row, change) in &preview.rows {
        let unit_id = units[&row.unit];
        let class_id = classes[&(unit_id, row.classification.clone())];
        let values = (
            members::first_name.eq(&row.person.first_name),
            members::last_name.eq(&row.person.last_name),
            members::email.eq(&row.person.email),
            members::unit_id.eq(unit_id),
            members::classification_id.eq(class_id),
            members::department.eq(&row.person.department),
            members::hire_date.eq(row.person.hire_date),
            members::annual_salary_cents.eq(row.person.annual_salary.0),
            members::work_arrangement.eq(&row.person.work_arrangement),
            members::status.eq(row.person.status),
            members::join_date.eq(row.person.join_date),
            members::updated_at.eq(now),
        );
        match change {
            Change::New => {
                diesel::insert_into(members::table)
                    .values((
                        values,
                        members::employee_number.eq(&row.person.employee_number),
                        members::created_at.eq(now),
                    ))
                    .execute(conn)?;
                keep_status(conn, row, status_history::SINCE_EVER, actor, now)?;
            }
            Change::Changed(diffs) => {
                diesel::update(
                    members::table.filter(members::employee_number.eq(&row.person.employee_number)),
                )
                .set(values)
                .execute(conn)?;
                let membership = diffs
                    .iter()
                    .any(|(field, _, _)| matches!(*field, "status" | "join_date"));
                if membership {
                    keep_status(conn, row, status_from, actor, now)?;
                }
                let mut detail = diffs
                    .iter()
                    .map(|(field, before, after)| format!("{field}: {before:?} -> {after:?}"))
                    .collect::<Vec<_>>()
                    .join("; ");
                if membership {
                    detail.push_str(&format!(" (membership from {status_from})"));
                }
                audit::record(
                    conn,
                    now,
                    Entry {
                        actor,
                        action: "roster_edit",
                        target: &row.person.employee_number,
                        detail: &detail,
                    },
                )?;
            }
            Change::Unchanged => {}
        }
    }
    Ok(ImportSummary {
        added,
        changed,
        unchanged,
        units_created: preview.new_units.len(),
        rows: preview.rows,
    })
}

/// The roster entry that is this user, by the rule the dues statement
/// uses: the linked entry while its email is still the user's, else the one
/// entry with the user's email. A stale link or a shared email is nobody,
/// since a case must never open to the wrong person. Reads only.
pub fn member_id_of(conn: &mut DbConnection, user_id: i64) -> QueryResult<Option<i64>> {
    let Some((linked, email)) = users::table
        .find(user_id)
        .select((users::member_id, users::email))
        .first::<(Option<i64>, String)>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    if let Some(member_id) = linked {
        let still_theirs: i64 = members::table
            .find(member_id)
            .filter(members::email.eq(&email))
            .count()
            .get_result(conn)?;
        if still_theirs > 0 {
            return Ok(Some(member_id));
        }
    }
    let matches: Vec<i64> = members::table
        .filter(members::email.eq(&email))
        .select(members::id)
        .limit(2)
        .load(conn)?;
    Ok(match matches.as_slice() {
        [one] => Some(*one),
        _ => None,
    })
}

/// The user's roster entry and its unit, while they belong to the unit:
/// someone resigned or retired no longer reads its ballots or bargaining
/// figures.
pub fn belonging(conn: &mut DbConnection, user_id: i64) -> QueryResult<Option<(i64, i64)>> {
    let Some(member_id) = member_id_of(conn, user_id)? else {
        return Ok(None);
    };
    Ok(members::table
        .find(member_id)
        .filter(members::status.eq_any([Status::Member, Status::NonMember, Status::OnLeave]))
        .select(members::unit_id)
        .first::<i64>(conn)
        .optional()?
        .map(|unit| (member_id, unit)))
}
