//! Challenges to the roll: a member asks for an entry to be added or
//! removed while the roll is published; an officer decides with a reason;
//! those still open when the roll freezes are rejected.

use diesel::prelude::*;

use super::roll::{add_entry, member_by_number, member_name, on_roll};
use super::{ElectionRow, lock};
use crate::context::Context;
use crate::db::DbConnection;
use crate::db::schema::{members, roll_challenges as rc, roll_entries as re, users};
use crate::elections::notices::{ChallengeDecided, ElectionNotice};
use crate::elections::states::{ChallengeKind, ChallengeStatus, Status};
use crate::forms::FieldProblem;
use crate::mail::preferences::{self, NoticeKind};

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
    #[error("Keep the reason to {limit} characters; this one has {length}.")]
    TooLong { limit: usize, length: usize },
    #[error(
        "That entry is not on the roll (it may have been taken off since the page was loaded): pick one from the list."
    )]
    NotOnRoll,
    #[error(
        "You have already challenged this entry; an officer has yet to decide it, and you will be told the decision."
    )]
    AlreadyChallenged {
        /// Picked from the list, rather than typed as a number.
        picked: bool,
    },
}

impl FieldProblem for ChallengeRefusal {
    fn field(&self) -> &'static str {
        match self {
            Self::NoReason | Self::TooLong { .. } => "reason",
            Self::UnknownNumber(_) | Self::AlreadyChallenged { picked: false } => "employee_number",
            Self::NotOnRoll | Self::AlreadyChallenged { picked: true } => "entry",
            // Not about what was typed: shown above the form.
            Self::NotMember | Self::NotPublished => "",
        }
    }
}

/// The longest reason for a challenge kept, in characters.
pub const REASON_LIMIT: usize = 2000;

/// A member's challenge: whose entry (none for their own) and why.
pub struct Challenge<'a> {
    /// The challenger's roster entry.
    pub member_id: i64,
    /// The roll entry picked from the list (by its roster entry), if one was.
    pub entry: Option<i64>,
    /// The employee number of the entry challenged; empty for their own.
    pub about: &'a str,
    /// Trimmed; an empty or overlong one is refused.
    pub reason: &'a str,
}

/// A challenge as recorded, for the audit log: what it asks, of whom.
pub struct Raised {
    pub kind: ChallengeKind,
    /// The challenged entry's name and employee number.
    pub name: String,
    pub number: String,
}

/// Records a member's challenge to the roll while it is published: an
/// entry on the roll is challenged to come off, one missing to go on.
pub fn challenge(
    conn: &mut DbConnection,
    ctx: &Context,
    id: i64,
    challenge: &Challenge<'_>,
) -> QueryResult<Result<Raised, ChallengeRefusal>> {
    let row = lock(conn, id)?;
    if row.status != Status::Published {
        return Ok(Err(ChallengeRefusal::NotPublished));
    }
    // Whose entry, and how the challenger named it, as they will read it back.
    let (target, named) = if let Some(entry) = challenge.entry {
        let line: Option<(String, String)> = re::table
            .filter(re::election_id.eq(id))
            .filter(re::member_id.eq(entry))
            .select((re::name, re::classification))
            .first(conn)
            .optional()?;
        match line {
            Some((name, classification)) => (entry, format!("{name} ({classification})")),
            None => return Ok(Err(ChallengeRefusal::NotOnRoll)),
        }
    } else if challenge.about.is_empty() {
        (challenge.member_id, String::new())
    } else {
        match member_by_number(conn, challenge.about, Some(row.unit_id))? {
            Some(target) => (target, challenge.about.to_owned()),
            None => {
                return Ok(Err(ChallengeRefusal::UnknownNumber(
                    challenge.about.to_owned(),
                )));
            }
        }
    };
    let length = challenge.reason.chars().count();
    if length == 0 {
        return Ok(Err(ChallengeRefusal::NoReason));
    }
    if length > REASON_LIMIT {
        return Ok(Err(ChallengeRefusal::TooLong {
            limit: REASON_LIMIT,
            length,
        }));
    }
    // Once is enough: the same challenge again waits for the same decision.
    let pending: i64 = rc::table
        .filter(rc::election_id.eq(id))
        .filter(rc::member_id.eq(target))
        .filter(rc::raised_by.eq(ctx.actor.user_id))
        .filter(rc::status.eq(ChallengeStatus::Open))
        .count()
        .get_result(conn)?;
    if pending > 0 {
        return Ok(Err(ChallengeRefusal::AlreadyChallenged {
            picked: challenge.entry.is_some(),
        }));
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
            rc::about.eq(&named),
        ))
        .execute(conn)?;
    let number: String = members::table
        .find(target)
        .select(members::employee_number)
        .first(conn)?;
    Ok(Ok(Raised {
        kind,
        name: member_name(conn, target)?,
        number,
    }))
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

