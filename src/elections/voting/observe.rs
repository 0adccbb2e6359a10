//! An observer's view of one election: its public record to download and
//! check, reached by the link an officer gave them, with no account.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::elections::store;
use crate::error::AppError;
use crate::record::verify::{Check, verify};
use crate::state::AppState;
use crate::web::layout::Page;
use crate::web::{db, render};

#[derive(Template)]
#[template(path = "elections/observe.html")]
pub struct ObservePage {
    page: Page,
    token: String,
    title: String,
    observer: String,
    tracker: String,
    checks: Vec<Check>,
    failures: Vec<String>,
    passed: bool,
    stage: &'static str,
    head: String,
    /// Ballots in the record, and those that count (with credentials, the
    /// last of each; so also the credentials used).
    ballots: u64,
    counted: u64,
    tracker_line: usize,
    /// The tracker typed is not 64 hexadecimal characters.
    tracker_malformed: bool,
    setup_json: String,
    booth_src: String,
}

async fn record_of(
    state: &web::Data<AppState>,
    token: String,
) -> Result<(String, String, String), AppError> {
    db(state, move |conn| {
        let (id, observer) = store::observers::find(conn, &token)?.ok_or(AppError::NotFound)?;
        let row = store::election(conn, id)?;
        let text = store::record::text(conn, id)?;
        Ok((row.title, observer, text))
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct TrackerQuery {
    #[serde(default)]
    tracker: String,
}

/// `GET /observe/{token}`.
pub async fn show(
    page: Page,
    state: web::Data<AppState>,
    token: web::Path<String>,
    query: web::Query<TrackerQuery>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let (title, observer, text) = record_of(&state, token.clone()).await?;
    let tracker = query.into_inner().tracker.trim().to_owned();
    let well_formed = tracker.len() == 64 && tracker.bytes().all(|b| b.is_ascii_hexdigit());
    let report = verify(&text, well_formed.then_some(tracker.as_str()));
    let body = ObservePage {
        page,
        setup_json: serde_json::json!({ "record_url": format!("/observe/{token}/record") })
            .to_string(),
        booth_src: crate::web::assets::booth_src(),
        token,
        title,
        observer,
        tracker_line: report.tracker_line.flatten().unwrap_or(0),
        tracker_malformed: !tracker.is_empty() && !well_formed,
        checks: report.checks.clone(),
        passed: report.record_passed(),
        stage: report.stage,
        head: report.head.clone(),
        ballots: report.ballots,
        counted: report.counted,
        failures: report.record_failures(),
        tracker,
    };
    render(StatusCode::OK, &body)
}

/// `GET /observe/{token}/record`.
pub async fn record(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (_, _, text) = record_of(&state, token.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/jsonl; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"election-record.jsonl\"",
        ))
        .body(text))
}
