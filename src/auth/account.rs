//! A person's own account: overview, password, sessions, two-factor, and
//! notification preferences.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::password::NewPasswordFields;
use super::session::{self, SessionRow};
use super::{CurrentUser, csrf, tokens, two_factor};
use crate::audit::{self, Entry};
use crate::context::Context;
use crate::db::write_tx;
use crate::error::AppError;
use crate::forms::FieldErrors;
use crate::mail::preferences::{self, NoticeKind};
use crate::state::AppState;
use crate::users::{self, Role};
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::{db, render};

fn flash_to(state: &AppState, location: &str, message: &str) -> HttpResponse {
    redirect_with(
        location,
        FlashKind::Success,
        message,
        state.config.behind_https(),
    )
}

/// The account overview.
#[derive(Template)]
#[template(path = "account/overview.html")]
pub struct OverviewPage {
    page: Page,
    me: CurrentUser,
    roles: String,
}

/// `GET /account`.
pub async fn overview(page: Page, me: CurrentUser) -> Result<HttpResponse, AppError> {
    let roles = me
        .user
        .roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(", ");
    render(StatusCode::OK, &OverviewPage { page, me, roles })
}

/// The change-password form.
#[derive(Template)]
#[template(path = "account/password.html")]
pub struct PasswordPage {
    page: Page,
    email: String,
    errors: FieldErrors,
}

/// What the change-password form sends.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(flatten)]
    new_password: NewPasswordFields,
}

/// `GET /account/password`.
pub async fn password_form(page: Page, me: CurrentUser) -> Result<HttpResponse, AppError> {
    render(
        StatusCode::OK,
        &PasswordPage {
            page,
            email: me.user.email,
            errors: FieldErrors::new(),
        },
    )
}

/// `POST /account/password`: needs the current password; ends every other session.
pub async fn password_submit(
    req: HttpRequest,
    page: Page,
    me: CurrentUser,
    state: web::Data<AppState>,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let user_id = me.user.id;
    let current_ok = password_matches(&state, &req, user_id, form.current.clone()).await?;
    let mut errors = FieldErrors::new();
    if !current_ok {
        errors.add(
            "current",
            "Your current password is not right (after several wrong tries, wait a minute).",
        );
    }
    let password = form
        .new_password
        .check(&me.user.email, &state.config.local_name)
        .map_err(|p| errors.add_problem(&p))
        .ok();
    let Some(password) = password.filter(|_| errors.is_empty()) else {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PasswordPage {
                page,
                email: me.user.email,
                errors,
            },
        );
    };
    let hash = state
        .hasher
        .hash(password.to_owned())
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let ctx = Context::new(&state.config, me.actor(&req));
    let keep = me.session.id_hash.clone();
    let nonce = hash.clone();
    let (ended, token) = db(&state, move |conn| {
        write_tx(conn, |conn| {
            users::set_password(conn, user_id, &hash, ctx.now)?;
            tokens::end_password_links(conn, user_id, ctx.now)?;
            let ended = session::end_all_for_user(conn, user_id, Some(&keep))?;
            let token = session::rotate(conn, &keep, ctx.now)?;
            audit::record(
                conn,
                ctx.now,
                Entry {
                    actor: &ctx.actor,
                    action: "password_changed",
                    target: &ctx.actor.label,
                    detail: &format!("{ended} other sessions ended"),
                },
            )?;
            Ok((ended, token))
        })
    })
    .await?;
    let message = match ended {
        0 => "Your password is changed.".to_owned(),
        1 => "Your password is changed, and your one other session was signed out.".to_owned(),
        n => format!("Your password is changed, and your {n} other sessions were signed out."),
    };
    let mut response = with_new_session(flash_to(&state, "/account", &message), &state, token)?;
    // The new password forgets every browser; this one is known again.
    let presented = super::device::presented(&req);
    super::sign_in::remember_device(&mut response, &state, &presented, user_id, &nonce)?;
    Ok(response)
}

/// Adds the cookie of a session just given a new id.
fn with_new_session(
    mut response: HttpResponse,
    state: &AppState,
    token: String,
) -> Result<HttpResponse, AppError> {
    response
        .add_cookie(&session::cookie(token, state.config.behind_https()))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(response)
}