/// Decides a challenge; an upheld one changes the roll. The challenger is
/// told the decision and its reason by mail in the same transaction.
/// Returns the challenge as decided, for the record, and whether the
/// challenger was mailed.
pub fn resolve(
    conn: &mut DbConnection,
    ctx: &Context,
    id: i64,
    decision: &Decision<'_>,
) -> QueryResult<Result<(ChallengeLine, bool), ResolveRefusal>> {
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
                add_entry(conn, id, member_id)?;
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
    let told = tell_challenger(conn, ctx, &row, decision.challenge)?;
    Ok(Ok((line(conn, decision.challenge)?, told)))
}

/// What a challenge still open at the freeze is told.
pub const FROZEN: &str = "Not resolved before the roll was frozen at opening.";

/// Rejects the challenges still open when the roll freezes at the opening,
/// and tells each challenger.
pub fn reject_open_challenges(
    conn: &mut DbConnection,
    ctx: &Context,
    row: &ElectionRow,
) -> QueryResult<()> {
    let open: Vec<i64> = rc::table
        .filter(rc::election_id.eq(row.id))
        .filter(rc::status.eq(ChallengeStatus::Open))
        .select(rc::id)
        .load(conn)?;
    diesel::update(rc::table.filter(rc::id.eq_any(&open)))
        .set((
            rc::status.eq(ChallengeStatus::Rejected),
            rc::resolution.eq(FROZEN),
            rc::resolved_at.eq(ctx.now),
        ))
        .execute(conn)?;
    for challenge in open {
        tell_challenger(conn, ctx, row, challenge)?;
    }
    Ok(())
}

/// What a challenge asks, for the record: "take Ann Lee (E1042) off the
/// roll".
pub fn asks(kind: ChallengeKind, name: &str, number: &str) -> String {
    match kind {
        ChallengeKind::Add => format!("put {name} ({number}) on the roll"),
        ChallengeKind::Remove => format!("take {name} ({number}) off the roll"),
    }
}

/// What a challenge asked, as its challenger reads it: "to take V00002 off
/// the roll", "to take Ann Lee (Organizer) off the roll", "to be put on the
/// roll". Another member's entry is named as the challenger named it (the
/// number they typed, or the entry they picked from the list), never by a
/// name or number they were not shown.
pub fn asked(kind: ChallengeKind, own: bool, named: &str) -> String {
    match (kind, own) {
        (ChallengeKind::Add, true) => "to be put on the roll".to_owned(),
        (ChallengeKind::Remove, true) => "to be taken off the roll".to_owned(),
        (ChallengeKind::Add, false) => format!("to put {named} on the roll"),
        (ChallengeKind::Remove, false) => format!("to take {named} off the roll"),
    }
}

