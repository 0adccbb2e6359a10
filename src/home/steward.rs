//! A steward's part of the home page: the cases past their deadline and
//! those due within a week (every case for a chief steward), and for a
//! chief the cases nobody carries yet.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::QueryResult;

use super::{Item, Reader, Section, Tone, capped};
use crate::db::DbConnection;
use crate::grievances::pages::lines::{CaseLine, Urgency, lines_for};
use crate::grievances::store::reads;
use crate::plural::count;
use crate::users::Role;

/// How many cases a list shows before it leads to the board.
const SHOWN: usize = 10;

pub fn sections(conn: &mut DbConnection, reader: &Reader<'_>) -> QueryResult<Vec<Section>> {
    let chief = reader.user.can(Role::ChiefSteward);
    let rows = reads::open(conn, (!chief).then_some(reader.user.id))?;
    let unassigned_ids: std::collections::HashSet<i64> = rows
        .iter()
        .filter(|r| r.steward_id.is_none())
        .map(|r| r.id)
        .collect();
    let due_on: HashMap<i64, NaiveDate> = rows
        .iter()
        .filter_map(|r| Some((r.id, r.due_on?)))
        .collect();
    let mut lines = lines_for(conn, rows, reader.today)?;
    lines.sort_by_key(|l| (!l.has_due, l.days_left, l.id));
    let (whose, nothing) = if chief {
        (
            "Deadlines: every open case",
            "No open case is overdue or due within 7 days.",
        )
    } else {
        (
            "Deadlines: the cases you carry",
            "None of your cases is overdue or due within 7 days.",
        )
    };
    let mut deadlines = Section::new(whose, nothing);
    let overdue: Vec<Item> = lines
        .iter()
        .filter(|l| l.has_due && l.urgency == Urgency::Overdue)
        .map(|l| case_item(l, due_on.get(&l.id), chief))
        .collect();
    let soon: Vec<Item> = lines
        .iter()
        .filter(|l| l.has_due && l.urgency == Urgency::Soon)
        .map(|l| case_item(l, due_on.get(&l.id), chief))
        .collect();
    deadlines.items.extend(capped(overdue, SHOWN, |more| {
        Item::new(
            "/stewards/board",
            format!("{} more overdue", count(more as i64, "case", "cases")),
            Tone::Urgent,
        )
    }));
    deadlines.items.extend(capped(soon, SHOWN, |more| {
        Item::new(
            "/stewards/board",
            format!(
                "{} more due within 7 days",
                count(more as i64, "case", "cases")
            ),
            Tone::Plain,
        )
    }));
    deadlines.items.push(
        Item::new("/stewards/board", "The deadline board", Tone::Plain).detail(format!(
            "{} open, by next deadline.",
            count(lines.len() as i64, "case", "cases")
        )),
    );
    let mut sections = vec![deadlines];
    if chief {
        let mut unassigned =
            Section::new("Cases with no steward", "Every open case has a steward.");
        let items = lines
            .iter()
            .filter(|l| unassigned_ids.contains(&l.id))
            .map(|l| {
                Item::new(
                    format!("/grievances/{}", l.id),
                    format!("Assign {}", l.number),
                    Tone::Urgent,
                )
                .detail(format!("{}, filed {}.", l.unit, l.filed))
            })
            .collect();
        unassigned.items = capped(items, SHOWN, |more| {
            Item::new(
                "/stewards/board",
                format!(
                    "{} more with no steward",
                    count(more as i64, "case", "cases")
                ),
                Tone::Urgent,
            )
        });
        sections.push(unassigned);
    }
    Ok(sections)
}

fn case_item(line: &CaseLine, due: Option<&NaiveDate>, chief: bool) -> Item {
    let when = match line.days_left {
        d if d < 0 => format!("{} late", count(-d, "day", "days")),
        0 => "due today".to_owned(),
        d => format!("due in {}", count(d, "day", "days")),
    };
    let tone = if line.urgency == Urgency::Overdue {
        Tone::Urgent
    } else {
        Tone::Plain
    };
    let mut detail = format!(
        "{} {}.",
        line.due_act,
        due.map(|d| crate::clock::long_date(*d)).unwrap_or_default()
    );
    if chief {
        detail.push_str(&format!(" Steward: {}.", line.steward));
    }
    Item::new(
        format!("/grievances/{}", line.id),
        format!("{}, {when}", line.number),
        tone,
    )
    .detail(detail)
}
