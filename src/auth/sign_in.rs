//! Signing in (password, then the two-factor code when enrolled) and out.

use actix_web::http::StatusCode;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::session::{self, Visitor};
use super::{client_ip, device, throttle, two_factor, user_agent};
use crate::audit::{self, Actor, Entry};
use crate::db::write_tx;
use crate::error::AppError;
use crate::state::AppState;
use crate::users;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::{db, render, safe_next, see_other};

/// The sign-in form.
#[derive(Template)]
#[template(path = "auth/sign_in.html")]
pub struct SignInPage {
    page: Page,
    email: String,
    next: String,
    error: String,
}

/// `?next=` on the sign-in pages, and `?email=` to fill in the address of
/// someone who has just chosen a password.
#[derive(Debug, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    email: String,
}

/// The sign-in page with `email` filled in.
pub fn sign_in_as(email: &str) -> String {
    format!(
        "/sign-in?email={}",
        url::form_urlencoded::byte_serialize(email.as_bytes()).collect::<String>()
    )
}

/// What the sign-in form sends.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// `GET /sign-in`.
pub async fn form(
    req: HttpRequest,
    page: Page,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let signed_in = req
        .extensions()
        .get::<Visitor>()
        .and_then(Visitor::user)
        .is_some();
    if signed_in {
        return Ok(see_other(&safe_next(&query.next)));
    }
    render(
        StatusCode::OK,
        &SignInPage {
            page,
            email: query.email.trim().to_owned(),
            next: safe_next(&query.next),
            error: String::new(),
        },
    )
}

const NO_MATCH: &str =
    "That email address and password don't match an account. Check both and try again.";