/// The lines of the mail that tells a challenger the decision.
pub fn decision_lines(title: &str, challenge: &OwnChallenge) -> Vec<String> {
    vec![
        format!(
            "Your challenge to the roll of \"{title}\", {}, is {}.",
            challenge.asked, challenge.status
        ),
        format!("The reason for the decision: {}", challenge.resolution),
        format!("Your reason was: {}", challenge.reason),
        match challenge.status {
            ChallengeStatus::Upheld => "The roll has been changed to match.".to_owned(),
            _ => "The roll stays as it was.".to_owned(),
        },
    ]
}

/// Mails the challenger of a decided challenge the decision and its reason,
/// if their account is active and takes election mail. True when queued.
fn tell_challenger(
    conn: &mut DbConnection,
    ctx: &Context,
    row: &ElectionRow,
    challenge: i64,
) -> QueryResult<bool> {
    use crate::mail::Notice;
    let raised_by: Option<i64> = rc::table
        .find(challenge)
        .select(rc::raised_by)
        .first(conn)?;
    let Some(user_id) = raised_by else {
        return Ok(false);
    };
    let account: Option<(String, String, bool)> = users::table
        .find(user_id)
        .select((users::email, users::display_name, users::active))
        .first(conn)
        .optional()?;
    let Some((email, name, true)) = account else {
        return Ok(false);
    };
    if !preferences::wants(conn, user_id, NoticeKind::Election)? {
        return Ok(false);
    }
    let Some(decided) = of_challenger(conn, row.id, user_id)?
        .into_iter()
        .find(|c| c.id == challenge)
    else {
        return Ok(false);
    };
    let message = ChallengeDecided(ElectionNotice {
        local_name: ctx.config.local_name.clone(),
        name,
        subject: format!(
            "your challenge to the roll of {}: {}",
            row.title, decided.status
        ),
        lines: decision_lines(&row.title, &decided),
        link: ctx.config.link(&format!("/elections/{}", row.id)),
    })
    .to(&email)
    .map_err(|e| diesel::result::Error::QueryBuilderError(Box::new(e)))?;
    crate::mail::outbox::enqueue(conn, &message, &ctx.config.mail_domain())?;
    Ok(true)
}

/// A challenge as its challenger sees it on the election's page.
#[derive(Debug, Clone)]
pub struct OwnChallenge {
    pub id: i64,
    /// The roster entry challenged.
    pub member_id: i64,
    /// What it asked, in words (see `asked`).
    pub asked: String,
    pub reason: String,
    pub status: ChallengeStatus,
    pub resolution: String,
}

/// The challenges this user raised in the election, oldest first.
pub fn of_challenger(
    conn: &mut DbConnection,
    id: i64,
    user_id: i64,
) -> QueryResult<Vec<OwnChallenge>> {
    let own_entry = crate::roster::member_id_of(conn, user_id)?;
    Ok(rc::table
        .inner_join(members::table)
        .filter(rc::election_id.eq(id))
        .filter(rc::raised_by.eq(user_id))
        .order(rc::id.asc())
        .select((
            rc::id,
            rc::member_id,
            members::employee_number,
            rc::kind,
            rc::reason,
            rc::status,
            rc::resolution,
            rc::about,
        ))
        .load::<(
            i64,
            i64,
            String,
            ChallengeKind,
            String,
            ChallengeStatus,
            String,
            String,
        )>(conn)?
        .into_iter()
        .map(
            |(id, member, number, kind, reason, status, resolution, about)| OwnChallenge {
                id,
                member_id: member,
                // Challenges raised before the words were kept gave a number.
                asked: asked(
                    kind,
                    own_entry == Some(member),
                    if about.is_empty() { &number } else { &about },
                ),
                reason,
                status,
                resolution,
            },
        )
        .collect())
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

/// One challenge as listed for officers.
fn line(conn: &mut DbConnection, challenge: i64) -> QueryResult<ChallengeLine> {
    let election: i64 = rc::table
        .find(challenge)
        .select(rc::election_id)
        .first(conn)?;
    challenges(conn, election)?
        .into_iter()
        .find(|c| c.id == challenge)
        .ok_or(diesel::result::Error::NotFound)
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
