//! The officer's forms: a unit's current floors and reference costs, and
//! scenarios (new, edit, copy). Every change is audited; bad input comes
//! back with what was typed and nothing saved.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;

use super::store::{self, Reference, ScenarioInput};
use crate::audit::{self, Entry};
use crate::auth::OfficerUser;
use crate::db::write_tx;
use crate::error::AppError;
use crate::money::{Cents, plain_money, plain_percent};
use crate::state::AppState;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::{db, render};

/// The three kinds of reference cost, as the form names and labels them.
pub const REFERENCE_KINDS: [(&str, &str, &str); 3] = [
    ("rent", "Median one-bedroom rent", "Amount a month ($)"),
    ("living_wage", "Living wage", "Amount a year ($)"),
    ("cpi", "CPI inflation over the period", "Rate (%)"),
];

/// A classification row on a form.
#[derive(Debug, Clone)]
pub struct ClassField {
    pub id: i64,
    pub name: String,
}

/// `/officer/salary/units/{id}`: current floors and reference costs.
#[derive(Template)]
#[template(path = "salary/unit_settings.html")]
pub struct UnitSettingsPage {
    page: Page,
    unit_id: i64,
    unit_name: String,
    classes: Vec<ClassField>,
    kinds: [(&'static str, &'static str, &'static str); 3],
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
}

impl UnitSettingsPage {
    fn value(&self, field: &str) -> &str {
        self.values.get(field).map_or("", String::as_str)
    }

    fn error(&self, field: &str) -> &str {
        self.errors.get(field).map_or("", String::as_str)
    }
}

async fn unit_settings_page(
    page: Page,
    state: &web::Data<AppState>,
    unit_id: i64,
    values: Option<HashMap<String, String>>,
    errors: HashMap<String, String>,
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
    let values = values.unwrap_or_else(|| {
        let mut v = HashMap::new();
        for (id, _, floor) in &classes {
            v.insert(
                format!("floor_{id}"),
                floor.map(plain_money).unwrap_or_default(),
            );
        }
        for (kind, r) in &refs {
            let amount = if kind == "cpi" {
                plain_percent(r.amount)
            } else {
                plain_money(r.amount)
            };
            v.insert(format!("{kind}_amount"), amount);
            v.insert(format!("{kind}_source"), r.source.clone());
            v.insert(format!("{kind}_as_of"), r.as_of.to_string());
        }
        v
    });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &UnitSettingsPage {
            page,
            unit_id,
            unit_name: name,
            classes: classes
                .into_iter()
                .map(|(id, name, _)| ClassField { id, name })
                .collect(),
            kinds: REFERENCE_KINDS,
            values,
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
    unit_settings_page(page, &state, id.into_inner(), None, HashMap::new()).await
}

/// Checks the reference-cost fields: an amount needs a source and a date.
pub fn check_references(
    get: &dyn Fn(&str) -> String,
    errors: &mut HashMap<String, String>,
) -> BTreeMap<String, Reference> {
    let mut refs = BTreeMap::new();
    for (kind, label, unit) in REFERENCE_KINDS {
        let amount_raw = get(&format!("{kind}_amount"));
        let source = get(&format!("{kind}_source"));
        let as_of_raw = get(&format!("{kind}_as_of"));
        if amount_raw.is_empty() && source.is_empty() && as_of_raw.is_empty() {
            continue;
        }
        let what = label;
        let amount = if unit.starts_with("Rate") {
            crate::forms::parse::percent(&amount_raw)
        } else {
            crate::forms::parse::money(&amount_raw, false).map(|c| c.0)
        };
        let amount = amount
            .and_then(|a| {
                if kind == "cpi" && !(-9_999..=10_000).contains(&a) {
                    Err("Inflation must be above -100% and at most 100%.".to_owned())
                } else {
                    Ok(a)
                }
            })
            .map_err(|m| errors.insert(format!("{kind}_amount"), m))
            .ok();
        if source.is_empty() {
            errors.insert(
                format!("{kind}_source"),
                format!("Say where the {} figure comes from.", what.to_lowercase()),
            );
        }
        let as_of = crate::forms::parse::date(&as_of_raw)
            .map_err(|m| errors.insert(format!("{kind}_as_of"), m))
            .ok();
        if let (Some(amount), Some(as_of), false) = (amount, as_of, source.is_empty()) {
            refs.insert(
                kind.to_owned(),
                Reference {
                    amount,
                    source: source.chars().take(300).collect(),
                    as_of,
                },
            );
        }
    }
    refs
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
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let unit_id = id.into_inner();
    let values = form.into_inner();
    let get = |name: &str| {
        values
            .get(name)
            .map_or(String::new(), |v| v.trim().to_owned())
    };
    let classes = db(&state, move |conn| Ok(store::classes(conn, unit_id)?)).await?;
    let mut errors = HashMap::new();
    let mut floors = Vec::new();
    for (class_id, name, _) in &classes {
        let field = format!("floor_{class_id}");
        let raw = get(&field);
        if raw.is_empty() {
            floors.push((*class_id, None));
            continue;
        }
        match crate::forms::parse::money(&raw, true).map(|c| c.0) {
            Ok(c) if c < 0 => {
                errors.insert(field, format!("The floor for {name} cannot be negative."));
            }
            Ok(c) => floors.push((*class_id, Some(c))),
            Err(m) => {
                errors.insert(field, m);
            }
        }
    }
    let refs = check_references(&get, &mut errors);
    if !errors.is_empty() {
        return unit_settings_page(page, &state, unit_id, Some(values), errors).await;
    }
    let actor = officer.actor(&req);
    let now = state.config.clock.now();
    db(&state, move |conn| {
        write_tx(conn, |conn| {
            let (unit_name, _) = store::unit(conn, unit_id)?;
            let before = describe_settings(conn, unit_id)?;
            store::save_current_floors(conn, &floors)?;
            store::save_references(conn, unit_id, &refs, now)?;
            let after = describe_settings(conn, unit_id)?;
            let summary = format!("{before} → {after}");
            audit::record(
                conn,
                now,
                Entry {
                    actor: &actor,
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
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
}

impl ScenarioFormPage {
    fn value(&self, field: &str) -> &str {
        self.values.get(field).map_or("", String::as_str)
    }

    fn error(&self, field: &str) -> &str {
        self.errors.get(field).map_or("", String::as_str)
    }
}

async fn scenario_form_page(
    page: Page,
    state: &web::Data<AppState>,
    unit_id: i64,
    scenario_id: Option<i64>,
    values: Option<HashMap<String, String>>,
    errors: HashMap<String, String>,
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
    let values = values.unwrap_or_else(|| {
        let mut v = HashMap::new();
        match &stored {
            Some((row, floors)) => {
                v.insert("name".into(), row.name.clone());
                v.insert("raise".into(), plain_percent(i64::from(row.raise_bp)));
                v.insert("flat_raise".into(), plain_money(row.flat_raise_cents));
                v.insert("premium".into(), plain_money(row.premium_monthly_cents));
                v.insert("effective_date".into(), row.effective_date.to_string());
                for (id, _, _) in &classes {
                    v.insert(
                        format!("floor_{id}"),
                        floors.get(id).map(|f| plain_money(*f)).unwrap_or_default(),
                    );
                }
            }
            None => {
                // A new scenario starts from the current contract's floors.
                for (id, _, floor) in &classes {
                    v.insert(
                        format!("floor_{id}"),
                        floor.map(plain_money).unwrap_or_default(),
                    );
                }
                v.insert("raise".into(), "0".into());
                v.insert("flat_raise".into(), "0".into());
                v.insert("premium".into(), "0".into());
            }
        }
        v
    });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &ScenarioFormPage {
            page,
            unit_id,
            unit_name,
            scenario_id,
            classes: classes
                .into_iter()
                .map(|(id, name, _)| ClassField { id, name })
                .collect(),
            values,
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
    scenario_form_page(page, &state, unit.into_inner(), None, None, HashMap::new()).await
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
    scenario_form_page(page, &state, unit_id, Some(id), None, HashMap::new()).await
}

/// Checks a scenario form; the input, or errors by field.
pub fn check_scenario(
    get: &dyn Fn(&str) -> String,
    unit_id: i64,
    classes: &[(i64, String, Option<i64>)],
    contract_start: Option<NaiveDate>,
) -> Result<ScenarioInput, HashMap<String, String>> {
    let mut errors = HashMap::new();
    let name = get("name");
    if name.is_empty() {
        errors.insert(
            "name".into(),
            "Give the scenario a name, such as Union proposal.".into(),
        );
    } else if name.chars().count() > 100 {
        errors.insert("name".into(), "Keep the name under 100 characters.".into());
    }
    let raise = match crate::forms::parse::percent(&get("raise")) {
        Ok(bp) if !(-10_000..=10_000).contains(&bp) => {
            errors.insert(
                "raise".into(),
                "A raise beyond 100% either way is not a bargaining position; check the figure."
                    .into(),
            );
            None
        }
        Ok(bp) => Some(bp),
        Err(m) => {
            errors.insert("raise".into(), m);
            None
        }
    };
    let flat = crate::forms::parse::money(&get("flat_raise"), true)
        .map(|c| c.0)
        .and_then(|c| {
            if c.abs() > 10_000_000 {
                Err("A flat raise over $100,000 is beyond reason; check the figure.".into())
            } else {
                Ok(c)
            }
        })
        .map_err(|m| errors.insert("flat_raise".into(), m))
        .ok();
    let premium = crate::forms::parse::money(&get("premium"), true)
        .map(|c| c.0)
        .map_err(|m| errors.insert("premium".into(), m))
        .ok();
    let effective = match crate::forms::parse::date(&get("effective_date")) {
        Ok(date) => match contract_start {
            Some(start) if date < start => {
                errors.insert(
                    "effective_date".into(),
                    format!("The effective date cannot be before the contract starts ({start})."),
                );
                None
            }
            _ => Some(date),
        },
        Err(m) => {
            errors.insert("effective_date".into(), m);
            None
        }
    };
    let mut floors = BTreeMap::new();
    for (id, class, _) in classes {
        let field = format!("floor_{id}");
        let raw = get(&field);
        if raw.is_empty() {
            continue;
        }
        match crate::forms::parse::money(&raw, true).map(|c| c.0) {
            Ok(c) if c < 0 => {
                errors.insert(field, format!("The floor for {class} cannot be negative."));
            }
            Ok(c) => {
                floors.insert(*id, c);
            }
            Err(m) => {
                errors.insert(field, m);
            }
        }
    }
    if floors.is_empty()
        && !classes
            .iter()
            .any(|(id, _, _)| errors.contains_key(&format!("floor_{id}")))
    {
        errors.insert(
            "floors".into(),
            "Give at least one classification a floor: a scenario without floors compares nothing."
                .into(),
        );
    }
    match (raise, flat, premium, effective, errors.is_empty()) {
        (Some(raise_bp), Some(flat_raise), Some(premium_monthly), Some(effective_date), true) => {
            Ok(ScenarioInput {
                unit_id,
                name,
                raise_bp: i32::try_from(raise_bp).unwrap_or(0),
                flat_raise,
                premium_monthly,
                effective_date,
                floors,
            })
        }
        _ => Err(errors),
    }
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
    values: HashMap<String, String>,
) -> Result<HttpResponse, AppError> {
    let get = |name: &str| {
        values
            .get(name)
            .map_or(String::new(), |v| v.trim().to_owned())
    };
    let (classes, (_, contract_start)) = db(&state, move |conn| {
        Ok((store::classes(conn, unit_id)?, store::unit(conn, unit_id)?))
    })
    .await?;
    let input = match check_scenario(&get, unit_id, &classes, contract_start) {
        Ok(input) => input,
        Err(errors) => {
            return scenario_form_page(page, &state, unit_id, id, Some(values), errors).await;
        }
    };
    let actor = officer.0.actor(&req);
    let now = state.config.clock.now();
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
                )),
                None => None,
            };
            let saved = store::save_scenario(conn, id, &input, now)?;
            let after = describe(
                &store::scenario(conn, saved)?,
                &store::floors_by_class(conn, saved)?,
            );
            let detail = match before {
                Some(before) => format!("{before} → {after}"),
                None => after,
            };
            audit::record(
                conn,
                now,
                Entry {
                    actor: &actor,
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
            let errors = HashMap::from([(
                "name".to_owned(),
                format!("The unit already has a scenario called \"{name}\"."),
            )]);
            scenario_form_page(page, &state, unit_id, id, Some(values), errors).await
        }
    }
}

fn describe(row: &store::ScenarioRow, floors: &BTreeMap<i64, i64>) -> String {
    let floors: Vec<String> = floors
        .iter()
        .map(|(id, f)| format!("#{id} {}", Cents(*f)))
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
    form: web::Form<HashMap<String, String>>,
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
    form: web::Form<HashMap<String, String>>,
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
    let actor = officer.actor(&req);
    let now = state.config.clock.now();
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
            let new_id = store::save_scenario(conn, None, &input, now)?;
            audit::record(
                conn,
                now,
                Entry {
                    actor: &actor,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> impl Fn(&str) -> String {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name: &str| map.get(name).cloned().unwrap_or_default()
    }

    #[test]
    fn a_scenario_beyond_reason_is_refused_by_field() {
        let classes = vec![(1, "Analyst".to_owned(), None)];
        let start = NaiveDate::from_ymd_opt(2026, 1, 1);
        let errors = check_scenario(
            &form(&[
                ("name", "X"),
                ("raise", "150"),
                ("flat_raise", "0"),
                ("premium", "0"),
                ("effective_date", "2025-07-01"),
                ("floor_1", "-5"),
            ]),
            9,
            &classes,
            start,
        )
        .unwrap_err();
        assert!(errors["raise"].starts_with("A raise beyond 100%"));
        assert_eq!(
            errors["effective_date"],
            "The effective date cannot be before the contract starts (2026-01-01)."
        );
        assert_eq!(
            errors["floor_1"],
            "The floor for Analyst cannot be negative."
        );
        let errors = check_scenario(
            &form(&[
                ("name", "X"),
                ("raise", "3"),
                ("flat_raise", "0"),
                ("premium", "0"),
                ("effective_date", "2026-07-01"),
            ]),
            9,
            &classes,
            start,
        )
        .unwrap_err();
        assert!(errors["floors"].starts_with("Give at least one classification a floor"));
    }

    #[test]
    fn a_reference_cost_needs_its_source() {
        let mut errors = HashMap::new();
        let refs = check_references(
            &form(&[
                ("rent_amount", "2800"),
                ("rent_as_of", "2026-10-01"),
                ("cpi_amount", "5"),
                ("cpi_source", "BLS CPI-U"),
                ("cpi_as_of", "2026-09-30"),
            ]),
            &mut errors,
        );
        assert_eq!(
            errors["rent_source"],
            "Say where the median one-bedroom rent figure comes from."
        );
        assert_eq!(refs.get("cpi").map(|r| r.amount), Some(500));
        assert!(!refs.contains_key("rent"));
    }
}
