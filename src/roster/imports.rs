//! Importing roster and check-off files from the browser: upload, a preview
//! of what would change (nothing written), then the officer's confirmation,
//! which writes the whole file in one transaction.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use futures_util::StreamExt;

use super::Preview;
use super::csv_import::{self, LineError};
use crate::auth::OfficerUser;
use crate::auth::tokens::{hash_token, random_token};
use crate::db::schema::{checkoff_imports as ci, pending_uploads as pu, units};
use crate::db::{DbConnection, write_tx};
use crate::dues::checkoff::{self, CheckedFile, Refusal};
use crate::error::AppError;
use crate::money::Cents;
use crate::state::AppState;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;
use crate::web::{db, render};

// Beyond the largest file of either kind; a bigger upload is refused
// while it streams in, before it is held in memory.
const UPLOAD_LIMIT: usize = checkoff::MAX_BYTES;
// An upload not confirmed within this time is dropped.
const PENDING_FOR: Duration = Duration::hours(1);

/// A past check-off import, for the imports page.
pub struct PastImport {
    unit: String,
    period_start: chrono::NaiveDate,
    period_end: chrono::NaiveDate,
    rows: i32,
    total: Cents,
    by: String,
    at: NaiveDateTime,
}

/// The imports page: both upload forms, and the problems with the last file.
#[derive(Template)]
#[template(path = "roster/imports.html")]
pub struct ImportsPage {
    page: Page,
    units: Vec<String>,
    chosen_unit: String,
    file_name: String,
    errors: Vec<LineError>,
    past: Vec<PastImport>,
}

async fn imports_page(
    page: Page,
    state: &web::Data<AppState>,
    chosen_unit: String,
    file_name: String,
    errors: Vec<LineError>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (units, past) = db(state, |conn| {
        let names: Vec<(i64, String)> = units::table
            .order(units::name.asc())
            .select((units::id, units::name))
            .load(conn)?;
        let rows: Vec<(
            i64,
            chrono::NaiveDate,
            chrono::NaiveDate,
            i32,
            i64,
            String,
            NaiveDateTime,
        )> = ci::table
            .order(ci::imported_at.desc())
            .limit(20)
            .select((
                ci::unit_id,
                ci::period_start,
                ci::period_end,
                ci::row_count,
                ci::total_cents,
                ci::imported_by_label,
                ci::imported_at,
            ))
            .load(conn)?;
        let past = rows
            .into_iter()
            .map(
                |(unit, period_start, period_end, rows, total, by, at)| PastImport {
                    unit: names
                        .iter()
                        .find(|(id, _)| *id == unit)
                        .map(|(_, n)| n.clone())
                        .unwrap_or_default(),
                    period_start,
                    period_end,
                    rows,
                    total: Cents(total),
                    by,
                    at,
                },
            )
            .collect();
        Ok((names.into_iter().map(|(_, n)| n).collect(), past))
    })
    .await?;
    render(
        status,
        &ImportsPage {
            page,
            units,
            chosen_unit,
            file_name,
            errors,
            past,
        },
    )
}

/// `GET /officer/imports`.
pub async fn index(
    page: Page,
    _officer: OfficerUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    imports_page(
        page,
        &state,
        String::new(),
        String::new(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// An upload read from a multipart form.
struct Upload {
    file_name: String,
    content: Vec<u8>,
    unit: String,
}

/// Reads the form, refusing a file over the limit as it arrives.
async fn read_upload(mut payload: Multipart) -> Result<Upload, String> {
    let mut upload = Upload {
        file_name: String::new(),
        content: Vec::new(),
        unit: String::new(),
    };
    let mut got_file = false;
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|_| "the upload could not be read; try again".to_owned())?;
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_owned);
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| "the upload was cut off; try again".to_owned())?;
            if data.len() + chunk.len() > UPLOAD_LIMIT {
                return Err(format!(
                    "the file is larger than {} MB; split it or check that it is the right file",
                    UPLOAD_LIMIT / 1_048_576
                ));
            }
            data.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "file" => {
                got_file = true;
                upload.file_name = file_name.unwrap_or_else(|| "upload.csv".into());
                upload.content = data;
            }
            "unit" => upload.unit = String::from_utf8_lossy(&data).trim().to_owned(),
            _ => {}
        }
    }
    if !got_file || upload.content.is_empty() {
        return Err("choose a file to upload; the one sent was empty".into());
    }
    Ok(upload)
}

