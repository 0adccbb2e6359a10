//! A member challenges the roll while it is published: their own entry (or
//! absence), someone else's by employee number, or an entry picked from
//! the roll's list, with a reason.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::roll::roll_page;
use super::{ChallengeTyped, member_in_unit, show_page, visible};
use crate::audit::{self, Entry};
use crate::auth::CurrentUser;
use crate::context::Context;
use crate::db::write_tx;
use crate::elections::store::{
    self,
    challenges::{self, Challenge, ChallengeRefusal},
};
use crate::error::AppError;
use crate::forms::{FieldErrors, FieldProblem};
use crate::state::AppState;
use crate::web::db;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;

/// The challenge form.
#[derive(Debug, Deserialize)]
pub struct ChallengeForm {
    #[serde(default)]
    employee_number: String,
    /// The roll entry picked from the list, by its roster entry.
    #[serde(default)]
    entry: String,
    #[serde(default)]
    reason: String,
    /// "roll" when sent from the roll's page, which it goes back to.
    #[serde(default)]
    from: String,
}

/// `POST /elections/{id}/challenge`.
pub async fn challenge(
    req: HttpRequest,
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<ChallengeForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let form = form.into_inner();
    let reason = form.reason.trim().to_owned();
    let about = form.employee_number.trim().to_owned();
    // An entry that is not a number is not on the roll: refused as such.
    let entry = match form.entry.trim() {
        "" => None,
        picked => Some(picked.parse::<i64>().unwrap_or(-1)),
    };
    let from_roll = form.from == "roll" || entry.is_some();
    let ctx = Context::new(&state.config, current.actor(&req));
    let viewer = current.clone();
    let outcome = db(&state, move |conn| {
        let (row, me) = visible(conn, &viewer, id)?;
        let Some(member_id) = member_in_unit(&row, me) else {
            return Ok(Err(ChallengeRefusal::NotMember));
        };
        let challenge = Challenge {
            member_id,
            entry,
            about: &about,
            reason: &reason,
        };
        let (done, closed) = write_tx(conn, |conn| {
            // A roll whose opening time has passed is frozen, job or no job.
            let closed = store::advance(conn, &ctx, id)?;
            let done = store::challenges::challenge(conn, &ctx, id, &challenge)?;
            if let Ok(raised) = &done {
                let asked = challenges::asks(raised.kind, &raised.name, &raised.number);
                audit::record(
                    conn,
                    ctx.now,
                    Entry {
                        actor: &ctx.actor,
                        action: "roll_challenge",
                        target: &format!("election {id}"),
                        detail: &format!("Challenge to {asked}: {reason}"),
                    },
                )?;
            }
            Ok::<_, AppError>((done.map(drop), closed))
        })?;
        if closed {
            store::vacuum_ballot_tables(conn);
        }
        Ok(done)
    })
    .await?;
    let (kind, text) = match outcome {
        Ok(()) => (
            FlashKind::Success,
            "Your challenge is recorded; an officer will decide it with a reason, which you will be told by email and on this page.".to_owned(),
        ),
        // About what was typed: the page again, beside the field, typing kept.
        Err(refusal) if !refusal.field().is_empty() => {
            let mut errors = FieldErrors::new();
            errors.add_problem(&refusal);
            let typed = ChallengeTyped {
                employee_number: form.employee_number,
                entry: form.entry,
                reason: form.reason,
                errors,
            };
            if from_roll {
                return roll_page(page, current, &state, id, typed).await;
            }
            return show_page(page, current, &state, id, typed).await;
        }
        Err(refusal) => (FlashKind::Warning, refusal.to_string()),
    };
    // A refusal not about the form (the window has closed) goes to the
    // election's page, which says where the vote stands.
    let back = if from_roll && kind == FlashKind::Success {
        format!("/elections/{id}/roll")
    } else {
        format!("/elections/{id}")
    };
    Ok(redirect_with(
        &back,
        kind,
        &text,
        state.config.behind_https(),
    ))
}
