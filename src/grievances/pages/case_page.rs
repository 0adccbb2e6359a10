//! The case page: the case file with its forms, showing what was typed
//! and what to fix when a form was refused.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::acts::{ActForm, ExtensionForm};
use super::notes::NoteForm;
use super::view::{CaseView, human_size, load_view};
use super::void::VoidForm;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::forms::FieldErrors;
use crate::grievances::states::Act;
use crate::grievances::store::{GrievanceRow, VoidedCase};
use crate::grievances::{Access, access};
use crate::state::AppState;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::{db, render};

/// What was typed into the case page's forms, to show again: the one that
/// was sent, the others empty.
#[derive(Debug, Clone, Default)]
pub struct Typed {
    /// The act form; when not sent, it offers today's date.
    pub act: Option<ActForm>,
    /// The extension form.
    pub extension: ExtensionForm,
    /// The note form.
    pub note: NoteForm,
    /// The steward chosen; when not sent, the one assigned.
    pub steward: Option<String>,
    /// The form that voids a case filed in error.
    pub void: VoidForm,
}

/// The case page, with the forms' typing and errors when one was refused.
#[derive(Template)]
#[template(path = "grievances/case.html")]
pub struct CasePage {
    page: Page,
    case: CaseView,
    act: ActForm,
    extension: ExtensionForm,
    note: NoteForm,
    steward: String,
    void: VoidForm,
    errors: FieldErrors,
    acts: Vec<(&'static str, &'static str)>,
    attachment_hint: String,
}

impl CasePage {
    /// The outcome terms and back pay are shown open when they hold
    /// anything or anything is wrong with them.
    fn outcome_open(&self) -> bool {
        !self.act.terms.is_empty()
            || !self.act.back_pay.is_empty()
            || self.errors.any_of(&["terms", "back_pay"])
    }

    /// The voiding form is shown open when it was sent and refused.
    fn void_open(&self) -> bool {
        self.errors.any_of(&["void_reason", "void_confirm"])
    }
}

/// Renders the case page for `current`.
pub async fn case_page(
    page: Page,
    current: &CurrentUser,
    state: &web::Data<AppState>,
    id: i64,
    typed: Typed,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let user = current.user.clone();
    let today = state.config.today();
    let zone = state.config.timezone;
    let case = db(state, move |conn| load_view(conn, &user, id, today, zone)).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let act = typed.act.unwrap_or_else(|| ActForm {
        act_date: today.to_string(),
        ..ActForm::default()
    });
    let steward = typed.steward.unwrap_or_else(|| {
        case.row
            .steward_id
            .map(|s| s.to_string())
            .unwrap_or_default()
    });
    let acts = std::iter::once(("", "Choose…"))
        .chain(Act::RECORDABLE.iter().map(|a| (a.as_str(), a.label())))
        .collect();
    render(
        status,
        &CasePage {
            page,
            case,
            act,
            extension: typed.extension,
            note: typed.note,
            steward,
            void: typed.void,
            errors,
            acts,
            attachment_hint: format!(
                "Up to {}: {}.",
                human_size(i64::try_from(state.config.max_attachment_bytes).unwrap_or(i64::MAX)),
                crate::grievances::attachments::ACCEPTED
            ),
        },
    )
}

/// `GET /grievances/{id}`.
pub async fn show(
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    case_page(
        page,
        &current,
        &state,
        id.into_inner(),
        Typed::default(),
        FieldErrors::new(),
    )
    .await
}

/// The case for a form post, checked for the union side.
pub(super) async fn union_case(
    current: &CurrentUser,
    state: &web::Data<AppState>,
    id: i64,
) -> Result<(GrievanceRow, Access), AppError> {
    let user = current.user.clone();
    let (row, access) = db(state, move |conn| access(conn, &user, id)).await?;
    if !access.is_union_side() {
        return Err(AppError::Forbidden);
    }
    Ok((row, access))
}

/// The case page saying that a form sent on a voided case recorded nothing.
pub(crate) async fn refuse_voided(
    page: Page,
    current: &CurrentUser,
    state: &web::Data<AppState>,
    id: i64,
    voided: &VoidedCase,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    errors.add_problem(voided);
    case_page(page, current, state, id, Typed::default(), errors).await
}

/// Back to the case, saying what was done.
pub(super) fn done(state: &AppState, id: i64, message: &str) -> HttpResponse {
    redirect_with(
        &format!("/grievances/{id}"),
        FlashKind::Success,
        message,
        state.config.behind_https(),
    )
}