fn store_pending(
    conn: &mut DbConnection,
    kind: &str,
    user_id: i64,
    upload: &Upload,
    now: NaiveDateTime,
) -> QueryResult<String> {
    diesel::delete(pu::table.filter(pu::created_at.lt(now - PENDING_FOR))).execute(conn)?;
    let token = random_token();
    diesel::insert_into(pu::table)
        .values((
            pu::token_hash.eq(hash_token(&token)),
            pu::kind.eq(kind),
            pu::user_id.eq(user_id),
            pu::unit_name.eq(&upload.unit),
            pu::file_name.eq(&upload.file_name),
            pu::content.eq(&upload.content),
            pu::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(token)
}

/// The roster preview.
#[derive(Template)]
#[template(path = "roster/roster_preview.html")]
pub struct RosterPreviewPage {
    page: Page,
    token: String,
    file_name: String,
    preview: Preview,
    counts: (usize, usize, usize),
}

/// `POST /officer/imports/roster` (multipart): checks the file, shows what would change.
pub async fn roster_upload(
    page: Page,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let upload = match read_upload(payload).await {
        Ok(upload) => upload,
        Err(message) => {
            return imports_page(
                page,
                &state,
                String::new(),
                String::new(),
                vec![LineError { line: 0, message }],
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let rows = match csv_import::parse(&upload.content) {
        Ok(rows) => rows,
        Err(errors) => {
            return imports_page(
                page,
                &state,
                String::new(),
                upload.file_name,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let now = state.config.clock.now();
    let user_id = officer.user.id;
    let (token, preview, file_name) = db(&state, move |conn| {
        let preview = super::preview(conn, rows)?;
        let token = write_tx(conn, |conn| {
            store_pending(conn, "roster", user_id, &upload, now)
        })?;
        Ok((token, preview, upload.file_name))
    })
    .await?;
    let counts = preview.counts();
    render(
        StatusCode::OK,
        &RosterPreviewPage {
            page,
            token,
            file_name,
            preview,
            counts,
        },
    )
}

/// The check-off preview.
#[derive(Template)]
#[template(path = "roster/checkoff_preview.html")]
pub struct CheckoffPreviewPage {
    page: Page,
    token: String,
    file_name: String,
    file: CheckedFile,
}

/// `POST /officer/imports/checkoff` (multipart, with the unit): checks every row.
pub async fn checkoff_upload(
    page: Page,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let upload = match read_upload(payload).await {
        Ok(upload) => upload,
        Err(message) => {
            return imports_page(
                page,
                &state,
                String::new(),
                String::new(),
                vec![LineError { line: 0, message }],
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let now = state.config.clock.now();
    let user_id = officer.user.id;
    let unit = upload.unit.clone();
    let outcome = db(&state, move |conn| {
        match checkoff::check(conn, &upload.unit, &upload.content)? {
            Ok(file) => {
                let token = write_tx(conn, |conn| {
                    store_pending(conn, "checkoff", user_id, &upload, now)
                })?;
                Ok(Ok((token, file, upload.file_name)))
            }
            Err(refusal) => Ok(Err((refusal, upload.file_name))),
        }
    })
    .await?;
    match outcome {
        Ok((token, file, file_name)) => render(
            StatusCode::OK,
            &CheckoffPreviewPage {
                page,
                token,
                file_name,
                file,
            },
        ),
        Err((refusal, file_name)) => {
            let errors = match refusal {
                Refusal::Lines(errors) => errors,
                other => vec![LineError {
                    line: 0,
                    message: other.to_string(),
                }],
            };
            imports_page(
                page,
                &state,
                unit,
                file_name,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// `POST /officer/imports/{token}/confirm`: writes the previewed file, all
/// of it or nothing, checking it again against the data as it is now.
pub async fn confirm(
    req: HttpRequest,
    page: Page,
    OfficerUser(officer): OfficerUser,
    state: web::Data<AppState>,
    token: web::Path<String>,
    form: web::Form<std::collections::HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let token_hash = hash_token(&token.into_inner());
    let send_invitations = form.get("invite").is_some_and(|v| v == "yes");
    let config = state.config.clone();
    let inviter = officer.user.display_name.clone();
    let now = state.config.clock.now();
    let actor = officer.actor(&req);
    let user_id = officer.user.id;
    let outcome: Result<(String, String), Vec<LineError>> = db(&state, move |conn| {
        write_tx(conn, |conn| {
            let pending: Option<(String, String, Vec<u8>, NaiveDateTime)> = pu::table
                .find(&token_hash)
                .filter(pu::user_id.eq(user_id))
                .select((pu::kind, pu::unit_name, pu::content, pu::created_at))
                .first(conn)
                .optional()?;
            let Some((kind, unit, content, created)) = pending else {
                return Ok(Err(vec![LineError { line: 0, message: "this preview is no longer available (already imported, or cancelled); upload the file again".into() }]));
            };
            diesel::delete(pu::table.find(&token_hash)).execute(conn)?;
            if created < now - PENDING_FOR {
                return Ok(Err(vec![LineError { line: 0, message: "this preview is more than an hour old; upload the file again".into() }]));
            }
            if kind == "roster" {
                let rows = match csv_import::parse(&content) {
                    Ok(rows) => rows,
                    Err(errors) => return Ok(Err(errors)),
                };
                let summary = super::commit(conn, rows, &actor, now)?;
                let mut invited = 0;
                if send_invitations {
                    for (row, change) in &summary.rows {
                        let (super::Change::New, Some(email)) = (change, &row.email) else { continue };
                        let name = format!("{} {}", row.first_name, row.last_name);
                        let invite = crate::users::Invite { email, name: &name, roles: &[crate::users::Role::Member], invited_by: &inviter };
                        if let Ok(user_id) = crate::users::invite(conn, &config, &invite, &actor, now)? {
                            let member_id: i64 = crate::db::schema::members::table
                                .filter(crate::db::schema::members::employee_number.eq(&row.employee_number))
                                .select(crate::db::schema::members::id)
                                .first(conn)?;
                            diesel::update(crate::db::schema::users::table.find(user_id))
                                .set(crate::db::schema::users::member_id.eq(member_id))
                                .execute(conn)?;
                            invited += 1;
                        }
                    }
                }
                let invitations = if send_invitations { format!(" {invited} invited by email.") } else { String::new() };
                Ok(Ok((
                    "/officer/roster".to_owned(),
                    format!("Roster imported: {} added, {} changed, {} unchanged.{invitations}", summary.added, summary.changed, summary.unchanged),
                )))
            } else {
                let file = match checkoff::check(conn, &unit, &content)? {
                    Ok(file) => file,
                    Err(Refusal::Lines(errors)) => return Ok(Err(errors)),
                    Err(other) => return Ok(Err(vec![LineError { line: 0, message: other.to_string() }])),
                };
                checkoff::commit(conn, &file, &actor, now)?;
                let unit_id: i64 = units::table.filter(units::name.eq(&unit)).select(units::id).first(conn)?;
                Ok(Ok((
                    format!("/officer/dues/reconciliation?unit={unit_id}&month={}", file.period_start.format("%Y-%m")),
                    format!("Check-off imported: {} deductions, {} in all.", file.rows.len(), file.total),
                )))
            }
        })
    })
    .await?;
    match outcome {
        Ok((location, message)) if send_invitations => {
            state.mail_waker.wake();
            Ok(redirect_with(
                &location,
                FlashKind::Success,
                &message,
                state.config.behind_https(),
            ))
        }
        Ok((location, message)) => Ok(redirect_with(
            &location,
            FlashKind::Success,
            &message,
            state.config.behind_https(),
        )),
        Err(errors) => {
            imports_page(
                page,
                &state,
                String::new(),
                String::new(),
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
