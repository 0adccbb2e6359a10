//! An officer's part of the home page: what waits on them (roll challenges,
//! voters who cannot be reached, parked mail, imports not confirmed,
//! members newly in arrears, trustees not finished) and every area of the
//! app.

use std::collections::HashMap;

use chrono::Duration;
use diesel::prelude::*;

use super::{Item, Reader, Section, Tone};
use crate::db::DbConnection;
use crate::db::schema::{
    elections as el, members, outbox, pending_uploads, roll_challenges as rc, users,
};
use crate::dues::owed;
use crate::elections::states::{ChallengeStatus, Status as ElectionStatus};
use crate::elections::store::{self as elections, ElectionRow, trustees};
use crate::mail::outbox::Status as MailStatus;
use crate::plural::count;

/// How far back a member's standing is compared to call them newly behind.
const NEWLY_BEHIND_DAYS: i64 = 30;

/// How many of them are named before "and N more".
const NAMED: usize = 5;

/// What waits on the officers today.
pub fn waiting(conn: &mut DbConnection, reader: &Reader<'_>) -> QueryResult<Section> {
    let mut waiting = Section::new(
        "Waiting on the officers",
        "Nothing is waiting on the officers.",
    );
    let live: Vec<ElectionRow> = el::table
        .filter(el::status.eq_any([ElectionStatus::Published, ElectionStatus::Open]))
        .order(el::opens_at.asc())
        .select(ElectionRow::as_select())
        .load(conn)?;
    waiting.items.extend(challenges(conn)?);
    for row in &live {
        waiting.items.extend(unreachable(conn, row)?);
        waiting.items.extend(trustees_waiting(conn, row)?);
    }
    waiting.items.extend(parked_mail(conn)?);
    waiting.items.extend(unconfirmed_imports(conn, reader)?);
    waiting.items.extend(newly_behind(conn, reader)?);
    Ok(waiting)
}

