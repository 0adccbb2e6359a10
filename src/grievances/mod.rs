//! Grievances: each unit's procedure and holidays, filing, the case file
//! (timeline, notes, attachments, extensions, outcome), the deadline board,
//! reminders and reports.
//!
//! `case` holds the rules (pure), `states` the words a case stores, `store`
//! every query, and the handler modules (`filing`, `pages`, `attachments`,
//! `board`, `reports`, `procedure_pages`) parse forms and render pages.
//!
//! Who may see a case is decided in one place, [`access`]: its grievants,
//! its assigned steward, chief stewards and officers. Anyone else gets the
//! same 404 as for a case that does not exist. A case voided as filed in
//! error stays open to the union side only.

pub mod attachments;
pub mod board;
pub mod calendar;
pub mod case;
pub mod demo;
pub mod filing;
pub mod notices;
pub mod pages;
pub mod procedure_pages;
pub mod reports;
pub mod states;
pub mod store;

use crate::db::DbConnection;
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

pub use crate::roster::member_id_of;

/// The case and how `user` may see it, or `NotFound` whether it is missing
/// or hidden from them.
pub fn access(
    conn: &mut DbConnection,
    user: &User,
    id: i64,
) -> Result<(GrievanceRow, Access), AppError> {
    let row = store::find(conn, id)?.ok_or(AppError::NotFound)?;
    if user.can(Role::ChiefSteward) {
        return Ok((row, Access::Chief));
    }
    if user.can(Role::Steward) && row.steward_id == Some(user.id) {
        return Ok((row, Access::Steward));
    }
    // A voided case was filed in error: it has left the grievant's list,
    // and its page, like every other trace of it, is for the union side.
    if let Some(member_id) = member_id_of(conn, user.id)?
        && !row.is_voided()
        && store::names_grievant(conn, id, member_id)?
    {
        return Ok((row, Access::Grievant));
    }
    Err(AppError::NotFound)
}
