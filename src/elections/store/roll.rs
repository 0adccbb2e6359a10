//! The roll: drawn from the dues roll when a draft is published (its
//! challenges are in `challenges`), and the accounts of those on it, who
//! are mailed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::lock;
use crate::context::Context;
use crate::db::DbConnection;
use crate::db::schema::{classifications, members, participation, roll_entries as re, users};
use crate::elections::notices::ElectionNotice;
use crate::elections::rules::RollLine;
use crate::elections::states::Status;
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
    if super::trustees::of_election(conn, id)?.len() < super::trustees::MIN_TRUSTEES {
        return Ok(None);
    }
    let standings = crate::dues::owed::everyone_on(conn, row.cutoff)?;
    let people: Vec<i64> = members::table
        .filter(members::unit_id.eq(row.unit_id))
        .select(members::id)
        .load(conn)?;
    let mut count = 0;
    for member_id in people {
        if standings.get(&member_id).is_some_and(|d| d.standing.good) {
            add_entry(conn, id, member_id)?;
            count += 1;
        }
    }
    diesel::update(crate::db::schema::elections::table.find(id))
        .set((
            crate::db::schema::elections::status.eq(Status::Published),
            crate::db::schema::elections::updated_at.eq(now),
        ))
        .execute(conn)?;
    // The election as published opens its record: every proof from here on
    // is bound to this line's hash.
    let entry = super::trustees::election_entry(conn, &row)?;
    super::record::append(conn, id, entry)?;
    Ok(Some(count))
}

/// Puts a roster entry on the roll with its employee number, and the name
/// and classification it has now, which the published list keeps.
pub(super) fn add_entry(conn: &mut DbConnection, id: i64, member_id: i64) -> QueryResult<()> {
    let (number, first, last, classification): (String, String, String, String) = members::table
        .inner_join(classifications::table)
        .filter(members::id.eq(member_id))
        .select((
            members::employee_number,
            members::first_name,
            members::last_name,
            classifications::name,
        ))
        .first(conn)?;
    diesel::insert_into(re::table)
        .values((
            re::election_id.eq(id),
            re::member_id.eq(member_id),
            re::employee_number.eq(number),
            re::name.eq(format!("{first} {last}")),
            re::classification.eq(classification),
        ))
        .execute(conn)
        .map(drop)
}

/// An entry of the roll as the unit sees it, with the roster entry it
/// stands for (to challenge it by picking it).
#[derive(Debug, Clone)]
pub struct RollEntry {
    pub member_id: i64,
    pub line: RollLine,
}

