//! The roll: drawn from the dues roll when a draft is published, challenged
//! by members and decided by officers until it freezes at the opening, and
//! the accounts of those on it, who are mailed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::lock;
use crate::config::Config;
use crate::context::Context;
use crate::db::DbConnection;
use crate::db::schema::{members, participation, roll_challenges as rc, roll_entries as re, users};
use crate::elections::notices::ElectionNotice;
use crate::elections::states::{ChallengeKind, ChallengeStatus, Status};
use crate::forms::FieldProblem;
use crate::mail::preferences::{self, NoticeKind};

/// Publishes a draft: the roll is drawn from the dues roll (members in
/// good standing on the cut-off) and opened to challenges. `None` when it
/// is not a draft or its cut-off has not come.
pub fn publish(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<Option<usize>> {
    let row = lock(conn, id)?;
    // Standing on a day still to come would be a guess, frozen into the roll.
    if row.status != Status::Draft || row.cutoff > now.date() {
        return Ok(None);
    }
    let standings = crate::dues::ledger::standings_on(conn, row.cutoff)?;
    let people: Vec<(i64, String)> = members::table
        .filter(members::unit_id.eq(row.unit_id))
        .select((members::id, members::employee_number))
        .load(conn)?;
    let mut count = 0;
    for (member_id, number) in people {
        if standings.get(&member_id).is_some_and(|(s, _)| s.good) {
            add_entry(conn, id, member_id, &number)?;
            count += 1;
        }
    }
    diesel::update(crate::db::schema::elections::table.find(id))
        .set((
            crate::db::schema::elections::status.eq(Status::Published),
            crate::db::schema::elections::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(Some(count))
}

fn add_entry(conn: &mut DbConnection, id: i64, member_id: i64, number: &str) -> QueryResult<()> {
    diesel::insert_into(re::table)
        .values((
            re::election_id.eq(id),
            re::member_id.eq(member_id),
            re::employee_number.eq(number),
        ))
        .execute(conn)
        .map(drop)
}

/// True when the member is on the election's roll.
pub fn on_roll(conn: &mut DbConnection, id: i64, member_id: i64) -> QueryResult<bool> {
    Ok(re::table
        .filter(re::election_id.eq(id))
        .filter(re::member_id.eq(member_id))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// The roll's employee numbers.
pub fn roll_numbers(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<String>> {
    re::table
        .filter(re::election_id.eq(id))
        .select(re::employee_number)
        .load(conn)
}

/// An account on the roll: who to mail, and as whom.
struct RollAccount {
    user_id: i64,
    email: String,
    name: String,
}

/// Active users whose roster entry is on the roll.
fn roll_accounts(
    conn: &mut DbConnection,
    id: i64,
    only_not_voted: bool,
) -> QueryResult<Vec<RollAccount>> {
    let entries: Vec<(i64, Option<String>)> = re::table
        .inner_join(members::table)
        .filter(re::election_id.eq(id))
        .select((members::id, members::email))
        .load(conn)?;
    let mut out = Vec::new();
    for (member_id, email) in entries {
        let Some(email) = email else { continue };
        if only_not_voted && voted(conn, id, member_id)? {
            continue;
        }
        let account: Option<(i64, String, bool)> = users::table
            .filter(users::email.eq(&email))
            .select((users::id, users::display_name, users::active))
            .first(conn)
            .optional()?;
        if let Some((user_id, name, true)) = account {
            out.push(RollAccount {
                user_id,
                email,
                name,
            });
        }
    }
    Ok(out)
}

fn voted(conn: &mut DbConnection, id: i64, member_id: i64) -> QueryResult<bool> {
    Ok(participation::table
        .filter(participation::election_id.eq(id))
        .filter(participation::member_id.eq(member_id))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// What is said to everyone on a roll: the subject and the lines; each
/// notice is addressed by name.
pub struct RollMail<'a> {
    pub kind: NoticeKind,
    pub only_not_voted: bool,
    pub subject: String,
    pub lines: Vec<String>,
    pub election_id: i64,
    pub config: &'a Config,
}

/// Sends the mail to each roll account that wants its kind; returns how
/// many were queued.
pub fn mail_roll(conn: &mut DbConnection, mail: &RollMail<'_>) -> QueryResult<usize> {
    use crate::mail::Notice;
    let link = mail
        .config
        .link(&format!("/elections/{}", mail.election_id));
    let mut sent = 0;
    for account in roll_accounts(conn, mail.election_id, mail.only_not_voted)? {
        if !preferences::wants(conn, account.user_id, mail.kind)? {
            continue;
        }
        let message = ElectionNotice {
            local_name: mail.config.local_name.clone(),
            name: account.name,
            subject: mail.subject.clone(),
            lines: mail.lines.clone(),
            link: link.clone(),
        }
        .to(&account.email)
        .map_err(|e| diesel::result::Error::QueryBuilderError(Box::new(e)))?;
        crate::mail::outbox::enqueue(conn, &message, &mail.config.mail_domain())?;
        sent += 1;
    }
    Ok(sent)
}

/// The roster entry with this employee number, in `unit` when given.
pub fn member_by_number(
    conn: &mut DbConnection,
    number: &str,
    unit: Option<i64>,
) -> QueryResult<Option<i64>> {
    let mut query = members::table
        .filter(members::employee_number.eq(number))
        .select(members::id)
        .into_boxed();
    if let Some(unit) = unit {
        query = query.filter(members::unit_id.eq(unit));
    }
    query.first(conn).optional()
}

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
