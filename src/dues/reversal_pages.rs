//! The officer's forms that reverse a whole act: a month's posting (on the
//! dues page) and a check-off import (on the imports page). One entry at a
//! time is reversed from the member's page (`member_ledger`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::handlers::{Shown, dues_page};
use super::member_ledger::reversal_reason;
use super::reversal::{self, ReversalRefusal};
use crate::auth::OfficerUser;
use crate::context::Context;
use crate::db::write_tx;
use crate::error::AppError;
use crate::forms::FieldErrors;
use crate::roster::import_page::{self, ImportReversalForm, Refused};
use crate::state::AppState;
use crate::web::db;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;

/// What the form reversing a month's posting sends.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct PostingReversalForm {
    /// The month, "2026-12".
    #[serde(default)]
    pub reverse_month: String,
    /// Why.
    #[serde(default)]
    pub reversal_reason: String,
}

/// `POST /officer/dues/reversals`: reverses every charge of a month's
/// posting as one act.
pub async fn reverse_posting(
    req: HttpRequest,
    page: Page,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    form: web::Form<PostingReversalForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let month = crate::forms::parse::month(&form.reverse_month);
    let refused = |errors: FieldErrors, form: PostingReversalForm| {
        let mut shown = Shown::blank(state.config.today());
        shown.reversal = form;
        shown.reversal_errors = errors;
        shown
    };
    let (month, reason) = match (month, reversal_reason(&form.reversal_reason)) {
        (Some(month), Ok(reason)) => (month, reason),
        (month, reason) => {
            let mut errors = reason.err().unwrap_or_default();
            if month.is_none() {
                errors.add("reverse_month", "Enter a month like 2026-10.");
            }
            let shown = refused(errors, form);
            return dues_page(page, &state, shown, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let period = month.format("%Y-%m").to_string();
    let ctx = Context::new(&state.config, officer.actor(&req));
    let asked = period.clone();
    let outcome = db(&state, move |conn| {
        write_tx(conn, |conn| {
            Ok(reversal::reverse_posting(conn, &asked, &reason, &ctx)?)
        })
    })
    .await?;
    match outcome {
        Ok(count) => Ok(redirect_with(
            "/officer/dues",
            FlashKind::Success,
            &format!(
                "Reversed the {} posted for {period}. They stay on each ledger, marked reversed; the month can be posted again.",
                crate::plural::count(count as i64, "charge", "charges")
            ),
            state.config.behind_https(),
        )),
        Err(refusal) => {
            let mut errors = FieldErrors::new();
            errors.add(
                "reverse_month",
                match refusal {
                    ReversalRefusal::NothingLeft => {
                        format!("No charges for {period} are left to reverse.")
                    }
                    other => other.to_string(),
                },
            );
            let shown = refused(errors, form);
            dues_page(page, &state, shown, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// `POST /officer/imports/checkoff/reversals`: reverses every deduction of
/// a check-off import as one act.
pub async fn reverse_import(
    req: HttpRequest,
    page: Page,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    form: web::Form<ImportReversalForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let import: Option<i64> = form.import.parse().ok();
    let refused = |reversal_errors: FieldErrors, reversal: ImportReversalForm| Refused {
        reversal,
        reversal_errors,
        ..Refused::default()
    };
    let (import, reason) = match (import, reversal_reason(&form.reversal_reason)) {
        (Some(import), Ok(reason)) => (import, reason),
        (import, reason) => {
            let mut errors = reason.err().unwrap_or_default();
            if import.is_none() {
                errors.add("import", "Choose the import to reverse.");
            }
            return import_page::refuse(page, &state, refused(errors, form)).await;
        }
    };
    let ctx = Context::new(&state.config, officer.actor(&req));
    let outcome = db(&state, move |conn| {
        write_tx(conn, |conn| {
            Ok(reversal::reverse_import(conn, import, &reason, &ctx)?)
        })
    })
    .await?;
    match outcome {
        Ok(count) => Ok(redirect_with(
            "/officer/imports",
            FlashKind::Success,
            &format!(
                "Reversed the import's {count} deductions. They stay on each ledger, marked reversed."
            ),
            state.config.behind_https(),
        )),
        Err(ReversalRefusal::NotFound) => Err(AppError::NotFound),
        Err(refusal) => {
            let mut errors = FieldErrors::new();
            errors.add("import", refusal.to_string());
            import_page::refuse(page, &state, refused(errors, form)).await
        }
    }
}
