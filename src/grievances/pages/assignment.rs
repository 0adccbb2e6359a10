//! Who carries a case and whether it is a continuing violation: the
//! assignment form (chief stewards and officers) and the mark's toggle.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::case_page::{Typed, case_page, done, refuse_voided, union_case};
use crate::auth::CurrentUser;
use crate::context::Context;
use crate::db::write_tx;
use crate::error::AppError;
use crate::forms::FieldErrors;
use crate::grievances::Access;
use crate::grievances::store;
use crate::state::AppState;
use crate::web::db;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;

/// The assignment form, as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AssignForm {
    /// The chosen user's id.
    pub steward: String,
}

/// `POST /grievances/{id}/assign`: chief stewards and officers.
pub async fn assign(
    req: HttpRequest,
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<AssignForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (row, access) = union_case(&current, &state, id).await?;
    if access != Access::Chief {
        return Err(AppError::Forbidden);
    }
    if let Some(voided) = row.voided() {
        return refuse_voided(page, &current, &state, id, &voided).await;
    }
    let form = form.into_inner();
    let stewards = db(&state, |conn| Ok(store::stewards(conn)?)).await?;
    let chosen = form
        .steward
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|s| stewards.iter().any(|(id, _)| id == s));
    let Some(steward_id) = chosen else {
        let mut errors = FieldErrors::new();
        errors.add("steward", "Choose a steward.");
        let typed = Typed {
            steward: Some(form.steward),
            ..Typed::default()
        };
        return case_page(page, &current, &state, id, typed, errors).await;
    };
    let ctx = Context::new(&state.config, current.actor(&req));
    let assigned = db(&state, move |conn| {
        write_tx(conn, |conn| {
            let row = match store::lock_for_change(conn, row.id)? {
                Ok(row) => row,
                Err(voided) => return Ok(Err(voided)),
            };
            Ok::<_, AppError>(Ok(store::assign(conn, &ctx, &row, steward_id)?))
        })
    })
    .await?;
    match assigned {
        Err(voided) => refuse_voided(page, &current, &state, id, &voided).await,
        Ok(false) => {
            let name = stewards
                .iter()
                .find(|(s, _)| *s == steward_id)
                .map_or_else(String::new, |(_, name)| name.clone());
            Ok(unchanged(
                &state,
                id,
                &format!("{name} already carries {}; nothing changed.", row.number()),
            ))
        }
        Ok(true) => {
            state.mail_waker.wake();
            Ok(done(&state, id, "Steward assigned."))
        }
    }
}

/// The continuing-violation toggle, as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ContinuingForm {
    /// "yes" to mark, anything else to clear.
    pub continuing: String,
}

/// `POST /grievances/{id}/continuing`.
pub async fn set_continuing(
    req: HttpRequest,
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<ContinuingForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (row, _) = union_case(&current, &state, id).await?;
    if let Some(voided) = row.voided() {
        return refuse_voided(page, &current, &state, id, &voided).await;
    }
    if !row.is_open() {
        return Ok(redirect_with(
            &format!("/grievances/{id}"),
            FlashKind::Warning,
            "This grievance is closed; its record no longer changes.",
            state.config.behind_https(),
        ));
    }
    let continuing = form.continuing == "yes";
    let ctx = Context::new(&state.config, current.actor(&req));
    let marked = db(&state, move |conn| {
        write_tx(conn, |conn| {
            let row = match store::lock_for_change(conn, row.id)? {
                Ok(row) => row,
                Err(voided) => return Ok(Err(voided)),
            };
            Ok::<_, AppError>(Ok(store::set_continuing(conn, &ctx, &row, continuing)?))
        })
    })
    .await?;
    match marked {
        Err(voided) => return refuse_voided(page, &current, &state, id, &voided).await,
        Ok(false) => {
            return Ok(unchanged(
                &state,
                id,
                if continuing {
                    "It is marked as a continuing violation already; nothing changed."
                } else {
                    "It is not marked as a continuing violation; nothing changed."
                },
            ));
        }
        Ok(true) => {}
    }
    Ok(done(
        &state,
        id,
        if continuing {
            "Marked as a continuing violation."
        } else {
            "No longer marked as a continuing violation."
        },
    ))
}

/// Back to the case, saying that the form changed nothing.
fn unchanged(state: &AppState, id: i64, message: &str) -> HttpResponse {
    redirect_with(
        &format!("/grievances/{id}"),
        FlashKind::Warning,
        message,
        state.config.behind_https(),
    )
}
