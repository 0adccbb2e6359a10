//! The data `_layout.html` needs on every page.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use super::flash::{self, Flash};
use crate::auth::csrf;
use crate::auth::session::Visitor;
use crate::state::AppState;
use crate::users::Role;

/// One link in the main navigation.
#[derive(Debug, Clone)]
pub struct NavItem {
    /// Where it goes.
    pub href: &'static str,
    /// What it says.
    pub label: &'static str,
    /// True on the page it leads to (`aria-current`).
    pub current: bool,
}

/// What the layout shows around every page's content.
#[derive(Debug, Clone)]
pub struct Page {
    /// The local's name, in the header and the title.
    pub local_name: String,
    /// The stylesheet URL with its version.
    pub stylesheet: String,
    /// The main navigation for this visitor.
    pub nav: Vec<NavItem>,
    /// A message left by the previous request.
    pub flash: Option<Flash>,
    /// The token every form on the page carries.
    pub csrf: String,
    /// The signed-in user's name, for the header.
    pub user_name: Option<String>,
    /// The local's zone, in which every time on the page is shown.
    pub timezone: chrono_tz::Tz,
}

fn nav_for(visitor: Option<&Visitor>) -> Vec<(&'static str, &'static str)> {
    let Some(user) = visitor.and_then(Visitor::user) else {
        return vec![("/", "Home"), ("/sign-in", "Sign in")];
    };
    let mut nav = vec![
        ("/", "Home"),
        ("/dues", "My dues"),
        ("/grievances", "Grievances"),
        ("/salary", "Salaries"),
        ("/elections", "Elections"),
    ];
    if user.can(Role::Steward) {
        nav.push(("/stewards/board", "Deadlines"));
    }
    if user.can(Role::ChiefSteward) {
        nav.push(("/stewards/reports", "Reports"));
    }
    nav.push(("/account", "Account"));
    if user.can(Role::Officer) {
        nav.extend([
            ("/officer/roster", "Roster"),
            ("/officer/units", "Units"),
            ("/officer/dues", "Dues"),
            ("/officer/imports", "Imports"),
            ("/officer/users", "Users"),
            ("/officer/audit", "Audit log"),
            ("/officer/outbox", "Outbox"),
        ]);
    }
    nav
}

impl Page {
    /// The layout for a request.
    pub fn for_request(req: &HttpRequest) -> Self {
        let state = req.app_data::<web::Data<AppState>>();
        let local_name = state
            .map(|state| state.config.local_name.clone())
            .unwrap_or_else(|| "unionhall".into());
        let timezone = state.map_or(chrono_tz::UTC, |state| state.config.timezone);
        let path = req.path();
        let extensions = req.extensions();
        let visitor = extensions.get::<Visitor>();
        let nav = nav_for(visitor)
            .into_iter()
            .map(|(href, label)| NavItem {
                href,
                label,
                current: path == href || (href != "/" && path.starts_with(href)),
            })
            .collect();
        let user_name = visitor
            .and_then(Visitor::user)
            .map(|u| u.display_name.clone());
        drop(extensions);
        Self {
            local_name,
            stylesheet: super::assets::stylesheet_href(),
            nav,
            flash: flash::take(req),
            csrf: csrf::token(req),
            user_name,
            timezone,
        }
    }

    /// A stored moment as the local reads it, naming the zone.
    pub fn at(&self, at: &chrono::NaiveDateTime) -> String {
        crate::clock::local_moment(self.timezone, *at)
    }

    /// The same to the second.
    pub fn at_exact(&self, at: &chrono::NaiveDateTime) -> String {
        crate::clock::local_moment_exact(self.timezone, *at)
    }
}

impl FromRequest for Page {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self::for_request(req)))
    }
}
