//! The roster's reads and writes for its pages: units and classifications
//! by name, roster entries, and the link between an account and its entry.

use std::collections::HashMap;

use diesel::prelude::*;

use super::csv_import::RosterRow;
use super::{Change, MemberRow};
use crate::audit::{self, Entry};
use crate::context::Context;
use crate::db::DbConnection;
use crate::db::schema::{classifications, members, units, users};
use crate::forms::FieldProblem;

/// Every unit as (id, name), by name.
pub fn units(conn: &mut DbConnection) -> QueryResult<Vec<(i64, String)>> {
    units::table
        .order(units::name.asc())
        .select((units::id, units::name))
        .load(conn)
}

/// The name of unit `id`; `NotFound` when there is none.
pub fn unit_name(conn: &mut DbConnection, id: i64) -> QueryResult<String> {
    units::table.find(id).select(units::name).first(conn)
}

/// The id of the unit named `name`, if there is one.
pub fn unit_id_named(conn: &mut DbConnection, name: &str) -> QueryResult<Option<i64>> {
    units::table
        .filter(units::name.eq(name))
        .select(units::id)
        .first(conn)
        .optional()
}

/// Each distinct classification name in use, sorted.
pub fn classification_names(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    let mut names: Vec<String> = classifications::table
        .select(classifications::name)
        .load(conn)?;
    names.sort();
    names.dedup();
    Ok(names)
}

/// Unit and classification names by id, to show roster entries.
#[derive(Debug, Clone, Default)]
pub struct Names {
    units: HashMap<i64, String>,
    classes: HashMap<i64, String>,
}

impl Names {
    /// The unit's name, "" when unknown.
    pub fn unit(&self, id: i64) -> String {
        self.units.get(&id).cloned().unwrap_or_default()
    }

    /// The classification's name, "" when unknown.
    pub fn classification(&self, id: i64) -> String {
        self.classes.get(&id).cloned().unwrap_or_default()
    }

    /// Every unit as (id, name), by name.
    pub fn units_by_name(&self) -> Vec<(i64, String)> {
        let mut units: Vec<(i64, String)> =
            self.units.iter().map(|(id, n)| (*id, n.clone())).collect();
        units.sort_by(|a, b| a.1.cmp(&b.1));
        units
    }
}

/// The names of every unit and classification.
pub fn names(conn: &mut DbConnection) -> QueryResult<Names> {
    Ok(Names {
        units: units::table
            .select((units::id, units::name))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .collect(),
        classes: classifications::table
            .select((classifications::id, classifications::name))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .collect(),
    })
}

/// Everyone on the roster, by family name, given name and id.
pub fn everyone(conn: &mut DbConnection) -> QueryResult<Vec<MemberRow>> {
    members::table
        .order((
            members::last_name.asc(),
            members::first_name.asc(),
            members::id.asc(),
        ))
        .select(MemberRow::as_select())
        .load(conn)
}

/// Roster entry `id`; `NotFound` when there is none.
pub fn member(conn: &mut DbConnection, id: i64) -> QueryResult<MemberRow> {
    members::table
        .find(id)
        .select(MemberRow::as_select())
        .first(conn)
}

/// The employee number of entry `id`; `NotFound` when there is none.
pub fn employee_number(conn: &mut DbConnection, id: i64) -> QueryResult<String> {
    members::table
        .find(id)
        .select(members::employee_number)
        .first(conn)
}

/// The entry with this employee number, if any.
pub fn member_id_numbered(conn: &mut DbConnection, number: &str) -> QueryResult<Option<i64>> {
    members::table
        .filter(members::employee_number.eq(number))
        .select(members::id)
        .first(conn)
        .optional()
}

/// Links account `user_id` to roster entry `member_id` (or to none).
pub fn link_user(conn: &mut DbConnection, user_id: i64, member_id: Option<i64>) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::member_id.eq(member_id))
        .execute(conn)?;
    Ok(())
}

/// The roster entry of a signed-in user: the one linked to their account
/// while its email is still theirs, else the one roster entry with their
/// email (then linked). Several entries sharing an email link to none: a
/// statement must never show someone else's record.
pub fn member_of(
    conn: &mut DbConnection,
    user_id: i64,
    email: &str,
) -> QueryResult<Option<MemberRow>> {
    let linked: Option<i64> = users::table
        .find(user_id)
        .select(users::member_id)
        .first(conn)?;
    if let Some(member_id) = linked {
        let member: Option<MemberRow> = member(conn, member_id).optional()?;
        if let Some(member) = member.filter(|m| m.person.email.as_deref() == Some(email)) {
            return Ok(Some(member));
        }
    }
    let mut matches: Vec<MemberRow> = members::table
        .filter(members::email.eq(email))
        .select(MemberRow::as_select())
        .limit(2)
        .load(conn)?;
    let found = if matches.len() == 1 {
        matches.pop()
    } else {
        None
    };
    link_user(conn, user_id, found.as_ref().map(|m| m.id))?;
    Ok(found)
}

/// Why an entry could not be saved as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditRefusal {
    /// A new entry's employee number belongs to someone already.
    #[error("Employee number {0} is already on the roster.")]
    NumberTaken(String),
    /// A status change dated before one already kept would be hidden by it.
    #[error("A change from {0} is already kept: date this one on or after it.")]
    StatusBeforeLatest(chrono::NaiveDate),
}

impl FieldProblem for EditRefusal {
    fn field(&self) -> &'static str {
        match self {
            Self::NumberTaken(_) => "employee_number",
            Self::StatusBeforeLatest(_) => "status_from",
        }
    }
}

/// Writes a hand-edited entry, adding it when `adding`, audited; returns
/// its id and whether nothing changed. Call inside one write transaction.
pub fn save_entry(
    conn: &mut DbConnection,
    row: RosterRow,
    adding: bool,
    status_from: chrono::NaiveDate,
    ctx: &Context,
) -> QueryResult<Result<(i64, bool), EditRefusal>> {
    let existing = member_id_numbered(conn, &row.person.employee_number)?;
    if adding && existing.is_some() {
        return Ok(Err(EditRefusal::NumberTaken(row.person.employee_number)));
    }
    if let Some(id) = existing {
        let stored = member(conn, id)?;
        let changing = stored.person.status != row.person.status
            || stored.person.join_date != row.person.join_date;
        let latest = super::status_history::of_member(conn, id)?
            .last()
            .map(|change| change.effective_from);
        if let Some(latest) = latest.filter(|latest| changing && status_from < *latest) {
            return Ok(Err(EditRefusal::StatusBeforeLatest(latest)));
        }
    }
    let written = super::write_rows(conn, vec![row.clone()], &ctx.actor, ctx.now, status_from)?;
    let unchanged = matches!(written.rows.first(), Some((_, Change::Unchanged)));
    let member_id = member_id_numbered(conn, &row.person.employee_number)?
        .ok_or(diesel::result::Error::NotFound)?;
    if adding {
        audit::record(
            conn,
            ctx.now,
            Entry {
                actor: &ctx.actor,
                action: "roster_add",
                target: &row.person.employee_number,
                detail: &format!("{} {}", row.person.first_name, row.person.last_name),
            },
        )?;
    }
    Ok(Ok((member_id, unchanged)))
}
