//! Officer dues pages: rates per unit, posting a month's charges, and
//! reconciliation of expected dues against check-off with the arrears list.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;

use super::ledger::{self, DatedRate, ReconciliationLine};
use super::rules::Rate;
use crate::audit::{self, Entry};
use crate::auth::OfficerUser;
use crate::db::schema::{members, units};
use crate::db::write_tx;
use crate::error::AppError;
use crate::money::Cents;
use crate::state::AppState;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
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
}

/// What was wrong with the rate form.
#[derive(Debug, Default, Clone)]
pub struct RateErrors {
    unit: String,
    from: String,
    percent: String,
    min: String,
    max: String,
    flat: String,
}

impl RateErrors {
    fn count(&self) -> usize {
        [
            &self.unit,
            &self.from,
            &self.percent,
            &self.min,
            &self.max,
            &self.flat,
        ]
        .iter()
        .filter(|e| !e.is_empty())
        .count()
    }
}

/// The dues page.
#[derive(Template)]
#[template(path = "dues/index.html")]
pub struct DuesPage {
    page: Page,
    units: Vec<UnitRates>,
    form: RateForm,
    errors: RateErrors,
    month: String,
    month_error: String,
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

async fn dues_page(
    page: Page,
    state: &web::Data<AppState>,
    form: RateForm,
    errors: RateErrors,
    month: String,
    month_error: String,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let units = db(state, |conn| {
        let list: Vec<(i64, String)> = units::table
            .order(units::name.asc())
            .select((units::id, units::name))
            .load(conn)?;
        let mut out = Vec::new();
        for (id, name) in list {
            out.push(UnitRates {
                id,
                name,
                rates: ledger::rates(conn, id)?,
            });
        }
        Ok(out)
    })
    .await?;
    render(
        status,
        &DuesPage {
            page,
            units,
            form,
            errors,
            month,
            month_error,
        },
    )
}

/// `GET /officer/dues`.
pub async fn index(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let today = state.config.today();
    let form = RateForm {
        kind: "percent".into(),
        ..RateForm::default()
    };
    dues_page(
        page,
        &state,
        form,
        RateErrors::default(),
        today.format("%Y-%m").to_string(),
        String::new(),
        StatusCode::OK,
    )
    .await
}

/// Parses "1.5" (percent) into basis points, at most two decimals.
fn percent_to_basis_points(raw: &str) -> Result<i64, String> {
    let cents = Cents::parse(raw.trim().trim_end_matches('%'), false)
        .map_err(|_| format!("{:?} is not a percentage like 1.5", raw.trim()))?;
    if cents.0 > 10_000 {
        return Err("a share above 100% is not a dues rate".into());
    }
    Ok(cents.0)
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
    let mut errors = RateErrors::default();
    let unit_id: Option<i64> = form.unit.parse().ok();
    if unit_id.is_none() {
        errors.unit = "Choose a unit.".into();
    }
    let from = NaiveDate::parse_from_str(form.from.trim(), "%Y-%m-%d")
        .map_err(|_| errors.from = "Enter the first day the rate applies, like 2027-01-01.".into())
        .ok();
    let money = |raw: &str, slot: &mut String| match Cents::parse(raw, false) {
        Ok(c) => Some(c),
        Err(e) => {
            *slot = format!("Enter an amount in dollars: {e}.");
            None
        }
    };
    let rate = if form.kind == "flat" {
        money(&form.flat, &mut errors.flat).map(|monthly| Rate::Flat { monthly })
    } else {
        let bp = percent_to_basis_points(&form.percent)
            .map_err(|e| errors.percent = e)
            .ok();
        let min = money(
            if form.min.trim().is_empty() {
                "0"
            } else {
                &form.min
            },
            &mut errors.min,
        );
        let max = money(&form.max, &mut errors.max);
        if let (Some(min), Some(max)) = (min, max)
            && max < min
        {
            errors.max = "The monthly maximum is below the minimum.".into();
        }
        match (bp, min, max) {
            (Some(basis_points), Some(monthly_min), Some(monthly_max)) => Some(Rate::Percent {
                basis_points,
                monthly_min,
                monthly_max,
            }),
            _ => None,
        }
    };
    let (Some(unit_id), Some(from), Some(rate)) = (unit_id, from, rate) else {
        let month = state.config.today().format("%Y-%m").to_string();
        return dues_page(
            page,
            &state,
            form,
            errors,
            month,
            String::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    if errors.count() > 0 {
        let month = state.config.today().format("%Y-%m").to_string();
        return dues_page(
            page,
            &state,
            form,
            errors,
            month,
            String::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let now = state.config.clock.now();
    let actor = officer.actor(&req);
    let unit_name = db(&state, move |conn| {
        write_tx(conn, |conn| {
            let name: String = units::table.find(unit_id).select(units::name).first(conn)?;
            ledger::set_rate(conn, unit_id, from, rate, now)?;
            audit::record(
                conn,
                now,
                Entry {
                    actor: &actor,
                    action: "dues_rate_set",
                    target: &name,
                    detail: &format!("from {from}: {}", describe(&rate)),
                },
            )?;
            Ok(name)
        })
    })
    .await?;
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
    let Some(first) = crate::forms::parse::month(&form.month) else {
        let form_back = RateForm {
            kind: "percent".into(),
            ..RateForm::default()
        };
        return dues_page(
            page,
            &state,
            form_back,
            RateErrors::default(),
            form.month.clone(),
            "Enter a month like 2026-10.".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let now = state.config.clock.now();
    let actor = officer.actor(&req);
    let posted = db(&state, move |conn| {
        write_tx(conn, |conn| {
            Ok(ledger::post_month(conn, first, &actor, now)?)
        })
    })
    .await?;
    let message = if posted == 0 {
        format!(
            "No new charges: {} was already posted for everyone with a rate.",
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
}

/// One line of the arrears list.
pub struct ArrearsLine {
    member_id: i64,
    employee_number: String,
    name: String,
    owed: Cents,
    months_behind: i64,
}

/// The reconciliation page.
#[derive(Template)]
#[template(path = "dues/reconciliation.html")]
pub struct ReconciliationPage {
    page: Page,
    units: Vec<(i64, String)>,
    unit_id: i64,
    month: String,
    error: String,
    lines: Vec<ReconciliationLine>,
    counts: [usize; 4],
    arrears: Vec<ArrearsLine>,
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
    let error = if month.is_none() {
        "Enter a month like 2026-10.".to_owned()
    } else {
        String::new()
    };
    let wanted_unit: Option<i64> = query.unit.parse().ok();
    let (units, unit_id, lines, arrears) = db(&state, move |conn| {
        let units: Vec<(i64, String)> = units::table
            .order(units::name.asc())
            .select((units::id, units::name))
            .load(conn)?;
        let unit_id = wanted_unit
            .filter(|u| units.iter().any(|(id, _)| id == u))
            .or_else(|| units.first().map(|(id, _)| *id))
            .unwrap_or(0);
        let lines = match month {
            Some(month) if unit_id > 0 => ledger::reconcile(conn, unit_id, month)?,
            _ => Vec::new(),
        };
        let standings = ledger::standings_on(conn, today)?;
        let people: Vec<(i64, String, String, String)> = members::table
            .filter(members::unit_id.eq(unit_id))
            .order((members::last_name.asc(), members::first_name.asc()))
            .select((
                members::id,
                members::employee_number,
                members::last_name,
                members::first_name,
            ))
            .load(conn)?;
        let arrears = people
            .into_iter()
            .filter_map(|(id, number, last, first)| {
                let (standing, owed) = *standings.get(&id)?;
                (standing.months_behind > 0).then(|| ArrearsLine {
                    member_id: id,
                    employee_number: number,
                    name: format!("{last}, {first}"),
                    owed,
                    months_behind: standing.months_behind,
                })
            })
            .collect::<Vec<_>>();
        Ok((units, unit_id, lines, arrears))
    })
    .await?;
    let count = |v: &str| lines.iter().filter(|l| l.verdict() == v).count();
    let counts = [
        count("matched"),
        count("under"),
        count("over"),
        count("missing"),
    ];
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &ReconciliationPage {
            page,
            units,
            unit_id,
            month: month_text,
            error,
            lines,
            counts,
            arrears,
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
    let now = state.config.clock.now();
    let actor = officer.actor(&req);
    let config = state.config.clone();
    let count = db(&state, move |conn| {
        units::table
            .find(unit_id)
            .select(units::id)
            .first::<i64>(conn)?;
        write_tx(conn, |conn| {
            Ok(ledger::send_arrears_notices(
                conn, &config, unit_id, &actor, now,
            )?)
        })
    })
    .await?;
    state.mail_waker.wake();
    let message = format!(
        "Sent {} arrears notice{}. Skipped: {} already notified this month, {} without an email address, {} who turned these notices off.",
        count.sent,
        if count.sent == 1 { "" } else { "s" },
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
