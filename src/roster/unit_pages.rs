//! Officer pages for bargaining units and their classifications.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;

use crate::audit::{self, Entry};
use crate::auth::OfficerUser;
use crate::db::schema::{classifications, units};
use crate::db::write_tx;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::{db, render};

/// A unit as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = units)]
pub struct UnitRow {
    /// Row id.
    pub id: i64,
    /// Its name (unique).
    pub name: String,
    /// The employer.
    pub employer: String,
    /// The contract's first day.
    pub contract_start: Option<NaiveDate>,
    /// The contract's last day.
    pub contract_end: Option<NaiveDate>,
    /// Months of dues that may be owed in good standing.
    pub arrears_allowance_months: i32,
}

/// A unit with its classifications, and its fields as the form shows them.
pub struct UnitLine {
    unit: UnitRow,
    classes: Vec<String>,
    start: String,
    end: String,
    allowance: String,
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
    classification: String,
}

/// What was wrong with the unit form.
#[derive(Debug, Default, Clone)]
pub struct UnitErrors {
    name: String,
    contract_start: String,
    contract_end: String,
    allowance: String,
    classification: String,
}

impl UnitErrors {
    fn count(&self) -> usize {
        [
            &self.name,
            &self.contract_start,
            &self.contract_end,
            &self.allowance,
            &self.classification,
        ]
        .iter()
        .filter(|e| !e.is_empty())
        .count()
    }
}

/// The units page.
#[derive(Template)]
#[template(path = "roster/units.html")]
pub struct UnitsPage {
    page: Page,
    units: Vec<UnitLine>,
    editing: Option<i64>,
    form: UnitForm,
    errors: UnitErrors,
}

async fn units_page(
    page: Page,
    state: &web::Data<AppState>,
    editing: Option<i64>,
    form: UnitForm,
    errors: UnitErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let units = db(state, move |conn| {
        let rows: Vec<UnitRow> = units::table
            .order(units::name.asc())
            .select(UnitRow::as_select())
            .load(conn)?;
        let classes: Vec<(i64, String)> = classifications::table
            .order(classifications::name.asc())
            .select((classifications::unit_id, classifications::name))
            .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|unit| UnitLine {
                classes: classes
                    .iter()
                    .filter(|(u, _)| *u == unit.id)
                    .map(|(_, n)| n.clone())
                    .collect(),
                start: unit
                    .contract_start
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                end: unit.contract_end.map(|d| d.to_string()).unwrap_or_default(),
                allowance: unit.arrears_allowance_months.to_string(),
                open: editing == Some(unit.id),
                unit,
            })
            .collect::<Vec<_>>())
    })
    .await?;
    render(
        status,
        &UnitsPage {
            page,
            units,
            editing,
            form,
            errors,
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
        ..UnitForm::default()
    };
    units_page(
        page,
        &state,
        None,
        form,
        UnitErrors::default(),
        StatusCode::OK,
    )
    .await
}

struct CheckedUnit {
    name: String,
    employer: String,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    allowance: i32,
    classification: Option<String>,
}

fn check(form: &UnitForm) -> Result<CheckedUnit, UnitErrors> {
    let mut errors = UnitErrors::default();
    let name = form.name.trim().to_owned();
    if name.is_empty() {
        errors.name = "Enter the unit's name.".into();
    } else if name.chars().count() > 100 {
        errors.name = "Use at most 100 characters.".into();
    }
    let date = |raw: &str, slot: &mut String| {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map_err(|_| *slot = "Enter a date like 2026-07-01, or leave it empty.".into())
            .ok()
    };
    let start = date(&form.contract_start, &mut errors.contract_start);
    let end = date(&form.contract_end, &mut errors.contract_end);
    if let (Some(start), Some(end)) = (start, end)
        && end < start
    {
        errors.contract_end = "The contract ends before it starts.".into();
    }
    let allowance = match form.allowance.trim().parse::<i32>() {
        Ok(n) if (0..=24).contains(&n) => n,
        _ => {
            errors.allowance = "Enter a whole number of months from 0 to 24.".into();
            0
        }
    };
    let classification = Some(form.classification.trim().to_owned()).filter(|c| !c.is_empty());
    if classification
        .as_ref()
        .is_some_and(|c| c.chars().count() > 100)
    {
        errors.classification = "Use at most 100 characters.".into();
    }
    if errors.count() > 0 {
        return Err(errors);
    }
    Ok(CheckedUnit {
        name,
        employer: form.employer.trim().to_owned(),
        start,
        end,
        allowance,
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
    let checked = match check(&form) {
        Ok(checked) => checked,
        Err(errors) => {
            return units_page(
                page,
                &state,
                id,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let now = state.config.clock.now();
    let actor = officer.actor(&req);
    let outcome = db(&state, move |conn| {
        write_tx(conn, |conn| {
            let clash: Option<i64> = units::table.filter(units::name.eq(&checked.name)).select(units::id).first(conn).optional()?;
            if clash.is_some_and(|other| Some(other) != id) {
                return Ok(Err("Another unit already has that name."));
            }
            let values = (
                units::name.eq(&checked.name),
                units::employer.eq(&checked.employer),
                units::contract_start.eq(checked.start),
                units::contract_end.eq(checked.end),
                units::arrears_allowance_months.eq(checked.allowance),
            );
            let unit_id = match id {
                Some(id) => {
                    let before: UnitRow = units::table.find(id).select(UnitRow::as_select()).first(conn)?;
                    diesel::update(units::table.find(id)).set(values).execute(conn)?;
                    let detail = format!(
                        "name {:?} -> {:?}; employer {:?} -> {:?}; contract {:?}..{:?} -> {:?}..{:?}; allowance {} -> {}",
                        before.name, checked.name, before.employer, checked.employer, before.contract_start, before.contract_end, checked.start, checked.end, before.arrears_allowance_months, checked.allowance
                    );
                    audit::record(conn, now, Entry { actor: &actor, action: "unit_edit", target: &checked.name, detail: &detail })?;
                    id
                }
                None => {
                    diesel::insert_into(units::table).values((values, units::created_at.eq(now))).execute(conn)?;
                    audit::record(conn, now, Entry { actor: &actor, action: "unit_created", target: &checked.name, detail: "" })?;
                    units::table.filter(units::name.eq(&checked.name)).select(units::id).first(conn)?
                }
            };
            if let Some(class) = &checked.classification {
                let exists: i64 = classifications::table
                    .filter(classifications::unit_id.eq(unit_id))
                    .filter(classifications::name.eq(class))
                    .count()
                    .get_result(conn)?;
                if exists == 0 {
                    diesel::insert_into(classifications::table)
                        .values((classifications::unit_id.eq(unit_id), classifications::name.eq(class)))
                        .execute(conn)?;
                    audit::record(conn, now, Entry { actor: &actor, action: "classification_created", target: &checked.name, detail: class })?;
                }
            }
            Ok(Ok(checked.name.clone()))
        })
    })
    .await?;
    match outcome {
        Ok(name) => Ok(redirect_with(
            "/officer/units",
            FlashKind::Success,
            &format!("{name} is saved."),
            state.config.behind_https(),
        )),
        Err(message) => {
            let errors = UnitErrors {
                name: message.into(),
                ..UnitErrors::default()
            };
            units_page(
                page,
                &state,
                id,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
