//! The note form: the union side chooses who reads a note; a grievant's
//! notes are always shared.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::case_page::{Typed, case_page, done, refuse_voided};
use crate::auth::CurrentUser;
use crate::context::Context;
use crate::db::write_tx;
use crate::error::AppError;
use crate::forms::FieldErrors;
use crate::forms::limits::{FormLimit, body_bytes};
use crate::forms::text::Limit;
use crate::grievances::Access;
use crate::grievances::access;
use crate::grievances::store;
use crate::grievances::store::notes::{self, Note};
use crate::state::AppState;
use crate::web::db;
use crate::web::layout::Page;

/// The longest note kept.
const LONGEST_NOTE: usize = 20_000;

/// What the note form may send: a note at its limit.
pub const FORM_LIMIT: FormLimit = FormLimit {
    bytes: body_bytes(LONGEST_NOTE),
    takes: "a note of up to 20,000 characters",
    checks_own_text: true,
};

/// The note form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NoteForm {
    pub note_body: String,
    /// "shared" or "private".
    pub visibility: String,
}

impl NoteForm {
    /// The note as `access` may write it, or what is wrong with it.
    pub fn parse(&self, access: Access) -> Result<Note, FieldErrors> {
        let body = self.note_body.trim();
        let mut errors = FieldErrors::new();
        if body.is_empty() {
            errors.add("note_body", "Write the note before saving it.");
        } else {
            errors.check_text("note_body", body, Limit::lines(LONGEST_NOTE));
        }
        errors.into_result(|| Note {
            shared: !access.is_union_side() || self.visibility == "shared",
            body: body.to_owned(),
        })
    }
}

/// `POST /grievances/{id}/notes`.
pub async fn add_note(
    req: HttpRequest,
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<NoteForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let user = current.user.clone();
    let (row, access) = db(&state, move |conn| access(conn, &user, id)).await?;
    if let Some(voided) = row.voided() {
        return refuse_voided(page, &current, &state, id, &voided).await;
    }
    let form = form.into_inner();
    let note = match form.parse(access) {
        Ok(note) => note,
        Err(errors) => {
            let typed = Typed {
                note: form,
                ..Typed::default()
            };
            return case_page(page, &current, &state, id, typed, errors).await;
        }
    };
    let ctx = Context::new(&state.config, current.actor(&req));
    let shared = note.shared;
    let saved = db(&state, move |conn| {
        write_tx(conn, |conn| {
            if let Err(voided) = store::lock_for_change(conn, id)? {
                return Ok(Err(voided));
            }
            notes::add(conn, &ctx, id, &note)?;
            Ok::<_, AppError>(Ok(()))
        })
    })
    .await?;
    if let Err(voided) = saved {
        return refuse_voided(page, &current, &state, id, &voided).await;
    }
    Ok(done(
        &state,
        id,
        if shared {
            "Note saved; the grievant can read it."
        } else {
            "Private note saved; only stewards and officers can read it."
        },
    ))
}
