//! How much each form may send, set per route rather than left at a
//! framework default.
//!
//! A form's text limits are in characters; its body cap in bytes is what
//! those characters can take at worst (four UTF-8 bytes each, each byte
//! sent as "%XX"), plus room for the short fields and tokens. So text
//! within its limits is never refused for its size: it reaches the form,
//! which keeps what was typed and says which field is too long. Only a body
//! that no text within the limits could make is refused unread, with a page
//! that says what the form takes.

use actix_web::dev::ServiceRequest;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::text::TextProblem;
use crate::error::PublicMessage;
use crate::grievances::filing;
use crate::grievances::pages::{acts, notes, void};

/// The bytes a form body needs for `chars` characters of text at worst.
pub const fn body_bytes(chars: usize) -> usize {
    chars * 12 + SHORT_FIELDS_BYTES
}

// Field names, the two tokens, dates, amounts and choices of any form.
const SHORT_FIELDS_BYTES: usize = 16 * 1024;

/// What one form may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormLimit {
    /// The largest body read.
    pub bytes: usize,
    /// What the form takes, for the page that refuses a larger body:
    /// "a note of up to 20,000 characters".
    pub takes: &'static str,
    /// Whether the form checks each of its texts for control characters
    /// itself (so it can show the field with what was typed); every other
    /// form has them refused for it before it runs.
    pub checks_own_text: bool,
}

/// A form of short fields only: names, dates, amounts, choices.
pub const SHORT: FormLimit = FormLimit {
    bytes: body_bytes(0) * 2,
    takes: "short fields such as names, dates and amounts",
    checks_own_text: false,
};

/// The forms that take more than short fields, by route pattern.
const LONG_FORMS: &[(&str, FormLimit)] = &[
    ("/grievances/new", filing::FORM_LIMIT),
    ("/grievances/{id}/notes", notes::FORM_LIMIT),
    ("/grievances/{id}/acts", acts::ACT_FORM_LIMIT),
    ("/grievances/{id}/extensions", acts::EXTENSION_FORM_LIMIT),
    ("/grievances/{id}/void", void::FORM_LIMIT),
    ("/officer/roster/new", crate::roster::edit::FORM_LIMIT),
    ("/officer/roster/{id}/edit", crate::roster::edit::FORM_LIMIT),
];

/// The limit of the form at route `pattern` (as the route table spells it).
pub fn for_pattern(pattern: Option<&str>) -> FormLimit {
    pattern
        .and_then(|p| LONG_FORMS.iter().find(|(route, _)| *route == p))
        .map_or(SHORT, |(_, limit)| *limit)
}

/// The limit of the form a request is sent to, found before routing.
pub fn for_request(req: &ServiceRequest) -> FormLimit {
    for_pattern(req.match_pattern().as_deref())
}

/// The page for a body over `limit`: what the form takes, that nothing was
/// read or saved, and what to do.
pub fn too_large(limit: FormLimit) -> HttpResponse {
    let mut response = HttpResponse::build(StatusCode::PAYLOAD_TOO_LARGE).finish();
    response.extensions_mut().insert(PublicMessage(format!(
        "This form takes {}, and what was sent is far longer, so it was not read and nothing was saved. Go back, shorten the text and send it again.",
        limit.takes
    )));
    response
}

/// The page for a form that is not checked field by field, when one of its
/// fields holds a control character: which field, and that nothing was saved.
pub fn control_refused(field: &str, problem: &TextProblem, is_read: bool) -> HttpResponse {
    let about = problem.about(&format!("the field \u{201c}{field}\u{201d}"));
    // A search or a link saves nothing, so it is not said to be unsaved.
    let (status, message) = if is_read {
        (
            StatusCode::BAD_REQUEST,
            format!("This address cannot be read: {about}. Remove it and try again."),
        )
    } else {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "Nothing was saved: {about}. Go back, remove it (retyping the text around it will do) and send the form again."
            ),
        )
    };
    let mut response = HttpResponse::build(status).finish();
    response.extensions_mut().insert(PublicMessage(message));
    response
}

/// The form extractor's settings for route `pattern`: the same cap as the
/// body check before it, and the same page when a body is over it.
pub fn form_config(pattern: &str) -> web::FormConfig {
    let limit = for_pattern(Some(pattern));
    web::FormConfig::default()
        .limit(limit.bytes)
        .error_handler(move |error, _req: &HttpRequest| {
            use actix_web::error::UrlencodedError;
            match error {
                UrlencodedError::Overflow { .. } => {
                    actix_web::error::InternalError::from_response(error, too_large(limit)).into()
                }
                other => other.into(),
            }
        })
}

/// The largest body any form may send.
pub fn largest() -> usize {
    LONG_FORMS
        .iter()
        .map(|(_, l)| l.bytes)
        .fold(SHORT.bytes, usize::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_long_form_is_a_route_that_takes_a_post() {
        for (pattern, _) in LONG_FORMS {
            let found = crate::app::ROUTES
                .iter()
                .find(|(route, _)| route == pattern)
                .unwrap_or_else(|| panic!("{pattern} is not a route"));
            assert!(found.1.contains(&"POST"), "{pattern} takes no form");
        }
    }

    #[test]
    fn text_within_its_limits_always_fits_the_body() {
        // 20,000 four-byte characters, each byte percent-encoded.
        let worst_note = "%F0%9F%98%80".repeat(20_000).len();
        assert!(worst_note < notes::FORM_LIMIT.bytes);
        assert_eq!(
            for_pattern(Some("/grievances/{id}/notes")),
            notes::FORM_LIMIT
        );
        assert_eq!(for_pattern(Some("/sign-in")), SHORT);
        assert_eq!(for_pattern(None), SHORT);
        assert!(largest() >= filing::FORM_LIMIT.bytes);
    }
}
