//! Officer pages for users: the list, invitations, roles, deactivation.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{Role, User};
use crate::audit::{self, Entry};
use crate::auth::OfficerUser;
use crate::db::write_tx;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::{db, render};

/// A role checkbox on a form.
pub struct RoleChoice {
    role: Role,
    checked: bool,
}

fn role_choices(checked: &[Role]) -> Vec<RoleChoice> {
    Role::ALL
        .into_iter()
        .map(|role| RoleChoice {
            role,
            checked: checked.contains(&role),
        })
        .collect()
}

fn roles_from(form: &[(String, String)]) -> Vec<Role> {
    let mut roles: Vec<Role> = form
        .iter()
        .filter(|(k, _)| k == "role")
        .filter_map(|(_, v)| Role::parse(v))
        .collect();
    roles.sort();
    roles.dedup();
    roles
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// The users page with the invitation form.
#[derive(Template)]
#[template(path = "officer/users.html")]
pub struct UsersPage {
    page: Page,
    users: Vec<User>,
    name: String,
    email: String,
    roles: Vec<RoleChoice>,
    name_error: String,
    email_error: String,
    roles_error: String,
}

impl UsersPage {
    fn error_count(&self) -> usize {
        [&self.name_error, &self.email_error, &self.roles_error]
            .iter()
            .filter(|e| !e.is_empty())
            .count()
    }
}

/// `GET /officer/users`.
pub async fn list(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let users = db(&state, |conn| Ok(super::list(conn)?)).await?;
    render(
        StatusCode::OK,
        &UsersPage {
            page,
            users,
            name: String::new(),
            email: String::new(),
            roles: role_choices(&[Role::Member]),
            name_error: String::new(),
            email_error: String::new(),
            roles_error: String::new(),
        },
    )
}

/// `POST /officer/users/invite`: creates the account (or renews a pending
/// invitation) and mails a link to choose a password.
pub async fn invite(
    req: HttpRequest,
    page: Page,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let roles = roles_from(&form);
    let name = super::check_display_name(field(&form, "name"));
    let email = super::normalize_email(field(&form, "email"));
    let mut again = UsersPage {
        page,
        users: Vec::new(),
        name: field(&form, "name").to_owned(),
        email: field(&form, "email").to_owned(),
        roles: role_choices(&roles),
        name_error: name
            .as_ref()
            .err()
            .map(|e| (*e).to_owned())
            .unwrap_or_default(),
        email_error: email
            .as_ref()
            .err()
            .map(|e| (*e).to_owned())
            .unwrap_or_default(),
        roles_error: if roles.is_empty() {
            "Choose at least one role.".into()
        } else {
            String::new()
        },
    };
    let now = state.config.clock.now();
    let outcome = match (name, email) {
        (Ok(name), Ok(email)) if again.error_count() == 0 => {
            let config = state.config.clone();
            let actor = officer.actor(&req);
            let inviter = officer.user.display_name.clone();
            db(&state, move |conn| {
                write_tx(conn, |conn| {
                    let invitation = super::Invite {
                        email: &email,
                        name: &name,
                        roles: &roles,
                        invited_by: &inviter,
                    };
                    Ok(super::invite(conn, &config, &invitation, &actor, now)?
                        .map(|_| email.clone()))
                })
            })
            .await?
        }
        _ => Err(String::new()),
    };
    match outcome {
        Ok(email) => {
            state.mail_waker.wake();
            Ok(redirect_with(
                "/officer/users",
                FlashKind::Success,
                &format!("Invitation sent to {email}."),
                state.config.behind_https(),
            ))
        }
        Err(message) => {
            if !message.is_empty() {
                again.email_error = message;
            }
            again.users = db(&state, |conn| Ok(super::list(conn)?)).await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, &again)
        }
    }
}

/// One user's page: roles and status.
#[derive(Template)]
#[template(path = "officer/user.html")]
pub struct UserPage {
    page: Page,
    user: User,
    roles: Vec<RoleChoice>,
    is_me: bool,
    error: String,
}

async fn load_user(state: &web::Data<AppState>, id: i64) -> Result<User, AppError> {
    db(state, move |conn| {
        super::load(conn, id)?.ok_or(AppError::NotFound)
    })
    .await
}

/// `GET /officer/users/{id}`.
pub async fn show(
    page: Page,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let user = load_user(&state, id.into_inner()).await?;
    let roles = role_choices(&user.roles);
    let is_me = user.id == officer.user.id;
    render(
        StatusCode::OK,
        &UserPage {
            page,
            user,
            roles,
            is_me,
            error: String::new(),
        },
    )
}

/// `POST /officer/users/{id}/roles`.
pub async fn set_roles(
    req: HttpRequest,
    page: Page,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let user = load_user(&state, id.into_inner()).await?;
    let roles = roles_from(&form);
    let is_me = user.id == officer.user.id;
    let error = if roles.is_empty() {
        "Choose at least one role."
    } else if is_me && !roles.contains(&Role::Officer) {
        "You cannot remove your own officer role; another officer can."
    } else {
        ""
    };
    if !error.is_empty() {
        let choices = role_choices(&roles);
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &UserPage {
                page,
                user,
                roles: choices,
                is_me,
                error: error.into(),
            },
        );
    }
    let now = state.config.clock.now();
    let actor = officer.actor(&req);
    let before = user
        .roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let after = roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let (user_id, email) = (user.id, user.email.clone());
    db(&state, move |conn| {
        write_tx(conn, |conn| {
            super::set_roles(conn, user_id, &roles)?;
            audit::record(
                conn,
                now,
                Entry {
                    actor: &actor,
                    action: "role_change",
                    target: &email,
                    detail: &format!("{before} -> {after}"),
                },
            )?;
            Ok(())
        })
    })
    .await?;
    Ok(redirect_with(
        &format!("/officer/users/{}", user.id),
        FlashKind::Success,
        &format!("Roles of {} saved.", user.display_name),
        state.config.behind_https(),
    ))
}

/// `POST /officer/users/{id}/deactivate` and `/activate`.
pub async fn set_active(
    req: HttpRequest,
    page: Page,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, verb) = path.into_inner();
    let active = match verb.as_str() {
        "activate" => true,
        "deactivate" => false,
        _ => return Err(AppError::NotFound),
    };
    let user = load_user(&state, id).await?;
    let is_me = user.id == officer.user.id;
    if is_me && !active {
        let roles = role_choices(&user.roles);
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &UserPage {
                page,
                user,
                roles,
                is_me,
                error: "You cannot deactivate your own account.".into(),
            },
        );
    }
    let now = state.config.clock.now();
    let actor = officer.actor(&req);
    let (user_id, email) = (user.id, user.email.clone());
    db(&state, move |conn| {
        write_tx(conn, |conn| {
            super::set_active(conn, user_id, active)?;
            let action = if active {
                "reactivation"
            } else {
                "deactivation"
            };
            audit::record(
                conn,
                now,
                Entry {
                    actor: &actor,
                    action,
                    target: &email,
                    detail: "",
                },
            )?;
            Ok(())
        })
    })
    .await?;
    let message = if active {
        format!("{} can sign in again.", user.display_name)
    } else {
        format!(
            "{} is deactivated and signed out everywhere.",
            user.display_name
        )
    };
    Ok(redirect_with(
        &format!("/officer/users/{}", user.id),
        FlashKind::Success,
        &message,
        state.config.behind_https(),
    ))
}
