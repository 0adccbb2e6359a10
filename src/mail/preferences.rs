//! Which notices a person receives. Essential ones always go out.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::notification_prefs as p;

/// A kind of notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoticeKind {
    /// The stored name.
    pub key: &'static str,
    /// What people read.
    pub label: &'static str,
    /// What it covers.
    pub description: &'static str,
    /// Cannot be turned off.
    pub essential: bool,
}

/// Every kind, in the order the preferences page lists them.
pub const KINDS: [NoticeKind; 6] = [
    NoticeKind {
        key: "account",
        label: "Account and security",
        description: "Invitations, password resets and sign-in changes.",
        essential: true,
    },
    NoticeKind {
        key: "election",
        label: "Elections",
        description: "An election you can vote in has opened; your ballot receipt; the result.",
        essential: true,
    },
    NoticeKind {
        key: "grievance_updates",
        label: "Grievance updates",
        description: "A grievance you filed or carry was filed, assigned, or moved to another step.",
        essential: false,
    },
    NoticeKind {
        key: "deadline_reminders",
        label: "Deadline reminders",
        description: "For stewards: a grievance deadline is 5 days or 1 day away.",
        essential: false,
    },
    NoticeKind {
        key: "election_reminders",
        label: "Voting reminders",
        description: "An open election you have not voted in yet.",
        essential: false,
    },
    NoticeKind {
        key: "arrears",
        label: "Dues arrears",
        description: "Your dues are behind (at most one a month).",
        essential: false,
    },
];

/// True when the user receives this kind (essential ones, or not turned off).
pub fn wants(conn: &mut DbConnection, user_id: i64, kind: &NoticeKind) -> QueryResult<bool> {
    if kind.essential {
        return Ok(true);
    }
    let enabled: Option<bool> = p::table
        .find((user_id, kind.key))
        .select(p::enabled)
        .first(conn)
        .optional()?;
    Ok(enabled.unwrap_or(true))
}

/// Each kind with whether the user receives it.
pub fn for_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<(NoticeKind, bool)>> {
    KINDS
        .iter()
        .map(|kind| Ok((*kind, wants(conn, user_id, kind)?)))
        .collect()
}

/// Stores the user's choices; essential kinds are ignored.
pub fn save(conn: &mut DbConnection, user_id: i64, enabled: &[&str]) -> QueryResult<()> {
    for kind in KINDS.iter().filter(|k| !k.essential) {
        let on = enabled.contains(&kind.key);
        diesel::delete(p::table.find((user_id, kind.key))).execute(conn)?;
        diesel::insert_into(p::table)
            .values((
                p::user_id.eq(user_id),
                p::kind.eq(kind.key),
                p::enabled.eq(on),
            ))
            .execute(conn)?;
    }
    Ok(())
}
