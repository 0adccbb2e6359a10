//! Officer pages for bargaining units and their classifications.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::unit_store::{self, UnitFields, UnitRow};
use crate::auth::OfficerUser;
use crate::context::Context;
use crate::db::write_tx;
use crate::error::AppError;
use crate::forms::FieldErrors;
use crate::state::AppState;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::{db, render};

/// A unit with its classifications, and its fields as the form shows them.
pub struct UnitLine {
    unit: UnitRow,
    classes: Vec<String>,
    start: String,
    end: String,
    allowance: String,
    grace_days: String,
    /// True for the unit whose edit form was just refused.
    open: bool,
}

/// What the unit form sends (new or edit).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct UnitForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    employer: String,
    #[serde(default)]
    contract_start: String,
    #[serde(default)]
    contract_end: String,
    #[serde(default)]
    allowance: String,
    #[serde(default)]
    grace_days: String,
    #[serde(default)]
    classification: String,
}

/// The units page.
#[derive(Template)]
#[template(path = "roster/units.html")]
pub struct UnitsPage {
    page: Page,
    units: Vec<UnitLine>,
    editing: Option<i64>,
    form: UnitForm,
    errors: FieldErrors,
}

/// The units page with the form as sent: which unit it edits (None for a
/// new one), what was typed and what was wrong.
struct Shown {
    editing: Option<i64>,
    form: UnitForm,
    errors: FieldErrors,
    status: StatusCode,
}

async fn units_page(
    page: Page,
    state: &web::Data<AppState>,
    shown: Shown,
) -> Result<HttpResponse, AppError> {
    let editing = shown.editing;
    let units = db(state, move |conn| {
        Ok(unit_store::units_with_classes(conn)?
            .into_iter()
            .map(|(unit, classes)| UnitLine {
                classes,
                start: unit
                    .contract_start
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                end: unit.contract_end.map(|d| d.to_string()).unwrap_or_default(),
                allowance: unit.arrears_allowance_months.to_string(),
                grace_days: unit.grace_days.to_string(),
                open: editing == Some(unit.id),
                unit,
            })
            .collect::<Vec<_>>())
    })
    .await?;
    render(
        shown.status,
        &UnitsPage {
            page,
            units,
            editing,
            form: shown.form,
            errors: shown.errors,
        },
    )
}

/// `GET /officer/units`.
pub async fn index(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let form = UnitForm {
        allowance: "2".into(),
        grace_days: "10".into(),
        ..UnitForm::default()
    };
    let shown = Shown {
        editing: None,
        form,
        errors: FieldErrors::new(),
        status: StatusCode::OK,
    };
    units_page(page, &state, shown).await
}

fn contract_date(raw: &str) -> Result<Option<NaiveDate>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| "Enter a date like 2026-07-01, or leave it empty.".into())
}

fn parse(form: &UnitForm) -> Result<UnitFields, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = form.name.trim().to_owned();
    if name.is_empty() {
        errors.add("name", "Enter the unit's name.");
    } else if name.chars().count() > 100 {
        errors.add("name", "Use at most 100 characters.");
    }
    let start = errors
        .take("contract_start", contract_date(&form.contract_start))
        .flatten();
    let end = errors
        .take("contract_end", contract_date(&form.contract_end))
        .flatten();
    if let (Some(start), Some(end)) = (start, end)
        && end < start
    {
        errors.add("contract_end", "The contract ends before it starts.");
    }
    let allowance = match form.allowance.trim().parse::<i32>() {
        Ok(n) if (0..=24).contains(&n) => n,
        _ => {
            errors.add("allowance", "Enter a whole number of months from 0 to 24.");
            0
        }
    };
    let grace_days = match form.grace_days.trim().parse::<i32>() {
        Ok(n) if (0..=60).contains(&n) => n,
        _ => {
            errors.add("grace_days", "Enter a whole number of days from 0 to 60.");
            0
        }
    };
    let classification = Some(form.classification.trim().to_owned()).filter(|c| !c.is_empty());
    if classification
        .as_ref()
        .is_some_and(|c| c.chars().count() > 100)
    {
        errors.add("classification", "Use at most 100 characters.");
    }
    errors.into_result(|| UnitFields {
        name,
        employer: form.employer.trim().to_owned(),
        start,
        end,
        allowance,
        grace_days,
        classification,
    })
}

/// `POST /officer/units` (new) and `POST /officer/units/{id}` (edit).
pub async fn save(
    req: HttpRequest,
    page: Page,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    id: Option<web::Path<i64>>,
    form: web::Form<UnitForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let id = id.map(web::Path::into_inner);
    if let Some(id) = id {
        // A missing unit is not found before its form is read.
        db(&state, move |conn| Ok(unit_store::find(conn, id)?)).await?;
    }
    let refused = |errors| Shown {
        editing: id,
        form: form.clone(),
        errors,
        status: StatusCode::UNPROCESSABLE_ENTITY,
    };
    let unit = match parse(&form) {
        Ok(unit) => unit,
        Err(errors) => return units_page(page, &state, refused(errors)).await,
    };
    let ctx = Context::new(&state.config, officer.actor(&req));
    let name = unit.name.clone();
    let outcome = db(&state, move |conn| {
        write_tx(conn, |conn| Ok(unit_store::save(conn, id, &unit, &ctx)?))
    })
    .await?;
    match outcome {
        Ok(()) => Ok(redirect_with(
            "/officer/units",
            FlashKind::Success,
            &format!("{name} is saved."),
            state.config.behind_https(),
        )),
        Err(refusal) => {
            let mut errors = FieldErrors::new();
            errors.add_problem(&refusal);
            units_page(page, &state, refused(errors)).await
        }
    }
}