/// One session, as the sessions page shows it.
pub struct SessionLine {
    row: SessionRow,
    current: bool,
}

/// The sessions page.
#[derive(Template)]
#[template(path = "account/sessions.html")]
pub struct SessionsPage {
    page: Page,
    sessions: Vec<SessionLine>,
}

/// `GET /account/sessions`.
pub async fn sessions(
    page: Page,
    me: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let now = state.config.clock.now();
    let user_id = me.user.id;
    let rows = db(&state, move |conn| {
        Ok(session::list_for_user(conn, user_id, now)?)
    })
    .await?;
    let sessions = rows
        .into_iter()
        .map(|row| SessionLine {
            current: row.id_hash == me.session.id_hash,
            row,
        })
        .collect();
    render(StatusCode::OK, &SessionsPage { page, sessions })
}

/// `POST /account/sessions/end-others`.
pub async fn end_other_sessions(
    req: HttpRequest,
    me: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let ctx = Context::new(&state.config, me.actor(&req));
    let (user_id, keep) = (me.user.id, me.session.id_hash.clone());
    let ended = db(&state, move |conn| {
        write_tx(conn, |conn| {
            let ended = session::end_all_for_user(conn, user_id, Some(&keep))?;
            audit::record(
                conn,
                ctx.now,
                Entry {
                    actor: &ctx.actor,
                    action: "sessions_ended",
                    target: &ctx.actor.label,
                    detail: &format!("{ended} other sessions"),
                },
            )?;
            Ok(ended)
        })
    })
    .await?;
    Ok(flash_to(
        &state,
        "/account/sessions",
        &format!(
            "Signed out {ended} other session{}.",
            if ended == 1 { "" } else { "s" }
        ),
    ))
}

/// `POST /account/sessions/end-all`: signs out everywhere, here too.
pub async fn end_all_sessions(
    req: HttpRequest,
    me: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let ctx = Context::new(&state.config, me.actor(&req));
    let user_id = me.user.id;
    db(&state, move |conn| {
        write_tx(conn, |conn| {
            let ended = session::end_all_for_user(conn, user_id, None)?;
            audit::record(
                conn,
                ctx.now,
                Entry {
                    actor: &ctx.actor,
                    action: "sessions_ended",
                    target: &ctx.actor.label,
                    detail: &format!("all {ended} sessions"),
                },
            )?;
            Ok(())
        })
    })
    .await?;
    let secure = state.config.behind_https();
    let mut response = redirect_with(
        "/sign-in",
        FlashKind::Success,
        "You are signed out everywhere.",
        secure,
    );
    response
        .add_cookie(&session::removal_cookie(secure))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(response)
}

/// The two-factor page: enrolment, or its state once on.
#[derive(Template)]
#[template(path = "account/two_factor.html")]
pub struct TwoFactorPage {
    page: Page,
    enrolled: bool,
    required: bool,
    codes_left: i64,
    secret: String,
    qr_svg: String,
    error: String,
}

/// The recovery codes, shown once.
#[derive(Template)]
#[template(path = "account/recovery_codes.html")]
pub struct RecoveryCodesPage {
    page: Page,
    codes: Vec<String>,
}

/// `GET /account/two-factor`.
pub async fn two_factor_page(
    page: Page,
    me: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    two_factor_render(page, me, state, String::new(), StatusCode::OK).await
}

async fn two_factor_render(
    page: Page,
    me: CurrentUser,
    state: web::Data<AppState>,
    error: String,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let user_id = me.user.id;
    let secrets = two_factor::SecretBox::of(&state.config);
    let (row, codes_left, pending) = db(&state, move |conn| {
        write_tx(conn, |conn| {
            let row = users::find_row(conn, user_id)?.ok_or(AppError::NotFound)?;
            let codes_left = two_factor::recovery_codes_left(conn, user_id)?;
            let pending = if row.totp_secret.is_none() {
                Some(two_factor::pending_secret(conn, &secrets, user_id)?)
            } else {
                None
            };
            Ok((row, codes_left, pending))
        })
    })
    .await?;
    let (secret, qr_svg) = match &pending {
        Some(secret) => {
            let url = two_factor::provisioning_url(secret, &row.email, &state.config.local_name)
                .unwrap_or_default();
            (secret.clone(), two_factor::qr_svg(&url).unwrap_or_default())
        }
        None => (String::new(), String::new()),
    };
    render(
        status,
        &TwoFactorPage {
            page,
            enrolled: row.totp_secret.is_some(),
            required: me.user.holds(Role::Officer),
            codes_left,
            secret,
            qr_svg,
            error,
        },
    )
}

