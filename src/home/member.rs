//! A member's part of the home page: the unit's votes, their standing and
//! what they owe today, their grievances, and the notices they turned off.

use chrono::Duration;
use diesel::QueryResult;

use super::{Item, Reader, Section, Tone, capped};
use crate::db::DbConnection;
use crate::dues::owed;
use crate::dues::rules::Status;
use crate::elections::local_time;
use crate::elections::states::Phase;
use crate::elections::store::{self as elections, ElectionRow, casting};
use crate::grievances::pages::lines::lines_for;
use crate::grievances::store::reads;
use crate::mail::preferences;
use crate::plural::count;
use crate::roster::status_history;

/// How long a certified result stays on the list.
const RESULT_SHOWN_DAYS: i64 = 30;

/// The member's sections; none about dues or votes for an account with no
/// roster entry, which is told why instead.
pub fn sections(conn: &mut DbConnection, reader: &Reader<'_>) -> QueryResult<Vec<Section>> {
    let mut sections = Vec::new();
    match crate::roster::member_id_of(conn, reader.user.id)? {
        Some(member_id) => {
            if let Some((_, unit)) = crate::roster::belonging(conn, reader.user.id)? {
                sections.push(votes(conn, reader, member_id, unit)?);
            }
            sections.push(dues(conn, reader, member_id)?);
            sections.push(grievances(conn, reader, member_id)?);
        }
        None => {
            let mut section = Section::new("Your membership", "");
            section.items.push(
                Item::new(
                    "/account",
                    "Your account is not linked to a roster entry",
                    Tone::Plain,
                )
                .detail(
                    "Dues, votes and grievances show here once an officer's roster lists \
                         the email you sign in with.",
                ),
            );
            sections.push(section);
        }
    }
    if let Some(section) = notices_off(conn, reader)? {
        sections.push(section);
    }
    Ok(sections)
}

fn votes(
    conn: &mut DbConnection,
    reader: &Reader<'_>,
    member_id: i64,
    unit: i64,
) -> QueryResult<Section> {
    let mut section = Section::new("Votes", "No vote is under way in your unit.");
    for row in elections::of_unit(conn, unit)? {
        if let Some(item) = vote_item(conn, reader, &row, member_id)? {
            section.items.push(item);
        }
    }
    section.urgent_first();
    Ok(section)
}

fn vote_item(
    conn: &mut DbConnection,
    reader: &Reader<'_>,
    row: &ElectionRow,
    member_id: i64,
) -> QueryResult<Option<Item>> {
    let page = format!("/elections/{}", row.id);
    let opens = local_time(reader.config, row.opens_at);
    let closes = local_time(reader.config, row.closes_at);
    let phase = row.phase(reader.now);
    let on_roll = phase != Phase::Draft && elections::on_roll(conn, row.id, member_id)?;
    Ok(match phase {
        Phase::Draft => None,
        Phase::Challenges => Some(if on_roll {
            Item::new(
                page,
                format!("You are on the roll for \u{201c}{}\u{201d}", row.title),
                Tone::Plain,
            )
            .detail(format!(
                "Voting opens {opens}. Until then the roll may be challenged."
            ))
        } else {
            Item::new(
                page,
                format!("You are not on the roll for \u{201c}{}\u{201d}", row.title),
                Tone::Urgent,
            )
            .detail(format!(
                "See why, and challenge the roll before voting opens {opens}."
            ))
        }),
        Phase::AwaitingKey => Some(
            Item::new(
                page,
                format!("\u{201c}{}\u{201d} opens soon", row.title),
                Tone::Plain,
            )
            .detail("Its trustees are making the election key; voting starts once they have."),
        ),
        Phase::Voting => Some(if !on_roll {
            Item::new(
                page,
                format!(
                    "\u{201c}{}\u{201d} is open, but you are not on its roll",
                    row.title
                ),
                Tone::Plain,
            )
            .detail("The page says why; the roll can no longer be challenged.")
        } else if casting::has_voted(conn, row.id, member_id)? {
            Item::new(
                format!("{page}/verify"),
                format!("You voted in \u{201c}{}\u{201d}", row.title),
                Tone::Done,
            )
            .detail(format!(
                "Check that the tracker in your receipt is in the record. Voting closes {closes}."
            ))
        } else {
            Item::new(
                format!("{page}/ballot"),
                format!("Vote now in \u{201c}{}\u{201d}", row.title),
                Tone::Urgent,
            )
            .detail(format!("Voting closes {closes}."))
        }),
        Phase::Counting => Some(
            Item::new(
                page,
                format!("\u{201c}{}\u{201d} has closed", row.title),
                Tone::Plain,
            )
            .detail("The trustees are counting; the result shows once they have."),
        ),
        Phase::Closed { .. } => {
            let recent = row.closed_at.unwrap_or(row.closes_at).max(row.updated_at)
                >= reader.now - Duration::days(RESULT_SHOWN_DAYS);
            recent.then(|| {
                Item::new(
                    page,
                    format!("The result of \u{201c}{}\u{201d}", row.title),
                    Tone::Plain,
                )
                .detail("Certified, with the record anyone can check.")
            })
        }
    })
}

