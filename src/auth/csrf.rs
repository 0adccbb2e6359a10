//! Cross-site request forgery protection for every state-changing request.
//!
//! A random seed lives in an HttpOnly cookie; each form carries
//! HMAC(secret key, seed and session). A forged form from another site
//! cannot read the cookie and so cannot compute the token. The check runs
//! in middleware on every POST, so no handler can forget it; multipart
//! forms carry the token in their action URL's query instead of the body.

use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes, BytesMut};
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::session::Visitor;
use super::tokens::{hash_token, random_token};
use crate::error::PublicMessage;
use crate::forms::{limits, text};
use crate::state::AppState;

const COOKIE: &str = "uh_csrf";
/// The form field (or query parameter) that carries the token.
pub const FIELD: &str = "csrf_token";
// What a refused form is told: almost always a page left open across a
// sign-in, a sign-out or a restart, rarely another site's forgery.
const FORM_EXPIRED: &str = "This form has expired or did not come from this site, so nothing was done. Go back, reload the page and send it again.";
// The one request that changes nothing without a session.
const SIGN_OUT: &str = "/sign-out";

/// The token forms on this page must carry.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

// The seed this request's tokens are made from.
#[derive(Debug, Clone)]
struct Seed(String);

fn token_for(secret: &[u8], seed: &str, session_hash: Option<&str>) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(b"csrf\0");
    mac.update(seed.as_bytes());
    mac.update(b"\0");
    mac.update(session_hash.unwrap_or("").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The token for forms on a page answered under a session just given a
/// new id (`session_token`, its cookie value), so they work after it.
pub fn token_for_new_session(req: &HttpRequest, secret: &[u8], session_token: &str) -> String {
    let seed = req.extensions().get::<Seed>().map(|s| s.0.clone());
    seed.map(|seed| token_for(secret, &seed, Some(&hash_token(session_token))))
        .unwrap_or_default()
}

/// The current page's token, for templates.
pub fn token(req: &HttpRequest) -> String {
    req.extensions()
        .get::<CsrfToken>()
        .map(|t| t.0.clone())
        .unwrap_or_default()
}

fn find_field(encoded: &[u8]) -> Option<String> {
    url::form_urlencoded::parse(encoded)
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v.into_owned())
}

/// Gives every visitor a seed and refuses a state-changing request whose
/// token is missing or wrong with the 403 page, before any handler runs.
pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let existing = req
        .cookie(COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 64);
    let seed = existing.clone().unwrap_or_else(random_token);
    let session_hash = req
        .extensions()
        .get::<Visitor>()
        .and_then(|v| v.session_hash().map(str::to_owned));
    let expected = token_for(&state.config.secret_key, &seed, session_hash.as_deref());

    let limit = limits::for_request(&req);
    let mut body_read: Option<Bytes> = None;
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut presented = req.query_string().as_bytes().to_vec();
        let mut found = find_field(&presented);
        let is_form = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if found.is_none() && is_form {
            let mut body = BytesMut::new();
            let mut payload = req.take_payload();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk?;
                // Refused before it is read whole: no text within the
                // form's limits is this long.
                if body.len() + chunk.len() > limit.bytes {
                    let refused = limits::too_large(limit);
                    return Ok(req.into_response(refused).map_into_right_body());
                }
                body.extend_from_slice(&chunk);
            }
            let body: Bytes = body.freeze();
            presented = body.to_vec();
            found = find_field(&presented);
            req.set_payload(Payload::from(body.clone()));
            body_read = Some(body);
        }
        let valid = existing.is_some()
            && found.is_some_and(|token| bool::from(token.as_bytes().ct_eq(expected.as_bytes())));
        // Signing out with no live session ends nothing, so a forgery of it
        // gains nothing; it is the tab left open after the session ended,
        // whose token was made for that session, and it is answered as a
        // sign-out. Signing out of a live session still needs its token.
        let harmless = req.path() == SIGN_OUT && session_hash.is_none();
        if !valid && !harmless {
            tracing::warn!(
                path = req.path(),
                "refused a request without a valid CSRF token"
            );
            // A response, not an error, so the error-page middleware renders it.
            let mut refused = HttpResponse::Forbidden().finish();
            refused
                .extensions_mut()
                .insert(PublicMessage(FORM_EXPIRED.to_owned()));
            return Ok(req.into_response(refused).map_into_right_body());
        }
    }
    if !limit.checks_own_text {
        let found = text::control_in_form(req.query_string().as_bytes())
            .or_else(|| body_read.as_deref().and_then(text::control_in_form));
        if let Some((field, problem)) = found {
            let is_read = req.method() == Method::GET || req.method() == Method::HEAD;
            let refused = limits::control_refused(&field, &problem, is_read);
            return Ok(req.into_response(refused).map_into_right_body());
        }
    }

    req.extensions_mut().insert(CsrfToken(expected));
    req.extensions_mut().insert(Seed(seed.clone()));
    let mut response = next.call(req).await?.map_into_left_body();
    if existing.is_none() {
        let cookie = Cookie::build(COOKIE, seed)
            .path("/")
            .http_only(true)
            .secure(state.config.behind_https())
            .same_site(SameSite::Lax)
            .finish();
        let _ = response.response_mut().add_cookie(&cookie);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_depends_on_key_seed_and_session() {
        let a = token_for(b"key-one-key-one-key-one-key-one!", "seed", None);
        assert_eq!(a.len(), 64);
        assert_ne!(
            a,
            token_for(b"key-two-key-two-key-two-key-two!", "seed", None)
        );
        assert_ne!(
            a,
            token_for(b"key-one-key-one-key-one-key-one!", "seed2", None)
        );
        assert_ne!(
            a,
            token_for(b"key-one-key-one-key-one-key-one!", "seed", Some("s"))
        );
    }
}
