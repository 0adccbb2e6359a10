//! "Forgot password": a one-time link by email, then a new password.
//!
//! The request page answers the same, in the same time, whether or not the
//! address has an account: the lookup and the mail happen after the answer.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Duration;
use diesel::prelude::*;
use serde::Deserialize;

use super::setup::{AccountErrors, check_password_pair, link_problem};
use super::tokens::{self, Purpose};
use super::{anonymous_actor, session};
use crate::audit::{self, Actor, Entry};
use crate::db::schema::one_time_tokens as t;
use crate::db::write_tx;
use crate::error::AppError;
use crate::mail::messages::PasswordReset;
use crate::mail::{Notice, outbox};
use crate::state::AppState;
use crate::users;
use crate::web::flash::{FlashKind, redirect_with};
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
                    error: error.into(),
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
    let config = state.config.clone();
    let now = config.clock.now();
    let queued = db(&state, move |conn| {
        write_tx(conn, |conn| {
            let Some(row) = users::find_by_email(conn, &email)? else {
                return Ok(false);
            };
            if !row.active {
                return Ok(false);
            }
            let recent: i64 = t::table
                .filter(t::user_id.eq(row.id))
                .filter(t::purpose.eq("reset"))
                .filter(t::created_at.gt(now - Duration::hours(1)))
                .count()
                .get_result(conn)?;
            if recent >= MAX_PER_HOUR {
                return Ok(false);
            }
            let token = tokens::issue(conn, Purpose::Reset, Some(row.id), now)?;
            let message = PasswordReset {
                local_name: config.local_name.clone(),
                name: row.display_name.clone(),
                link: config.link(&format!("/password-reset/{token}")),
            }
            .to(&row.email)
            .map_err(AppError::from)?;
            outbox::enqueue(conn, &message, &config.mail_domain())?;
            let actor = Actor {
                user_id: Some(row.id),
                ..actor
            };
            audit::record(
                conn,
                now,
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

/// The new-password form reached from a reset or invitation link.
#[derive(Template)]
#[template(path = "auth/choose_password.html")]
pub struct ChoosePasswordPage {
    /// The layout.
    pub page: Page,
    /// The heading.
    pub title: &'static str,
    /// The form's address.
    pub action: String,
    /// Whose password it is, for the password manager.
    pub email: String,
    /// What was wrong.
    pub errors: AccountErrors,
}

/// What the new-password form sends.
#[derive(Debug, Deserialize)]
pub struct ChoosePasswordForm {
    /// The new password.
    #[serde(default)]
    pub password: String,
    /// The same again.
    #[serde(default)]
    pub confirm: String,
}

/// The account a link of `purpose` is for, or why the link cannot be used.
async fn link_owner(
    state: &web::Data<AppState>,
    purpose: Purpose,
    token: String,
) -> Result<Result<users::UserRow, tokens::LinkProblem>, AppError> {
    let now = state.config.clock.now();
    db(state, move |conn| {
        Ok(match tokens::check(conn, purpose, &token, now)? {
            Ok(Some(user_id)) => {
                users::find_row(conn, user_id)?.ok_or(tokens::LinkProblem::Unknown)
            }
            Ok(None) => Err(tokens::LinkProblem::Unknown),
            Err(problem) => Err(problem),
        })
    })
    .await
}

/// Shows the new-password form for a valid link of `purpose`.
pub async fn choose_form(
    page: Page,
    state: &web::Data<AppState>,
    purpose: Purpose,
    token: String,
    title: &'static str,
    action: String,
) -> Result<HttpResponse, AppError> {
    match link_owner(state, purpose, token).await? {
        Err(problem) => link_problem(page, problem),
        Ok(row) => render(
            StatusCode::OK,
            &ChoosePasswordPage {
                page,
                title,
                action,
                email: row.email,
                errors: AccountErrors::default(),
            },
        ),
    }
}

/// Sets the password a valid link of `purpose` allows, ending every session.
#[expect(
    clippy::too_many_arguments,
    reason = "one call site per kind of link; a struct would only rename them"
)]
pub async fn choose_submit(
    req: &HttpRequest,
    page: Page,
    state: &web::Data<AppState>,
    purpose: Purpose,
    token: String,
    title: &'static str,
    action: String,
    form: ChoosePasswordForm,
) -> Result<HttpResponse, AppError> {
    let now = state.config.clock.now();
    let row = match link_owner(state, purpose, token.clone()).await? {
        Err(problem) => return link_problem(page, problem),
        Ok(row) => row,
    };
    let mut errors = AccountErrors::default();
    check_password_pair(
        &form.password,
        &form.confirm,
        &row.email,
        &state.config.local_name,
        &mut errors,
    );
    if errors.count() > 0 {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ChoosePasswordPage {
                page,
                title,
                action,
                email: row.email,
                errors,
            },
        );
    }
    let hash = state
        .hasher
        .hash(form.password)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let actor = Actor {
        user_id: Some(row.id),
        label: row.email.clone(),
        ip: super::client_ip(req),
    };
    let action_name = match purpose {
        Purpose::Invite => "invitation_accepted",
        _ => "password_reset",
    };
    let outcome = db(state, move |conn| {
        write_tx(conn, |conn| {
            if let Err(problem) = tokens::consume(conn, purpose, &token, now)? {
                return Ok(Err(problem));
            }
            users::set_password(conn, row.id, &hash, now)?;
            session::end_all_for_user(conn, row.id, None)?;
            audit::record(
                conn,
                now,
                Entry {
                    actor: &actor,
                    action: action_name,
                    target: &row.email,
                    detail: "",
                },
            )?;
            Ok(Ok(()))
        })
    })
    .await?;
    match outcome {
        Err(problem) => link_problem(page, problem),
        Ok(()) => {
            let secure = state.config.behind_https();
            let mut response = redirect_with(
                "/sign-in",
                FlashKind::Success,
                "Your password is set. Sign in with it now.",
                secure,
            );
            response
                .add_cookie(&session::removal_cookie(secure))
                .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(response)
        }
    }
}

/// `GET /password-reset/{token}`.
pub async fn reset_form(
    page: Page,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let action = format!("/password-reset/{token}");
    choose_form(
        page,
        &state,
        Purpose::Reset,
        token,
        "Choose a new password",
        action,
    )
    .await
}

/// `POST /password-reset/{token}`.
pub async fn reset_submit(
    req: HttpRequest,
    page: Page,
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<ChoosePasswordForm>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let action = format!("/password-reset/{token}");
    choose_submit(
        &req,
        page,
        &state,
        Purpose::Reset,
        token,
        "Choose a new password",
        action,
        form.into_inner(),
    )
    .await
}
