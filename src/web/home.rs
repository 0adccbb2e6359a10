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
use crate::home::{self, Reader, Section};
use crate::state::AppState;

/// The start page for a visitor.
#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    page: Page,
}

/// The start page once signed in: what needs the person, by role.
#[derive(Template)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    page: Page,
    me: CurrentUser,
    sections: Vec<Section>,
    /// How many items need doing, for the lead line.
    urgent: usize,
}

impl DashboardPage {
    fn urgent_words(&self) -> String {
        crate::plural::count(self.urgent as i64, "thing needs", "things need")
    }
}

/// `GET /`.
pub async fn home(
    req: HttpRequest,
    page: Page,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    match current_user(&req) {
        Ok(me) => {
            let config = state.config.clone();
            let user = me.user.clone();
            let sections = super::db(&state, move |conn| {
                let reader = Reader {
                    user: &user,
                    now: config.clock.now(),
                    today: config.today(),
                    config: &config,
                };
                Ok(home::sections(conn, &reader)?)
            })
            .await?;
            let urgent = sections.iter().map(Section::urgent).sum();
            render(
                StatusCode::OK,
                &DashboardPage {
                    page,
                    me,
                    sections,
                    urgent,
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
