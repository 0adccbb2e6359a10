//! Writing a draft: the new and edit forms, and saving them, audited.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::draft_form::{DraftForm, QuestionFields, question_field};
use super::record;
use crate::auth::OfficerUser;
use crate::context::Context;
use crate::db::write_tx;
use crate::elections::rules::PassRule;
use crate::elections::states::{QuestionKind, Status};
use crate::elections::{local_time, store};
use crate::error::AppError;
use crate::forms::FieldErrors;
use crate::state::AppState;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::{db, render};

/// The draft form.
#[derive(Template)]
#[template(path = "elections/admin_form.html")]
pub struct FormPage {
    page: Page,
    id: Option<i64>,
    units: Vec<(i64, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    rule_choices: Vec<(&'static str, &'static str)>,
    form: DraftForm,
    errors: FieldErrors,
}

impl FormPage {
    /// Question `n`'s field name.
    fn q(&self, n: &usize, field: &str) -> String {
        question_field(*n, field)
    }

    /// What was typed for question `n` (numbered from 1).
    fn question(&self, n: &usize) -> &QuestionFields {
        &self.form.questions[n - 1]
    }

    /// Question `n`'s dues section starts open when it holds a problem, so
    /// no error the summary counts is hidden.
    fn dues_open(&self, n: &usize) -> bool {
        self.errors.any_starting(&question_field(*n, "dues_"))
    }
}

async fn form_page(
    page: Page,
    state: &web::Data<AppState>,
    id: Option<i64>,
    form: DraftForm,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let units = db(state, |conn| Ok(store::units(conn)?)).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &FormPage {
            page,
            id,
            units,
            kinds: vec![
                (QuestionKind::YesNo.as_str(), "Yes or no"),
                (QuestionKind::Choice.as_str(), "One choice among several"),
            ],
            rule_choices: PassRule::CHOICES
                .iter()
                .map(|(k, w, _, _, _)| (*k, *w))
                .collect(),
            form,
            errors,
        },
    )
}

/// `GET /officer/elections/new`.
pub async fn new_form(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let form = DraftForm::blank(state.config.today());
    form_page(page, &state, None, form, FieldErrors::new()).await
}

/// `GET /officer/elections/{id}/edit`.
pub async fn edit_form(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let config = state.config.clone();
    let form = db(&state, move |conn| {
        let row = store::election(conn, id)?;
        if row.status != Status::Draft {
            return Err(AppError::BadRequest(
                "Only a draft can be edited; after publishing, only an early close is possible."
                    .into(),
            ));
        }
        Ok(DraftForm::of_stored(
            &config,
            &row,
            &store::questions(conn, id)?,
        ))
    })
    .await?;
    form_page(page, &state, Some(id), form, FieldErrors::new()).await
}

async fn save(
    req: HttpRequest,
    page: Page,
    officer: OfficerUser,
    state: web::Data<AppState>,
    id: Option<i64>,
    pairs: Vec<(String, String)>,
) -> Result<HttpResponse, AppError> {
    if let Some(id) = id {
        // A missing election is not found before its form is read, as on the
        // edit page.
        db(&state, move |conn| {
            Ok(store::election(conn, id).map(|_| ())?)
        })
        .await?;
    }
    let form = DraftForm::from_pairs(pairs)
        .map_err(|e| AppError::BadRequest(format!("That form cannot be read: {e}")))?;
    let unit_ids = db(&state, |conn| Ok(store::draft::unit_ids(conn)?)).await?;
    let draft = match form.parse(state.config.timezone, &unit_ids, state.config.clock.now()) {
        Ok(draft) => draft,
        Err(errors) => return form_page(page, &state, id, form, errors).await,
    };
    let ctx = Context::new(&state.config, officer.0.actor(&req));
    let saved = db(&state, move |conn| {
        write_tx(conn, |conn| {
            let saved = match id {
                Some(id) => store::update(conn, id, &draft, ctx.now)?.then_some(id),
                None => Some(store::create(conn, &draft, ctx.now)?),
            };
            if let Some(saved) = saved {
                let questions: Vec<String> = draft
                    .questions
                    .iter()
                    .map(|q| format!("\"{}\"", q.text))
                    .collect();
                let detail = format!(
                    "\"{}\" for {}, opens {}, closes {}, members in good standing on {}; {}: {}",
                    draft.title,
                    store::unit_name(conn, draft.unit_id)?,
                    local_time(&ctx.config, draft.opens_at),
                    local_time(&ctx.config, draft.closes_at),
                    draft.cutoff,
                    if questions.len() == 1 {
                        "question"
                    } else {
                        "questions"
                    },
                    questions.join(", ")
                );
                let action = if id.is_some() {
                    "election_edit"
                } else {
                    "election_create"
                };
                record(conn, &ctx, action, saved, &detail)?;
            }
            Ok::<_, AppError>(saved)
        })
    })
    .await?;
    match saved {
        Some(saved) => Ok(redirect_with(
            &format!("/officer/elections/{saved}"),
            FlashKind::Success,
            "Saved as a draft.",
            state.config.behind_https(),
        )),
        None => Err(AppError::BadRequest("Only a draft can be edited.".into())),
    }
}

/// `POST /officer/elections/new`.
pub async fn create(
    req: HttpRequest,
    page: Page,
    officer: OfficerUser,
    state: web::Data<AppState>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    save(req, page, officer, state, None, form.into_inner()).await
}

/// `POST /officer/elections/{id}/edit`.
pub async fn update(
    req: HttpRequest,
    page: Page,
    officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = Some(id.into_inner());
    save(req, page, officer, state, id, form.into_inner()).await
}
