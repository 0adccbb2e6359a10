//! Importing a roster file from the browser: upload, a preview of what
//! would change (nothing written), then the officer's confirmation, which
//! writes the whole file in one transaction. The confirmation also takes a
//! waiting check-off file, which dues writes.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::csv_import::{self, LineError};
use super::import_page::{self, Refused};
use super::uploads::{self, Kind, Pending};
use super::{Change, Preview, store};
use crate::auth::OfficerUser;
use crate::context::Context;
use crate::db::{DbConnection, write_tx};
use crate::dues::checkoff_pages;
use crate::error::AppError;
use crate::state::AppState;
use crate::users::{self, Invite, Role};
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::{db, render};

/// The roster preview.
#[derive(Template)]
#[template(path = "roster/roster_preview.html")]
pub struct RosterPreviewPage {
    page: Page,
    token: String,
    file_name: String,
    preview: Preview,
    counts: (usize, usize, usize),
    /// Changes found beyond those the page lists.
    more: usize,
}

/// Changes a preview lists; the counts cover every one.
const SHOWN: usize = 200;

/// `POST /officer/imports/roster` (multipart): checks the file, shows what would change.
pub async fn roster_upload(
    page: Page,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let upload = match uploads::read(payload).await {
        Ok(upload) => upload,
        Err(error) => return import_page::refuse(page, &state, Refused::upload(error)).await,
    };
    let rows = match csv_import::parse(&upload.content) {
        Ok(rows) => rows,
        Err(errors) => {
            let refused = Refused {
                unit: String::new(),
                file_name: upload.file_name,
                errors,
                ..Refused::default()
            };
            return import_page::refuse(page, &state, refused).await;
        }
    };
    let now = state.config.clock.now();
    let user_id = officer.user.id;
    let (token, preview, file_name) = db(&state, move |conn| {
        let preview = super::preview(conn, rows)?;
        let token = write_tx(conn, |conn| {
            uploads::keep(conn, Kind::Roster, user_id, &upload, now)
        })?;
        Ok((token, preview, upload.file_name))
    })
    .await?;
    let counts = preview.counts();
    let mut preview = preview;
    preview
        .rows
        .retain(|(_, change)| !matches!(change, super::Change::Unchanged));
    let more = preview.rows.len().saturating_sub(SHOWN);
    preview.rows.truncate(SHOWN);
    render(
        StatusCode::OK,
        &RosterPreviewPage {
            page,
            token,
            file_name,
            preview,
            counts,
            more,
        },
    )
}

/// What the confirmation sends.
#[derive(Debug, Default, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    invite: String,
}

/// Writes a confirmed roster file and, when asked, invites each new person
/// with an email; returns where to go next and what to say there.
fn confirm_roster(
    conn: &mut DbConnection,
    pending: &Pending,
    send_invitations: bool,
    inviter: &str,
    ctx: &Context,
) -> Result<Result<(String, String), Vec<LineError>>, AppError> {
    let rows = match csv_import::parse(&pending.content) {
        Ok(rows) => rows,
        Err(errors) => return Ok(Err(errors)),
    };
    let summary = super::commit(conn, rows, &ctx.actor, ctx.now, ctx.today)?;
    let mut invited = 0;
    if send_invitations {
        for (row, change) in &summary.rows {
            let (Change::New, Some(email)) = (change, &row.person.email) else {
                continue;
            };
            let name = format!("{} {}", row.person.first_name, row.person.last_name);
            let invite = Invite {
                email,
                name: &name,
                roles: &[Role::Member],
                invited_by: inviter,
            };
            if let Ok(user_id) = users::invite(conn, &ctx.config, &invite, &ctx.actor, ctx.now)? {
                let member_id = store::member_id_numbered(conn, &row.person.employee_number)?;
                store::link_user(conn, user_id, member_id)?;
                invited += 1;
            }
        }
    }
    let invitations = if send_invitations {
        format!(" {invited} invited by email.")
    } else {
        String::new()
    };
    Ok(Ok((
        "/officer/roster".to_owned(),
        format!(
            "Roster imported: {} added, {} changed, {} unchanged.{invitations}",
            summary.added, summary.changed, summary.unchanged
        ),
    )))
}

/// `POST /officer/imports/{token}/confirm`: writes the previewed file, all
/// of it or nothing, checking it again against the data as it is now.
pub async fn confirm(
    req: HttpRequest,
    page: Page,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let send_invitations = form.invite == "yes";
    let inviter = officer.user.display_name.clone();
    let user_id = officer.user.id;
    let ctx = Context::new(&state.config, officer.actor(&req));
    let outcome = db(&state, move |conn| {
        write_tx(conn, |conn| {
            let pending = match uploads::take(conn, &token, user_id, ctx.now)? {
                Ok(pending) => pending,
                // Gone (imported already, cancelled, or never there): not found.
                Err(error) => return Ok(Err((StatusCode::NOT_FOUND, vec![error]))),
            };
            let confirmed = match pending.kind {
                Kind::Roster => confirm_roster(conn, &pending, send_invitations, &inviter, &ctx)?,
                Kind::Checkoff => checkoff_pages::confirm(conn, &pending, &ctx)?,
            };
            Ok(confirmed.map_err(|errors| (StatusCode::UNPROCESSABLE_ENTITY, errors)))
        })
    })
    .await?;
    match outcome {
        Ok((location, message)) => {
            if send_invitations {
                state.mail_waker.wake();
            }
            Ok(redirect_with(
                &location,
                FlashKind::Success,
                &message,
                state.config.behind_https(),
            ))
        }
        Err((status, errors)) => {
            let refused = Refused {
                errors,
                ..Refused::default()
            };
            import_page::refuse_as(page, &state, refused, status).await
        }
    }
}
