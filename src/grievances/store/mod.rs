//! Cases in the database, one module per job: the procedure, filing, acts
//! and deadlines, notes, attachments, and the reads behind the lists, the
//! case file and the reports. Each function that changes a case writes
//! its timeline event and its mail in the caller's transaction.

pub mod acts;
pub mod attachments;
pub mod filing;
pub mod notes;
pub mod procedures;
pub mod reads;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

pub use acts::{ActRecord, Extension, Outcome, assign, extend, record_act, set_continuing, void};
pub use filing::{Filed, Filing, file};
pub use procedures::{Moved, procedure, save_procedure};

use super::case::State;
use super::states::{ClockStart, Kind, Phase, Status};
use crate::db::DbConnection;
use crate::db::schema::{grievances as g, grievants, members, user_roles, users};
use crate::users::Role;

/// A grievances row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = g)]
pub struct GrievanceRow {
    pub id: i64,
    pub unit_id: i64,
    pub kind: Kind,
    pub class_description: String,
    pub incident_date: NaiveDate,
    pub description: String,
    pub remedy: String,
    pub department: String,
    pub supervisor: String,
    pub filed_on: NaiveDate,
    pub late_days: i32,
    pub continuing_violation: bool,
    pub step_position: i32,
    pub phase: Phase,
    pub phase_since: NaiveDate,
    pub phase_reason: ClockStart,
    pub status: Status,
    pub due_on: Option<NaiveDate>,
    pub due_act: String,
    pub due_basis: String,
    pub steward_id: Option<i64>,
    pub filed_by: Option<i64>,
    pub outcome_terms: String,
    pub back_pay_cents: Option<i64>,
    pub resolved_on: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub voided_at: Option<NaiveDateTime>,
    pub voided_by: Option<i64>,
    pub voided_by_label: String,
    pub void_reason: String,
}

impl GrievanceRow {
    /// The case number people quote: "G-12".
    pub fn number(&self) -> String {
        number(self.id)
    }

    /// What the rules need.
    pub fn state(&self) -> State {
        State {
            step: self.step_position,
            phase: self.phase,
            since: self.phase_since,
            since_reason: self.phase_reason,
            filed_on: self.filed_on,
            status: self.status,
            voided: self.is_voided(),
        }
    }

    /// True until an outcome closes it or it is voided.
    pub fn is_open(&self) -> bool {
        self.status == Status::Open && !self.is_voided()
    }

    /// Voided as filed in error.
    pub fn is_voided(&self) -> bool {
        self.voided_at.is_some()
    }

    /// Why nothing more may be recorded on this case, when it is voided.
    pub fn voided(&self) -> Option<VoidedCase> {
        self.voided_at.map(|_| VoidedCase {
            number: self.number(),
            by: self.voided_by_label.clone(),
            reason: self.void_reason.clone(),
        })
    }
}

/// A voided case's record no longer changes: what a form on it is told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{number} was voided by {by} ({reason}); nothing more is recorded on it.")]
pub struct VoidedCase {
    /// "G-2".
    pub number: String,
    /// Who voided it.
    pub by: String,
    /// Why.
    pub reason: String,
}

impl crate::forms::FieldProblem for VoidedCase {
    fn field(&self) -> &'static str {
        "case"
    }
}

/// The case number for an id.
pub fn number(id: i64) -> String {
    format!("G-{id}")
}

/// The case, if there is one.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<GrievanceRow>> {
    g::table
        .find(id)
        .select(GrievanceRow::as_select())
        .first(conn)
        .optional()
}

/// Whether roster entry `member_id` is named on case `id`.
pub fn names_grievant(conn: &mut DbConnection, id: i64, member_id: i64) -> QueryResult<bool> {
    let named: i64 = grievants::table
        .filter(grievants::grievance_id.eq(id))
        .filter(grievants::member_id.eq(member_id))
        .count()
        .get_result(conn)?;
    Ok(named > 0)
}

/// The case row, locked for the rest of the transaction on PostgreSQL
/// (SQLite's write transactions already hold the database), so two people
/// acting at once apply their acts one after the other.
pub fn lock(conn: &mut DbConnection, id: i64) -> QueryResult<GrievanceRow> {
    match conn {
        DbConnection::Postgres(pg) => g::table
            .find(id)
            .select(GrievanceRow::as_select())
            .for_update()
            .first(pg),
        DbConnection::Sqlite(lite) => g::table
            .find(id)
            .select(GrievanceRow::as_select())
            .first(lite),
    }
}

/// The case row locked for a change, or why it takes none: a voided case's
/// record no longer changes, whoever asks.
pub fn lock_for_change(
    conn: &mut DbConnection,
    id: i64,
) -> QueryResult<Result<GrievanceRow, VoidedCase>> {
    let row = lock(conn, id)?;
    Ok(match row.voided() {
        Some(voided) => Err(voided),
        None => Ok(row),
    })
}

/// The roles that carry cases.
const CARRIERS: [Role; 3] = [Role::Steward, Role::ChiefSteward, Role::Officer];

/// Users who can carry a case: stewards, chief stewards and officers.
pub fn stewards(conn: &mut DbConnection) -> QueryResult<Vec<(i64, String)>> {
    let mut rows: Vec<(i64, String)> = users::table
        .inner_join(user_roles::table)
        .filter(user_roles::role.eq_any(CARRIERS.map(Role::as_str)))
        .filter(users::active.eq(true))
        .select((users::id, users::display_name))
        .distinct()
        .load(conn)?;
    rows.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(rows)
}

/// True while the user is active and holds a steward's role or above.
pub fn carries_cases(conn: &mut DbConnection, user_id: i64) -> QueryResult<bool> {
    let count: i64 = users::table
        .inner_join(user_roles::table)
        .filter(users::id.eq(user_id))
        .filter(users::active.eq(true))
        .filter(user_roles::role.eq_any(CARRIERS.map(Role::as_str)))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

/// Chief stewards and officers: who hears of every new case.
fn case_overseers(conn: &mut DbConnection) -> QueryResult<Vec<i64>> {
    users::table
        .inner_join(user_roles::table)
        .filter(user_roles::role.eq_any([Role::ChiefSteward.as_str(), Role::Officer.as_str()]))
        .filter(users::active.eq(true))
        .select(users::id)
        .distinct()
        .load(conn)
}

fn display_name(conn: &mut DbConnection, user_id: i64) -> QueryResult<String> {
    users::table
        .find(user_id)
        .select(users::display_name)
        .first(conn)
}

/// The user accounts of a case's grievants: accounts whose roster entry
/// (by [`crate::roster::member_id_of`]) is named on the case.
pub fn grievant_users(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<i64>> {
    let named: Vec<(i64, Option<String>)> = grievants::table
        .inner_join(members::table)
        .filter(grievants::grievance_id.eq(id))
        .select((members::id, members::email))
        .load(conn)?;
    let mut accounts = Vec::new();
    for (member_id, email) in named {
        let Some(email) = email else { continue };
        let candidates: Vec<i64> = users::table
            .filter(users::email.eq(&email))
            .select(users::id)
            .load(conn)?;
        for user_id in candidates {
            if crate::roster::member_id_of(conn, user_id)? == Some(member_id) {
                accounts.push(user_id);
            }
        }
    }
    Ok(accounts)
}
