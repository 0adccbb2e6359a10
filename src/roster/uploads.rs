//! Uploads that wait between preview and confirmation: a file is read from
//! the browser once, kept in `pending_uploads` under a random token only its
//! uploader can redeem, and taken back exactly once when they confirm. The
//! roster and the check-off imports both go through here.

use actix_multipart::Multipart;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use futures_util::StreamExt;

use super::csv_import::LineError;
use crate::auth::tokens::{hash_token, random_token};
use crate::db::DbConnection;
use crate::db::schema::pending_uploads as pu;
use crate::dues::checkoff;
use crate::forms::text::{self, Limit};

// Beyond the largest file of either kind; a bigger upload is refused
// while it streams in, before it is held in memory.
const UPLOAD_LIMIT: usize = checkoff::MAX_BYTES;
// An upload not confirmed within this time is dropped.
const PENDING_FOR: Duration = Duration::hours(1);

crate::db::text_enum::text_enum! {
    /// What a waiting upload is, so its confirmation runs the right import.
    pub enum Kind {
        /// The employer's roster.
        Roster = "roster",
        /// An employer's check-off file for one unit.
        Checkoff = "checkoff",
    }
}

/// An upload read from a multipart form.
#[derive(Debug, Clone, Default)]
pub struct Upload {
    /// The name the browser gave the file.
    pub file_name: String,
    /// Its bytes.
    pub content: Vec<u8>,
    /// The unit chosen beside it (check-off files only).
    pub unit: String,
}

/// Reads the form, refusing a file over the limit as it arrives.
pub async fn read(mut payload: Multipart) -> Result<Upload, LineError> {
    let mut upload = Upload::default();
    let mut got_file = false;
    while let Some(field) = payload.next().await {
        let mut field =
            field.map_err(|_| LineError::whole("the upload could not be read; try again"))?;
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_owned);
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| LineError::whole("the upload was cut off; try again"))?;
            if data.len() + chunk.len() > UPLOAD_LIMIT {
                return Err(LineError::whole(format!(
                    "the file is larger than {} MB; split it or check that it is the right file",
                    UPLOAD_LIMIT / 1_048_576
                )));
            }
            data.extend_from_slice(&chunk);
        }
        let typed = match name.as_str() {
            "file" => file_name.as_deref().unwrap_or(""),
            "unit" => std::str::from_utf8(&data).unwrap_or(""),
            _ => "",
        };
        if let Err(problem) = text::check(typed, Limit::line(255)) {
            let (what, fix) = if name == "file" {
                ("the file's name", "rename the file and upload it again")
            } else {
                ("the unit", "choose the unit again")
            };
            return Err(LineError::whole(format!("{}; {fix}", problem.about(what))));
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
        return Err(LineError::whole(
            "choose a file to upload; the one sent was empty",
        ));
    }
    Ok(upload)
}

/// Keeps `upload` for `user_id` to confirm; returns the token that redeems
/// it. Uploads left unconfirmed past their hour are dropped on the way.
pub fn keep(
    conn: &mut DbConnection,
    kind: Kind,
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

/// An upload taken back for its confirmation.
#[derive(Debug, Clone)]
pub struct Pending {
    /// Which import it is for.
    pub kind: Kind,
    /// The unit chosen beside it.
    pub unit: String,
    /// The file's bytes.
    pub content: Vec<u8>,
}

/// Takes the upload `token` redeems for `user_id`, removing it so it is
/// confirmed at most once. Call inside the confirmation's write transaction.
pub fn take(
    conn: &mut DbConnection,
    token: &str,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Result<Pending, LineError>> {
    let token_hash = hash_token(token);
    let pending: Option<(Kind, String, Vec<u8>, NaiveDateTime)> = pu::table
        .find(&token_hash)
        .filter(pu::user_id.eq(user_id))
        .select((pu::kind, pu::unit_name, pu::content, pu::created_at))
        .first(conn)
        .optional()?;
    let Some((kind, unit, content, created)) = pending else {
        return Ok(Err(LineError::whole(
            "this preview is no longer available (already imported, or cancelled); upload the file again",
        )));
    };
    diesel::delete(pu::table.find(&token_hash)).execute(conn)?;
    if created < now - PENDING_FOR {
        return Ok(Err(LineError::whole(
            "this preview is more than an hour old; upload the file again",
        )));
    }
    Ok(Ok(Pending {
        kind,
        unit,
        content,
    }))
}
