//! Challenges to the roll: a member asks for an entry to be added or
//! removed while the roll is published; an officer decides with a reason;
//! those still open when the roll freezes are rejected.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::lock;
use super::roll::{add_entry, member_by_number, on_roll};
use crate::context::Context;
use crate::db::DbConnection;
use crate::db::schema::{members, roll_challenges as rc, roll_entries as re};
use crate::elections::states::{ChallengeKind, ChallengeStatus, Status};
use crate::forms::FieldProblem;

/// Why a challenge to the roll was not recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChallengeRefusal {
    #[error("Only members of the unit may challenge its roll.")]
    NotMember,
    #[error("Give a reason for the challenge.")]
    NoReason,
    #[error("No one in the unit has employee number {0}.")]
    UnknownNumber(String),
    #[error("The roll can be challenged only while it is published, before the vote opens.")]
    NotPublished,
}

impl FieldProblem for ChallengeRefusal {
    fn field(&self) -> &'static str {
        match self {
            Self::NoReason => "reason",
            Self::UnknownNumber(_) => "employee_number",
            // Not about what was typed: shown above the form.
            Self::NotMember | Self::NotPublished => "",
        }
    }
}

/// A member's challenge: whose entry (none for their own) and why.
pub struct Challenge<'a> {
    /// The challenger's roster entry.
    pub member_id: i64,
    /// The employee number of the entry challenged; empty for their own.
    pub about: &'a str,
    pub reason: &'a str,
}

/// Records a member's challenge to the roll while it is published: an
/// entry on the roll is challenged to come off, one missing to go on.
pub fn challenge(
    conn: &mut DbConnection,
    ctx: &Context,
    id: i64,
    challenge: &Challenge<'_>,
) -> QueryResult<Result<(i64, ChallengeKind), ChallengeRefusal>> {
    let row = lock(conn, id)?;
    let target = if challenge.about.is_empty() {
        challenge.member_id
    } else {
        match member_by_number(conn, challenge.about, Some(row.unit_id))? {
            Some(target) => target,
            None => {
                return Ok(Err(ChallengeRefusal::UnknownNumber(
                    challenge.about.to_owned(),
                )));
            }
        }
    };
    if row.status != Status::Published {
        return Ok(Err(ChallengeRefusal::NotPublished));
    }
    let kind = if on_roll(conn, id, target)? {
        ChallengeKind::Remove
    } else {
        ChallengeKind::Add
    };
    diesel::insert_into(rc::table)
        .values((
            rc::election_id.eq(id),
            rc::member_id.eq(target),
            rc::kind.eq(kind),
            rc::reason.eq(challenge.reason),
            rc::raised_by.eq(ctx.actor.user_id),
            rc::status.eq(ChallengeStatus::Open),
            rc::created_at.eq(ctx.now),
        ))
        .execute(conn)?;
    Ok(Ok((target, kind)))
}

/// Why a challenge was not decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ResolveRefusal {
    #[error("Give the reason for the decision.")]
    NoReason,
    #[error("That challenge is already decided, or the roll is frozen.")]
    Decided,
}

impl FieldProblem for ResolveRefusal {
    fn field(&self) -> &'static str {
        match self {
            Self::NoReason => "resolution",
            Self::Decided => "",
        }
    }
}

/// An officer's decision on a challenge.
pub struct Decision<'a> {
    pub challenge: i64,
    pub uphold: bool,
    pub resolution: &'a str,
}

/// Decides a challenge; an upheld one changes the roll.
pub fn resolve(
    conn: &mut DbConnection,
    ctx: &Context,
    id: i64,
    decision: &Decision<'_>,
) -> QueryResult<Result<(), ResolveRefusal>> {
    let row = lock(conn, id)?;
    let found: Option<(i64, ChallengeKind, ChallengeStatus)> = rc::table
        .find(decision.challenge)
        .filter(rc::election_id.eq(id))
        .select((rc::member_id, rc::kind, rc::status))
        .first(conn)
        .optional()?;
    let Some((member_id, kind, status)) = found else {
        return Ok(Err(ResolveRefusal::Decided));
    };
    if row.status != Status::Published || status != ChallengeStatus::Open {
        return Ok(Err(ResolveRefusal::Decided));
    }
    if decision.uphold {
        match kind {
            ChallengeKind::Add if !on_roll(conn, id, member_id)? => {
                let number: String = members::table
                    .find(member_id)
                    .select(members::employee_number)
                    .first(conn)?;
                add_entry(conn, id, member_id, &number)?;
            }
            ChallengeKind::Add => {}
            ChallengeKind::Remove => {
                diesel::delete(
                    re::table
                        .filter(re::election_id.eq(id))
                        .filter(re::member_id.eq(member_id)),
                )
                .execute(conn)?;
            }
        }
    }
    diesel::update(rc::table.find(decision.challenge))
        .set((
            rc::status.eq(if decision.uphold {
                ChallengeStatus::Upheld
            } else {
                ChallengeStatus::Rejected
            }),
            rc::resolution.eq(decision.resolution),
            rc::resolved_by.eq(ctx.actor.user_id),
            rc::resolved_at.eq(ctx.now),
        ))
        .execute(conn)?;
    Ok(Ok(()))
}

/// Rejects the challenges still open when the roll freezes at the opening.
pub fn reject_open_challenges(
    conn: &mut DbConnection,
    id: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(
        rc::table
            .filter(rc::election_id.eq(id))
            .filter(rc::status.eq(ChallengeStatus::Open)),
    )
    .set((
        rc::status.eq(ChallengeStatus::Rejected),
        rc::resolution.eq("Not resolved before the roll was frozen at opening."),
        rc::resolved_at.eq(now),
    ))
    .execute(conn)
    .map(drop)
}

/// A challenge as listed for officers.
#[derive(Debug, Clone)]
pub struct ChallengeLine {
    pub id: i64,
    /// The challenged entry's name.
    pub name: String,
    pub number: String,
    pub kind: ChallengeKind,
    pub reason: String,
    pub status: ChallengeStatus,
    pub resolution: String,
}

/// An election's challenges, oldest first.
pub fn challenges(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<ChallengeLine>> {
    type Raw = (
        i64,
        String,
        String,
        String,
        ChallengeKind,
        String,
        ChallengeStatus,
        String,
    );
    Ok(rc::table
        .inner_join(members::table)
        .filter(rc::election_id.eq(id))
        .order(rc::id.asc())
        .select((
            rc::id,
            members::first_name,
            members::last_name,
            members::employee_number,
            rc::kind,
            rc::reason,
            rc::status,
            rc::resolution,
        ))
        .load::<Raw>(conn)?
        .into_iter()
        .map(
            |(id, first, last, number, kind, reason, status, resolution)| ChallengeLine {
                id,
                name: format!("{first} {last}"),
                number,
                kind,
                reason,
                status,
                resolution,
            },
        )
        .collect())
}