/// `POST /sign-in`.
pub async fn submit(
    req: HttpRequest,
    page: Page,
    state: web::Data<AppState>,
    form: web::Form<SignInForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let next = safe_next(&form.next);
    let again = |page: Page, status: StatusCode, error: &str| {
        render(
            status,
            &SignInPage {
                page,
                email: form.email.clone(),
                next: next.clone(),
                error: error.to_owned(),
            },
        )
    };
    let Ok(email) = users::normalize_email(&form.email) else {
        return again(
            page,
            StatusCode::OK,
            "Enter your email address, like name@example.org.",
        );
    };
    if form.password.is_empty() {
        return again(page, StatusCode::OK, "Enter your password.");
    }
    let ip = client_ip(&req);
    let keys = throttle::sign_in_keys(&email, &ip);
    let now = state.config.clock.now();
    let presented = device::presented(&req);
    let (wait, row, known) = {
        let (keys, email, clock) = (keys.clone(), email.clone(), state.config.clock.clone());
        let (secret, presented) = (state.config.secret_key.clone(), presented.clone());
        db(&state, move |conn| {
            write_tx(conn, |conn| {
                // The clock is read once the transaction holds the lock, so
                // a counter stamped while this one waited is not "later".
                let now = clock.now();
                let row = users::find_by_email(conn, &email)?;
                let known = match &row {
                    Some(r)
                        if device::recognises(
                            &secret,
                            &presented,
                            r.id,
                            r.password_hash.as_deref(),
                        ) =>
                    {
                        let own = throttle::known_device_key("sign-in", r.id);
                        // A known browser that has itself guessed wrong too
                        // often is treated as a stranger's until its wait ends.
                        throttle::wait(conn, &own, now)?.is_zero().then_some(own)
                    }
                    _ => None,
                };
                let wait = match &known {
                    Some(own) => throttle::begin_attempt(conn, own, own, now)?,
                    None => throttle::begin_attempt(conn, &keys, &keys[..2], now)?,
                };
                Ok((wait, row, known))
            })
        })
        .await?
    };
    if wait > chrono::Duration::zero() {
        let message = format!(
            "Too many sign-in attempts for this account from here. Wait {} and try again.",
            throttle::describe(wait)
        );
        return again(page, StatusCode::TOO_MANY_REQUESTS, &message);
    }
    let stored = row.as_ref().and_then(|r| r.password_hash.clone());
    let Ok(matches) = state
        .hasher
        .verify(form.password.clone(), stored.clone())
        .await
    else {
        return again(
            page,
            StatusCode::SERVICE_UNAVAILABLE,
            "The server is busy. Please try again in a moment.",
        );
    };
    let actor = Actor {
        user_id: row.as_ref().map(|r| r.id),
        label: email.clone(),
        ip: ip.clone(),
    };
    let row = match row {
        Some(row) if matches => row,
        _ => {
            let target = email.clone();
            // The try was counted when it began (on the known browsers'
            // counter, or the account's); the address's is counted now that
            // it is a real failure.
            let address = keys[2..].to_vec();
            db(&state, move |conn| {
                throttle::fail(conn, &address, now)?;
                audit::record(
                    conn,
                    now,
                    Entry {
                        actor: &actor,
                        action: "sign_in_failed",
                        target: &target,
                        detail: "",
                    },
                )
                .map_err(AppError::from)
            })
            .await?;
            return again(page, StatusCode::OK, NO_MATCH);
        }
    };
    if !row.active {
        db(&state, move |conn| {
            audit::record(
                conn,
                now,
                Entry {
                    actor: &actor,
                    action: "sign_in_refused",
                    target: &email,
                    detail: "deactivated",
                },
            )
            .map_err(AppError::from)
        })
        .await?;
        return again(
            page,
            StatusCode::OK,
            "This account has been deactivated. If you think that is a mistake, ask one of the local's officers.",
        );
    }
    let rehash = match stored.as_deref() {
        Some(hash) if super::password::needs_rehash(hash) => {
            state.hasher.hash(form.password.clone()).await.ok()
        }
        _ => None,
    };
    let second_factor_done = row.totp_secret.is_none();
    // The mark is made from the hash the account has after this sign-in.
    let nonce = rehash
        .clone()
        .or_else(|| stored.clone())
        .unwrap_or_default();
    let user_id = row.id;
    let old_session = req
        .extensions()
        .get::<Visitor>()
        .and_then(|v| v.session_hash().map(str::to_owned));
    let agent = user_agent(&req);
    let token = db(&state, move |conn| {
        write_tx(conn, |conn| {
            // A stranger's failures on the account stay counted: the owner's
            // success takes back only its own try.
            match &known {
                Some(own) => throttle::succeeded(conn, own, &[])?,
                None => throttle::succeeded(conn, &keys[1..2], &keys[..1])?,
            }
            if let Some(hash) = &rehash {
                users::set_password(conn, row.id, hash, now)?;
            }
            if let Some(old) = &old_session {
                session::end(conn, old)?;
            }
            let detail = if rehash.is_some() {
                "password re-hashed with current parameters"
            } else {
                ""
            };
            audit::record(
                conn,
                now,
                Entry {
                    actor: &actor,
                    action: "sign_in",
                    target: &row.email,
                    detail,
                },
            )?;
            session::create(conn, row.id, second_factor_done, &ip, &agent, now)
        })
        .map_err(AppError::from)
    })
    .await?;
    let location = if second_factor_done {
        next
    } else {
        format!(
            "/sign-in/two-factor?next={}",
            url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        )
    };
    let mut response = see_other(&location);
    let secure = state.config.behind_https();
    response
        .add_cookie(&session::cookie(token, secure))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    if second_factor_done {
        remember_device(&mut response, &state, &presented, user_id, &nonce)?;
    }
    Ok(response)
}

/// Marks this browser as one the account has fully signed in from.
pub fn remember_device(
    response: &mut HttpResponse,
    state: &AppState,
    presented: &str,
    user_id: i64,
    nonce: &str,
) -> Result<(), AppError> {
    let secure = state.config.behind_https();
    match device::cookie(&state.config.secret_key, presented, user_id, nonce, secure) {
        Some(cookie) => response
            .add_cookie(&cookie)
            .map_err(|e| AppError::Internal(e.to_string())),
        None => Ok(()),
    }
}

