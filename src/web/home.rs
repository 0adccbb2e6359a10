//! The start page (a welcome for visitors, a dashboard once signed in) and
//! the health check.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::layout::Page;
use super::render;
use crate::auth::{CurrentUser, current_user};
use crate::db;
use crate::error::{AppError, KeepBody};
use crate::state::AppState;
use crate::users::Role;

/// The start page for a visitor.
#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    page: Page,
}

/// The start page once signed in.
#[derive(Template)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    page: Page,
    me: CurrentUser,
    is_officer: bool,
    is_steward: bool,
    /// A chief steward's board shows every case, not only their own.
    sees_every_case: bool,
}

/// `GET /`.
pub async fn home(req: HttpRequest, page: Page) -> Result<HttpResponse, AppError> {
    match current_user(&req) {
        Ok(me) => {
            let is_officer = me.user.can(Role::Officer);
            let is_steward = me.user.can(Role::Steward);
            let sees_every_case = me.user.can(Role::ChiefSteward);
            render(
                StatusCode::OK,
                &DashboardPage {
                    page,
                    me,
                    is_officer,
                    is_steward,
                    sees_every_case,
                },
            )
        }
        Err(AppError::SignInRequired { .. }) => render(StatusCode::OK, &HomePage { page }),
        Err(other) => Err(other),
    }
}

/// `GET /healthz`: 200 when the database answers, 503 when it does not, so
/// a load balancer stops sending traffic to a process that cannot serve it.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let pool = state.pool.clone();
    // A short wait: a health check that hangs is as bad as one that fails.
    let healthy = web::block(move || {
        pool.get_timeout(Duration::from_secs(2))
            .map(|mut conn| db::ping(&mut conn))
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false);
    if healthy {
        HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body("ok\n")
    } else {
        let mut response = HttpResponse::ServiceUnavailable()
            .content_type("text/plain; charset=utf-8")
            .body("database unavailable\n");
        response.extensions_mut().insert(KeepBody);
        response
    }
}
