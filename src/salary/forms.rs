//! The officer's forms: a unit's current floors and reference costs, and
//! scenarios (new, edit, copy). Every change is audited; bad input comes
//! back with what was typed and nothing saved.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::input::{Class, ReferenceKind, ScenarioForm, ScenarioProblem, UnitSettingsForm};
use super::store::{self, ScenarioInput};
use crate::audit::{self, Entry};
use crate::auth::OfficerUser;
use crate::context::Context;
use crate::db::write_tx;
use crate::error::AppError;
use crate::forms::FieldErrors;
use crate::money::{Cents, plain_percent};
use crate::state::AppState;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::{db, render};

/// A classification row on a form.
#[derive(Debug, Clone)]
pub struct ClassField {
    pub id: i64,
    pub name: String,
}

fn class_fields(classes: Vec<Class>) -> Vec<ClassField> {
    classes
        .into_iter()
        .map(|(id, name, _)| ClassField { id, name })
        .collect()
}

fn status_for(errors: &FieldErrors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// `/officer/salary/units/{id}`: current floors and reference costs.
#[derive(Template)]
#[template(path = "salary/unit_settings.html")]
pub struct UnitSettingsPage {
    page: Page,
    unit_id: i64,
    unit_name: String,
    classes: Vec<ClassField>,
    kinds: [ReferenceKind; 3],
    form: UnitSettingsForm,
    errors: FieldErrors,
}

async fn unit_settings_page(
    page: Page,
    state: &web::Data<AppState>,
    unit_id: i64,
    typed: Option<UnitSettingsForm>,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let (name, classes, refs) = db(state, move |conn| {
        let (name, _) = store::unit(conn, unit_id)?;
        Ok((
            name,
            store::classes(conn, unit_id)?,
            store::references(conn, unit_id)?,
        ))
    })
    .await?;
    let form = typed.unwrap_or_else(|| UnitSettingsForm::stored(&classes, &refs));
    render(
        status_for(&errors),
        &UnitSettingsPage {
            page,
            unit_id,
            unit_name: name,
            classes: class_fields(classes),
            kinds: ReferenceKind::ALL,
            form,
            errors,
        },
    )
}

/// `GET /officer/salary/units/{id}`.
pub async fn unit_settings(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    unit_settings_page(page, &state, id.into_inner(), None, FieldErrors::new()).await
}

/// The floors and references as the audit log records them.
fn describe_settings(
    conn: &mut crate::db::DbConnection,
    unit_id: i64,
) -> diesel::QueryResult<String> {
    let floors: Vec<String> = store::classes(conn, unit_id)?
        .into_iter()
        .map(|(_, name, floor)| {
            format!(
                "{name} {}",
                floor.map_or("none".into(), |f| Cents(f).to_string())
            )
        })
        .collect();
    let refs: Vec<String> = store::references(conn, unit_id)?
        .into_iter()
        .map(|(kind, r)| format!("{kind} {} ({}, {})", r.amount, r.source, r.as_of))
        .collect();
    Ok(format!(
        "floors [{}]; references [{}]",
        floors.join(", "),
        refs.join(", ")
    ))
}

/// A scenario save that lost a race for its name to another officer.
enum SaveError {
    NameTaken,
    App(AppError),
}

impl From<diesel::result::Error> for SaveError {
    fn from(error: diesel::result::Error) -> Self {
        match error {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => Self::NameTaken,
            other => Self::App(other.into()),
        }
    }
}

/// `POST /officer/salary/units/{id}`.
pub async fn save_unit_settings(
    req: HttpRequest,
    page: Page,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<UnitSettingsForm>,
) -> Result<HttpResponse, AppError> {
    let unit_id = id.into_inner();
    let form = form.into_inner();
    let classes = db(&state, move |conn| Ok(store::classes(conn, unit_id)?)).await?;
    let settings = match form.parse(&classes) {
        Ok(settings) => settings,
        Err(errors) => return unit_settings_page(page, &state, unit_id, Some(form), errors).await,
    };
    let ctx = Context::new(&state.config, officer.actor(&req));
    db(&state, move |conn| {
        write_tx(conn, |conn| {
            let (unit_name, _) = store::unit(conn, unit_id)?;
            let before = describe_settings(conn, unit_id)?;
            store::save_current_floors(conn, &settings.floors)?;
            store::save_references(conn, unit_id, &settings.references, ctx.now)?;
            let after = describe_settings(conn, unit_id)?;
            let summary = format!("{before} → {after}");
            audit::record(
                conn,
                ctx.now,
                Entry {
                    actor: &ctx.actor,
                    action: "salary_unit_settings",
                    target: &unit_name,
                    detail: &summary,
                },
            )?;
            Ok::<_, AppError>(())
        })
    })
    .await?;
    Ok(redirect_with(
        &format!("/salary?unit={unit_id}"),
        FlashKind::Success,
        "Floors and reference costs saved.",
        state.config.behind_https(),
    ))
}

/// The scenario form.
#[derive(Template)]
#[template(path = "salary/scenario_form.html")]
pub struct ScenarioFormPage {
    page: Page,
    unit_id: i64,
    unit_name: String,
    scenario_id: Option<i64>,
    classes: Vec<ClassField>,
    form: ScenarioForm,
    errors: FieldErrors,
}

async fn scenario_form_page(
    page: Page,
    state: &web::Data<AppState>,
    unit_id: i64,
    scenario_id: Option<i64>,
    typed: Option<ScenarioForm>,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let (unit_name, classes, stored) = db(state, move |conn| {
        let (name, _) = store::unit(conn, unit_id)?;
        let classes = store::classes(conn, unit_id)?;
        let stored = match scenario_id {
            Some(id) => {
                let row = store::scenario(conn, id)?;
                Some((row, store::floors_by_class(conn, id)?))
            }
            None => None,
        };
        Ok((name, classes, stored))
    })
    .await?;
    let form = typed.unwrap_or_else(|| match &stored {
        Some((row, floors)) => ScenarioForm::stored(row, floors, &classes),
        None => ScenarioForm::starting(&classes),
    });
    render(
        status_for(&errors),
        &ScenarioFormPage {
            page,
            unit_id,
            unit_name,
            scenario_id,
            classes: class_fields(classes),
            form,
            errors,
        },
    )
}

/// `GET /officer/salary/units/{id}/scenarios/new`.
pub async fn new_scenario(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
    unit: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    scenario_form_page(
        page,
        &state,
        unit.into_inner(),
        None,
        None,
        FieldErrors::new(),
    )
    .await
}

/// `GET /officer/salary/scenarios/{id}/edit`.
pub async fn edit_scenario(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let unit_id = db(&state, move |conn| Ok(store::scenario(conn, id)?.unit_id)).await?;
    scenario_form_page(page, &state, unit_id, Some(id), None, FieldErrors::new()).await
}

/// `POST /officer/salary/units/{unit}/scenarios/new` and
/// `POST /officer/salary/scenarios/{id}/edit`.
async fn save(
    req: HttpRequest,
    page: Page,
    officer: OfficerUser,
    state: web::Data<AppState>,
    unit_id: i64,
    id: Option<i64>,
    form: ScenarioForm,
) -> Result<HttpResponse, AppError> {
    let (classes, (_, contract_start)) = db(&state, move |conn| {
        Ok((store::classes(conn, unit_id)?, store::unit(conn, unit_id)?))
    })
    .await?;
    let input = match form.parse(unit_id, &classes, contract_start) {
        Ok(input) => input,
        Err(errors) => {
            return scenario_form_page(page, &state, unit_id, id, Some(form), errors).await;
        }
    };
    let ctx = Context::new(&state.config, officer.0.actor(&req));
    let name = input.name.clone();
    let saved = db(&state, move |conn| {
        let outcome = write_tx(conn, |conn| {
            if store::name_taken(conn, unit_id, &input.name, id)? {
                return Err(SaveError::NameTaken);
            }
            let before = match id {
                Some(id) => Some(describe(
                    &store::scenario(conn, id)?,
                    &store::floors_by_class(conn, id)?,
                    &classes,
                )),
                None => None,
            };
            let saved = store::save_scenario(conn, id, &input, ctx.now)?;
            let after = describe(
                &store::scenario(conn, saved)?,
                &store::floors_by_class(conn, saved)?,
                &classes,
            );
            let detail = match before {
                Some(before) => format!("{before} → {after}"),
                None => after,
            };
            audit::record(
                conn,
                ctx.now,
                Entry {
                    actor: &ctx.actor,
                    action: if id.is_some() {
                        "salary_scenario_edit"
                    } else {
                        "salary_scenario_create"
                    },
                    target: &input.name,
                    detail: &detail,
                },
            )?;
            Ok::<_, SaveError>(saved)
        });
        // The check above and the unique index both answer "taken": the
        // index when another officer saved the same name a moment before.
        match outcome {
            Ok(saved) => Ok(Some(saved)),
            Err(SaveError::NameTaken) => Ok(None),
            Err(SaveError::App(e)) => Err(e),
        }
    })
    .await?;
    match saved {
        Some(saved) => Ok(redirect_with(
            &format!("/salary/scenarios/{saved}"),
            FlashKind::Success,
            &format!("Scenario \"{name}\" saved."),
            state.config.behind_https(),
        )),
        None => {
            let mut errors = FieldErrors::new();
            errors.add_problem(&ScenarioProblem::NameTaken(name));
            scenario_form_page(page, &state, unit_id, id, Some(form), errors).await
        }
    }
}

/// A scenario as the audit log records it, each floor under its
/// classification's name.
fn describe(row: &store::ScenarioRow, floors: &BTreeMap<i64, i64>, classes: &[Class]) -> String {
    let floors: Vec<String> = floors
        .iter()
        .map(|(id, f)| {
            let class = classes
                .iter()
                .find(|(class_id, _, _)| class_id == id)
                .map_or("a removed classification", |(_, name, _)| name.as_str());
            format!("{class} {}", Cents(*f))
        })
        .collect();
    format!(
        "{}: raise {}%, flat {}, premium {}/month, from {}, floors [{}]",
        row.name,
        plain_percent(i64::from(row.raise_bp)),
        Cents(row.flat_raise_cents),
        Cents(row.premium_monthly_cents),
        row.effective_date,
        floors.join(", ")
    )
}

/// `POST /officer/salary/units/{unit}/scenarios/new`.
pub async fn create(
    req: HttpRequest,
    page: Page,
    officer: OfficerUser,
    state: web::Data<AppState>,
    unit: web::Path<i64>,
    form: web::Form<ScenarioForm>,
) -> Result<HttpResponse, AppError> {
    save(
        req,
        page,
        officer,
        state,
        unit.into_inner(),
        None,
        form.into_inner(),
    )
    .await
}

/// `POST /officer/salary/scenarios/{id}/edit`.
pub async fn update(
    req: HttpRequest,
    page: Page,
    officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<ScenarioForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let unit_id = db(&state, move |conn| Ok(store::scenario(conn, id)?.unit_id)).await?;
    save(
        req,
        page,
        officer,
        state,
        unit_id,
        Some(id),
        form.into_inner(),
    )
    .await
}

/// `POST /officer/salary/scenarios/{id}/copy`: a copy to edit, "Copy of …".
pub async fn copy(
    req: HttpRequest,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let ctx = Context::new(&state.config, officer.actor(&req));
    let copied = db(&state, move |conn| {
        write_tx(conn, |conn| {
            let row = store::scenario(conn, id)?;
            let floors = store::floors_by_class(conn, id)?;
            // Names are at most 100 characters; leave room for the prefix.
            let base: String = row.name.chars().take(85).collect();
            let mut name = format!("Copy of {base}");
            let mut n = 2;
            while store::name_taken(conn, row.unit_id, &name, None)? {
                name = format!("Copy {n} of {base}");
                n += 1;
            }
            let input = ScenarioInput {
                unit_id: row.unit_id,
                name: name.clone(),
                raise_bp: row.raise_bp,
                flat_raise: row.flat_raise_cents,
                premium_monthly: row.premium_monthly_cents,
                effective_date: row.effective_date,
                floors,
            };
            let new_id = store::save_scenario(conn, None, &input, ctx.now)?;
            audit::record(
                conn,
                ctx.now,
                Entry {
                    actor: &ctx.actor,
                    action: "salary_scenario_copy",
                    target: &name,
                    detail: &format!("copied from {}", row.name),
                },
            )?;
            Ok::<_, AppError>(new_id)
        })
    })
    .await?;
    Ok(redirect_with(
        &format!("/officer/salary/scenarios/{copied}/edit"),
        FlashKind::Success,
        "Copied. Change what differs and save.",
        state.config.behind_https(),
    ))
}
