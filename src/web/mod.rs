//! What every page shares: the layout's data, flash messages, security
//! headers, error pages, static files, and the public pages.

pub mod assets;
pub mod csv;
pub mod error_pages;
pub mod flash;
pub mod headers;
pub mod home;
pub mod layout;
pub mod once;
pub mod pager;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;

use crate::error::AppError;

/// Renders a page with a status: how a form with errors is shown again.
pub fn render<T: askama::Template>(
    status: StatusCode,
    template: &T,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(template.render()?))
}

/// A 303 to `location`, the answer to a form that did what it asked.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, location))
        .finish()
}

/// Runs a database job on the blocking pool with a pooled connection.
pub async fn db<T, F>(
    state: &actix_web::web::Data<crate::state::AppState>,
    job: F,
) -> Result<T, AppError>
where
    F: FnOnce(&mut crate::db::DbConnection) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let pool = state.pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get()?;
        job(&mut conn)
    })
    .await?
}

/// Whether a drop-down's option is the value kept from the form: they may
/// be of different types (an id and the text typed), so they compare as
/// they are shown.
pub fn is_selected(option: impl std::fmt::Display, value: impl std::fmt::Display) -> bool {
    format!("{option}") == format!("{value}")
}

/// A `next` parameter made safe: only a path on this site, else the start page.
pub fn safe_next(next: &str) -> String {
    // Browsers drop tabs and newlines inside a URL and read `\` as `/`, so
    // either could turn `/x/y` into `//evil.example`; neither has any place
    // in a path of ours.
    let odd = next.chars().any(|c| c.is_control() || c == '\\');
    if next.starts_with('/') && !next.starts_with("//") && !odd {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/account/sessions?x=1"), "/account/sessions?x=1");
        for outside in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "https://evil.example",
            "evil",
            "",
        ] {
            assert_eq!(safe_next(outside), "/", "{outside:?}");
        }
    }
}

#[cfg(test)]
mod macros_test;