/// A member's standing in words, with why and what to do when it is not good.
fn dues(conn: &mut DbConnection, reader: &Reader<'_>, member_id: i64) -> QueryResult<Section> {
    let mut section = Section::new("Your dues", "");
    let (on, _) = owed::member_on(conn, member_id, reader.today)?;
    let day = on.day_words();
    let owed_words = on.owed_words();
    if on.standing.good {
        let detail = if on.owed.owed.0 > 0 {
            format!("{owed_words} owed as of {day}, within what the contract allows.")
        } else if on.owed.owed.0 < 0 {
            format!("{owed_words} as of {day}.")
        } else {
            format!("Nothing owed as of {day}.")
        };
        section.items.push(
            Item::new("/dues", format!("In good standing as of {day}"), Tone::Done).detail(detail),
        );
        return Ok(section);
    }
    let change = status_history::member_on(conn, member_id, reader.today)?;
    let detail = match change {
        Some(c) if c.status == Status::Member && !c.member_on(reader.today) => format!(
            "Your membership starts on {}. Until then you cannot vote in the local's elections.",
            c.join_date.map(crate::clock::long_date).unwrap_or_default()
        ),
        Some(c) if c.status != Status::Member => format!(
            "The roster lists you as {}. If that is wrong, ask an officer to correct it.",
            status_words(c.status)
        ),
        None => "The roster has no membership on record for you. If that is wrong, ask an \
                 officer to correct it."
            .to_owned(),
        Some(_) => format!(
            "{} of dues behind: {owed_words} owed. Pay what is owed (your statement says how) \
             to be back in good standing and vote.",
            count(on.standing.months_behind, "month", "months")
        ),
    };
    section.items.push(
        Item::new(
            "/dues",
            format!("Not in good standing as of {day}"),
            Tone::Urgent,
        )
        .detail(detail),
    );
    Ok(section)
}

fn status_words(status: Status) -> &'static str {
    match status {
        Status::Member => "a member",
        Status::NonMember => "in the unit but not a member",
        Status::OnLeave => "on leave",
        Status::Resigned => "resigned",
        Status::Retired => "retired",
    }
}

/// The member's open cases, each with what happens next and by when.
fn grievances(
    conn: &mut DbConnection,
    reader: &Reader<'_>,
    member_id: i64,
) -> QueryResult<Section> {
    let mut section = Section::new("Your grievances", "");
    let rows = reads::naming(conn, member_id)?;
    let closed = rows.iter().filter(|r| !r.is_open()).count();
    let open: Vec<_> = rows.into_iter().filter(|r| r.is_open()).collect();
    let due_on: std::collections::HashMap<i64, chrono::NaiveDate> = open
        .iter()
        .filter_map(|r| Some((r.id, r.due_on?)))
        .collect();
    for line in lines_for(conn, open, reader.today)? {
        let detail = match due_on.get(&line.id).filter(|_| line.has_due) {
            Some(due) => format!("{} {}.", line.due_act, crate::clock::long_date(*due)),
            None => format!("{}.", line.step),
        };
        section.items.push(
            Item::new(
                format!("/grievances/{}", line.id),
                format!("{} ({})", line.number, line.status),
                Tone::Plain,
            )
            .detail(format!("{detail} Steward: {}.", line.steward)),
        );
    }
    section.items = capped(section.items, 10, |more| {
        Item::new(
            "/grievances",
            format!("{} more open", count(more as i64, "case", "cases")),
            Tone::Plain,
        )
    });
    if closed > 0 {
        section.items.push(Item::new(
            "/grievances",
            format!("{} closed", count(closed as i64, "case", "cases")),
            Tone::Plain,
        ));
    }
    section.items.push(
        Item::new("/grievances/new", "File a grievance", Tone::Plain)
            .detail("If the contract was broken, a steward takes it from there."),
    );
    Ok(section)
}

/// The notices the person turned off, so a missed email is no surprise.
fn notices_off(conn: &mut DbConnection, reader: &Reader<'_>) -> QueryResult<Option<Section>> {
    let off: Vec<&str> = preferences::for_user(conn, reader.user.id)?
        .into_iter()
        .filter(|(kind, on)| !on && !kind.essential())
        .map(|(kind, _)| kind.label())
        .collect();
    if off.is_empty() {
        return Ok(None);
    }
    let mut section = Section::new("Your email notices", "");
    section.items.push(
        Item::new(
            "/account/notifications",
            format!("You turned off: {}", off.join(", ")),
            Tone::Plain,
        )
        .detail("Those emails are not sent to you; the pages still show everything."),
    );
    Ok(Some(section))
}
