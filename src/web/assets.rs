//! The stylesheet, compiled into the binary so a release build is one file.

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

/// The stylesheet's URL, with its version.
pub fn stylesheet_href() -> String {
    format!("/static/app.css?v={}", *STYLESHEET_VERSION)
}

/// `GET /static/{name}`.
pub async fn serve(req: HttpRequest, name: web::Path<String>) -> Result<HttpResponse, AppError> {
    if name.as_str() != "app.css" {
        return Err(AppError::NotFound);
    }
    let etag = format!("\"{}\"", *STYLESHEET_VERSION);
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
        .insert_header((CONTENT_TYPE, "text/css; charset=utf-8"))
        .insert_header(cache)
        .insert_header((ETAG, etag))
        .body(STYLESHEET))
}
