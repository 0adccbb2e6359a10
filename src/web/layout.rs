//! The data `_layout.html` needs on every page.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use super::flash::{self, Flash};
use crate::app::AppState;

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
}

impl Page {
    /// The layout for a request, as seen by a visitor who is not signed in.
    pub fn for_request(req: &HttpRequest) -> Self {
        let local_name = req
            .app_data::<web::Data<AppState>>()
            .map(|state| state.config.local_name.clone())
            .unwrap_or_else(|| "unionhall".into());
        let path = req.path();
        let nav = [("/", "Home"), ("/sign-in", "Sign in")]
            .into_iter()
            .map(|(href, label)| NavItem {
                href,
                label,
                current: path == href,
            })
            .collect();
        Self {
            local_name,
            stylesheet: super::assets::stylesheet_href(),
            nav,
            flash: flash::take(req),
        }
    }
}

impl FromRequest for Page {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self::for_request(req)))
    }
}
