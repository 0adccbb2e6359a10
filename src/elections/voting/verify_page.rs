//! The record checked for a member: on the server here (for a browser
//! without JavaScript, saying so), and in the browser by the page's script,
//! which needs to trust nothing the server says about its own record.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::elections::store::{self, ElectionRow, trustees};
use crate::error::AppError;
use crate::record::verify::{Check, verify};
use crate::state::AppState;
use crate::web::layout::Page;
use crate::web::{db, render};

#[derive(Template)]
#[template(path = "elections/verify.html")]
pub struct VerifyPage {
    page: Page,
    row: ElectionRow,
    tracker: String,
    checks: Vec<Check>,
    failures: Vec<String>,
    passed: bool,
    stage: &'static str,
    head: String,
    /// Where the tracker was found: its line, or 0 when it is not there.
    tracker_line: usize,
    /// The tracker typed is not 64 hexadecimal characters.
    tracker_malformed: bool,
    setup_json: String,
    booth_src: String,
}

#[derive(Debug, Deserialize)]
pub struct TrackerQuery {
    #[serde(default)]
    tracker: String,
}

/// `GET /elections/{id}/verify`.
pub async fn verify_page(
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<TrackerQuery>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let tracker = query.into_inner().tracker.trim().to_owned();
    let (row, text) = db(&state, move |conn| {
        let row = match super::visible(conn, &current, id) {
            Ok((row, _)) => row,
            Err(AppError::NotFound)
                if trustees::position_of(conn, id, current.user.id)?.is_some() =>
            {
                store::election(conn, id)?
            }
            Err(e) => return Err(e),
        };
        Ok((row, store::record::text(conn, id)?))
    })
    .await?;
    if text.is_empty() {
        return Err(AppError::NotFound);
    }
    let well_formed = tracker.len() == 64 && tracker.bytes().all(|b| b.is_ascii_hexdigit());
    let report = verify(&text, well_formed.then_some(tracker.as_str()));
    let body = VerifyPage {
        page,
        tracker_line: report.tracker_line.flatten().unwrap_or(0),
        tracker_malformed: !tracker.is_empty() && !well_formed,
        checks: report.checks.clone(),
        passed: report.record_passed(),
        stage: report.stage,
        head: report.head.clone(),
        failures: report.record_failures(),
        setup_json: serde_json::json!({ "record_url": format!("/elections/{id}/record") })
            .to_string(),
        booth_src: crate::web::assets::booth_src(),
        tracker,
        row,
    };
    render(StatusCode::OK, &body)
}
