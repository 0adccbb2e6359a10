//! The deadline board: open cases by their next deadline, overdue and due
//! within 7 days first. A steward sees the cases they carry; chief stewards
//! and officers see every case, assigned or not.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::pages::{CaseLine, Urgency, lines_for};
use super::store::reads;
use crate::auth::StewardUser;
use crate::error::AppError;
use crate::state::AppState;
use crate::users::Role;
use crate::web::layout::Page;
use crate::web::{db, render};

/// `/stewards/board`.
#[derive(Template)]
#[template(path = "grievances/board.html")]
pub struct BoardPage {
    page: Page,
    overdue: Vec<CaseLine>,
    soon: Vec<CaseLine>,
    later: Vec<CaseLine>,
    everyone: bool,
    today: String,
}

/// `GET /stewards/board`.
pub async fn board(
    page: Page,
    StewardUser(current): StewardUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let everyone = current.user.can(Role::ChiefSteward);
    let user_id = current.user.id;
    let today = state.config.today();
    let lines = db(&state, move |conn| {
        let mut rows = reads::open(conn, (!everyone).then_some(user_id))?;
        // Cases without a deadline (waiting on an award) go last.
        rows.sort_by_key(|r| (r.due_on.is_none(), r.due_on, r.id));
        Ok(lines_for(conn, rows, today)?)
    })
    .await?;
    let (mut overdue, mut soon, mut later) = (Vec::new(), Vec::new(), Vec::new());
    for line in lines {
        match line.urgency {
            Urgency::Overdue => overdue.push(line),
            Urgency::Soon => soon.push(line),
            Urgency::Later => later.push(line),
        }
    }
    render(
        StatusCode::OK,
        &BoardPage {
            page,
            overdue,
            soon,
            later,
            everyone,
            today: crate::clock::long_date(today),
        },
    )
}
