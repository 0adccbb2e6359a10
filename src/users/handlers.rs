//! Officer pages for users: the list, invitations, roles, deactivation.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{Role, User};
use crate::audit::{self, Entry};
use crate::auth::OfficerUser;
use crate::context::Context;
use crate::db::write_tx;
use crate::error::AppError;
use crate::forms::{FieldErrors, FieldProblem};
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

/// Why a set of roles was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RolesProblem {
    /// No box ticked.
    #[error("Choose at least one role.")]
    NoneChosen,
    /// An officer unticking their own officer role.
    #[error("You cannot remove your own officer role; another officer can.")]
    OwnOfficerRole,
    /// An officer deactivating their own account.
    #[error("You cannot deactivate your own account.")]
    DeactivateSelf,
}

impl FieldProblem for RolesProblem {
    fn field(&self) -> &'static str {
        "roles"
    }
}

/// The ticked role boxes, from a form whose `role` key repeats.
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

/// What the invitation form sends: a name, an email and the ticked roles
/// (the `role` key repeats, so the form arrives as pairs).
#[derive(Debug, Default)]
struct InviteForm {
    name: String,
    email: String,
    roles: Vec<Role>,
}

/// An invitation that parsed.
struct NewInvite {
    name: String,
    email: String,
    roles: Vec<Role>,
}

impl InviteForm {
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let value = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map_or(String::new(), |(_, v)| v.clone())
        };
        Self {
            name: value("name"),
            email: value("email"),
            roles: roles_from(pairs),
        }
    }

    fn parse(&self) -> Result<NewInvite, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = super::check_display_name(&self.name)
            .map_err(|p| errors.add_problem(&p))
            .ok();
        let email = super::normalize_email(&self.email)
            .map_err(|p| errors.add_problem(&p))
            .ok();
        if self.roles.is_empty() {
            errors.add_problem(&RolesProblem::NoneChosen);
        }
        match (name, email) {
            (Some(name), Some(email)) if errors.is_empty() => Ok(NewInvite {
                name,
                email,
                roles: self.roles.clone(),
            }),
            _ => Err(errors),
        }
    }
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
    errors: FieldErrors,
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
            errors: FieldErrors::new(),
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
    let form = InviteForm::from_pairs(&form);
    let parsed = form.parse();
    let mut again = UsersPage {
        page,
        users: Vec::new(),
        roles: role_choices(&form.roles),
        name: form.name,
        email: form.email,
        errors: FieldErrors::new(),
    };
    let outcome = match parsed {
        Ok(invite) => {
            let ctx = Context::new(&state.config, officer.actor(&req));
            let inviter = officer.user.display_name.clone();
            db(&state, move |conn| {
                write_tx(conn, |conn| {
                    let invitation = super::Invite {
                        email: &invite.email,
                        name: &invite.name,
                        roles: &invite.roles,
                        invited_by: &inviter,
                    };
                    Ok(
                        super::invite(conn, &ctx.config, &invitation, &ctx.actor, ctx.now)?
                            .map(|_| invite.email.clone())
                            .map_err(|problem| {
                                let mut errors = FieldErrors::new();
                                errors.add_problem(&problem);
                                errors
                            }),
                    )
                })
            })
            .await?
        }
        Err(errors) => Err(errors),
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
        Err(errors) => {
            again.errors = errors;
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
    let refusal = if roles.is_empty() {
        Some(RolesProblem::NoneChosen)
    } else if is_me && !roles.contains(&Role::Officer) {
        Some(RolesProblem::OwnOfficerRole)
    } else {
        None
    };
    if let Some(refusal) = refusal {
        let choices = role_choices(&roles);
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &UserPage {
                page,
                user,
                roles: choices,
                is_me,
                error: refusal.to_string(),
            },
        );
    }
    let ctx = Context::new(&state.config, officer.actor(&req));
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
    let changed = before != after;
    let own_session = officer.session.id_hash.clone();
    let rotated = db(&state, move |conn| {
        write_tx(conn, |conn| {
            super::set_roles(conn, user_id, &roles)?;
            // A change of privilege takes effect on a fresh sign-in: the
            // person's sessions end, so an id seen or planted before the
            // change carries no new rights. An officer changing their own
            // roles keeps the session they are using, under a new id.
            let rotated = match (changed, is_me) {
                (false, _) => None,
                (true, false) => {
                    crate::auth::session::end_all_for_user(conn, user_id, None)?;
                    None
                }
                (true, true) => {
                    crate::auth::session::end_all_for_user(conn, user_id, Some(&own_session))?;
                    Some(crate::auth::session::rotate(conn, &own_session, ctx.now)?)
                }
            };
            audit::record(
                conn,
                ctx.now,
                Entry {
                    actor: &ctx.actor,
                    action: "role_change",
                    target: &email,
                    detail: &format!("{before} -> {after}"),
                },
            )?;
            Ok(rotated)
        })
    })
    .await?;
    let message = if changed && !is_me {
        format!(
            "Roles of {} saved. They were signed out, and have their new roles when they sign in again.",
            user.display_name
        )
    } else {
        format!("Roles of {} saved.", user.display_name)
    };
    let secure = state.config.behind_https();
    let mut response = redirect_with(
        &format!("/officer/users/{}", user.id),
        FlashKind::Success,
        &message,
        secure,
    );
    if let Some(token) = rotated {
        response
            .add_cookie(&crate::auth::session::cookie(token, secure))
            .map_err(|e| AppError::Internal(e.to_string()))?;
    }
    Ok(response)
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
                error: RolesProblem::DeactivateSelf.to_string(),
            },
        );
    }
    let ctx = Context::new(&state.config, officer.actor(&req));
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
                ctx.now,
                Entry {
                    actor: &ctx.actor,
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
