//! Voiding a grievance filed in error (a duplicate, the wrong member): a
//! chief steward or officer gives the reason and confirms in words; the
//! case leaves every list and report and nobody is mailed about it again.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::case_page::{Typed, case_page, union_case};
use crate::auth::CurrentUser;
use crate::context::Context;
use crate::db::write_tx;
use crate::error::AppError;
use crate::forms::FieldErrors;
use crate::forms::limits::{FormLimit, body_bytes};
use crate::forms::text::Limit;
use crate::grievances::Access;
use crate::grievances::case::VoidRefusal;
use crate::grievances::store;
use crate::state::AppState;
use crate::web::db;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;

/// The longest reason kept.
const LONGEST_REASON: usize = 2_000;

/// What the voiding form may send: a reason at its limit.
pub const FORM_LIMIT: FormLimit = FormLimit {
    bytes: body_bytes(LONGEST_REASON),
    takes: "a reason of up to 2,000 characters",
    checks_own_text: true,
};

/// The voiding form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct VoidForm {
    /// Why the case is void: "a duplicate of G-1".
    pub void_reason: String,
    /// Any value: the box confirming the case was filed in error.
    pub void_confirm: String,
}

impl VoidForm {
    /// The reason for voiding case `number`, or what is wrong with the form.
    pub fn parse(&self, number: &str) -> Result<String, FieldErrors> {
        let reason = self.void_reason.trim();
        let mut errors = FieldErrors::new();
        if reason.is_empty() {
            errors.add(
                "void_reason",
                "Say why this grievance is void, such as \u{201c}a duplicate of G-1\u{201d}.",
            );
        } else {
            errors.check_text("void_reason", reason, Limit::lines(LONGEST_REASON));
        }
        if self.void_confirm.trim().is_empty() {
            errors.add(
                "void_confirm",
                format!("Tick the box to confirm that {number} was filed in error."),
            );
        }
        errors.into_result(|| reason.to_owned())
    }
}

/// Back to the case, warning that it was voided before.
fn already_voided(state: &AppState, row: &store::GrievanceRow) -> HttpResponse {
    let by = if row.voided_by_label.is_empty() {
        String::new()
    } else {
        format!(" by {}", row.voided_by_label)
    };
    redirect_with(
        &format!("/grievances/{}", row.id),
        FlashKind::Warning,
        &format!("{} was already voided{by}; nothing changed.", row.number()),
        state.config.behind_https(),
    )
}

/// `POST /grievances/{id}/void`: chief stewards and officers.
pub async fn void(
    req: HttpRequest,
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<VoidForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (row, access) = union_case(&current, &state, id).await?;
    if access != Access::Chief {
        return Err(AppError::Forbidden);
    }
    if row.is_voided() {
        return Ok(already_voided(&state, &row));
    }
    let form = form.into_inner();
    let typed = |form: VoidForm| Typed {
        void: form,
        ..Typed::default()
    };
    let reason = match form.parse(&row.number()) {
        Ok(reason) => reason,
        Err(errors) => return case_page(page, &current, &state, id, typed(form), errors).await,
    };
    let ctx = Context::new(&state.config, current.actor(&req));
    let result = db(&state, move |conn| {
        write_tx(conn, |conn| {
            let row = store::lock(conn, id)?;
            let voided = store::void(conn, &ctx, &row, &reason)?;
            Ok::<_, AppError>((row, voided))
        })
    })
    .await?;
    match result {
        (row, Ok(())) => Ok(redirect_with(
            &format!("/grievances/{id}"),
            FlashKind::Success,
            &format!(
                "{} voided. It is off the board, every list and report, and nobody will be mailed about it.",
                row.number()
            ),
            state.config.behind_https(),
        )),
        // Voided by someone else a moment ago: the row read in the
        // transaction says by whom.
        (row, Err(VoidRefusal::AlreadyVoided)) => Ok(already_voided(&state, &row)),
        (_, Err(refusal)) => {
            let mut errors = FieldErrors::new();
            errors.add_problem(&refusal);
            case_page(page, &current, &state, id, typed(form), errors).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_void_needs_a_reason_and_the_box_ticked() {
        let errors = VoidForm::default().parse("G-2").unwrap_err();
        assert!(errors.get("void_reason").starts_with("Say why"));
        assert_eq!(
            errors.get("void_confirm"),
            "Tick the box to confirm that G-2 was filed in error."
        );
        let form = VoidForm {
            void_reason: "  Duplicate of G-1 ".into(),
            void_confirm: "yes".into(),
        };
        assert_eq!(form.parse("G-2").unwrap(), "Duplicate of G-1");
    }
}
