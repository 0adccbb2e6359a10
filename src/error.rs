//! One error type for handlers.
//!
//! Use `AppError::BadRequest` only for a request no form could have produced
//! (a form with bad input is re-rendered with its errors instead);
//! `NotFound` for anything the user may not know exists — including what
//! they may not see, so a hidden record and a missing one look the same;
//! `Forbidden` for a page whose existence is no secret but is not theirs;
//! `Internal` for everything else, logged here and never shown.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

/// What went wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request cannot be served as sent; the message is shown to the user.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Signed in, but not allowed.
    #[error("forbidden")]
    Forbidden,
    /// Nothing here, or nothing this user may learn exists.
    #[error("not found")]
    NotFound,
    /// A fault on our side; the detail goes to the log only.
    #[error("internal error: {0}")]
    Internal(String),
    /// Not signed in (or the session ended): go to the sign-in page and
    /// come back to `next` afterwards.
    #[error("sign-in required")]
    SignInRequired {
        /// The page to return to.
        next: String,
        /// Why, when the session ended rather than never began.
        reason: Option<&'static str>,
    },
    /// Somewhere else must come first (finishing two-factor sign-in,
    /// enrolling in two-factor).
    #[error("redirect to {0}")]
    Redirect(String),
}

/// A message safe to show on the error page, carried from the handler to
/// the middleware that renders `error.html`.
#[derive(Debug, Clone)]
pub struct PublicMessage(pub String);

/// Marks an error response whose body must stay as the handler wrote it
/// (the health check's plain text for load balancers).
#[derive(Debug, Clone, Copy)]
pub struct KeepBody;

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::SignInRequired { .. } | Self::Redirect(_) => StatusCode::SEE_OTHER,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Internal(detail) => tracing::error!(%detail, "request failed"),
            Self::SignInRequired { next, reason } => {
                let location = format!(
                    "/sign-in?next={}",
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
                return match reason {
                    Some(reason) => crate::web::flash::redirect_with(
                        &location,
                        crate::web::flash::FlashKind::Warning,
                        reason,
                        false,
                    ),
                    None => HttpResponse::SeeOther()
                        .insert_header((actix_web::http::header::LOCATION, location))
                        .finish(),
                };
            }
            Self::Redirect(location) => {
                return HttpResponse::SeeOther()
                    .insert_header((actix_web::http::header::LOCATION, location.as_str()))
                    .finish();
            }
            _ => {}
        }
        let mut response = HttpResponse::new(self.status_code());
        if let Self::BadRequest(message) = self {
            response
                .extensions_mut()
                .insert(PublicMessage(message.clone()));
        }
        response
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(error: diesel::result::Error) -> Self {
        match error {
            diesel::result::Error::NotFound => Self::NotFound,
            other => Self::Internal(format!("database: {other}")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(error: diesel::r2d2::PoolError) -> Self {
        Self::Internal(format!("database pool: {error}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        Self::Internal(format!("blocking pool: {error}"))
    }
}

impl From<askama::Error> for AppError {
    fn from(error: askama::Error) -> Self {
        Self::Internal(format!("template: {error}"))
    }
}