/// The two-factor step of signing in.
#[derive(Template)]
#[template(path = "auth/two_factor_sign_in.html")]
pub struct SecondFactorPage {
    page: Page,
    next: String,
    error: String,
}

/// What the two-factor step sends.
#[derive(Debug, Deserialize)]
pub struct SecondFactorForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

fn awaiting(req: &HttpRequest) -> Option<(session::SessionRow, users::User)> {
    match req.extensions().get::<Visitor>() {
        Some(Visitor::AwaitingSecondFactor { session, user }) => {
            Some((session.clone(), user.clone()))
        }
        _ => None,
    }
}

/// `GET /sign-in/two-factor`.
pub async fn second_factor_form(
    req: HttpRequest,
    page: Page,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    if awaiting(&req).is_none() {
        return Ok(see_other("/sign-in"));
    }
    render(
        StatusCode::OK,
        &SecondFactorPage {
            page,
            next: safe_next(&query.next),
            error: String::new(),
        },
    )
}

/// `POST /sign-in/two-factor`: a code from the app, or a recovery code.
pub async fn second_factor_submit(
    req: HttpRequest,
    page: Page,
    state: web::Data<AppState>,
    form: web::Form<SecondFactorForm>,
) -> Result<HttpResponse, AppError> {
    let Some((session, user)) = awaiting(&req) else {
        return Ok(see_other("/sign-in"));
    };
    let next = safe_next(&form.next);
    let again = |page: Page, status: StatusCode, error: &str| {
        render(
            status,
            &SecondFactorPage {
                page,
                next: next.clone(),
                error: error.to_owned(),
            },
        )
    };
    let code = form.code.trim().to_owned();
    if code.is_empty() {
        return again(
            page,
            StatusCode::OK,
            "Enter the 6-digit code from your authenticator app, or a recovery code.",
        );
    }
    let ip = client_ip(&req);
    let keys = throttle::account_keys("second-factor", &user.id.to_string(), &ip);
    let own = throttle::known_device_key("second-factor", user.id);
    let now = state.config.clock.now();
    let unix = state.config.clock.unix_seconds();
    let presented = device::presented(&req);
    let secret_key = state.config.secret_key.clone();
    let user_id = user.id;
    let shown = presented.clone();
    let secrets = two_factor::SecretBox::of(&state.config);
    let actor = Actor {
        user_id: Some(user.id),
        label: user.email.clone(),
        ip,
    };
    let outcome = db(&state, move |conn| {
        write_tx(conn, |conn| {
            let row = users::find_row(conn, user.id)?.ok_or(diesel::result::Error::NotFound)?;
            // As for the password: a known browser meets only its own
            // counter, a stranger's the account's and the address's.
            let known =
                device::recognises(&secret_key, &shown, row.id, row.password_hash.as_deref())
                    && throttle::wait(conn, &own, now)?.is_zero();
            let keys: &[(String, throttle::Policy)] = if known { &own } else { &keys };
            let wait = throttle::wait(conn, keys, now)?;
            if wait > chrono::Duration::zero() {
                return Ok(Err(CodeRefused::Throttled(throttle::describe(wait))));
            }
            let nonce = row.password_hash.clone().unwrap_or_default();
            let secret = secrets.open_optional(user.id, row.totp_secret.as_deref());
            let how = if let Some(step) =
                secret.clone().ok().flatten().and_then(|secret| {
                    two_factor::check_code(&secret, &code, unix, row.totp_last_step)
                }) {
                two_factor::remember_step(conn, user.id, step)?;
                Some("authenticator code".to_owned())
            } else if two_factor::use_recovery_code(conn, user.id, &code, now)? {
                let left = two_factor::recovery_codes_left(conn, user.id)?;
                Some(format!("recovery code ({left} left)"))
            } else if secret.is_err() {
                // A recovery code still works; an app's code cannot be checked.
                return Ok(Err(CodeRefused::WrongKey));
            } else {
                None
            };
            match how {
                Some(detail) => {
                    // The account's counter keeps a stranger's failures.
                    let forget = if known { keys } else { &keys[1..] };
                    throttle::clear(conn, forget)?;
                    let token = session::complete_second_factor(conn, &session.id_hash, now)?;
                    audit::record(
                        conn,
                        now,
                        Entry {
                            actor: &actor,
                            action: "sign_in_second_factor",
                            target: &user.email,
                            detail: &detail,
                        },
                    )?;
                    Ok(Ok((token, nonce)))
                }
                None => {
                    throttle::fail(conn, keys, now)?;
                    audit::record(
                        conn,
                        now,
                        Entry {
                            actor: &actor,
                            action: "second_factor_failed",
                            target: &user.email,
                            detail: "",
                        },
                    )?;
                    Ok(Err(CodeRefused::NoMatch))
                }
            }
        })
        .map_err(|e: diesel::result::Error| AppError::from(e))
    })
    .await?;
    match outcome {
        Ok((token, nonce)) => {
            let mut response = see_other(&next);
            response
                .add_cookie(&session::cookie(token, state.config.behind_https()))
                .map_err(|e| AppError::Internal(e.to_string()))?;
            remember_device(&mut response, &state, &presented, user_id, &nonce)?;
            Ok(response)
        }
        Err(refused) => again(page, refused.status(), &refused.to_string()),
    }
}

