//! Grievances: each unit's procedure and holidays, filing, the case file
//! (timeline, notes, attachments, extensions, outcome), the deadline board,
//! reminders and reports.
//!
//! Who may see a case is decided in one place, [`access`]: its grievants,
//! its assigned steward, chief stewards and officers. Anyone else gets the
//! same 404 as for a case that does not exist.

pub mod attachments;
pub mod board;
pub mod calendar;
pub mod case;
pub mod demo;
pub mod filing;
pub mod notices;
pub mod pages;
pub mod procedure_pages;
pub mod reminders;
pub mod reports;
pub mod store;

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{grievances, grievants, members, users};
use crate::error::AppError;
use crate::users::{Role, User};
use store::GrievanceRow;

/// How someone is entitled to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    /// Named on it: sees the case, shared notes and attachments.
    Grievant,
    /// Carries it: also private notes, and records acts.
    Steward,
    /// A chief steward or officer: all of that, and assigns stewards.
    Chief,
}

impl Access {
    /// Private notes and the act forms are for the union side.
    pub fn is_union_side(self) -> bool {
        self >= Access::Steward
    }
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

/// The case and how `user` may see it, or `NotFound` whether it is missing
/// or hidden from them.
pub fn access(
    conn: &mut DbConnection,
    user: &User,
    id: i64,
) -> Result<(GrievanceRow, Access), AppError> {
    let row: GrievanceRow = grievances::table
        .find(id)
        .select(GrievanceRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    if user.can(Role::ChiefSteward) {
        return Ok((row, Access::Chief));
    }
    if user.can(Role::Steward) && row.steward_id == Some(user.id) {
        return Ok((row, Access::Steward));
    }
    if let Some(member_id) = member_id_of(conn, user.id)? {
        let named: i64 = grievants::table
            .filter(grievants::grievance_id.eq(id))
            .filter(grievants::member_id.eq(member_id))
            .count()
            .get_result(conn)?;
        if named > 0 {
            return Ok((row, Access::Grievant));
        }
    }
    Err(AppError::NotFound)
}
