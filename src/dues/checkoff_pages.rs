//! The officer's check-off import from the browser: upload a unit's file,
//! see every row checked against the roster (nothing written), then confirm
//! through the shared pending-upload mechanism of the imports page.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::QueryResult;

use super::checkoff::{self, CheckedFile, Refusal};
use super::ledger::ReconciliationLine;
use crate::auth::OfficerUser;
use crate::context::Context;
use crate::db::{DbConnection, write_tx};
use crate::error::AppError;
use crate::roster::csv_import::LineError;
use crate::roster::import_page::{self, Refused};
use crate::roster::uploads::{self, Kind, Pending};
use crate::state::AppState;
use crate::web::layout::Page;
use crate::web::{db, render};

/// The check-off preview.
#[derive(Template)]
#[template(path = "dues/checkoff_preview.html")]
pub struct CheckoffPreviewPage {
    page: Page,
    token: String,
    file_name: String,
    file: CheckedFile,
    /// Every line that would not match once imported: under, over, missing.
    differences: Vec<ReconciliationLine>,
    /// How many would match.
    matched: usize,
}

impl CheckoffPreviewPage {
    fn count(&self, verdict: &str) -> usize {
        self.differences
            .iter()
            .filter(|l| l.verdict() == verdict)
            .count()
    }
}

fn line_errors(refusal: Refusal) -> Vec<LineError> {
    match refusal {
        Refusal::Lines(errors) => errors,
        other => vec![LineError::whole(other.to_string())],
    }
}

/// `POST /officer/imports/checkoff` (multipart, with the unit): checks every row.
pub async fn upload(
    page: Page,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let upload = match uploads::read(payload).await {
        Ok(upload) => upload,
        Err(error) => return import_page::refuse(page, &state, Refused::upload(error)).await,
    };
    let now = state.config.clock.now();
    let user_id = officer.user.id;
    let unit = upload.unit.clone();
    let outcome = db(&state, move |conn| {
        match checkoff::check(conn, &upload.unit, &upload.content)? {
            Ok(file) => {
                let lines = checkoff::as_it_would_reconcile(conn, &file)?;
                let token = write_tx(conn, |conn| {
                    uploads::keep(conn, Kind::Checkoff, user_id, &upload, now)
                })?;
                Ok(Ok((token, file, upload.file_name, lines)))
            }
            Err(refusal) => Ok(Err((refusal, upload.file_name))),
        }
    })
    .await?;
    match outcome {
        Ok((token, file, file_name, lines)) => {
            let (matched, differences): (Vec<_>, Vec<_>) =
                lines.into_iter().partition(|l| l.verdict() == "matched");
            render(
                StatusCode::OK,
                &CheckoffPreviewPage {
                    page,
                    token,
                    file_name,
                    file,
                    differences,
                    matched: matched.len(),
                },
            )
        }
        Err((refusal, file_name)) => {
            let refused = Refused {
                unit,
                file_name,
                errors: line_errors(refusal),
                ..Refused::default()
            };
            import_page::refuse(page, &state, refused).await
        }
    }
}

/// Writes a confirmed check-off file after checking it again against the
/// roster as it is now; returns where to go next and what to say there.
/// Call inside the confirmation's write transaction.
pub fn confirm(
    conn: &mut DbConnection,
    pending: &Pending,
    ctx: &Context,
) -> QueryResult<Result<(String, String), Vec<LineError>>> {
    let file = match checkoff::check(conn, &pending.unit, &pending.content)? {
        Ok(file) => file,
        Err(refusal) => return Ok(Err(line_errors(refusal))),
    };
    checkoff::commit(conn, &file, &ctx.actor, ctx.now)?;
    Ok(Ok((
        format!(
            "/officer/dues/reconciliation?unit={}&month={}",
            file.unit_id,
            file.period_start.format("%Y-%m")
        ),
        format!(
            "Check-off imported: {} deductions, {} in all.",
            file.rows.len(),
            file.total
        ),
    )))
}
