//! Adding and editing one roster entry by hand. Every change is audited
//! with its old and new values.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::csv_import::{self, RosterRow};
use super::person::Arrangement;
use super::{MemberRow, store};
use crate::auth::OfficerUser;
use crate::context::Context;
use crate::db::write_tx;
use crate::dues::rules::Status;
use crate::error::AppError;
use crate::forms::FieldErrors;
use crate::forms::limits::{FormLimit, body_bytes};
use crate::state::AppState;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::{db, render};

/// What the member form may send: every field at its limit, and a date.
pub const FORM_LIMIT: FormLimit = FormLimit {
    bytes: body_bytes(csv_import::ALL_FIELDS_CHARS + 40),
    takes: "one roster entry, names of up to 100 characters",
    checks_own_text: true,
};

/// What the member form sends, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    employee_number: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    classification: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    hire_date: String,
    #[serde(default)]
    annual_salary: String,
    #[serde(default)]
    work_arrangement: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    join_date: String,
    /// The day a changed status or join date takes effect; empty is today.
    #[serde(default)]
    status_from: String,
}

impl MemberForm {
    /// The form showing an entry as stored.
    fn of(member: &MemberRow, unit: String, classification: String) -> Self {
        Self {
            employee_number: member.person.employee_number.clone(),
            first_name: member.person.first_name.clone(),
            last_name: member.person.last_name.clone(),
            email: member.person.email.clone().unwrap_or_default(),
            unit,
            classification,
            department: member.person.department.clone(),
            hire_date: member.person.hire_date.to_string(),
            annual_salary: member.person.annual_salary.to_string(),
            work_arrangement: member.person.work_arrangement.to_string(),
            status: member.person.status.to_string(),
            join_date: member
                .person
                .join_date
                .map(|d| d.to_string())
                .unwrap_or_default(),
            status_from: String::new(),
        }
    }

    /// What was typed in the field `name` (a roster column), trimmed.
    fn get(&self, name: &str) -> String {
        let typed = match name {
            "employee_number" => &self.employee_number,
            "first_name" => &self.first_name,
            "last_name" => &self.last_name,
            "email" => &self.email,
            "unit" => &self.unit,
            "classification" => &self.classification,
            "department" => &self.department,
            "hire_date" => &self.hire_date,
            "annual_salary" => &self.annual_salary,
            "work_arrangement" => &self.work_arrangement,
            "status" => &self.status,
            "join_date" => &self.join_date,
            _ => "",
        };
        typed.trim().to_owned()
    }

    /// The entry, by the rules a roster file's rows follow, or each
    /// field's problem as a sentence.
    fn parse(&self) -> Result<RosterRow, FieldErrors> {
        csv_import::check_fields(&|name| self.get(name)).map_err(|problems| {
            let mut errors = FieldErrors::new();
            for (field, message) in problems {
                errors.add(field, capitalise(&message));
            }
            errors
        })
    }
}

/// The member form: what was typed, and what was wrong, by field name.
#[derive(Template)]
#[template(path = "roster/edit.html")]
pub struct EditPage {
    page: Page,
    /// None when adding.
    member_id: Option<i64>,
    form: MemberForm,
    errors: FieldErrors,
    units: Vec<(String, String)>,
    class_hint: String,
    statuses: Vec<(&'static str, &'static str)>,
    arrangements: Vec<(&'static str, &'static str)>,
}

async fn edit_page(
    page: Page,
    state: &web::Data<AppState>,
    member_id: Option<i64>,
    form: MemberForm,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (units, classifications) = db(state, |conn| {
        Ok((store::units(conn)?, store::classification_names(conn)?))
    })
    .await?;
    let class_hint = if classifications.is_empty() {
        "A new name adds a classification to the unit.".to_owned()
    } else {
        format!(
            "In use: {}. A new name adds a classification to the unit.",
            classifications.join(", ")
        )
    };
    render(
        status,
        &EditPage {
            page,
            member_id,
            form,
            errors,
            units: units.into_iter().map(|(_, n)| (n.clone(), n)).collect(),
            class_hint,
            statuses: Status::ALL
                .iter()
                .map(|s| (s.as_str(), s.as_str()))
                .collect(),
            arrangements: Arrangement::ALL
                .iter()
                .map(|a| (a.as_str(), a.as_str()))
                .collect(),
        },
    )
}

/// `GET /officer/roster/new`.
pub async fn new_form(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let form = MemberForm {
        status: Status::Member.as_str().into(),
        work_arrangement: Arrangement::OnSite.as_str().into(),
        ..MemberForm::default()
    };
    edit_page(page, &state, None, form, FieldErrors::new()).await
}

/// `GET /officer/roster/{id}/edit`.
pub async fn edit_form(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let form = db(&state, move |conn| {
        let member = store::member(conn, id)?;
        let names = store::names(conn)?;
        Ok(MemberForm::of(
            &member,
            names.unit(member.unit_id),
            names.classification(member.classification_id),
        ))
    })
    .await?;
    edit_page(page, &state, Some(id), form, FieldErrors::new()).await
}

/// `POST /officer/roster/new` and `POST /officer/roster/{id}/edit`.
pub async fn save(
    req: HttpRequest,
    page: Page,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    id: Option<web::Path<i64>>,
    form: web::Form<MemberForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.map(web::Path::into_inner);
    let mut form = form.into_inner();
    // The employee number identifies the entry; it is not edited here.
    if let Some(id) = id {
        form.employee_number =
            db(&state, move |conn| Ok(store::employee_number(conn, id)?)).await?;
    }
    let today = state.config.today();
    let status_from = match form.status_from.trim() {
        "" => Ok(today),
        typed => chrono::NaiveDate::parse_from_str(typed, "%Y-%m-%d")
            .map_err(|_| "Enter the day the change takes effect, like 2026-12-01.".to_owned())
            .and_then(|day| {
                if day > today {
                    Err("A change is recorded on or after the day it takes effect: enter today or an earlier day.".to_owned())
                } else {
                    Ok(day)
                }
            }),
    };
    let mut row = match (form.parse(), status_from) {
        (Ok(row), Ok(from)) => (row, from),
        (parsed, from) => {
            let mut errors = parsed.err().unwrap_or_default();
            if let Err(problem) = from {
                errors.add("status_from", problem);
            }
            return edit_page(page, &state, id, form, errors).await;
        }
    };
    row.0.line = 0;
    let (row, status_from) = row;
    let ctx = Context::new(&state.config, officer.actor(&req));
    let adding = id.is_none();
    let outcome = db(&state, move |conn| {
        write_tx(conn, |conn| {
            Ok(store::save_entry(conn, row, adding, status_from, &ctx)?)
        })
    })
    .await?;
    match outcome {
        Ok((member_id, unchanged)) => {
            let message = if adding {
                "Added to the roster."
            } else if unchanged {
                "Nothing changed."
            } else {
                "Saved."
            };
            Ok(redirect_with(
                &format!("/officer/roster/{member_id}"),
                FlashKind::Success,
                message,
                state.config.behind_https(),
            ))
        }
        Err(refusal) => {
            let mut errors = FieldErrors::new();
            errors.add_problem(&refusal);
            edit_page(page, &state, id, form, errors).await
        }
    }
}

fn capitalise(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}