/// What the enrolment form sends.
#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// Why a first two-factor code did not turn two-factor on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
enum EnrolRefused {
    #[error("Two-factor sign-in is already on.")]
    AlreadyOn,
    #[error("Scan the code first, then enter the 6 digits your app shows.")]
    NotScanned,
    #[error("That code didn't match. Enter the 6 digits your app shows now for this account.")]
    NoMatch,
}

/// `POST /account/two-factor`: confirms enrolment with a first code.
pub async fn two_factor_enrol(
    req: HttpRequest,
    page: Page,
    me: CurrentUser,
    state: web::Data<AppState>,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, AppError> {
    let unix = state.config.clock.unix_seconds();
    let ctx = Context::new(&state.config, me.actor(&req));
    let user_id = me.user.id;
    let code = form.code.trim().to_owned();
    let session_hash = me.session.id_hash.clone();
    let secrets = two_factor::SecretBox::of(&state.config);
    let outcome = db(&state, move |conn| {
        write_tx(conn, |conn| {
            let (current, pending) = two_factor::secrets(conn, &secrets, user_id)?;
            if current.is_some() {
                return Ok(Err(EnrolRefused::AlreadyOn));
            }
            let Some(secret) = pending else {
                return Ok(Err(EnrolRefused::NotScanned));
            };
            let Some(step) = two_factor::check_code(&secret, &code, unix, None) else {
                return Ok(Err(EnrolRefused::NoMatch));
            };
            two_factor::enable(conn, &secrets, user_id, &secret, step)?;
            let codes = two_factor::new_recovery_codes(conn, user_id)?;
            audit::record(
                conn,
                ctx.now,
                Entry {
                    actor: &ctx.actor,
                    action: "two_factor_enabled",
                    target: &ctx.actor.label,
                    detail: "",
                },
            )?;
            Ok(Ok((codes, session::rotate(conn, &session_hash, ctx.now)?)))
        })
    })
    .await?;
    match outcome {
        Ok((codes, token)) => {
            // The page's forms (signing out) are made for the new session.
            let mut page = page;
            page.csrf = csrf::token_for_new_session(&req, &state.config.secret_key, &token);
            let response = render(StatusCode::OK, &RecoveryCodesPage { page, codes })?;
            with_new_session(response, &state, token)
        }
        Err(refused) => {
            two_factor_render(
                page,
                me,
                state,
                refused.to_string(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// What the forms that need the password again send.
#[derive(Debug, Deserialize)]
pub struct ConfirmPasswordForm {
    #[serde(default)]
    password: String,
}

/// Checks the signed-in user's password again, throttled like sign-in so a
/// stolen session cannot be used to guess it.
async fn password_matches(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    user_id: i64,
    password: String,
) -> Result<bool, AppError> {
    if password.is_empty() {
        return Ok(false);
    }
    let keys = super::throttle::account_keys(
        "password-check",
        &user_id.to_string(),
        &super::client_ip(req),
    );
    let now = state.config.clock.now();
    let (wait, stored) = {
        let keys = keys.clone();
        db(state, move |conn| {
            write_tx(conn, |conn| {
                let wait = super::throttle::begin_attempt(conn, &keys, &keys, now)?;
                Ok((
                    wait,
                    users::find_row(conn, user_id)?.and_then(|r| r.password_hash),
                ))
            })
        })
        .await?
    };
    if wait > chrono::Duration::zero() {
        return Ok(false);
    }
    let matches = state
        .hasher
        .verify(password, stored)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    if matches {
        db(state, move |conn| Ok(super::throttle::clear(conn, &keys)?)).await?;
    }
    Ok(matches)
}

/// `POST /account/two-factor/recovery-codes`: new codes, the old ones void.
pub async fn two_factor_new_codes(
    req: HttpRequest,
    page: Page,
    me: CurrentUser,
    state: web::Data<AppState>,
    form: web::Form<ConfirmPasswordForm>,
) -> Result<HttpResponse, AppError> {
    if !me.user.has_two_factor {
        return Ok(flash_to(
            &state,
            "/account/two-factor",
            "Turn on two-factor sign-in first.",
        ));
    }
    if !password_matches(&state, &req, me.user.id, form.into_inner().password).await? {
        return two_factor_render(
            page,
            me,
            state,
            "Your password is not right.".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let ctx = Context::new(&state.config, me.actor(&req));
    let user_id = me.user.id;
    let codes = db(&state, move |conn| {
        write_tx(conn, |conn| {
            let codes = two_factor::new_recovery_codes(conn, user_id)?;
            audit::record(
                conn,
                ctx.now,
                Entry {
                    actor: &ctx.actor,
                    action: "recovery_codes_replaced",
                    target: &ctx.actor.label,
                    detail: "",
                },
            )?;
            Ok(codes)
        })
    })
    .await?;
    render(StatusCode::OK, &RecoveryCodesPage { page, codes })
}

/// `POST /account/two-factor/disable`: not for officers, who must keep it.
pub async fn two_factor_disable(
    req: HttpRequest,
    page: Page,
    me: CurrentUser,
    state: web::Data<AppState>,
    form: web::Form<ConfirmPasswordForm>,
) -> Result<HttpResponse, AppError> {
    if me.user.holds(Role::Officer) {
        return two_factor_render(
            page,
            me,
            state,
            "Officers must keep two-factor sign-in on.".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    if !password_matches(&state, &req, me.user.id, form.into_inner().password).await? {
        return two_factor_render(
            page,
            me,
            state,
            "Your password is not right.".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let ctx = Context::new(&state.config, me.actor(&req));
    let user_id = me.user.id;
    let session_hash = me.session.id_hash.clone();
    let token = db(&state, move |conn| {
        write_tx(conn, |conn| {
            two_factor::disable(conn, user_id)?;
            audit::record(
                conn,
                ctx.now,
                Entry {
                    actor: &ctx.actor,
                    action: "two_factor_disabled",
                    target: &ctx.actor.label,
                    detail: "",
                },
            )?;
            Ok(session::rotate(conn, &session_hash, ctx.now)?)
        })
    })
    .await?;
    with_new_session(
        flash_to(&state, "/account", "Two-factor sign-in is off."),
        &state,
        token,
    )
}

/// The notification preferences page.
#[derive(Template)]
#[template(path = "account/notifications.html")]
pub struct NotificationsPage {
    page: Page,
    kinds: Vec<(NoticeKind, bool)>,
}

/// `GET /account/notifications`.
pub async fn notifications(
    page: Page,
    me: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let user_id = me.user.id;
    let kinds = db(&state, move |conn| {
        Ok(preferences::for_user(conn, user_id)?)
    })
    .await?;
    render(StatusCode::OK, &NotificationsPage { page, kinds })
}

/// `POST /account/notifications`: the checked boxes are the kinds wanted.
pub async fn notifications_submit(
    req: HttpRequest,
    me: CurrentUser,
    state: web::Data<AppState>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    // A word that names no kind is ignored, as an unchecked box would be.
    let wanted: Vec<NoticeKind> = form
        .into_inner()
        .into_iter()
        .filter(|(k, _)| k == "kind")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let ctx = Context::new(&state.config, me.actor(&req));
    let user_id = me.user.id;
    db(&state, move |conn| {
        write_tx(conn, |conn| {
            preferences::save(conn, user_id, &wanted)?;
            let detail: Vec<&str> = wanted.iter().map(|k| k.as_str()).collect();
            audit::record(
                conn,
                ctx.now,
                Entry {
                    actor: &ctx.actor,
                    action: "notifications_changed",
                    target: &ctx.actor.label,
                    detail: &detail.join(","),
                },
            )?;
            Ok(())
        })
    })
    .await?;
    Ok(flash_to(
        &state,
        "/account/notifications",
        "Your notification choices are saved.",
    ))
}
