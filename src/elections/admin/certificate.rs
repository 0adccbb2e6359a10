//! The printable certification report of a closed election: the certified
//! counts, the roll's fingerprint and the administrative record.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::auth::OfficerUser;
use crate::elections::local_time;
use crate::elections::states::Status;
use crate::elections::store::{self, ElectionRow, results::ResultView};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::layout::Page;
use crate::web::{db, render};

/// The report.
#[derive(Template)]
#[template(path = "elections/certificate.html")]
pub struct CertificatePage {
    page: Page,
    row: ElectionRow,
    unit: String,
    opens: String,
    closed: String,
    results: Vec<ResultView>,
    online: i64,
    paper: i64,
    /// Who voted, as a percentage of the eligible.
    turnout: Option<String>,
    trail: Vec<(String, String, String, String)>,
    /// The record's head hash and what the verifier said of it.
    head: String,
    verdict: String,
}

/// `GET /officer/elections/{id}/certificate`.
pub async fn certificate(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let config = state.config.clone();
    let report = db(&state, move |conn| {
        let row = store::election(conn, id)?;
        // Only the close certifies; the clock job closes a vote past its time.
        if row.status != Status::Closed {
            return Err(AppError::BadRequest(
                "The certification report exists once the vote is closed.".into(),
            ));
        }
        let certified = store::results::certified(conn, &row)?;
        let trail = store::results::record(conn, id)?
            .into_iter()
            .map(|(at, who, what, detail)| (local_time(&config, at), who, what, detail))
            .collect();
        let report = crate::record::verify::verify(&store::record::text(conn, id)?, None);
        let verdict = if report.passed() {
            format!(
                "verifies: {} ballots, every proof, the sums and the trustees' decryption",
                report.ballots
            )
        } else {
            format!("does NOT verify: {}", report.failures.join("; "))
        };
        Ok(CertificatePage {
            page,
            head: report.head,
            verdict,
            unit: store::unit_name(conn, row.unit_id)?,
            opens: local_time(&config, row.opens_at),
            closed: row
                .closed_at
                .map(|c| local_time(&config, c))
                .unwrap_or_default(),
            turnout: crate::elections::rules::share_percent(
                certified.online + certified.paper,
                i64::from(row.eligible.unwrap_or(0)),
            ),
            results: certified.questions,
            online: certified.online,
            paper: certified.paper,
            trail,
            row,
        })
    })
    .await?;
    render(StatusCode::OK, &report)
}
