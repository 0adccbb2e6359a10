//! Which notices a person receives. Essential ones always go out.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::notification_prefs as p;

crate::db::text_enum::text_enum! {
    /// A kind of notice a person may receive; the preferences page lists
    /// them in this order.
    pub enum NoticeKind {
        /// Invitations, resets, sign-in changes.
        Account = "account",
        /// An election opened, a receipt, a challenge decided, a result.
        Election = "election",
        /// A grievance naming the person filed, given a steward or moved on;
        /// for the union side, the cases they carry or assign.
        GrievanceUpdates = "grievance_updates",
        /// A steward's deadline is near.
        DeadlineReminders = "deadline_reminders",
        /// An open election the person has not voted in.
        ElectionReminders = "election_reminders",
        /// Dues are behind.
        Arrears = "arrears",
    }
}

impl NoticeKind {
    /// What people read.
    pub fn label(self) -> &'static str {
        match self {
            Self::Account => "Account and security",
            Self::Election => "Elections",
            Self::GrievanceUpdates => "Grievance updates",
            Self::DeadlineReminders => "Deadline reminders",
            Self::ElectionReminders => "Voting reminders",
            Self::Arrears => "Dues arrears",
        }
    }

    /// What it covers.
    pub fn description(self) -> &'static str {
        match self {
            Self::Account => "Invitations, password resets and sign-in changes.",
            Self::Election => {
                "An election you can vote in has opened; your ballot receipt; the decision on a challenge you made to its roll; the result."
            }
            Self::GrievanceUpdates => {
                "A grievance naming you was filed, given a steward, or moved to another step; for stewards and officers, the cases you carry or assign."
            }
            Self::DeadlineReminders => {
                "For stewards: a grievance deadline is 5 days or 1 day away."
            }
            Self::ElectionReminders => "An open election you have not voted in yet.",
            Self::Arrears => "Your dues are behind (at most one a month).",
        }
    }

    /// Cannot be turned off.
    pub fn essential(self) -> bool {
        matches!(self, Self::Account | Self::Election)
    }
}

/// True when the user receives this kind (essential ones, or not turned off).
pub fn wants(conn: &mut DbConnection, user_id: i64, kind: NoticeKind) -> QueryResult<bool> {
    if kind.essential() {
        return Ok(true);
    }
    let enabled: Option<bool> = p::table
        .find((user_id, kind.as_str()))
        .select(p::enabled)
        .first(conn)
        .optional()?;
    Ok(enabled.unwrap_or(true))
}

/// Each kind with whether the user receives it.
pub fn for_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<(NoticeKind, bool)>> {
    NoticeKind::ALL
        .iter()
        .map(|kind| Ok((*kind, wants(conn, user_id, *kind)?)))
        .collect()
}

/// Stores the user's choices; essential kinds are ignored.
pub fn save(conn: &mut DbConnection, user_id: i64, enabled: &[NoticeKind]) -> QueryResult<()> {
    for kind in NoticeKind::ALL.iter().filter(|k| !k.essential()) {
        let on = enabled.contains(kind);
        diesel::delete(p::table.find((user_id, kind.as_str()))).execute(conn)?;
        diesel::insert_into(p::table)
            .values((
                p::user_id.eq(user_id),
                p::kind.eq(kind.as_str()),
                p::enabled.eq(on),
            ))
            .execute(conn)?;
    }
    Ok(())
}
