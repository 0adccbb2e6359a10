//! A form takes effect once, however often it is sent. Every form carries a
//! fresh one-time key (the `csrf` template macro adds it); the first request
//! with a key claims it in the database before the handler runs, and its
//! answer is kept; a second request with the same key, even to another
//! server process, waits for the first to finish and gets the same answer
//! (the same redirect and message) without running the handler again.
//!
//! Only a redirect whose one cookie is the flash message is kept and given
//! back: a page, an error or a new session cookie is never stored (it may
//! hold a secret), so those answers release the key instead, and the
//! handlers behind them refuse a repeat by their own unique keys.

use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{CONTENT_TYPE, LOCATION, REFERER, SET_COOKIE};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes, BytesMut};
use actix_web::{HttpMessage, HttpResponse};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use futures_util::StreamExt;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::flash::{self, FlashKind};
use crate::db::schema::form_submissions as fs;
use crate::db::{DbConnection, DbPool, write_tx};
use crate::state::AppState;

/// The form field (or, for uploads, query parameter) that carries the key.
pub const FIELD: &str = "submission_key";

/// The browser's CSRF seed cookie: a key counts only from the browser whose
/// page it was rendered into.
const SEED_COOKIE: &str = "uh_csrf";

/// How long a second sending waits for the first to finish.
const WAIT_FOR_FIRST: Duration = Duration::from_secs(15);
const POLL_EVERY: Duration = Duration::from_millis(50);

/// A claim older than this whose answer was never recorded belongs to a
/// process that died mid-request: what it did cannot be known, so the key
/// is never run again.
const STALE_AFTER: chrono::Duration = chrono::Duration::seconds(60);

/// How long answers are kept for replay.
pub const KEEP_FOR: chrono::Duration = chrono::Duration::days(1);

crate::db::text_enum::text_enum! {
    /// Where a claimed key stands.
    pub enum SubmissionState {
        /// The first request is running.
        Pending = "pending",
        /// The first request answered; its answer is kept.
        Done = "done",
    }
}

/// A fresh key for one rendering of a form.
pub fn new_key() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn stored_id(seed: &str, key: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(b"once\0");
    hash.update(seed.as_bytes());
    hash.update(b"\0");
    hash.update(key.as_bytes());
    hex::encode(hash.finalize())
}

/// The answer kept for a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    status: u16,
    location: String,
    flash_cookie: Option<String>,
}

/// What claiming a key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Nobody had it: this request runs.
    Won,
    /// Another request has it and has not answered yet (since when).
    Running(NaiveDateTime),
    /// Another request ran and answered.
    Answered(Kept),
}

/// Claims `id` for this request, or says who has it.
pub fn claim(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> QueryResult<Claim> {
    let outcome = write_tx(conn, |conn| {
        let existing = fs::table
            .find(id)
            .select((
                fs::state,
                fs::status,
                fs::location,
                fs::flash_cookie,
                fs::created_at,
            ))
            .first::<(
                SubmissionState,
                Option<i32>,
                Option<String>,
                Option<String>,
                NaiveDateTime,
            )>(conn)
            .optional()?;
        match existing {
            Some((SubmissionState::Done, status, location, flash_cookie, _)) => {
                Ok(Claim::Answered(Kept {
                    status: status.and_then(|s| u16::try_from(s).ok()).unwrap_or(303),
                    location: location.unwrap_or_else(|| "/".to_owned()),
                    flash_cookie,
                }))
            }
            Some((SubmissionState::Pending, _, _, _, since)) => Ok(Claim::Running(since)),
            None => {
                diesel::insert_into(fs::table)
                    .values((
                        fs::id.eq(id),
                        fs::state.eq(SubmissionState::Pending),
                        fs::created_at.eq(now),
                    ))
                    .execute(conn)?;
                Ok(Claim::Won)
            }
        }
    });
    match outcome {
        // PostgreSQL: another process inserted the same key between our
        // read and our insert; it is running.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(Claim::Running(now)),
        other => other,
    }
}

/// Keeps the answer for `id`.
pub fn answer(conn: &mut DbConnection, id: &str, kept: &Kept) -> QueryResult<()> {
    diesel::update(fs::table.find(id))
        .set((
            fs::state.eq(SubmissionState::Done),
            fs::status.eq(i32::from(kept.status)),
            fs::location.eq(&kept.location),
            fs::flash_cookie.eq(&kept.flash_cookie),
        ))
        .execute(conn)
        .map(drop)
}

/// Lets `id` go: the answer is not one to give back, so a second sending
/// runs as the first did.
pub fn release(conn: &mut DbConnection, id: &str) -> QueryResult<()> {
    diesel::delete(
        fs::table
            .find(id)
            .filter(fs::state.eq(SubmissionState::Pending)),
    )
    .execute(conn)
    .map(drop)
}

/// Forgets answers claimed before `before`; the clock job calls it.
pub fn purge(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(fs::table.filter(fs::created_at.lt(before))).execute(conn)
}

/// The answer to keep from a response, when it is one that may be given
/// back: a redirect that sets no cookie but the flash message.
fn keepable<B>(response: &HttpResponse<B>) -> Option<Kept> {
    if !response.status().is_redirection() {
        return None;
    }
    let location = response.headers().get(LOCATION)?.to_str().ok()?.to_owned();
    let mut flash_cookie = None;
    for value in response.headers().get_all(SET_COOKIE) {
        let value = value.to_str().ok()?;
        if value.starts_with(&format!("{}=", flash::COOKIE)) && flash_cookie.is_none() {
            flash_cookie = Some(value.to_owned());
        } else {
            return None;
        }
    }
    Some(Kept {
        status: response.status().as_u16(),
        location,
        flash_cookie,
    })
}

fn replay(kept: &Kept) -> HttpResponse {
    let status = StatusCode::from_u16(kept.status).unwrap_or(StatusCode::SEE_OTHER);
    let mut response = HttpResponse::build(status);
    response.insert_header((LOCATION, kept.location.as_str()));
    if let Some(cookie) = &kept.flash_cookie {
        response.append_header((SET_COOKIE, cookie.as_str()));
    }
    response.finish()
}

fn find_key(encoded: &[u8]) -> Option<String> {
    url::form_urlencoded::parse(encoded)
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

/// Reads the key from the query or the form body, leaving the body for the
/// handler.
async fn key_of(req: &mut ServiceRequest) -> Result<Option<String>, actix_web::Error> {
    if let Some(key) = find_key(req.query_string().as_bytes()) {
        return Ok(Some(key));
    }
    let is_form = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok(None);
    }
    // The CSRF check has refused a larger body already, with its page.
    let limit = crate::forms::limits::for_request(req).bytes;
    let mut body = BytesMut::new();
    let mut payload = req.take_payload();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk?;
        if body.len() + chunk.len() > limit {
            return Err(actix_web::error::ErrorPayloadTooLarge("form too large"));
        }
        body.extend_from_slice(&chunk);
    }
    let body: Bytes = body.freeze();
    let key = find_key(&body);
    req.set_payload(Payload::from(body));
    Ok(key)
}

