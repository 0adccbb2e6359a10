//! Roster pages: the officer's list, searchable and filtered by standing,
//! and the roster's export.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{MemberRow, store};
use crate::auth::OfficerUser;
use crate::dues::owed;
use crate::dues::rules::{Standing, Status};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::layout::Page;
use crate::web::pager::{self, Pager};
use crate::web::{db, render};

const PER_PAGE: usize = 50;

/// One line of the roster list.
pub struct RosterLine {
    member: MemberRow,
    unit: String,
    classification: String,
    standing: Standing,
}

/// The roster's filters, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct RosterQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    standing: String,
    #[serde(default)]
    page: String,
}

/// The roster page.
#[derive(Template)]
#[template(path = "roster/list.html")]
pub struct RosterPage {
    page: Page,
    query: RosterQuery,
    unit_options: Vec<(String, String)>,
    status_options: Vec<(&'static str, &'static str)>,
    standing_options: [(&'static str, &'static str); 3],
    lines: Vec<RosterLine>,
    total: usize,
    pager: Pager,
}

fn roster_pager(query: &RosterQuery, total: usize) -> Pager {
    Pager::new(
        "/officer/roster",
        &[
            ("q", &query.q),
            ("unit", &query.unit),
            ("status", &query.status),
            ("standing", &query.standing),
        ],
        pager::page_number(&query.page),
        PER_PAGE as i64,
        total as i64,
    )
}

/// `GET /officer/roster`: search by name or employee number; filter by
/// unit, status and standing (today); 50 a page.
pub async fn list(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
    query: web::Query<RosterQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let today = state.config.today();
    let needle = query.q.trim().to_lowercase();
    let unit_filter: Option<i64> = query.unit.parse().ok();
    // A status no one can have matches no one.
    let status_filter: Option<Option<Status>> =
        (!query.status.is_empty()).then(|| query.status.parse().ok());
    let by_standing: Option<bool> = match query.standing.as_str() {
        "good" => Some(true),
        "not-good" => Some(false),
        _ => None,
    };
    let offset = (pager::page_number(&query.page) - 1) * PER_PAGE as i64;
    let (people, standings, names, total) = db(&state, move |conn| {
        let people: Vec<MemberRow> = store::everyone(conn)?
            .into_iter()
            .filter(|m| {
                needle.is_empty()
                    || m.person.employee_number.to_lowercase().contains(&needle)
                    || format!("{} {}", m.person.first_name, m.person.last_name)
                        .to_lowercase()
                        .contains(&needle)
                    || format!("{}, {}", m.person.last_name, m.person.first_name)
                        .to_lowercase()
                        .contains(&needle)
            })
            .filter(|m| unit_filter.is_none_or(|u| m.unit_id == u))
            .filter(|m| status_filter.is_none_or(|wanted| wanted == Some(m.person.status)))
            .collect();
        let window = |people: Vec<MemberRow>| -> Vec<MemberRow> {
            people
                .into_iter()
                .skip(offset.max(0) as usize)
                .take(PER_PAGE)
                .collect()
        };
        // Standing is read for the page's people only, unless the list is
        // filtered by it.
        let (people, standings, total) = match by_standing {
            None => {
                let total = people.len();
                let shown = window(people);
                let ids: Vec<i64> = shown.iter().map(|m| m.id).collect();
                let standings = owed::dues_on_days(conn, owed::Whose::Members(&ids), &[today])?
                    .pop()
                    .unwrap_or_default();
                (shown, standings, total)
            }
            Some(good) => {
                let whose = match unit_filter {
                    Some(unit) => owed::Whose::Unit(unit),
                    None => owed::Whose::Everyone,
                };
                let standings = owed::dues_on_days(conn, whose, &[today])?
                    .pop()
                    .unwrap_or_default();
                let matching: Vec<MemberRow> = people
                    .into_iter()
                    .filter(|m| standings.get(&m.id).is_some_and(|d| d.standing.good) == good)
                    .collect();
                let total = matching.len();
                (window(matching), standings, total)
            }
        };
        Ok((people, standings, store::names(conn)?, total))
    })
    .await?;
    let lines: Vec<RosterLine> = people
        .into_iter()
        .map(|m| RosterLine {
            standing: standings
                .get(&m.id)
                .map(|d| d.standing)
                .unwrap_or(Standing {
                    good: false,
                    months_behind: 0,
                }),
            unit: names.unit(m.unit_id),
            classification: names.classification(m.classification_id),
            member: m,
        })
        .collect();
    let pager = roster_pager(&query, total);
    let unit_options = std::iter::once((String::new(), "All units".to_owned()))
        .chain(
            names
                .units_by_name()
                .into_iter()
                .map(|(id, name)| (id.to_string(), name)),
        )
        .collect();
    let status_options = std::iter::once(("", "Any status"))
        .chain(Status::ALL.iter().map(|s| (s.as_str(), s.as_str())))
        .collect();
    render(
        StatusCode::OK,
        &RosterPage {
            page,
            query,
            unit_options,
            status_options,
            standing_options: [
                ("", "Any"),
                ("good", "Good standing"),
                ("not-good", "Not in good standing"),
            ],
            lines,
            total,
            pager,
        },
    )
}

/// `GET /officer/roster/export.csv`: the roster in the import format.
pub async fn export(
    _officer: OfficerUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (people, names) = db(&state, |conn| {
        Ok((store::everyone(conn)?, store::names(conn)?))
    })
    .await?;
    let mut records = vec![
        super::csv_import::COLUMNS
            .iter()
            .map(|c| (*c).to_owned())
            .collect::<Vec<_>>(),
    ];
    for m in people {
        let salary = m.person.annual_salary;
        records.push(vec![
            m.person.employee_number,
            m.person.first_name,
            m.person.last_name,
            m.person.email.unwrap_or_default(),
            names.unit(m.unit_id),
            names.classification(m.classification_id),
            m.person.department,
            m.person.hire_date.to_string(),
            format!("{}.{:02}", salary.0 / 100, salary.0 % 100),
            m.person.work_arrangement.to_string(),
            m.person.status.to_string(),
            m.person
                .join_date
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ]);
    }
    crate::web::csv::download("roster.csv", records)
}
