//! Roster pages: the officer's list and member pages, and a member's own
//! dues statement.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::{MemberRow, store};
use crate::auth::{CurrentUser, OfficerUser};
use crate::context::Context;
use crate::db::write_tx;
use crate::dues::ledger::{self, EntryKind, ManualEntry, StatementLine};
use crate::dues::rules::{Standing, Status};
use crate::error::AppError;
use crate::forms::FieldErrors;
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
    unit_options: Vec<(String, String)>,
    status_options: Vec<(&'static str, &'static str)>,
    standing_options: [(&'static str, &'static str); 3],
    lines: Vec<RosterLine>,
    total: usize,
    prev_link: String,
    next_link: String,
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
    let (people, standings, names) = db(&state, move |conn| {
        Ok((
            store::everyone(conn)?,
            ledger::standings_on(conn, today)?,
            store::names(conn)?,
        ))
    })
    .await?;
    let needle = query.q.trim().to_lowercase();
    let unit_filter: Option<i64> = query.unit.parse().ok();
    // A status no one can have matches no one.
    let status_filter: Option<Option<Status>> =
        (!query.status.is_empty()).then(|| query.status.parse().ok());
    let matching: Vec<RosterLine> = people
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
        .map(|m| RosterLine {
            standing: standings.get(&m.id).map(|(s, _)| *s).unwrap_or(Standing {
                good: false,
                months_behind: 0,
            }),
            unit: names.unit(m.unit_id),
            classification: names.classification(m.classification_id),
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
    errors: FieldErrors,
    kinds: Vec<(&'static str, &'static str)>,
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

impl EntryForm {
    /// The entry as the ledger keeps it, or what is wrong with each field.
    /// A payment is typed as the amount paid; an adjustment as the amount
    /// added to what is owed (negative to credit), with a reason.
    fn parse(&self) -> Result<ManualEntry, FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = match self.kind.parse::<EntryKind>() {
            Ok(kind @ (EntryKind::Payment | EntryKind::Adjustment)) => Some(kind),
            _ => {
                errors.add("kind", "Choose a payment or an adjustment.");
                None
            }
        };
        let entry_date = NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d").ok();
        if entry_date.is_none() {
            errors.add("date", "Enter a date like 2026-11-22.");
        }
        let adjusting = kind == Some(EntryKind::Adjustment);
        let amount = match Cents::parse(&self.amount, adjusting) {
            Ok(Cents(0)) => {
                errors.add("amount", "Enter an amount other than zero.");
                None
            }
            Ok(amount) => Some(amount),
            Err(e) => {
                errors.add(
                    "amount",
                    format!("Enter an amount in dollars and cents: {e}."),
                );
                None
            }
        };
        let reason = self.reason.trim().to_owned();
        if adjusting && reason.is_empty() {
            errors.add("reason", "Say why: an adjustment needs a reason.");
        }
        match (kind, entry_date, amount) {
            (Some(kind), Some(entry_date), Some(amount)) if errors.is_empty() => Ok(ManualEntry {
                kind,
                entry_date,
                amount: if kind == EntryKind::Payment {
                    Cents(-amount.0)
                } else {
                    amount
                },
                reason,
            }),
            _ => Err(errors),
        }
    }
}

async fn member_page(
    page: Page,
    state: &web::Data<AppState>,
    id: i64,
    form: EntryForm,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let today = state.config.today();
    let (member, standing, lines, names) = db(state, move |conn| {
        let member = store::member(conn, id)?;
        let standing = ledger::standing_on(conn, id, today)?;
        Ok((
            member,
            standing,
            ledger::statement(conn, id)?,
            store::names(conn)?,
        ))
    })
    .await?;
    let balance = lines.last().map_or(Cents(0), |l| l.balance);
    render(
        status,
        &MemberPage {
            page,
            unit: names.unit(member.unit_id),
            classification: names.classification(member.classification_id),
            salary: member.person.annual_salary,
            member,
            standing,
            balance,
            lines,
            form,
            errors,
            kinds: vec![
                (
                    EntryKind::Payment.as_str(),
                    "Direct payment (the amount paid)",
                ),
                (
                    EntryKind::Adjustment.as_str(),
                    "Adjustment (added to what is owed; negative to credit)",
                ),
            ],
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
    let form = EntryForm {
        kind: EntryKind::Payment.as_str().into(),
        date: state.config.today().to_string(),
        ..EntryForm::default()
    };
    member_page(page, &state, id.into_inner(), form, FieldErrors::new()).await
}

/// `POST /officer/roster/{id}/ledger`: a direct payment or an adjustment.
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
    let entry = match form.parse() {
        Ok(entry) => entry,
        Err(errors) => return member_page(page, &state, id, form, errors).await,
    };
    let ctx = Context::new(&state.config, officer.actor(&req));
    db(&state, move |conn| {
        write_tx(conn, |conn| {
            store::member(conn, id)?;
            ledger::add_entry(conn, id, &entry, &ctx)?;
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

/// `GET /dues`: the signed-in person's own ledger, balance and standing.
pub async fn statement(
    page: Page,
    me: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let today = state.config.today();
    let (user_id, email) = (me.user.id, me.user.email.clone());
    let (member, standing, lines) = db(&state, move |conn| {
        let Some(member) = store::member_of(conn, user_id, &email)? else {
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
