//! The officer decides a challenge to the roll, with a reason.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{act, back_with_warning};
use crate::auth::OfficerUser;
use crate::elections::store::challenges::{self, Decision, ResolveRefusal};
use crate::error::AppError;
use crate::state::AppState;

/// The decision's form: which button, and why.
#[derive(Debug, Deserialize)]
pub struct ResolveForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    resolution: String,
}

/// `POST /officer/elections/{id}/challenges/{challenge}`.
pub async fn resolve(
    req: HttpRequest,
    officer: OfficerUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<ResolveForm>,
) -> Result<HttpResponse, AppError> {
    let (id, challenge) = path.into_inner();
    let form = form.into_inner();
    let uphold = form.decision == "uphold";
    let resolution = form.resolution.trim().to_owned();
    if resolution.is_empty() {
        return Ok(back_with_warning(&state, id, &ResolveRefusal::NoReason));
    }
    act(
        &req,
        &officer,
        &state,
        id,
        "roll_challenge_resolve",
        move |conn, ctx| {
            let decision = Decision {
                challenge,
                uphold,
                resolution: &resolution,
            };
            Ok(challenges::resolve(conn, ctx, id, &decision)?.map(|()| {
                format!(
                    "Challenge {challenge} {}: {resolution}",
                    if uphold { "upheld" } else { "rejected" }
                )
            }))
        },
    )
    .await
}
