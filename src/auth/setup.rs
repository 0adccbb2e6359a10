//! The first officer: made from a one-time link the server prints on its
//! first start, or with `unionhall admin create`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::anonymous_actor;
use super::password::check_new;
use super::tokens::{self, LinkProblem, Purpose};
use crate::audit::{self, Entry};
use crate::config::Config;
use crate::db::{DbConnection, DbPool, write_tx};
use crate::error::AppError;
use crate::state::AppState;
use crate::users::{self, Role};
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::{db, render};

/// When no active officer exists, issues a setup link and returns it to print.
pub fn setup_link_if_needed(pool: &DbPool, config: &Config) -> Result<Option<String>, String> {
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let now = config.clock.now();
    write_tx(&mut conn, |conn| {
        if users::active_officers(conn)? > 0 {
            return Ok(None);
        }
        let token = tokens::issue(conn, Purpose::Setup, None, now)?;
        Ok(Some(config.link(&format!("/setup/{token}"))))
    })
    .map_err(|e: diesel::result::Error| e.to_string())
}

/// What was wrong with each field of an account form.
#[derive(Debug, Default, Clone)]
pub struct AccountErrors {
    /// The name.
    pub name: String,
    /// The email.
    pub email: String,
    /// The new password.
    pub password: String,
    /// The repeated password.
    pub confirm: String,
}

impl AccountErrors {
    /// How many fields have a problem.
    pub fn count(&self) -> usize {
        [&self.name, &self.email, &self.password, &self.confirm]
            .iter()
            .filter(|e| !e.is_empty())
            .count()
    }
}

/// Checks a new password and its repetition, filling in `errors`.
pub fn check_password_pair(
    password: &str,
    confirm: &str,
    email: &str,
    local_name: &str,
    errors: &mut AccountErrors,
) {
    if let Err(problem) = check_new(password, email, local_name) {
        errors.password = problem.to_string();
    } else if password != confirm {
        errors.confirm = "The two passwords are not the same. Type the new password twice.".into();
    }
}

/// The first-officer form.
#[derive(Template)]
#[template(path = "auth/setup.html")]
pub struct SetupPage {
    page: Page,
    token: String,
    name: String,
    email: String,
    errors: AccountErrors,
}

/// A one-time link that cannot be used.
#[derive(Template)]
#[template(path = "auth/link_problem.html")]
pub struct LinkProblemPage {
    /// The layout.
    pub page: Page,
    /// What to tell the visitor.
    pub message: &'static str,
}

/// Shows why a link cannot be used, with a 404 like any dead address.
pub fn link_problem(page: Page, problem: LinkProblem) -> Result<HttpResponse, AppError> {
    render(
        StatusCode::NOT_FOUND,
        &LinkProblemPage {
            page,
            message: problem.message(),
        },
    )
}

/// What the setup form sends.
#[derive(Debug, Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

fn officer_exists(conn: &mut DbConnection) -> Result<bool, AppError> {
    Ok(users::active_officers(conn)? > 0)
}

/// `GET /setup/{token}`.
pub async fn form(
    page: Page,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let now = state.config.clock.now();
    let check = {
        let token = token.clone();
        db(&state, move |conn| {
            if officer_exists(conn)? {
                return Ok(Err(LinkProblem::Used));
            }
            Ok(tokens::check(conn, Purpose::Setup, &token, now)?)
        })
        .await?
    };
    if let Err(problem) = check {
        return link_problem(page, problem);
    }
    render(
        StatusCode::OK,
        &SetupPage {
            page,
            token,
            name: String::new(),
            email: String::new(),
            errors: AccountErrors::default(),
        },
    )
}

/// `POST /setup/{token}`.
pub async fn submit(
    req: HttpRequest,
    page: Page,
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<SetupForm>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let form = form.into_inner();
    let mut errors = AccountErrors::default();
    let name = users::check_display_name(&form.name)
        .map_err(|e| errors.name = e.into())
        .ok();
    let email = users::normalize_email(&form.email)
        .map_err(|e| errors.email = e.into())
        .ok();
    check_password_pair(
        &form.password,
        &form.confirm,
        email.as_deref().unwrap_or(""),
        &state.config.local_name,
        &mut errors,
    );
    let (Some(name), Some(email)) = (name, email) else {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SetupPage {
                page,
                token,
                name: form.name,
                email: form.email,
                errors,
            },
        );
    };
    if errors.count() > 0 {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SetupPage {
                page,
                token,
                name: form.name,
                email: form.email,
                errors,
            },
        );
    }
    let hash = state
        .hasher
        .hash(form.password.clone())
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let now = state.config.clock.now();
    let actor = anonymous_actor(&req, &email);
    let outcome = {
        let (token, email) = (token.clone(), email.clone());
        db(&state, move |conn| {
            write_tx(conn, |conn| {
                if officer_exists(conn)? {
                    return Ok(Err(LinkProblem::Used));
                }
                if let Err(problem) = tokens::consume(conn, Purpose::Setup, &token, now)? {
                    return Ok(Err(problem));
                }
                if users::find_by_email(conn, &email)?.is_some() {
                    return Err(AppError::BadRequest(
                        "That email address already has an account.".into(),
                    ));
                }
                let id = users::create(
                    conn,
                    &email,
                    &name,
                    Some(&hash),
                    &[Role::Member, Role::Officer],
                    now,
                )?;
                let actor = crate::audit::Actor {
                    user_id: Some(id),
                    ..actor
                };
                audit::record(
                    conn,
                    now,
                    Entry {
                        actor: &actor,
                        action: "first_officer_created",
                        target: &email,
                        detail: "from the setup link",
                    },
                )?;
                Ok(Ok(()))
            })
        })
        .await?
    };
    match outcome {
        Ok(()) => Ok(redirect_with(
            "/sign-in",
            FlashKind::Success,
            "Your officer account is ready. Sign in, then set up two-factor sign-in.",
            state.config.behind_https(),
        )),
        Err(problem) => link_problem(page, problem),
    }
}
