//! Why a member is not on an election's roll, as of its cut-off: read by
//! the rule that drew the roll (`dues::owed`, standing on the cut-off), so
//! the page can never give a reason the roll did not follow.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::ElectionRow;
use crate::clock::long_date;
use crate::db::DbConnection;
use crate::db::schema::{roll_challenges as rc, units};
use crate::dues::rules::Status;
use crate::elections::states::{ChallengeKind, ChallengeStatus};
use crate::money::Cents;
use crate::plural::count;
use crate::roster::status_history;

/// Why someone is off the roll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OffRoll {
    /// Not on the unit's roster now (or no roster entry for the account).
    NotInUnit,
    /// Not on the roster at all by the cut-off.
    NotOnRoster,
    /// A status other than member on the cut-off.
    NotAMember { status: Status },
    /// Joined after the cut-off.
    JoinedAfter { joined: NaiveDate },
    /// On the cut-off, more was owed than the unit's allowance.
    Behind {
        owed: Cents,
        months: i64,
        allowance: i64,
    },
    /// Taken off when a challenge to the entry was upheld.
    TakenOff { resolution: String },
    /// In good standing on the cut-off, yet not among the unit's roster
    /// when the roll was drawn (moved into the unit since).
    NotDrawn,
}

impl OffRoll {
    /// The reason in words, dated by the cut-off.
    pub fn words(&self, cutoff: NaiveDate) -> String {
        let on = long_date(cutoff);
        match self {
            Self::NotInUnit => {
                "You are not on this unit's roster, so you are not on its roll.".to_owned()
            }
            Self::NotOnRoster => format!(
                "You were not on the unit's roster on {on}, the roll's cut-off: the roll is the members in good standing on that day."
            ),
            Self::NotAMember { status } => format!(
                "On {on}, the roll's cut-off, your membership status was \u{201c}{}\u{201d}, not \u{201c}member\u{201d}: only members in good standing on that day are on the roll.",
                status_words(*status)
            ),
            Self::JoinedAfter { joined } => format!(
                "You joined on {}, after the roll's cut-off of {on}: only those who were members by then are on the roll.",
                long_date(*joined)
            ),
            Self::Behind {
                owed,
                months,
                allowance,
            } => format!(
                "On {on}, the roll's cut-off, you were behind on dues by {owed} ({} of dues), more than the {} the unit allows for good standing.",
                count(*months, "month", "months"),
                count(*allowance, "month", "months"),
            ),
            Self::TakenOff { resolution } => format!(
                "You were taken off the roll when a challenge to your entry was upheld. The reason given: {resolution}"
            ),
            Self::NotDrawn => format!(
                "You were in good standing on {on}, the roll's cut-off, but not on the unit's roster when the roll was drawn."
            ),
        }
    }

    /// True when the reason is dues owed: the statement says what and since when.
    pub fn about_dues(&self) -> bool {
        matches!(self, Self::Behind { .. })
    }
}

/// A status as a sentence names it.
fn status_words(status: Status) -> &'static str {
    match status {
        Status::Member => "member",
        Status::NonMember => "non-member (agency fee)",
        Status::OnLeave => "on leave",
        Status::Resigned => "resigned",
        Status::Retired => "retired",
    }
}

/// Why roster entry `member` (of the election's unit, or `None` for an
/// account with none there) is not on the roll; `None` when it is on it.
pub fn why(
    conn: &mut DbConnection,
    row: &ElectionRow,
    member: Option<i64>,
) -> QueryResult<Option<OffRoll>> {
    let Some(member) = member else {
        return Ok(Some(OffRoll::NotInUnit));
    };
    if super::on_roll(conn, row.id, member)? {
        return Ok(None);
    }
    let taken_off: Option<String> = rc::table
        .filter(rc::election_id.eq(row.id))
        .filter(rc::member_id.eq(member))
        .filter(rc::kind.eq(ChallengeKind::Remove))
        .filter(rc::status.eq(ChallengeStatus::Upheld))
        .order(rc::id.desc())
        .select(rc::resolution)
        .first(conn)
        .optional()?;
    if let Some(resolution) = taken_off {
        return Ok(Some(OffRoll::TakenOff { resolution }));
    }
    // The status and join date in force on the cut-off, as the roll read them.
    let Some(record) = status_history::member_on(conn, member, row.cutoff)? else {
        return Ok(Some(OffRoll::NotOnRoster));
    };
    if record.status != Status::Member {
        return Ok(Some(OffRoll::NotAMember {
            status: record.status,
        }));
    }
    if let Some(joined) = record.join_date.filter(|joined| *joined > row.cutoff) {
        return Ok(Some(OffRoll::JoinedAfter { joined }));
    }
    let (dues, _) = crate::dues::owed::member_on(conn, member, row.cutoff)?;
    if !dues.standing.good {
        let allowance: i32 = units::table
            .find(row.unit_id)
            .select(units::arrears_allowance_months)
            .first(conn)?;
        return Ok(Some(OffRoll::Behind {
            owed: dues.owed.owed,
            months: dues.standing.months_behind,
            allowance: i64::from(allowance),
        }));
    }
    Ok(Some(OffRoll::NotDrawn))
}
