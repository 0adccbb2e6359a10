//! The deadline board: open cases by their next deadline, overdue and due
//! within 7 days first. A steward sees the cases they carry; chief stewards
//! and officers see every case, assigned or not.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Duration;
use serde::Deserialize;

use super::pages::{CaseLine, Urgency, lines_for};
use super::store::reads;
use crate::auth::StewardUser;
use crate::error::AppError;
use crate::state::AppState;
use crate::users::Role;
use crate::web::layout::Page;
use crate::web::pager::{self, Pager};
use crate::web::{db, render};

/// Cases a page of the board shows.
const PER_PAGE: i64 = 50;

/// One of the board's three parts: its heading, how many cases it holds in
/// all, the ones on this page, and where its first case is when none is.
pub struct Part {
    pub heading: &'static str,
    pub id: &'static str,
    pub total: i64,
    pub lines: Vec<CaseLine>,
    pub empty_text: &'static str,
    /// The page its first case is on, when it has cases but none here.
    pub elsewhere: Option<(i64, String)>,
}

/// `/stewards/board`.
#[derive(Template)]
#[template(path = "grievances/board.html")]
pub struct BoardPage {
    page: Page,
    parts: Vec<Part>,
    everyone: bool,
    today: String,
    pager: Pager,
}

/// Which page of the board.
#[derive(Debug, Default, Deserialize)]
pub struct BoardQuery {
    #[serde(default)]
    page: String,
}

/// `GET /stewards/board`: the open cases by next deadline, a page at a
/// time, each page's cases under the part they fall in, with every part's
/// count.
pub async fn board(
    page: Page,
    StewardUser(current): StewardUser,
    state: web::Data<AppState>,
    query: web::Query<BoardQuery>,
) -> Result<HttpResponse, AppError> {
    let everyone = current.user.can(Role::ChiefSteward);
    let user_id = current.user.id;
    let today = state.config.today();
    let page_number = pager::page_number(&query.page);
    let steward = (!everyone).then_some(user_id);
    let (lines, counts, pager) = db(&state, move |conn| {
        let counts = reads::open_counts(conn, steward, today, today + Duration::days(7))?;
        let total = counts.0 + counts.1 + counts.2;
        let pager = Pager::new("/stewards/board", &[], page_number, PER_PAGE, total);
        let rows = reads::open_by_deadline(conn, steward, pager.offset(), pager.limit())?;
        Ok((lines_for(conn, rows, today)?, counts, pager))
    })
    .await?;
    let mut parts = vec![
        Part {
            heading: "Overdue",
            id: "overdue",
            total: counts.0,
            lines: Vec::new(),
            empty_text: "Nothing is overdue.",
            elsewhere: None,
        },
        Part {
            heading: "Due within 7 days",
            id: "soon",
            total: counts.1,
            lines: Vec::new(),
            empty_text: "Nothing is due in the next 7 days.",
            elsewhere: None,
        },
        Part {
            heading: "Later, or no deadline",
            id: "later",
            total: counts.2,
            lines: Vec::new(),
            empty_text: "Nothing else is open.",
            elsewhere: None,
        },
    ];
    for line in lines {
        let part = match line.urgency {
            Urgency::Overdue => 0,
            Urgency::Soon => 1,
            Urgency::Later => 2,
        };
        parts[part].lines.push(line);
    }
    // Where each part starts in the whole list, for a part that has cases
    // on other pages only.
    let mut start = 0;
    for part in &mut parts {
        if part.total > 0 && part.lines.is_empty() {
            let on = start / PER_PAGE + 1;
            part.elsewhere = Some((on, format!("{}#{}", pager.link(on), part.id)));
        }
        start += part.total;
    }
    render(
        StatusCode::OK,
        &BoardPage {
            page,
            parts,
            everyone,
            today: crate::clock::long_date(today),
            pager,
        },
    )
}
