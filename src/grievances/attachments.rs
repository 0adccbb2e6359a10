//! Evidence on a case: uploaded through a size- and type-checked form,
//! stored under `DATA_DIR/attachments/` (never served as static files), and
//! downloadable only by those who may see the case.

use std::io::Write;
use std::path::{Path, PathBuf};

use actix_multipart::Multipart;
use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use super::access;
use super::pages::case_page::{Typed, refuse_voided};
use super::pages::{case_page, human_size};
use super::store::attachments::{self as stored, NewAttachment};
use crate::auth::CurrentUser;
use crate::auth::tokens::random_token;
use crate::context::Context;
use crate::db::write_tx;
use crate::error::AppError;
use crate::forms::{FieldErrors, FieldProblem};
use crate::state::AppState;
use crate::web::db;
use crate::web::flash::{FlashKind, redirect_with};
use crate::web::layout::Page;

/// The kinds of file accepted, by extension, with the type they are served as.
const KINDS: [(&str, &str); 10] = [
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("txt", "text/plain; charset=utf-8"),
    ("csv", "text/csv; charset=utf-8"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("odt", "application/vnd.oasis.opendocument.text"),
];

/// The accepted kinds, as the form's hint lists them.
pub const ACCEPTED: &str =
    "PDF, PNG, JPEG, GIF, text, CSV, Word (.docx), Excel (.xlsx) or OpenDocument (.odt)";

/// Why an upload was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentProblem {
    /// The multipart body was malformed.
    #[error("The upload could not be read; try again.")]
    Unreadable,
    /// The body ended early.
    #[error("The upload was cut off; try again.")]
    CutOff,
    /// Over the configured size.
    #[error("The file is larger than the limit of {limit}.")]
    TooLarge {
        /// The limit, for reading.
        limit: String,
    },
    /// No file, or an empty one.
    #[error("Choose a file to attach; none was sent, or it was empty.")]
    Missing,
    /// An extension this does not accept.
    #[error("\"{name}\" is not a kind of file this accepts: use {ACCEPTED}.")]
    UnknownKind {
        /// The file's name.
        name: String,
    },
    /// Content that does not match the extension.
    #[error("\"{name}\" does not hold what its name says (a .{extension} file); it was not saved.")]
    NotWhatItSays {
        /// The file's name.
        name: String,
        /// Its extension.
        extension: String,
    },
}

impl FieldProblem for AttachmentProblem {
    fn field(&self) -> &'static str {
        "file"
    }
}

/// The served type for a file, or why it is refused. The content must
/// match the extension, so a renamed program is not let in as a PDF.
pub fn check_kind(file_name: &str, content: &[u8]) -> Result<&'static str, AttachmentProblem> {
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    let Some((_, content_type)) = KINDS.iter().find(|(ext, _)| *ext == extension) else {
        return Err(AttachmentProblem::UnknownKind {
            name: file_name.to_owned(),
        });
    };
    let matches = match extension.as_str() {
        "pdf" => content.starts_with(b"%PDF-"),
        "png" => content.starts_with(b"\x89PNG\r\n\x1a\n"),
        "jpg" | "jpeg" => content.starts_with(&[0xFF, 0xD8, 0xFF]),
        "gif" => content.starts_with(b"GIF87a") || content.starts_with(b"GIF89a"),
        "txt" | "csv" => std::str::from_utf8(content).is_ok() && !content.contains(&0),
        _ => content.starts_with(b"PK\x03\x04"),
    };
    if !matches {
        return Err(AttachmentProblem::NotWhatItSays {
            name: file_name.to_owned(),
            extension,
        });
    }
    Ok(content_type)
}

/// A name safe to put in a header and show: no path, no quotes or controls.
fn clean_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';'))
        .take(150)
        .collect();
    if cleaned.trim().is_empty() {
        "attachment".into()
    } else {
        cleaned.trim().to_owned()
    }
}

/// Where the files are kept.
pub fn folder(data_dir: &Path) -> PathBuf {
    data_dir.join("attachments")
}

/// Writes the file durably under a random name; the database row follows.
fn store_file(data_dir: &Path, content: &[u8]) -> std::io::Result<String> {
    let dir = folder(data_dir);
    // Evidence is for those who may see the case, not every account on the machine.
    crate::files::private_dir(data_dir)?;
    crate::files::private_dir(&dir)?;
    let key = random_token();
    let partial = dir.join(format!("{key}.partial"));
    let mut file = crate::files::create_new_private(&partial)?;
    file.write_all(content)?;
    file.sync_all()?;
    std::fs::rename(&partial, dir.join(&key))?;
    Ok(key)
}

