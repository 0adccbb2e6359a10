//! The first officer: made from a one-time link the server prints on its
//! first start, or with `unionhall admin create`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::anonymous_actor;
use super::password::NewPasswordFields;
use super::password_link::link_problem;
use super::tokens::{self, LinkProblem, Purpose};
use crate::audit::{self, Entry};
use crate::config::Config;
use crate::context::Context;
use crate::db::{DbConnection, DbPool, write_tx};
use crate::error::AppError;
use crate::forms::FieldErrors;
use crate::state::AppState;
use crate::users::{self, EmailProblem, Role};
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

/// The first-officer form.
#[derive(Template)]
#[template(path = "auth/setup.html")]
pub struct SetupPage {
    page: Page,
    token: String,
    name: String,
    email: String,
    errors: FieldErrors,
}

/// What the setup form sends.
#[derive(Debug, Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(flatten)]
    new_password: NewPasswordFields,
}

/// The first officer, as the setup form describes them once it parsed.
struct NewOfficer {
    name: String,
    email: String,
    password: String,
}

impl SetupForm {
    fn parse(&self, local_name: &str) -> Result<NewOfficer, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = users::check_display_name(&self.name)
            .map_err(|p| errors.add_problem(&p))
            .ok();
        let email = users::normalize_email(&self.email)
            .map_err(|p| errors.add_problem(&p))
            .ok();
        let password = self
            .new_password
            .check(email.as_deref().unwrap_or(""), local_name)
            .map_err(|p| errors.add_problem(&p))
            .ok();
        match (name, email, password) {
            (Some(name), Some(email), Some(password)) if errors.is_empty() => Ok(NewOfficer {
                name,
                email,
                password: password.to_owned(),
            }),
            _ => Err(errors),
        }
    }
}

fn officer_exists(conn: &mut DbConnection) -> Result<bool, AppError> {
    Ok(users::active_officers(conn)? > 0)
}

/// Whether the setup link still works: no officer yet, and the token live.
async fn check_link(
    state: &web::Data<AppState>,
    token: &str,
) -> Result<Result<Option<i64>, LinkProblem>, AppError> {
    let now = state.config.clock.now();
    let token = token.to_owned();
    db(state, move |conn| {
        if officer_exists(conn)? {
            return Ok(Err(LinkProblem::Used));
        }
        Ok(tokens::check(conn, Purpose::Setup, &token, now)?)
    })
    .await
}

/// `GET /setup/{token}`.
pub async fn form(
    page: Page,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    if let Err(problem) = check_link(&state, &token).await? {
        return link_problem(page, problem);
    }
    render(
        StatusCode::OK,
        &SetupPage {
            page,
            token,
            name: String::new(),
            email: String::new(),
            errors: FieldErrors::new(),
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
    // A dead link is the same answer as on the form page, before any typing
    // is looked at.
    if let Err(problem) = check_link(&state, &token).await? {
        return link_problem(page, problem);
    }
    let form = form.into_inner();
    let officer = match form.parse(&state.config.local_name) {
        Ok(officer) => officer,
        Err(errors) => {
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
    };
    let hash = state
        .hasher
        .hash(officer.password)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let NewOfficer { name, email, .. } = officer;
    let ctx = Context::new(&state.config, anonymous_actor(&req, &email));
    let now = ctx.now;
    let outcome = {
        let token = token.clone();
        db(&state, move |conn| {
            write_tx(conn, |conn| {
                if officer_exists(conn)? {
                    return Ok(Err(LinkProblem::Used));
                }
                if let Err(problem) = tokens::consume(conn, Purpose::Setup, &token, now)? {
                    return Ok(Err(problem));
                }
                if users::find_by_email(conn, &email)?.is_some() {
                    return Err(AppError::BadRequest(EmailProblem::Taken.to_string()));
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
                    ..ctx.actor
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
