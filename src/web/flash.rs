//! One-time messages shown on the next page after a redirect ("Saved.").
//! Carried in a short-lived cookie; the layout escapes it like any text.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::header::LOCATION;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};

/// The cookie that carries a message to the next page.
pub const COOKIE: &str = "flash";

/// The tone of a flash message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlashKind {
    /// Something was done.
    Success,
    /// Something needs attention.
    Warning,
}

impl FlashKind {
    /// The CSS class suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Warning => "warning",
        }
    }
}

/// A message for the next page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    /// Its tone.
    pub kind: FlashKind,
    /// Its words.
    pub message: String,
}

/// Marks a request whose flash was shown, so the cookie is cleared.
#[derive(Debug, Clone, Copy)]
pub struct FlashShown;

/// A 303 redirect carrying a message for the page it leads to.
pub fn redirect_with(location: &str, kind: FlashKind, message: &str, secure: bool) -> HttpResponse {
    let value = format!(
        "{}:{}",
        kind.as_str(),
        url::form_urlencoded::byte_serialize(message.as_bytes()).collect::<String>()
    );
    let cookie = Cookie::build(COOKIE, value)
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::minutes(5))
        .finish();
    HttpResponse::SeeOther()
        .insert_header((LOCATION, location))
        .cookie(cookie)
        .finish()
}

/// Reads the pending message, if any, and notes that it will have been shown.
pub fn take(req: &HttpRequest) -> Option<Flash> {
    let cookie = req.cookie(COOKIE)?;
    let (kind, encoded) = cookie.value().split_once(':')?;
    let kind = match kind {
        "success" => FlashKind::Success,
        "warning" => FlashKind::Warning,
        _ => return None,
    };
    let message = url::form_urlencoded::parse(format!("m={encoded}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())?;
    req.extensions_mut().insert(FlashShown);
    Some(Flash { kind, message })
}

/// Expires the flash cookie on a response whose page showed it, unless the
/// response leaves a new message of its own.
pub fn clear_if_shown<B>(req: &HttpRequest, response: &mut HttpResponse<B>) {
    let shown = req.extensions().get::<FlashShown>().is_some();
    if shown && !response.cookies().any(|c| c.name() == COOKIE) {
        let mut gone = Cookie::build(COOKIE, "").path("/").finish();
        gone.make_removal();
        let _ = response.add_cookie(&gone);
    }
}
