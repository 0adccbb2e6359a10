//! "Forgot password": a one-time link by email, then a new password.
//!
//! The request page answers the same, in the same time, whether or not the
//! address has an account: the lookup and the mail happen after the answer.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Duration;
use serde::Deserialize;

use super::anonymous_actor;
use super::password::NewPasswordFields;
use super::password_link::{PasswordLink, choose_form, choose_submit};
use super::tokens::{self, Purpose};
use crate::audit::{self, Actor, Entry};
use crate::context::Context;
use crate::db::write_tx;
use crate::error::AppError;
use crate::mail::messages::PasswordReset;
use crate::mail::{Notice, outbox};
use crate::state::AppState;
use crate::users;
use crate::web::layout::Page;
use crate::web::{db, render};

// More requests than this in an hour for one account are dropped silently.
const MAX_PER_HOUR: i64 = 3;

/// The request form.
#[derive(Template)]
#[template(path = "auth/forgot.html")]
pub struct ForgotPage {
    page: Page,
    email: String,
    error: String,
}

/// The answer to a request, the same whether or not the account exists.
#[derive(Template)]
#[template(path = "auth/forgot_sent.html")]
pub struct ForgotSentPage {
    page: Page,
}

/// What the request form sends.
#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

/// `GET /password-reset`.
pub async fn request_form(page: Page) -> Result<HttpResponse, AppError> {
    render(
        StatusCode::OK,
        &ForgotPage {
            page,
            email: String::new(),
            error: String::new(),
        },
    )
}

/// `POST /password-reset`.
pub async fn request_submit(
    req: HttpRequest,
    page: Page,
    state: web::Data<AppState>,
    form: web::Form<ForgotForm>,
) -> Result<HttpResponse, AppError> {
    let email = match users::normalize_email(&form.email) {
        Ok(email) => email,
        Err(error) => {
            return render(
                StatusCode::OK,
                &ForgotPage {
                    page,
                    email: form.email.clone(),
                    error: error.to_string(),
                },
            );
        }
    };
    let actor = anonymous_actor(&req, &email);
    let state_for_job = state.clone();
    // Answer first: the work below must not change how long the answer takes.
    tokio::spawn(async move {
        if let Err(e) = send_reset(state_for_job, email, actor).await {
            tracing::error!(error = %e, "password reset request failed");
        }
    });
    render(StatusCode::OK, &ForgotSentPage { page })
}

async fn send_reset(
    state: web::Data<AppState>,
    email: String,
    actor: Actor,
) -> Result<(), AppError> {
    let ctx = Context::new(&state.config, actor);
    let queued = db(&state, move |conn| {
        write_tx(conn, |conn| {
            let Some(row) = users::find_by_email(conn, &email)? else {
                return Ok(false);
            };
            if !row.active {
                return Ok(false);
            }
            let recent =
                tokens::issued_since(conn, Purpose::Reset, row.id, ctx.now - Duration::hours(1))?;
            if recent >= MAX_PER_HOUR {
                return Ok(false);
            }
            let token = tokens::issue(conn, Purpose::Reset, Some(row.id), ctx.now)?;
            let message = PasswordReset {
                local_name: ctx.config.local_name.clone(),
                name: row.display_name.clone(),
                link: ctx.config.link(&format!("/password-reset/{token}")),
            }
            .to(&row.email)
            .map_err(AppError::from)?;
            outbox::enqueue(conn, &message, &ctx.config.mail_domain())?;
            let actor = Actor {
                user_id: Some(row.id),
                ..ctx.actor.clone()
            };
            audit::record(
                conn,
                ctx.now,
                Entry {
                    actor: &actor,
                    action: "password_reset_requested",
                    target: &row.email,
                    detail: "",
                },
            )?;
            Ok(true)
        })
    })
    .await?;
    if queued {
        state.mail_waker.wake();
    }
    Ok(())
}

/// `GET /password-reset/{token}`.
pub async fn reset_form(
    page: Page,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    choose_form(page, &state, PasswordLink::reset(token.into_inner())).await
}

/// `POST /password-reset/{token}`.
pub async fn reset_submit(
    req: HttpRequest,
    page: Page,
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<NewPasswordFields>,
) -> Result<HttpResponse, AppError> {
    let link = PasswordLink::reset(token.into_inner());
    choose_submit(&req, page, &state, link, form.into_inner()).await
}