async fn run_db<T, F>(pool: &DbPool, job: F) -> Result<T, actix_web::Error>
where
    F: FnOnce(&mut DbConnection) -> QueryResult<T> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    // The blocking pool's result must be Send; actix's error is built after.
    let outcome = web::block(move || -> Result<T, String> {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        job(&mut conn).map_err(|e| e.to_string())
    })
    .await?;
    outcome.map_err(actix_web::error::ErrorServiceUnavailable)
}

/// Where to send someone whose second sending cannot be answered: back to
/// the page they sent it from, on this site.
fn back(req: &ServiceRequest) -> String {
    let referer = req
        .headers()
        .get(REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok());
    let path = referer.map(|u| match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_owned(),
    });
    super::safe_next(path.as_deref().unwrap_or("/"))
}

/// Runs a state-changing request once per submission key.
pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::GET || req.method() == Method::HEAD {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let Some(seed) = req.cookie(SEED_COOKIE).map(|c| c.value().to_owned()) else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let Some(key) = key_of(&mut req).await? else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let id = stored_id(&seed, &key);
    let secure = state.config.behind_https();
    let started = tokio::time::Instant::now();
    loop {
        let now = state.config.clock.now();
        let claim_id = id.clone();
        match run_db(&state.pool, move |conn| claim(conn, &claim_id, now)).await? {
            Claim::Won => break,
            Claim::Answered(kept) => {
                return Ok(req.into_response(replay(&kept)).map_into_right_body());
            }
            Claim::Running(since) => {
                let message = if now - since > STALE_AFTER {
                    Some(
                        "This form was sent before, and the server could not confirm that it \
                         finished. Check this page before sending it again.",
                    )
                } else if started.elapsed() > WAIT_FOR_FIRST {
                    Some(
                        "This form is still being worked on from when you first sent it. \
                         Check this page in a moment before sending it again.",
                    )
                } else {
                    None
                };
                if let Some(message) = message {
                    let answer =
                        flash::redirect_with(&back(&req), FlashKind::Warning, message, secure);
                    return Ok(req.into_response(answer).map_into_right_body());
                }
                tokio::time::sleep(POLL_EVERY).await;
            }
        }
    }
    let outcome = next.call(req).await;
    let kept = outcome
        .as_ref()
        .ok()
        .and_then(|response| keepable(response.response()));
    let done_id = id.clone();
    let recorded = run_db(&state.pool, move |conn| match &kept {
        Some(kept) => answer(conn, &done_id, kept),
        None => release(conn, &done_id),
    })
    .await;
    if let Err(e) = recorded {
        // The act stands either way; a later sending of this key finds it
        // still claimed and is told to check the page.
        tracing::warn!(error = %e, "cannot record a form's answer");
    }
    Ok(outcome?.map_into_left_body())
}

#[cfg(test)]
mod tests {
    use actix_web::cookie::Cookie;

    use super::*;

    #[test]
    fn keys_are_fresh_and_bound_to_the_browser() {
        assert_ne!(new_key(), new_key());
        assert_eq!(new_key().len(), 32);
        assert_ne!(stored_id("seed-a", "k"), stored_id("seed-b", "k"));
        assert_eq!(stored_id("seed-a", "k"), stored_id("seed-a", "k"));
    }

    #[test]
    fn only_a_redirect_with_nothing_but_its_message_is_kept() {
        let plain = flash::redirect_with("/x", FlashKind::Success, "Saved.", false);
        let kept = keepable(&plain).unwrap();
        assert_eq!(kept.location, "/x");
        assert_eq!(kept.status, 303);
        assert!(kept.flash_cookie.unwrap().starts_with("flash="));
        assert!(keepable(&HttpResponse::Ok().finish()).is_none());
        let mut with_session = flash::redirect_with("/", FlashKind::Success, "Hi.", false);
        with_session
            .add_cookie(&Cookie::new("uh_session", "secret"))
            .unwrap();
        assert!(keepable(&with_session).is_none(), "a session is never kept");
        let replayed = replay(&keepable(&plain).unwrap());
        assert_eq!(replayed.status(), StatusCode::SEE_OTHER);
        assert_eq!(replayed.headers().get(LOCATION).unwrap(), "/x");
        assert!(replayed.headers().get(SET_COOKIE).is_some());
    }
}