async fn read_file(
    mut payload: Multipart,
    limit: usize,
) -> Result<(String, Vec<u8>), AttachmentProblem> {
    let mut found = None;
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|_| AttachmentProblem::Unreadable)?;
        let is_file = field.name() == Some("file");
        let file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(clean_name)
            .unwrap_or_default();
        let mut data = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| AttachmentProblem::CutOff)?;
            if data.len() + chunk.len() > limit {
                return Err(AttachmentProblem::TooLarge {
                    limit: human_size(i64::try_from(limit).unwrap_or(i64::MAX)),
                });
            }
            data.extend_from_slice(&chunk);
        }
        if is_file {
            found = Some((file_name, data));
        }
    }
    match found {
        Some((name, data)) if !name.is_empty() && !data.is_empty() => Ok((name, data)),
        _ => Err(AttachmentProblem::Missing),
    }
}

/// `POST /grievances/{id}/attachments` (multipart).
pub async fn upload(
    req: HttpRequest,
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let user = current.user.clone();
    let (row, _) = db(&state, move |conn| access(conn, &user, id)).await?;
    if let Some(voided) = row.voided() {
        return refuse_voided(page, &current, &state, id, &voided).await;
    }
    let checked = read_file(payload, state.config.max_attachment_bytes)
        .await
        .and_then(|(name, data)| {
            let kind = check_kind(&name, &data)?;
            Ok((name, data, kind))
        });
    let (file_name, content, content_type) = match checked {
        Ok(checked) => checked,
        Err(problem) => {
            let mut errors = FieldErrors::new();
            errors.add_problem(&problem);
            return case_page(page, &current, &state, id, Typed::default(), errors).await;
        }
    };
    let data_dir = state.config.data_dir.clone();
    let bytes = content.clone();
    let key = web::block(move || store_file(&data_dir, &bytes))
        .await?
        .map_err(|e| AppError::Internal(format!("attachment: {e}")))?;
    let sha = hex::encode(Sha256::digest(&content));
    let size = i64::try_from(content.len()).unwrap_or(i64::MAX);
    let ctx = Context::new(&state.config, current.actor(&req));
    let record = NewAttachment {
        file_name: file_name.clone(),
        content_type,
        size_bytes: size,
        storage_key: key.clone(),
        sha256: sha,
    };
    let saved = db(&state, move |conn| {
        write_tx(conn, |conn| {
            if let Err(voided) = super::store::lock_for_change(conn, id)? {
                return Ok(Err(voided));
            }
            stored::add(conn, &ctx, id, &record)?;
            Ok::<_, AppError>(Ok(()))
        })
    })
    .await;
    if !matches!(saved, Ok(Ok(()))) {
        // The row never landed, so the file would be an orphan.
        let _ = std::fs::remove_file(folder(&state.config.data_dir).join(&key));
    }
    match saved {
        Ok(Ok(())) => {}
        Ok(Err(voided)) => return refuse_voided(page, &current, &state, id, &voided).await,
        Err(e) => return Err(e),
    }
    Ok(redirect_with(
        &format!("/grievances/{id}"),
        FlashKind::Success,
        &format!("Attached {file_name}."),
        state.config.behind_https(),
    ))
}

/// `GET /grievances/{id}/attachments/{attachment}`.
pub async fn download(
    current: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (id, attachment) = path.into_inner();
    let user = current.user.clone();
    let stored::StoredFile {
        file_name,
        content_type,
        storage_key: key,
    } = db(&state, move |conn| {
        access(conn, &user, id)?;
        Ok(stored::stored(conn, id, attachment)?)
    })
    .await?;
    let path = folder(&state.config.data_dir).join(&key);
    let content = web::block(move || std::fs::read(path))
        .await?
        .map_err(|e| AppError::Internal(format!("attachment {key}: {e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, content_type))
        .insert_header((
            CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"{}\"",
                file_name.replace(|c: char| !c.is_ascii(), "_")
            ),
        ))
        // Nothing in an uploaded file may run as this site's page.
        .insert_header(("Content-Security-Policy", "sandbox; default-src 'none'"))
        .body(content))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_must_match_the_extension() {
        assert_eq!(
            check_kind("a.pdf", b"%PDF-1.7 ...").unwrap(),
            "application/pdf"
        );
        assert!(check_kind("a.PDF", b"%PDF-1.4").is_ok());
        assert!(
            check_kind("evil.pdf", b"MZ\x90\x00")
                .unwrap_err()
                .to_string()
                .contains("does not hold")
        );
        assert!(
            check_kind("run.exe", b"MZ")
                .unwrap_err()
                .to_string()
                .contains("not a kind of file")
        );
        assert!(check_kind("noext", b"hello").is_err());
        assert!(check_kind("notes.txt", b"bin\0ary").is_err());
    }

    #[test]
    fn names_lose_their_paths_and_quotes() {
        assert_eq!(
            clean_name("C:\\Users\\x\\memo \"final\".pdf"),
            "memo final.pdf"
        );
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("\n"), "attachment");
    }
}
