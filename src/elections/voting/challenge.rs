//! A member challenges the roll while it is published: their own entry (or
//! absence), or someone else's by employee number, with a reason.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{member_in_unit, visible};
use crate::audit::{self, Entry};
use crate::auth::CurrentUser;
use crate::context::Context;
use crate::db::write_tx;
use crate::elections::store::{self, challenges::Challenge, challenges::ChallengeRefusal};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::db;
use crate::web::flash::{FlashKind, redirect_with};

/// The challenge form.
#[derive(Debug, Deserialize)]
pub struct ChallengeForm {
    #[serde(default)]
    employee_number: String,
    #[serde(default)]
    reason: String,
}

/// The longest reason kept, in characters.
const REASON_LIMIT: usize = 2000;

/// `POST /elections/{id}/challenge`.
pub async fn challenge(
    req: HttpRequest,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<ChallengeForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let form = form.into_inner();
    let reason: String = form.reason.trim().chars().take(REASON_LIMIT).collect();
    let about = form.employee_number.trim().to_owned();
    let ctx = Context::new(&state.config, current.actor(&req));
    let outcome = db(&state, move |conn| {
        let (row, me) = visible(conn, &current, id)?;
        let Some(member_id) = member_in_unit(&row, me) else {
            return Ok(Err(ChallengeRefusal::NotMember));
        };
        if reason.is_empty() {
            return Ok(Err(ChallengeRefusal::NoReason));
        }
        let challenge = Challenge {
            member_id,
            about: &about,
            reason: &reason,
        };
        let (done, closed) = write_tx(conn, |conn| {
            // A roll whose opening time has passed is frozen, job or no job.
            let closed = store::advance(conn, &ctx, id)?;
            let done = store::challenges::challenge(conn, &ctx, id, &challenge)?;
            if let Ok((target, kind)) = &done {
                audit::record(
                    conn,
                    ctx.now,
                    Entry {
                        actor: &ctx.actor,
                        action: "roll_challenge",
                        target: &format!("election {id}"),
                        detail: &format!("{kind} member {target}: {reason}"),
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
            "Your challenge is recorded; an officer will resolve it with a reason.".to_owned(),
        ),
        Err(refusal) => (FlashKind::Warning, refusal.to_string()),
    };
    Ok(redirect_with(
        &format!("/elections/{id}"),
        kind,
        &text,
        state.config.behind_https(),
    ))
}