/// Open roll challenges, one item per election.
fn challenges(conn: &mut DbConnection) -> QueryResult<Vec<Item>> {
    let open: Vec<(i64, String, i64)> = rc::table
        .inner_join(el::table.on(el::id.eq(rc::election_id)))
        .filter(rc::status.eq(ChallengeStatus::Open))
        .group_by((el::id, el::title))
        .select((el::id, el::title, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(open
        .into_iter()
        .map(|(id, title, n)| {
            Item::new(
                format!("/officer/elections/{id}#challenges"),
                format!(
                    "Decide {} to the roll of \u{201c}{title}\u{201d}",
                    count(n, "challenge", "challenges")
                ),
                Tone::Urgent,
            )
            .detail("Each waits for an upheld or rejected decision before voting opens.")
        })
        .collect())
}

/// Members on a live roll with no email on the roster (nobody can reach
/// them online) or with no account to vote with.
fn unreachable(conn: &mut DbConnection, row: &ElectionRow) -> QueryResult<Vec<Item>> {
    let reach = elections::reach::of_roll(conn, row.id)?;
    let mut items = Vec::new();
    let page = format!("/officer/elections/{}#unreachable", row.id);
    if reach.no_email > 0 {
        items.push(
            Item::new(
                page.clone(),
                format!(
                    "{} on the roll of \u{201c}{}\u{201d} cannot be reached",
                    count(reach.no_email as i64, "member", "members"),
                    row.title
                ),
                Tone::Urgent,
            )
            .detail("The roster has no email for them: reach them another way, or offer a paper ballot."),
        );
    }
    if reach.no_account > 0 {
        items.push(
            Item::new(
                page,
                format!(
                    "{} on the roll of \u{201c}{}\u{201d} {} no account",
                    count(reach.no_account as i64, "member", "members"),
                    row.title,
                    if reach.no_account == 1 { "has" } else { "have" }
                ),
                Tone::Plain,
            )
            .detail("They get the vote's notices by email; inviting them lets them vote online."),
        );
    }
    Ok(items)
}

/// A vote whose trustees still have a step to take.
fn trustees_waiting(conn: &mut DbConnection, row: &ElectionRow) -> QueryResult<Option<Item>> {
    let rows = trustees::of_election(conn, row.id)?;
    if rows.is_empty() {
        return Ok(None);
    }
    let page = format!("/officer/elections/{}#trustee-list", row.id);
    if row.keyed_at.is_none() {
        let progress = trustees::Progress::of(&rows);
        return Ok(Some(
            Item::new(
                page,
                format!(
                    "The trustees of \u{201c}{}\u{201d} have not made its key",
                    row.title
                ),
                Tone::Urgent,
            )
            .detail(progress.in_words()),
        ));
    }
    if row.closed_at.is_some() {
        let shared = trustees::shared(conn, row.id)?.len();
        return Ok(Some(
            Item::new(
                page,
                format!(
                    "The trustees of \u{201c}{}\u{201d} have not decrypted its result",
                    row.title
                ),
                Tone::Urgent,
            )
            .detail(format!(
                "{} of the {} needed.",
                count(shared as i64, "share", "shares"),
                row.threshold
            )),
        ));
    }
    Ok(None)
}

fn parked_mail(conn: &mut DbConnection) -> QueryResult<Option<Item>> {
    let parked: i64 = outbox::table
        .filter(outbox::status.eq(MailStatus::Failed))
        .count()
        .get_result(conn)?;
    Ok((parked > 0).then(|| {
        Item::new(
            "/officer/outbox?status=failed",
            format!(
                "{} parked in the outbox",
                count(parked, "message", "messages")
            ),
            Tone::Urgent,
        )
        .detail("Each says why it was not delivered; most can be tried again.")
    }))
}

fn unconfirmed_imports(conn: &mut DbConnection, reader: &Reader<'_>) -> QueryResult<Vec<Item>> {
    let waiting: Vec<(String, String, String, chrono::NaiveDateTime)> = pending_uploads::table
        .inner_join(users::table.on(users::id.eq(pending_uploads::user_id)))
        .order(pending_uploads::created_at.asc())
        .select((
            pending_uploads::kind,
            pending_uploads::file_name,
            users::display_name,
            pending_uploads::created_at,
        ))
        .load(conn)?;
    Ok(waiting
        .into_iter()
        .map(|(kind, file, who, at)| {
            let what = if kind == "checkoff" {
                "check-off"
            } else {
                "roster"
            };
            Item::new(
                "/officer/imports",
                format!("A {what} import of {file} is not confirmed"),
                Tone::Plain,
            )
            .detail(format!(
                "{who} previewed it {}; nothing changes until someone uploads and confirms it.",
                crate::elections::local_time(reader.config, at)
            ))
        })
        .collect())
}

/// Members in good standing a month ago and behind today.
fn newly_behind(conn: &mut DbConnection, reader: &Reader<'_>) -> QueryResult<Option<Item>> {
    // One read of the ledger for both days.
    let mut both = owed::everyone_on_days(
        conn,
        &[
            reader.today,
            reader.today - Duration::days(NEWLY_BEHIND_DAYS),
        ],
    )?
    .into_iter();
    let today = both.next().unwrap_or_default();
    let before = both.next().unwrap_or_default();
    let behind: Vec<i64> = today
        .iter()
        .filter(|(id, on)| {
            on.standing.months_behind > 0
                && !on.standing.good
                && before.get(id).is_some_and(|b| b.standing.good)
        })
        .map(|(id, _)| *id)
        .collect();
    if behind.is_empty() {
        return Ok(None);
    }
    let names: HashMap<i64, (String, String)> = members::table
        .filter(members::id.eq_any(&behind))
        .select((members::id, (members::last_name, members::first_name)))
        .load::<(i64, (String, String))>(conn)?
        .into_iter()
        .collect();
    let mut listed: Vec<String> = names.values().map(|(l, f)| format!("{l}, {f}")).collect();
    listed.sort();
    let named = if listed.len() > NAMED {
        let more = listed.len() - NAMED;
        listed.truncate(NAMED);
        format!("{} and {more} more", listed.join("; "))
    } else {
        listed.join("; ")
    };
    Ok(Some(
        Item::new(
            "/officer/dues/reconciliation",
            format!(
                "{} newly behind on dues",
                count(behind.len() as i64, "member", "members")
            ),
            Tone::Urgent,
        )
        .detail(format!(
            "In good standing {} days ago, not today: {}.",
            NEWLY_BEHIND_DAYS, named
        )),
    ))
}

/// Every area of the app an officer works in.
pub fn areas() -> Section {
    let mut section = Section::new("Every area", "");
    for (href, label, detail) in [
        (
            "/officer/roster",
            "Roster",
            "members, their standing today, invitations",
        ),
        (
            "/officer/imports",
            "Imports",
            "the employer's roster and check-off files",
        ),
        (
            "/officer/dues",
            "Dues",
            "rates, posting a month, arrears notices",
        ),
        (
            "/officer/dues/reconciliation",
            "Reconciliation and arrears",
            "what was charged against what was paid",
        ),
        (
            "/officer/units",
            "Units",
            "employers, contracts, classifications, grievance procedures",
        ),
        (
            "/officer/elections",
            "Elections",
            "drafts, rolls, trustees, results",
        ),
        (
            "/salary",
            "Salaries",
            "the floor scenarios and the comparison",
        ),
        (
            "/stewards/board",
            "Deadline board",
            "every open case by next deadline",
        ),
        (
            "/stewards/reports",
            "Grievance reports",
            "counts, outcomes, durations",
        ),
        ("/officer/users", "Users", "accounts and roles"),
        ("/officer/outbox", "Outbox", "mail queued, sent and parked"),
        ("/officer/audit", "Audit log", "who did what, and when"),
    ] {
        section
            .items
            .push(Item::new(href, label, Tone::Plain).detail(detail));
    }
    section
}
