//! A member challenges the roll while it is published: their own entry (or
//! absence), or someone else's by employee number, with a reason.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

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
    #[serde(default)]
    reason: String,
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
    let ctx = Context::new(&state.config, current.actor(&req));
    let viewer = current.clone();
    let outcome = db(&state, move |conn| {
        let (row, me) = visible(conn, &viewer, id)?;
        let Some(member_id) = member_in_unit(&row, me) else {
            return Ok(Err(ChallengeRefusal::NotMember));
        };
        let challenge = Challenge {
            member_id,
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
                reason: form.reason,
                errors,
            };
            return show_page(page, current, &state, id, typed).await;
        }
        Err(refusal) => (FlashKind::Warning, refusal.to_string()),
    };
    Ok(redirect_with(
        &format!("/elections/{id}"),
        kind,
        &text,
        state.config.behind_https(),
    ))
}
