//! The imports page: the roster and check-off upload forms, the problems
//! with the last file sent, and the check-off imports so far, a page at a
//! time. Both imports' handlers show it when they refuse a file.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::csv_import::LineError;
use super::store;
use crate::auth::OfficerUser;
use crate::dues::checkoff::{self, PastImport};
use crate::error::AppError;
use crate::forms::FieldErrors;
use crate::state::AppState;
use crate::web::layout::Page;
use crate::web::pager::{self, Pager};
use crate::web::{db, render};

const PER_PAGE: i64 = 20;

/// The imports page.
#[derive(Template)]
#[template(path = "roster/imports.html")]
pub struct ImportsPage {
    page: Page,
    units: Vec<String>,
    chosen_unit: String,
    file_name: String,
    errors: Vec<LineError>,
    past: Vec<PastImport>,
    reversal: ImportReversalForm,
    reversal_errors: FieldErrors,
    /// The imports that may be reversed, as the reversal form offers them.
    reversible: Vec<(String, String)>,
    pager: Pager,
}

/// A file that was refused: the unit chosen for it, its name ("" when the
/// upload itself failed) and every problem found.
#[derive(Debug, Clone, Default)]
pub struct Refused {
    /// The unit chosen beside a check-off file.
    pub unit: String,
    /// The file's name.
    pub file_name: String,
    /// What was wrong.
    pub errors: Vec<LineError>,
    /// The reversal form as sent.
    pub reversal: ImportReversalForm,
    /// What was wrong with it.
    pub reversal_errors: FieldErrors,
}

/// What the form reversing a whole check-off import sends.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ImportReversalForm {
    /// The import.
    #[serde(default)]
    pub import: String,
    /// Why.
    #[serde(default)]
    pub reversal_reason: String,
}

impl Refused {
    /// An upload refused before its file could be read.
    pub fn upload(error: LineError) -> Self {
        Self {
            errors: vec![error],
            ..Self::default()
        }
    }
}

async fn imports_page(
    page: Page,
    state: &web::Data<AppState>,
    refused: Refused,
    page_number: i64,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (units, past, pager) = db(state, move |conn| {
        let units: Vec<String> = store::units(conn)?.into_iter().map(|(_, n)| n).collect();
        let total = checkoff::import_count(conn)?;
        let pager =
            Pager::new("/officer/imports", &[], page_number, PER_PAGE, total).at("past-imports");
        let past = checkoff::recent(conn, pager.offset(), pager.limit())?;
        Ok((units, past, pager))
    })
    .await?;
    let reversible = std::iter::once((String::new(), "Choose an import".to_owned()))
        .chain(past.iter().filter(|p| p.reversed.is_none()).map(|p| {
            (
                p.id.to_string(),
                format!(
                    "{}, {} to {}, {}",
                    p.unit, p.period_start, p.period_end, p.total
                ),
            )
        }))
        .collect();
    render(
        status,
        &ImportsPage {
            page,
            units,
            chosen_unit: refused.unit,
            file_name: refused.file_name,
            errors: refused.errors,
            past,
            reversal: refused.reversal,
            reversal_errors: refused.reversal_errors,
            reversible,
            pager,
        },
    )
}

/// Shows the imports page with why a file was refused.
pub async fn refuse(
    page: Page,
    state: &web::Data<AppState>,
    refused: Refused,
) -> Result<HttpResponse, AppError> {
    refuse_as(page, state, refused, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// The imports page with what was wrong, answered with `status`.
pub async fn refuse_as(
    page: Page,
    state: &web::Data<AppState>,
    refused: Refused,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    imports_page(page, state, refused, 1, status).await
}

/// Which page of past imports to show.
#[derive(Debug, Default, Deserialize)]
pub struct ImportsQuery {
    #[serde(default)]
    page: String,
}

/// `GET /officer/imports?page=`.
pub async fn index(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
    query: web::Query<ImportsQuery>,
) -> Result<HttpResponse, AppError> {
    imports_page(
        page,
        &state,
        Refused::default(),
        pager::page_number(&query.page),
        StatusCode::OK,
    )
    .await
}
