//! Who may do what: passwords, sessions, CSRF, throttling, two-factor,
//! one-time links, and the extractors that put a role check in a handler's
//! signature.
//!
//! A handler that takes [`CurrentUser`] serves any signed-in user;
//! [`StewardUser`], [`ChiefStewardUser`] and [`OfficerUser`] add a role
//! check (each higher role passes the lower checks). An officer without
//! two-factor is sent to enrol before any page but the enrolment itself.

pub mod account;
pub mod cli;
pub mod csrf;
pub mod device;
pub mod invite;
pub mod password;
pub mod password_link;
pub mod reset;
pub mod session;
pub mod setup;
pub mod sign_in;
pub mod throttle;
pub mod tokens;
pub mod two_factor;

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use crate::audit::Actor;
use crate::error::AppError;
use crate::state::AppState;
use crate::users::{Role, User};
use session::{SessionRow, Visitor};

/// Pages an officer without two-factor may still reach: enrolling, and leaving.
const ENROLMENT_PATHS: [&str; 2] = ["/account/two-factor", "/sign-out"];

/// A fully signed-in, active user.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    /// Who.
    pub user: User,
    /// Their session.
    pub session: SessionRow,
}

impl CurrentUser {
    /// The actor for audit entries, with the request's address.
    pub fn actor(&self, req: &HttpRequest) -> Actor {
        Actor {
            user_id: Some(self.user.id),
            label: self.user.email.clone(),
            ip: client_ip(req),
        }
    }
}

/// The signed-in user, or why there is none (see the module docs).
pub fn current_user(req: &HttpRequest) -> Result<CurrentUser, AppError> {
    let visitor = req
        .extensions()
        .get::<Visitor>()
        .cloned()
        .unwrap_or(Visitor::Anonymous);
    let next = match req.uri().path_and_query() {
        Some(pq) if req.method() == actix_web::http::Method::GET => pq.as_str().to_owned(),
        _ => "/".to_owned(),
    };
    match visitor {
        Visitor::Anonymous => Err(AppError::SignInRequired { next, reason: None }),
        Visitor::Expired => Err(AppError::SignInRequired {
            next,
            reason: Some("Your session ended, so you have been signed out. Please sign in again."),
        }),
        Visitor::AwaitingSecondFactor { .. } => {
            Err(AppError::Redirect("/sign-in/two-factor".into()))
        }
        Visitor::SignedIn { user, session } => {
            if user.holds(Role::Officer)
                && !user.has_two_factor
                && !user.two_factor_exempt
                && !ENROLMENT_PATHS.iter().any(|p| req.path().starts_with(p))
            {
                return Err(AppError::Redirect("/account/two-factor".into()));
            }
            Ok(CurrentUser { user, session })
        }
    }
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(current_user(req))
    }
}

macro_rules! role_extractor {
    ($name:ident, $role:expr, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone)]
        pub struct $name(pub CurrentUser);

        impl FromRequest for $name {
            type Error = AppError;
            type Future = Ready<Result<Self, AppError>>;

            fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
                ready(current_user(req).and_then(|current| {
                    if current.user.can($role) {
                        Ok(Self(current))
                    } else {
                        Err(AppError::Forbidden)
                    }
                }))
            }
        }
    };
}

role_extractor!(
    StewardUser,
    Role::Steward,
    "A signed-in steward, chief steward or officer."
);
role_extractor!(
    ChiefStewardUser,
    Role::ChiefSteward,
    "A signed-in chief steward or officer."
);
role_extractor!(
    OfficerUser,
    Role::Officer,
    "A signed-in officer with two-factor on."
);

/// The client's address: the connection's peer, or the last address in
/// `X-Forwarded-For` (added by our proxy) when `TRUST_PROXY_HEADERS` says
/// there is one.
pub fn client_ip(req: &HttpRequest) -> String {
    let trust = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.config.trust_proxy_headers);
    // The rightmost entry is the one our proxy added; entries to its left
    // are whatever the client chose to send.
    if trust
        && let Some(ip) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|ip| !ip.is_empty())
    {
        return ip.to_owned();
    }
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The browser's self-description, shortened, for the sessions page.
pub fn user_agent(req: &HttpRequest) -> String {
    req.headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("unknown browser")
        .chars()
        .take(200)
        .collect()
}

/// An actor for someone not signed in.
pub fn anonymous_actor(req: &HttpRequest, label: &str) -> Actor {
    Actor {
        user_id: None,
        label: label.to_owned(),
        ip: client_ip(req),
    }
}