/// Why a second-factor code was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum CodeRefused {
    /// Too many wrong codes lately; the wait, in words.
    #[error("Too many codes that didn't match. Wait {0} and try again.")]
    Throttled(String),
    /// Neither a current code nor an unused recovery code.
    #[error(
        "That code didn't match. Codes change every 30 seconds: enter the one your app shows now."
    )]
    NoMatch,
    /// The server's `SECRET_KEY` cannot open the stored secret: said, not
    /// passed off as a wrong code.
    #[error("{}", two_factor::WrongKey)]
    WrongKey,
}

impl CodeRefused {
    fn status(&self) -> StatusCode {
        match self {
            Self::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::NoMatch => StatusCode::OK,
            Self::WrongKey => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

/// `POST /sign-out`.
pub async fn sign_out(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let visitor = req.extensions().get::<Visitor>().cloned();
    let secure = state.config.behind_https();
    let Some(hash) = visitor
        .as_ref()
        .and_then(|v| v.session_hash().map(str::to_owned))
    else {
        // A tab left open after its session ended (timed out, or signed
        // out elsewhere): already signed out, which is what was asked.
        let mut response = redirect_with(
            "/sign-in",
            FlashKind::Success,
            "You are signed out: your session had already ended.",
            secure,
        );
        response
            .add_cookie(&session::removal_cookie(secure))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        return Ok(response);
    };
    let user = match &visitor {
        Some(Visitor::SignedIn { user, .. } | Visitor::AwaitingSecondFactor { user, .. }) => {
            Some(user.clone())
        }
        _ => None,
    };
    let now = state.config.clock.now();
    let actor = Actor {
        user_id: user.as_ref().map(|u| u.id),
        label: user
            .as_ref()
            .map_or_else(|| "anonymous".into(), |u| u.email.clone()),
        ip: client_ip(&req),
    };
    db(&state, move |conn| {
        write_tx(conn, |conn| {
            session::end(conn, &hash)?;
            audit::record(
                conn,
                now,
                Entry {
                    actor: &actor,
                    action: "sign_out",
                    target: &actor.label,
                    detail: "",
                },
            )
        })
        .map_err(AppError::from)
    })
    .await?;
    let mut response = redirect_with("/", FlashKind::Success, "You have signed out.", secure);
    response
        .add_cookie(&session::removal_cookie(secure))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(response)
}
