//! The public pages: the start page and the health check.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;

use super::layout::Page;
use crate::app::AppState;
use crate::db;
use crate::error::KeepBody;

/// The start page for a visitor.
#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    page: Page,
}

/// `GET /`.
pub async fn home(page: Page) -> HomePage {
    HomePage { page }
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
