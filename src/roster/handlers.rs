//! Roster pages: the officer's list and member pages, and a member's own
//! dues statement.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;

use super::MemberRow;
use crate::auth::{CurrentUser, OfficerUser};
use crate::db::schema::{classifications, members, units, users};
use crate::db::{DbConnection, write_tx};
use crate::dues::ledger::{self, ManualEntry, StatementLine};
use crate::dues::rules::{Standing, Status};
use crate::error::AppError;
use crate::money::Cents;
use crate::state::AppState;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
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
    page: usize,
}

/// The roster page.
#[derive(Template)]
#[template(path = "roster/list.html")]
pub struct RosterPage {
    page: Page,
    query: RosterQuery,
    units: Vec<(i64, String)>,
    statuses: [Status; 5],
    lines: Vec<RosterLine>,
    total: usize,
    prev_link: String,
    next_link: String,
}

fn names(conn: &mut DbConnection) -> QueryResult<(HashMap<i64, String>, HashMap<i64, String>)> {
    let units: HashMap<i64, String> = units::table
        .select((units::id, units::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let classes: HashMap<i64, String> = classifications::table
        .select((classifications::id, classifications::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    Ok((units, classes))
}

fn roster_link(query: &RosterQuery, page: usize) -> String {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("q", &query.q),
        ("unit", &query.unit),
        ("status", &query.status),
        ("standing", &query.standing),
    ] {
        if !v.is_empty() {
            serializer.append_pair(k, v);
        }
    }
    serializer.append_pair("page", &page.to_string());
    format!("/officer/roster?{}", serializer.finish())
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
    let (people, standings, (unit_names, class_names)) = db(&state, move |conn| {
        let people: Vec<MemberRow> = members::table
            .order((
                members::last_name.asc(),
                members::first_name.asc(),
                members::id.asc(),
            ))
            .select(MemberRow::as_select())
            .load(conn)?;
        Ok((people, ledger::standings_on(conn, today)?, names(conn)?))
    })
    .await?;
    let needle = query.q.trim().to_lowercase();
    let unit_filter: Option<i64> = query.unit.parse().ok();
    let matching: Vec<RosterLine> = people
        .into_iter()
        .filter(|m| {
            needle.is_empty()
                || m.employee_number.to_lowercase().contains(&needle)
                || format!("{} {}", m.first_name, m.last_name)
                    .to_lowercase()
                    .contains(&needle)
                || format!("{}, {}", m.last_name, m.first_name)
                    .to_lowercase()
                    .contains(&needle)
        })
        .filter(|m| unit_filter.is_none_or(|u| m.unit_id == u))
        .filter(|m| query.status.is_empty() || m.status == query.status)
        .map(|m| RosterLine {
            standing: standings.get(&m.id).map(|(s, _)| *s).unwrap_or(Standing {
                good: false,
                months_behind: 0,
            }),
            unit: unit_names.get(&m.unit_id).cloned().unwrap_or_default(),
            classification: class_names
                .get(&m.classification_id)
                .cloned()
                .unwrap_or_default(),
            member: m,
        })
        .filter(|l| match query.standing.as_str() {
            "good" => l.standing.good,
            "not-good" => !l.standing.good,
            _ => true,
        })
        .collect();
    let total = matching.len();
    let page_number = query.page.min(total.saturating_sub(1) / PER_PAGE);
    let lines: Vec<RosterLine> = matching
        .into_iter()
        .skip(page_number * PER_PAGE)
        .take(PER_PAGE)
        .collect();
    let prev_link = if page_number > 0 {
        roster_link(&query, page_number - 1)
    } else {
        String::new()
    };
    let next_link = if (page_number + 1) * PER_PAGE < total {
        roster_link(&query, page_number + 1)
    } else {
        String::new()
    };
    let mut units: Vec<(i64, String)> = unit_names.into_iter().collect();
    units.sort_by(|a, b| a.1.cmp(&b.1));
    render(
        StatusCode::OK,
        &RosterPage {
            page,
            query,
            units,
            statuses: Status::ALL,
            lines,
            total,
            prev_link,
            next_link,
        },
    )
}

/// An officer's page for one roster entry.
#[derive(Template)]
#[template(path = "roster/member.html")]
pub struct MemberPage {
    page: Page,
    member: MemberRow,
    unit: String,
    classification: String,
    standing: Standing,
    balance: Cents,
    salary: Cents,
    lines: Vec<StatementLine>,
    form: EntryForm,
    errors: EntryErrors,
}

/// What the ledger entry form sends.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct EntryForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    reason: String,
}

/// What was wrong with each field of the entry form.
#[derive(Debug, Default, Clone)]
pub struct EntryErrors {
    kind: String,
    date: String,
    amount: String,
    reason: String,
}

impl EntryErrors {
    fn count(&self) -> usize {
        [&self.kind, &self.date, &self.amount, &self.reason]
            .iter()
            .filter(|e| !e.is_empty())
            .count()
    }
}

async fn member_page(
    page: Page,
    state: &web::Data<AppState>,
    id: i64,
    form: EntryForm,
    errors: EntryErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let today = state.config.today();
    let (member, standing, lines, (units, classes)) = db(state, move |conn| {
        let member: MemberRow = members::table
            .find(id)
            .select(MemberRow::as_select())
            .first(conn)?;
        let standing = ledger::standing_on(conn, id, today)?;
        Ok((member, standing, ledger::statement(conn, id)?, names(conn)?))
    })
    .await?;
    let balance = lines.last().map_or(Cents(0), |l| l.balance);
    render(
        status,
        &MemberPage {
            page,
            unit: units.get(&member.unit_id).cloned().unwrap_or_default(),
            classification: classes
                .get(&member.classification_id)
                .cloned()
                .unwrap_or_default(),
            salary: Cents(member.annual_salary_cents),
            member,
            standing,
            balance,
            lines,
            form,
            errors,
        },
    )
}

/// `GET /officer/roster/{id}`.
pub async fn show(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let today = state.config.today().to_string();
    let form = EntryForm {
        kind: "payment".into(),
        date: today,
        ..EntryForm::default()
    };
    member_page(
        page,
        &state,
        id.into_inner(),
        form,
        EntryErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /officer/roster/{id}/ledger`: a direct payment or an adjustment.
/// A payment is typed as the amount paid; an adjustment as the amount
/// added to what is owed (negative to credit), with a reason.
pub async fn add_entry(
    req: HttpRequest,
    page: Page,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<EntryForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let form = form.into_inner();
    let mut errors = EntryErrors::default();
    let kind = match form.kind.as_str() {
        "payment" => Some("payment"),
        "adjustment" => Some("adjustment"),
        _ => {
            errors.kind = "Choose a payment or an adjustment.".into();
            None
        }
    };
    let entry_date = NaiveDate::parse_from_str(form.date.trim(), "%Y-%m-%d")
        .map_err(|_| errors.date = "Enter a date like 2026-11-22.".into())
        .ok();
    let amount = match Cents::parse(&form.amount, kind == Some("adjustment")) {
        Ok(Cents(0)) => {
            errors.amount = "Enter an amount other than zero.".into();
            None
        }
        Ok(amount) => Some(amount),
        Err(e) => {
            errors.amount = format!("Enter an amount in dollars and cents: {e}.");
            None
        }
    };
    let reason = form.reason.trim().to_owned();
    if kind == Some("adjustment") && reason.is_empty() {
        errors.reason = "Say why: an adjustment needs a reason.".into();
    }
    let (Some(kind), Some(entry_date), Some(amount)) = (kind, entry_date, amount) else {
        return member_page(
            page,
            &state,
            id,
            form,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    if errors.count() > 0 {
        return member_page(
            page,
            &state,
            id,
            form,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let entry = ManualEntry {
        kind,
        entry_date,
        amount: if kind == "payment" {
            Cents(-amount.0)
        } else {
            amount
        },
        reason,
    };
    let now = state.config.clock.now();
    let actor = officer.actor(&req);
    db(&state, move |conn| {
        write_tx(conn, |conn| {
            members::table
                .find(id)
                .select(members::id)
                .first::<i64>(conn)?;
            ledger::add_entry(conn, id, &entry, &actor, now)?;
            Ok(())
        })
    })
    .await?;
    Ok(redirect_with(
        &format!("/officer/roster/{id}"),
        FlashKind::Success,
        "The entry is added to the ledger.",
        state.config.behind_https(),
    ))
}

/// A member's own statement.
#[derive(Template)]
#[template(path = "roster/statement.html")]
pub struct StatementPage {
    page: Page,
    member: Option<MemberRow>,
    standing: Standing,
    balance: Cents,
    lines: Vec<StatementLine>,
}

/// The roster entry of a signed-in user: the one linked to their account
/// while its email is still theirs, else the one roster entry with their
/// email (then linked). Several entries sharing an email link to none: a
/// statement must never show someone else's record.
pub fn member_of(
    conn: &mut DbConnection,
    user_id: i64,
    email: &str,
) -> QueryResult<Option<MemberRow>> {
    let linked: Option<i64> = users::table
        .find(user_id)
        .select(users::member_id)
        .first(conn)?;
    if let Some(member_id) = linked {
        let member: Option<MemberRow> = members::table
            .find(member_id)
            .select(MemberRow::as_select())
            .first(conn)
            .optional()?;
        if let Some(member) = member.filter(|m| m.email.as_deref() == Some(email)) {
            return Ok(Some(member));
        }
    }
    let mut matches: Vec<MemberRow> = members::table
        .filter(members::email.eq(email))
        .select(MemberRow::as_select())
        .limit(2)
        .load(conn)?;
    let found = if matches.len() == 1 {
        matches.pop()
    } else {
        None
    };
    diesel::update(users::table.find(user_id))
        .set(users::member_id.eq(found.as_ref().map(|m| m.id)))
        .execute(conn)?;
    Ok(found)
}

/// `GET /dues`: the signed-in person's own ledger, balance and standing.
pub async fn statement(
    page: Page,
    me: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let today = state.config.today();
    let (user_id, email) = (me.user.id, me.user.email.clone());
    let (member, standing, lines) = db(&state, move |conn| {
        let Some(member) = member_of(conn, user_id, &email)? else {
            return Ok((
                None,
                Standing {
                    good: false,
                    months_behind: 0,
                },
                Vec::new(),
            ));
        };
        let standing = ledger::standing_on(conn, member.id, today)?;
        let lines = ledger::statement(conn, member.id)?;
        Ok((Some(member), standing, lines))
    })
    .await?;
    let balance = lines.last().map_or(Cents(0), |l| l.balance);
    render(
        StatusCode::OK,
        &StatementPage {
            page,
            member,
            standing,
            balance,
            lines,
        },
    )
}

/// `GET /officer/roster/export.csv`: the roster in the import format.
pub async fn export(
    _officer: OfficerUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (people, (units, classes)) = db(&state, |conn| {
        let people: Vec<MemberRow> = members::table
            .order((members::last_name.asc(), members::first_name.asc()))
            .select(MemberRow::as_select())
            .load(conn)?;
        Ok((people, names(conn)?))
    })
    .await?;
    let mut records = vec![
        super::csv_import::COLUMNS
            .iter()
            .map(|c| (*c).to_owned())
            .collect::<Vec<_>>(),
    ];
    for m in people {
        let salary = Cents(m.annual_salary_cents);
        records.push(vec![
            m.employee_number,
            m.first_name,
            m.last_name,
            m.email.unwrap_or_default(),
            units.get(&m.unit_id).cloned().unwrap_or_default(),
            classes
                .get(&m.classification_id)
                .cloned()
                .unwrap_or_default(),
            m.department,
            m.hire_date.to_string(),
            format!("{}.{:02}", salary.0 / 100, salary.0 % 100),
            m.work_arrangement,
            m.status,
            m.join_date.map(|d| d.to_string()).unwrap_or_default(),
        ]);
    }
    crate::web::csv::download("roster.csv", records)
}
