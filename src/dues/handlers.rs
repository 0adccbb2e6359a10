//! Officer dues pages: rates per unit, posting a month's charges, and
//! reconciliation of expected dues against check-off with the arrears list.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::arrears::{self, ArrearsLine};
use super::increase;
use super::ledger::{self, DatedRate, ReconciliationLine};
use super::reversal_pages::PostingReversalForm;
use super::rules::Rate;
use crate::audit::{self, Entry};
use crate::auth::OfficerUser;
use crate::context::Context;
use crate::db::write_tx;
use crate::error::AppError;
use crate::forms::FieldErrors;
use crate::forms::dues_rate::{PLAIN_NAMES, RateFields, RateKind, parse_rate};
use crate::roster::store;
use crate::state::AppState;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::pager::{self, Pager};
use crate::web::{db, render};

/// A unit with its rates, for the dues page.
pub struct UnitRates {
    id: i64,
    name: String,
    rates: Vec<DatedRate>,
}

/// What the rate form sends.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct RateForm {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    percent: String,
    #[serde(default)]
    min: String,
    #[serde(default)]
    max: String,
    #[serde(default)]
    flat: String,
    /// The passed ballot question that adopted it (for an increase).
    #[serde(default)]
    ballot: String,
}

impl RateForm {
    /// An empty form for a percentage rate.
    fn blank() -> Self {
        Self {
            kind: "percent".into(),
            ..Self::default()
        }
    }

    /// The unit, the first day and the rate, or what is wrong with each.
    fn parse(&self) -> Result<(i64, NaiveDate, Rate), FieldErrors> {
        let mut errors = FieldErrors::new();
        let unit_id: Option<i64> = self.unit.parse().ok();
        if unit_id.is_none() {
            errors.add("unit", "Choose a unit.");
        }
        let from = NaiveDate::parse_from_str(self.from.trim(), "%Y-%m-%d").ok();
        if from.is_none() {
            errors.add(
                "from",
                "Enter the first day the rate applies, like 2027-01-01.",
            );
        }
        let kind = if self.kind == "flat" {
            RateKind::Flat
        } else {
            RateKind::Percent
        };
        let fields = RateFields {
            kind,
            percent: &self.percent,
            min: &self.min,
            max: &self.max,
            flat: &self.flat,
        };
        let rate = match parse_rate(fields, PLAIN_NAMES) {
            Ok(rate) => Some(rate),
            Err(rate_errors) => {
                errors.extend_prefixed("", rate_errors);
                None
            }
        };
        match (unit_id, from, rate) {
            (Some(unit_id), Some(from), Some(rate)) if errors.is_empty() => {
                Ok((unit_id, from, rate))
            }
            _ => Err(errors),
        }
    }
}

/// The dues page.
#[derive(Template)]
#[template(path = "dues/index.html")]
pub struct DuesPage {
    page: Page,
    units: Vec<UnitRates>,
    unit_options: Vec<(String, String)>,
    /// The ballot questions that adopted a rate, for the rate form.
    ballot_options: Vec<(String, String)>,
    shown: Shown,
}

/// What the dues page's two forms show: the rate form and the posting
/// form's month, each as typed with what was wrong.
pub struct Shown {
    rate: RateForm,
    rate_errors: FieldErrors,
    month: String,
    month_errors: FieldErrors,
    /// The form reversing a month's posting, as sent.
    pub reversal: PostingReversalForm,
    /// What was wrong with it.
    pub reversal_errors: FieldErrors,
}

impl Shown {
    /// Both forms empty, the posting form on `today`'s month.
    pub fn blank(today: NaiveDate) -> Self {
        Self {
            rate: RateForm::blank(),
            rate_errors: FieldErrors::new(),
            month: today.format("%Y-%m").to_string(),
            month_errors: FieldErrors::new(),
            reversal: PostingReversalForm::default(),
            reversal_errors: FieldErrors::new(),
        }
    }
}

/// Describes a rate in words, for tables.
pub fn describe(rate: &Rate) -> String {
    match rate {
        Rate::Percent {
            basis_points,
            monthly_min,
            monthly_max,
        } => {
            format!(
                "{}.{:02}% of base salary, at least {monthly_min} and at most {monthly_max} a month",
                basis_points / 100,
                basis_points % 100
            )
        }
        Rate::Flat { monthly } => format!("{monthly} a month"),
    }
}

pub async fn dues_page(
    page: Page,
    state: &web::Data<AppState>,
    shown: Shown,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (units, ballots) = db(state, |conn| {
        let mut out = Vec::new();
        for (id, name) in store::units(conn)? {
            out.push(UnitRates {
                id,
                name,
                rates: ledger::rates(conn, id)?,
            });
        }
        Ok((out, increase::adopting_questions(conn, None)?))
    })
    .await?;
    let ballot_options =
        std::iter::once((String::new(), "None: the rate does not raise dues".into()))
            .chain(
                ballots
                    .into_iter()
                    .map(|(id, words)| (id.to_string(), words)),
            )
            .collect();
    let unit_options = units
        .iter()
        .map(|u| (u.id.to_string(), u.name.clone()))
        .collect();
    render(
        status,
        &DuesPage {
            page,
            units,
            unit_options,
            ballot_options,
            shown,
        },
    )
}

