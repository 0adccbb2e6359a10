//! The stylesheet and the ballot code, compiled into the binary so a
//! release build is one file.

use std::sync::LazyLock;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use actix_web::{HttpRequest, HttpResponse, web};
use sha2::{Digest, Sha256};

use crate::error::AppError;

const STYLESHEET: &str = include_str!("../../static/app.css");

// A content hash in the URL lets browsers keep the file for a year and still
// fetch the new one the moment it changes.
static STYLESHEET_VERSION: LazyLock<String> =
    LazyLock::new(|| hex::encode(&Sha256::digest(STYLESHEET.as_bytes())[..8]));

/// The browser code for ballots and trustees (built from web/booth).
const BOOTH: &str = include_str!("../../static/booth.js");

static BOOTH_HASH: LazyLock<String> =
    LazyLock::new(|| hex::encode(Sha256::digest(BOOTH.as_bytes())));

/// The SHA-256 of the ballot code as served, for the election page to show:
/// anyone can check the script their browser runs is the one published.
pub fn booth_hash() -> &'static str {
    BOOTH_HASH.as_str()
}

/// The ballot code's URL, with its version.
pub fn booth_src() -> String {
    format!("/static/booth.js?v={}", &BOOTH_HASH[..16])
}

/// The stylesheet's URL, with its version.
pub fn stylesheet_href() -> String {
    format!("/static/app.css?v={}", *STYLESHEET_VERSION)
}

/// `GET /static/{name}`.
pub async fn serve(req: HttpRequest, name: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (body, kind, version) = match name.as_str() {
        "app.css" => (
            STYLESHEET,
            "text/css; charset=utf-8",
            STYLESHEET_VERSION.as_str(),
        ),
        "booth.js" => (BOOTH, "text/javascript; charset=utf-8", &BOOTH_HASH[..16]),
        _ => return Err(AppError::NotFound),
    };
    let etag = format!("\"{version}\"");
    let cache = (CACHE_CONTROL, "public, max-age=31536000, immutable");
    let matches = req
        .headers()
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag);
    if matches {
        return Ok(HttpResponse::NotModified()
            .insert_header(cache)
            .insert_header((ETAG, etag))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, kind))
        .insert_header(cache)
        .insert_header((ETAG, etag))
        .body(body))
}