/// The roll as published: every entry's name and classification, in the
/// order of the list the fingerprint hashes (`rules::roll_list`).
pub fn roll_entries(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<RollEntry>> {
    let mut entries: Vec<RollEntry> = re::table
        .filter(re::election_id.eq(id))
        .select((re::member_id, re::name, re::classification))
        .load::<(i64, String, String)>(conn)?
        .into_iter()
        .map(|(member_id, name, classification)| RollEntry {
            member_id,
            line: RollLine {
                name,
                classification,
            },
        })
        .collect();
    entries.sort_by_cached_key(|e| (e.line.line(), e.member_id));
    Ok(entries)
}

/// The roll's lines, for its fingerprint.
pub fn roll_lines(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<RollLine>> {
    Ok(roll_entries(conn, id)?
        .into_iter()
        .map(|e| e.line)
        .collect())
}

/// The roll as the officer exports it: employee number, name and
/// classification as drawn, and the roster's email and department now.
pub struct OfficerRollLine {
    pub number: String,
    pub name: String,
    pub classification: String,
    pub department: String,
    pub email: Option<String>,
}

/// The roll for the officer's export, in the published list's order.
pub fn officer_roll(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<OfficerRollLine>> {
    let mut rows: Vec<OfficerRollLine> = re::table
        .inner_join(members::table)
        .filter(re::election_id.eq(id))
        .select((
            re::employee_number,
            re::name,
            re::classification,
            members::department,
            members::email,
        ))
        .load::<(String, String, String, String, Option<String>)>(conn)?
        .into_iter()
        .map(
            |(number, name, classification, department, email)| OfficerRollLine {
                number,
                name,
                classification,
                department,
                email,
            },
        )
        .collect();
    rows.sort_by_cached_key(|r| {
        let line = RollLine {
            name: r.name.clone(),
            classification: r.classification.clone(),
        }
        .line();
        (line, r.number.clone())
    });
    Ok(rows)
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

/// Someone on the roll with an email on the roster: who to mail, as whom,
/// and whether they have an account to vote with.
struct Addressee {
    member_id: i64,
    email: String,
    name: String,
    account: Account,
}

/// The account behind a roll entry's email.
enum Account {
    /// Set up and in use: its notice preferences apply.
    Working(i64),
    /// Invited, the password not yet chosen.
    Pending(i64),
    /// None yet.
    Missing,
}

/// Everyone on the roll with an email on the roster, except those whose
/// account an officer turned off.
fn addressees(
    conn: &mut DbConnection,
    id: i64,
    only_not_voted: bool,
) -> QueryResult<Vec<Addressee>> {
    let entries: Vec<(i64, Option<String>, String, String)> = re::table
        .inner_join(members::table)
        .filter(re::election_id.eq(id))
        .select((
            members::id,
            members::email,
            members::first_name,
            members::last_name,
        ))
        .load(conn)?;
    let mut out = Vec::new();
    for (member_id, email, first, last) in entries {
        let Some(email) = email.filter(|e| !e.trim().is_empty()) else {
            continue;
        };
        if only_not_voted && voted(conn, id, member_id)? {
            continue;
        }
        let account: Option<(i64, String, bool, bool)> = users::table
            .filter(users::email.eq(&email))
            .select((
                users::id,
                users::display_name,
                users::active,
                users::password_hash.is_not_null(),
            ))
            .first(conn)
            .optional()?;
        let (name, account) = match account {
            Some((_, _, false, _)) => continue,
            Some((user_id, name, true, true)) => (name, Account::Working(user_id)),
            Some((user_id, name, true, false)) => (name, Account::Pending(user_id)),
            None => (format!("{first} {last}"), Account::Missing),
        };
        out.push(Addressee {
            member_id,
            email,
            name,
            account,
        });
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
    /// Whether those with no account yet are sent a link to choose a
    /// password with the notice, so they can vote online.
    pub invite: bool,
    pub ctx: &'a Context,
}

/// Sends the mail to every roll member's roster email: to an account that
/// wants its kind, and to everyone with no account yet (who has no
/// preferences to turn it off with), with an invitation when asked.
/// Returns how many were queued.
pub fn mail_roll(conn: &mut DbConnection, mail: &RollMail<'_>) -> QueryResult<usize> {
    use crate::mail::Notice;
    let config = &mail.ctx.config;
    let link = config.link(&format!("/elections/{}", mail.election_id));
    let mut sent = 0;
    for person in addressees(conn, mail.election_id, mail.only_not_voted)? {
        let mut lines = mail.lines.clone();
        match person.account {
            Account::Working(user_id) => {
                if !preferences::wants(conn, user_id, mail.kind)? {
                    continue;
                }
            }
            Account::Pending(_) | Account::Missing if mail.invite => {
                let invitation = invitation(conn, mail.ctx, &person)?;
                lines.push(format!(
                    "You have no account yet. To vote online, first choose a password here \
                     (the link works for 7 days): {invitation}"
                ));
                lines.push(
                    "Without an account, ask an officer of the local for a paper ballot."
                        .to_owned(),
                );
            }
            Account::Pending(_) | Account::Missing => {}
        }
        let message = ElectionNotice {
            local_name: config.local_name.clone(),
            name: person.name,
            subject: mail.subject.clone(),
            lines,
            link: link.clone(),
        }
        .to(&person.email)
        .map_err(|e| diesel::result::Error::QueryBuilderError(Box::new(e)))?;
        crate::mail::outbox::enqueue(conn, &message, &config.mail_domain())?;
        sent += 1;
    }
    Ok(sent)
}

/// A link to choose a password for the roll member's account, made now (a
/// pending account keeps its roles and name; a new one is a member's,
/// linked to the roster entry).
fn invitation(conn: &mut DbConnection, ctx: &Context, person: &Addressee) -> QueryResult<String> {
    use crate::auth::tokens::{self, Purpose};
    let user_id = match person.account {
        Account::Pending(user_id) => user_id,
        _ => crate::users::create(
            conn,
            &person.email,
            &person.name,
            None,
            &[crate::users::Role::Member],
            ctx.now,
        )?,
    };
    let linked: Option<i64> = users::table
        .find(user_id)
        .select(users::member_id)
        .first(conn)?;
    if linked.is_none() {
        crate::roster::store::link_user(conn, user_id, Some(person.member_id))?;
    }
    let token = tokens::issue(conn, Purpose::Invite, Some(user_id), ctx.now)?;
    crate::audit::record(
        conn,
        ctx.now,
        crate::audit::Entry {
            actor: &ctx.actor,
            action: "invitation_sent",
            target: &person.email,
            detail: "with a vote's notice",
        },
    )?;
    Ok(ctx.config.link(&format!("/invite/{token}")))
}

/// A roster entry's name, "First Last".
pub fn member_name(conn: &mut DbConnection, member_id: i64) -> QueryResult<String> {
    let (first, last): (String, String) = members::table
        .find(member_id)
        .select((members::first_name, members::last_name))
        .first(conn)?;
    Ok(format!("{first} {last}"))
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
