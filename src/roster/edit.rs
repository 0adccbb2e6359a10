//! Adding and editing one roster entry by hand. Every change is audited
//! with its old and new values.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use diesel::prelude::*;

use super::csv_import::{self, ARRANGEMENTS, COLUMNS};
use super::{Change, MemberRow};
use crate::audit::{self, Entry};
use crate::auth::OfficerUser;
use crate::db::schema::{classifications, members, units};
use crate::db::{DbConnection, write_tx};
use crate::dues::rules::Status;
use crate::error::AppError;
use crate::money::Cents;
use crate::state::AppState;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::{db, render};

/// The member form: what was typed, and what was wrong, by field name.
#[derive(Template)]
#[template(path = "roster/edit.html")]
pub struct EditPage {
    page: Page,
    /// None when adding.
    member_id: Option<i64>,
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
    units: Vec<String>,
    class_hint: String,
    statuses: [Status; 5],
    arrangements: [&'static str; 3],
}

impl EditPage {
    fn value(&self, field: &str) -> &str {
        self.values.get(field).map_or("", String::as_str)
    }

    fn error(&self, field: &str) -> &str {
        self.errors.get(field).map_or("", String::as_str)
    }
}

fn choices(conn: &mut DbConnection) -> QueryResult<(Vec<String>, Vec<String>)> {
    let units: Vec<String> = units::table
        .order(units::name.asc())
        .select(units::name)
        .load(conn)?;
    let mut classes: Vec<String> = classifications::table
        .select(classifications::name)
        .load(conn)?;
    classes.sort();
    classes.dedup();
    Ok((units, classes))
}

async fn edit_page(
    page: Page,
    state: &web::Data<AppState>,
    member_id: Option<i64>,
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (units, classifications) = db(state, |conn| Ok(choices(conn)?)).await?;
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
            values,
            errors,
            units,
            class_hint,
            statuses: Status::ALL,
            arrangements: ARRANGEMENTS,
        },
    )
}

fn values_of(member: &MemberRow, unit: String, class: String) -> HashMap<String, String> {
    HashMap::from([
        ("employee_number".to_owned(), member.employee_number.clone()),
        ("first_name".to_owned(), member.first_name.clone()),
        ("last_name".to_owned(), member.last_name.clone()),
        ("email".to_owned(), member.email.clone().unwrap_or_default()),
        ("unit".to_owned(), unit),
        ("classification".to_owned(), class),
        ("department".to_owned(), member.department.clone()),
        ("hire_date".to_owned(), member.hire_date.to_string()),
        (
            "annual_salary".to_owned(),
            Cents(member.annual_salary_cents).to_string(),
        ),
        (
            "work_arrangement".to_owned(),
            member.work_arrangement.clone(),
        ),
        ("status".to_owned(), member.status.clone()),
        (
            "join_date".to_owned(),
            member.join_date.map(|d| d.to_string()).unwrap_or_default(),
        ),
    ])
}

/// `GET /officer/roster/new`.
pub async fn new_form(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let values = HashMap::from([
        ("status".to_owned(), "member".to_owned()),
        ("work_arrangement".to_owned(), "on-site".to_owned()),
    ]);
    edit_page(page, &state, None, values, HashMap::new(), StatusCode::OK).await
}

/// `GET /officer/roster/{id}/edit`.
pub async fn edit_form(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let values = db(&state, move |conn| {
        let member: MemberRow = members::table
            .find(id)
            .select(MemberRow::as_select())
            .first(conn)?;
        let unit: String = units::table
            .find(member.unit_id)
            .select(units::name)
            .first(conn)?;
        let class: String = classifications::table
            .find(member.classification_id)
            .select(classifications::name)
            .first(conn)?;
        Ok(values_of(&member, unit, class))
    })
    .await?;
    edit_page(
        page,
        &state,
        Some(id),
        values,
        HashMap::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /officer/roster/new` and `POST /officer/roster/{id}/edit`.
pub async fn save(
    req: HttpRequest,
    page: Page,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    id: Option<web::Path<i64>>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let id = id.map(web::Path::into_inner);
    let mut values: HashMap<String, String> = form
        .into_inner()
        .into_iter()
        .filter(|(k, _)| COLUMNS.contains(&k.as_str()))
        .map(|(k, v)| (k, v.trim().to_owned()))
        .collect();
    // The employee number identifies the entry; it is not edited here.
    let current_number = match id {
        Some(id) => Some(
            db(&state, move |conn| {
                Ok(members::table
                    .find(id)
                    .select(members::employee_number)
                    .first::<String>(conn)?)
            })
            .await?,
        ),
        None => None,
    };
    if let Some(number) = &current_number {
        values.insert("employee_number".into(), number.clone());
    }
    let row = {
        let get = |name: &str| values.get(name).cloned().unwrap_or_default();
        csv_import::check_fields(&get)
    };
    let mut row = match row {
        Ok(row) => row,
        Err(problems) => {
            let errors = problems
                .into_iter()
                .map(|(field, message)| (field.to_owned(), capitalise(&message)))
                .collect();
            return edit_page(
                page,
                &state,
                id,
                values,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    row.line = 0;
    let now = state.config.clock.now();
    let actor = officer.actor(&req);
    let adding = id.is_none();
    let outcome = db(&state, move |conn| {
        write_tx(conn, |conn| {
            let existing: Option<i64> = members::table
                .filter(members::employee_number.eq(&row.employee_number))
                .select(members::id)
                .first(conn)
                .optional()?;
            if adding && existing.is_some() {
                return Ok(Err(format!(
                    "Employee number {} is already on the roster.",
                    row.employee_number
                )));
            }
            let written = super::write_rows(conn, vec![row.clone()], &actor, now)?;
            let unchanged = matches!(written.rows.first(), Some((_, Change::Unchanged)));
            let member_id: i64 = members::table
                .filter(members::employee_number.eq(&row.employee_number))
                .select(members::id)
                .first(conn)?;
            if adding {
                audit::record(
                    conn,
                    now,
                    Entry {
                        actor: &actor,
                        action: "roster_add",
                        target: &row.employee_number,
                        detail: &format!("{} {}", row.first_name, row.last_name),
                    },
                )?;
            }
            Ok(Ok((member_id, unchanged)))
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
        Err(message) => {
            let errors = HashMap::from([("employee_number".to_owned(), message)]);
            edit_page(
                page,
                &state,
                id,
                values,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
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