/// `GET /officer/dues`.
pub async fn index(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let shown = Shown::blank(state.config.today());
    dues_page(page, &state, shown, StatusCode::OK).await
}

/// `POST /officer/dues/rate`: a unit's rate from a date.
pub async fn set_rate(
    req: HttpRequest,
    page: Page,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    form: web::Form<RateForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let (unit_id, from, rate) = match form.parse() {
        Ok(parsed) => parsed,
        Err(rate_errors) => {
            let shown = Shown {
                rate: form,
                rate_errors,
                ..Shown::blank(state.config.today())
            };
            return dues_page(page, &state, shown, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let Ok(ballot) = (!form.ballot.trim().is_empty())
        .then(|| form.ballot.trim().parse::<i64>())
        .transpose()
    else {
        return Err(AppError::BadRequest(
            "Choose a ballot question from the list.".into(),
        ));
    };
    let ctx = Context::new(&state.config, officer.actor(&req));
    let outcome = db(&state, move |conn| {
        write_tx(conn, |conn| {
            let name = store::unit_name(conn, unit_id)?;
            let adopted_by = match increase::check(conn, unit_id, from, &rate, ballot)? {
                Ok(adopted_by) => adopted_by,
                Err(refusal) => return Ok(Err(refusal)),
            };
            ledger::set_rate(conn, unit_id, from, rate, adopted_by, ctx.now)?;
            audit::record(
                conn,
                ctx.now,
                Entry {
                    actor: &ctx.actor,
                    action: "dues_rate_set",
                    target: &name,
                    detail: &format!(
                        "from {from}: {}{}",
                        describe(&rate),
                        adopted_by.map_or(String::new(), |q| format!(" (ballot question {q})"))
                    ),
                },
            )?;
            Ok(Ok(name))
        })
    })
    .await?;
    let unit_name = match outcome {
        Ok(name) => name,
        Err(refusal) => {
            let mut rate_errors = FieldErrors::new();
            rate_errors.add_problem(&refusal);
            let shown = Shown {
                rate: form,
                rate_errors,
                ..Shown::blank(state.config.today())
            };
            return dues_page(page, &state, shown, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    Ok(redirect_with(
        "/officer/dues",
        FlashKind::Success,
        &format!("The dues rate of {unit_name} from {from} is saved."),
        state.config.behind_https(),
    ))
}

/// What the posting form sends.
#[derive(Debug, Deserialize)]
pub struct PostForm {
    #[serde(default)]
    month: String,
}

/// `POST /officer/dues/post`: the month's charges; twice changes nothing.
pub async fn post_month(
    req: HttpRequest,
    page: Page,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    form: web::Form<PostForm>,
) -> Result<HttpResponse, AppError> {
    let today = state.config.today();
    let parsed = crate::forms::parse::month(&form.month)
        .ok_or_else(|| "Enter a month like 2026-10.".to_owned())
        .and_then(|first| ledger::refuse_posting(first, today).map_or(Ok(first), Err));
    let first = match parsed {
        Ok(first) => first,
        Err(problem) => {
            let mut month_errors = FieldErrors::new();
            month_errors.add("month", problem);
            let shown = Shown {
                month: form.month.clone(),
                month_errors,
                ..Shown::blank(state.config.today())
            };
            return dues_page(page, &state, shown, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let ctx = Context::new(&state.config, officer.actor(&req));
    let posted = db(&state, move |conn| {
        write_tx(conn, |conn| {
            Ok(ledger::post_month(conn, first, &ctx.actor, ctx.now)?)
        })
    })
    .await?;
    let message = if posted == 0 {
        format!(
            "No new charges for {}: every member of a unit with a rate then was charged already.",
            first.format("%Y-%m")
        )
    } else {
        format!(
            "Posted {posted} dues charges for {}.",
            first.format("%Y-%m")
        )
    };
    Ok(redirect_with(
        "/officer/dues",
        FlashKind::Success,
        &message,
        state.config.behind_https(),
    ))
}

/// The reconciliation's choice of unit and month.
#[derive(Debug, Default, Deserialize)]
pub struct ReconciliationQuery {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    month: String,
    /// Only lines with this result ("matched", "under", "over", "missing").
    #[serde(default)]
    result: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    arrears_page: String,
}

/// The results a reconciliation line can have, as the filter offers them.
const RESULTS: [&str; 4] = ["matched", "under", "over", "missing"];

/// The reconciliation page.
#[derive(Template)]
#[template(path = "dues/reconciliation.html")]
pub struct ReconciliationPage {
    page: Page,
    units: Vec<(String, String)>,
    unit_id: i64,
    month: String,
    errors: FieldErrors,
    /// Deductions came in for a month nothing was charged for.
    nothing_charged: bool,
    lines: Vec<ReconciliationLine>,
    counts: [usize; 4],
    arrears: Vec<ArrearsLine>,
    result: String,
    result_options: Vec<(String, String)>,
    pager: Pager,
    arrears_pager: Pager,
}

/// `GET /officer/dues/reconciliation?unit=&month=`.
pub async fn reconciliation(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
    query: web::Query<ReconciliationQuery>,
) -> Result<HttpResponse, AppError> {
    let today = state.config.today();
    let month_text = if query.month.trim().is_empty() {
        today.format("%Y-%m").to_string()
    } else {
        query.month.trim().to_owned()
    };
    let month = crate::forms::parse::month(&month_text);
    let mut errors = FieldErrors::new();
    if month.is_none() {
        errors.add("month", "Enter a month like 2026-10.");
    }
    let wanted_unit: Option<i64> = query.unit.parse().ok();
    let (units, unit_id, lines, arrears) = db(&state, move |conn| {
        let units = store::units(conn)?;
        let unit_id = wanted_unit
            .filter(|u| units.iter().any(|(id, _)| id == u))
            .or_else(|| units.first().map(|(id, _)| *id))
            .unwrap_or(0);
        let lines = match month {
            Some(month) if unit_id > 0 => ledger::reconcile(conn, unit_id, month)?,
            _ => Vec::new(),
        };
        let arrears = arrears::arrears(conn, unit_id, today)?;
        Ok((units, unit_id, lines, arrears))
    })
    .await?;
    let count = |v: &str| lines.iter().filter(|l| l.verdict() == v).count();
    let counts = RESULTS.map(count);
    let nothing_charged = !lines.is_empty() && lines.iter().all(|l| l.expected.0 == 0);
    let result = RESULTS
        .iter()
        .find(|r| **r == query.result.trim())
        .map_or_else(String::new, |r| (*r).to_owned());
    let unit_text = unit_id.to_string();
    let lines: Vec<ReconciliationLine> = lines
        .into_iter()
        .filter(|l| result.is_empty() || l.verdict() == result)
        .collect();
    let pager = Pager::new(
        "/officer/dues/reconciliation",
        &[
            ("unit", &unit_text),
            ("month", &month_text),
            ("result", &result),
            ("arrears_page", query.arrears_page.trim()),
        ],
        pager::page_number(&query.page),
        pager::PER_PAGE,
        lines.len() as i64,
    )
    .at("lines");
    let arrears_pager = Pager::new(
        "/officer/dues/reconciliation",
        &[
            ("unit", &unit_text),
            ("month", &month_text),
            ("result", &result),
            ("page", query.page.trim()),
        ],
        pager::page_number(&query.arrears_page),
        pager::PER_PAGE,
        arrears.len() as i64,
    )
    .named("arrears_page")
    .at("arrears");
    let lines = lines
        .into_iter()
        .skip(pager.offset() as usize)
        .take(pager.limit() as usize)
        .collect();
    let arrears = arrears
        .into_iter()
        .skip(arrears_pager.offset() as usize)
        .take(arrears_pager.limit() as usize)
        .collect();
    let result_options = std::iter::once((String::new(), "Any result".to_owned()))
        .chain(RESULTS.iter().map(|r| ((*r).to_owned(), (*r).to_owned())))
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &ReconciliationPage {
            page,
            units: units
                .into_iter()
                .map(|(id, name)| (id.to_string(), name))
                .collect(),
            unit_id,
            month: month_text,
            errors,
            nothing_charged,
            lines,
            counts,
            arrears,
            result,
            result_options,
            pager,
            arrears_pager,
        },
    )
}

/// What the arrears-notice button sends.
#[derive(Debug, Deserialize)]
pub struct NoticeForm {
    #[serde(default)]
    unit: String,
}

/// `POST /officer/dues/arrears-notices`: emails everyone on the unit's
/// arrears list, at most once a month each.
pub async fn arrears_notices(
    req: HttpRequest,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    form: web::Form<NoticeForm>,
) -> Result<HttpResponse, AppError> {
    let unit_id: i64 = form
        .unit
        .parse()
        .map_err(|_| AppError::BadRequest("Choose a unit.".into()))?;
    let ctx = Context::new(&state.config, officer.actor(&req));
    let count = db(&state, move |conn| {
        store::unit_name(conn, unit_id)?;
        write_tx(conn, |conn| {
            Ok(arrears::send_arrears_notices(conn, unit_id, &ctx)?)
        })
    })
    .await?;
    state.mail_waker.wake();
    let message = format!(
        "Sent {} arrears notice{}. Skipped: {} whose deduction for the latest month due is in the check-off, {} already notified this month, {} without an email address, {} who turned these notices off.",
        count.sent,
        if count.sent == 1 { "" } else { "s" },
        count.covered,
        count.already,
        count.no_email,
        count.declined
    );
    Ok(redirect_with(
        &format!("/officer/dues/reconciliation?unit={unit_id}"),
        FlashKind::Success,
        &message,
        state.config.behind_https(),
    ))
}
