//! The officer's acts on the lifecycle: publish the roll, open now, close
//! early with a reason, take back a vote whose key was never made, and
//! purge a year after the close.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{SentBack, act, send_back};
use crate::auth::OfficerUser;
use crate::elections::local_time;
use crate::elections::rules;
use crate::elections::states::Status;
use crate::elections::store::{self, lifecycle::LifecycleRefusal};
use crate::error::AppError;
use crate::forms::FieldProblem;
use crate::state::AppState;
use crate::web::layout::Page;

/// `POST /officer/elections/{id}/publish`.
pub async fn publish(
    req: HttpRequest,
    officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    act(&req, &officer, &state, id, "election_publish", move |conn, ctx| {
        let row = store::election(conn, id)?;
        let days = ctx.config.min_challenge_days;
        let earliest = rules::earliest_opening(ctx.now, days);
        if row.status == Status::Draft
            && store::trustees::of_election(conn, id)?.len() < store::trustees::MIN_TRUSTEES
        {
            return Ok(Err(LifecycleRefusal::NoTrustees));
        }
        if row.status == Status::Draft && row.opens_at < earliest {
            return Ok(Err(LifecycleRefusal::ChallengeWindowTooShort {
                opens: local_time(&ctx.config, row.opens_at),
                days,
                earliest: local_time(&ctx.config, earliest),
            }));
        }
        let Some(n) = store::publish(conn, id, ctx.now)? else {
            return Ok(Err(LifecycleRefusal::NotPublishable));
        };
        store::trustees::tell(
            conn,
            ctx,
            &row,
            "make the election key",
            &format!("You are a trustee of \"{}\". Before the vote can open, each trustee makes their share of the election key in three short steps on their trustee page; the page says which step is next.", row.title),
        )?;
        let credentials = store::credentials::tell_officer(conn, ctx, &row, n)?;
        Ok(Ok(format!(
            "Roll published with {} in good standing; challenges are open until the vote opens. The trustees have been asked to make the election key.{}",
            crate::plural::count(n as i64, "member", "members"),
            if credentials { " The credential officer has been asked to make the members' credentials." } else { "" }
        )))
    })
    .await
}

/// `POST /officer/elections/{id}/open`: freezes the roll and opens now.
pub async fn open_now(
    req: HttpRequest,
    officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    act(
        &req,
        &officer,
        &state,
        id,
        "election_open",
        move |conn, ctx| {
            let row = store::election(conn, id)?;
            let refusal = if row.status == Status::Published && row.keyed_at.is_none() {
                LifecycleRefusal::KeyNotMade
            } else if row.status == Status::Published && row.credential_officer_id.is_some() {
                LifecycleRefusal::CredentialsMissing
            } else {
                LifecycleRefusal::NotPublished
            };
            Ok(store::open(conn, ctx, id)?
                .map(|print| {
                    format!("Voting is open; the roll is frozen with fingerprint {print}.")
                })
                .ok_or(refusal))
        },
    )
    .await
}

/// The early close's form.
#[derive(Debug, Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    reason: String,
}

/// Why an early close was not even tried.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("Closing early needs a reason, for the record.")]
pub struct NoReason;

impl FieldProblem for NoReason {
    fn field(&self) -> &'static str {
        "reason"
    }
}

/// Why taking a vote back to a draft was not even tried.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error(
    "Taking the vote back to a draft needs a reason: the trustees and challengers are told it."
)]
pub struct NoWithdrawReason;

impl FieldProblem for NoWithdrawReason {
    fn field(&self) -> &'static str {
        "reason"
    }
}

/// `POST /officer/elections/{id}/close`: an early close needs a reason.
pub async fn close_early(
    req: HttpRequest,
    page: Page,
    officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<CloseForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let typed = form.into_inner().reason;
    let reason = typed.trim().to_owned();
    if reason.is_empty() {
        let typed = SentBack {
            reason: typed,
            ..SentBack::default()
        };
        return send_back(page, &state, id, typed, &NoReason).await;
    }
    act(
        &req,
        &officer,
        &state,
        id,
        "election_close_early",
        move |conn, ctx| {
            Ok(if store::close(conn, ctx, id, &reason)? {
                Ok(format!("Closed early: {reason}"))
            } else {
                Err(LifecycleRefusal::NotOpen)
            })
        },
    )
    .await
}

/// `POST /officer/elections/{id}/withdraw`: back to a draft, with a
/// reason, when the trustees never made the key.
pub async fn withdraw(
    req: HttpRequest,
    page: Page,
    officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<CloseForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let typed = form.into_inner().reason;
    let reason = typed.trim().to_owned();
    if reason.is_empty() {
        let typed = SentBack {
            reason: typed,
            ..SentBack::default()
        };
        return send_back(page, &state, id, typed, &NoWithdrawReason).await;
    }
    act(
        &req,
        &officer,
        &state,
        id,
        "election_withdraw",
        move |conn, ctx| {
            Ok(if store::withdraw::withdraw(conn, ctx, id, &reason)? {
                Ok(format!(
                    "Back to a draft: {reason}. Change what needs changing and publish it again; the trustees have been told they will make a new key."
                ))
            } else {
                Err(LifecycleRefusal::NotWithdrawable)
            })
        },
    )
    .await
}

/// `POST /officer/elections/{id}/purge`: a year after the close.
pub async fn purge(
    req: HttpRequest,
    officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    act(
        &req,
        &officer,
        &state,
        id,
        "election_purge",
        move |conn, ctx| {
            Ok(store::purge(conn, id, ctx.now)?.map(|()| {
                "The roll, participation and ballots are purged; the certified result stays."
                    .to_owned()
            }))
        },
    )
    .await
}
