//! The one-time links that lead to a new-password form (an invitation, a
//! reset): checking the link, the form, and setting the password.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::password::NewPasswordFields;
use super::session;
use super::sign_in::sign_in_as;
use super::tokens::{self, LinkProblem, Purpose};
use crate::audit::{self, Actor, Entry};
use crate::context::Context;
use crate::db::write_tx;
use crate::error::AppError;
use crate::forms::FieldErrors;
use crate::state::AppState;
use crate::users;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::{db, render};

/// A link that lets its holder choose a password: what kind, its secret,
/// and how its form is titled and addressed.
#[derive(Debug, Clone)]
pub struct PasswordLink {
    purpose: Purpose,
    token: String,
    title: &'static str,
    action: String,
}

impl PasswordLink {
    /// An officer's invitation, `/invite/{token}`.
    pub fn invite(token: String) -> Self {
        Self {
            purpose: Purpose::Invite,
            action: format!("/invite/{token}"),
            token,
            title: "Welcome: choose your password",
        }
    }

    /// A "forgot password" link, `/password-reset/{token}`.
    pub fn reset(token: String) -> Self {
        Self {
            purpose: Purpose::Reset,
            action: format!("/password-reset/{token}"),
            token,
            title: "Choose a new password",
        }
    }

    fn audit_action(&self) -> &'static str {
        match self.purpose {
            Purpose::Invite => "invitation_accepted",
            _ => "password_reset",
        }
    }

    fn page(&self, page: Page, email: String, errors: FieldErrors) -> ChoosePasswordPage {
        ChoosePasswordPage {
            page,
            title: self.title,
            action: self.action.clone(),
            email,
            errors,
        }
    }
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
    pub errors: FieldErrors,
}

/// The account a link is for, or why the link cannot be used.
async fn link_owner(
    state: &web::Data<AppState>,
    link: &PasswordLink,
) -> Result<Result<users::UserRow, LinkProblem>, AppError> {
    let now = state.config.clock.now();
    let (purpose, token) = (link.purpose, link.token.clone());
    db(state, move |conn| {
        Ok(match tokens::check(conn, purpose, &token, now)? {
            Ok(Some(user_id)) => users::find_row(conn, user_id)?.ok_or(LinkProblem::Unknown),
            Ok(None) => Err(LinkProblem::Unknown),
            Err(problem) => Err(problem),
        })
    })
    .await
}

/// Shows the new-password form for a valid link.
pub async fn choose_form(
    page: Page,
    state: &web::Data<AppState>,
    link: PasswordLink,
) -> Result<HttpResponse, AppError> {
    match link_owner(state, &link).await? {
        Err(problem) => link_problem(page, problem),
        Ok(row) => render(
            StatusCode::OK,
            &link.page(page, row.email, FieldErrors::new()),
        ),
    }
}

/// Sets the password a valid link allows, ending every session and every
/// other reset or invitation link.
pub async fn choose_submit(
    req: &HttpRequest,
    page: Page,
    state: &web::Data<AppState>,
    link: PasswordLink,
    form: NewPasswordFields,
) -> Result<HttpResponse, AppError> {
    let row = match link_owner(state, &link).await? {
        Err(problem) => return link_problem(page, problem),
        Ok(row) => row,
    };
    let password = match form.check(&row.email, &state.config.local_name) {
        Ok(password) => password.to_owned(),
        Err(problem) => {
            let mut errors = FieldErrors::new();
            errors.add_problem(&problem);
            return render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &link.page(page, row.email, errors),
            );
        }
    };
    let hash = state
        .hasher
        .hash(password)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let ctx = Context::new(
        &state.config,
        Actor {
            user_id: Some(row.id),
            label: row.email.clone(),
            ip: super::client_ip(req),
        },
    );
    let action_name = link.audit_action();
    let (purpose, token) = (link.purpose, link.token);
    let email = row.email.clone();
    let (user_id, nonce) = (row.id, hash.clone());
    let outcome = db(state, move |conn| {
        write_tx(conn, |conn| {
            if let Err(problem) = tokens::consume(conn, purpose, &token, ctx.now)? {
                return Ok(Err(problem));
            }
            users::set_password(conn, row.id, &hash, ctx.now)?;
            tokens::end_password_links(conn, row.id, ctx.now)?;
            session::end_all_for_user(conn, row.id, None)?;
            audit::record(
                conn,
                ctx.now,
                Entry {
                    actor: &ctx.actor,
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
                &sign_in_as(&email),
                FlashKind::Success,
                "Your password is set. Sign in with it now.",
                secure,
            );
            response
                .add_cookie(&session::removal_cookie(secure))
                .map_err(|e| AppError::Internal(e.to_string()))?;
            // Whoever opened the link reads the account's mail and now knows
            // its password: a stranger guessing it must not keep them out.
            let presented = super::device::presented(req);
            super::sign_in::remember_device(&mut response, state, &presented, user_id, &nonce)?;
            Ok(response)
        }
    }
}
