//! The case pages, one module per job: the lines of a case list, the case
//! file's view model, the case page itself, and its forms (acts and
//! extensions, notes, assignment and the continuing-violation mark, and
//! voiding a case filed in error).

pub mod acts;
pub mod assignment;
pub mod case_page;
pub mod lines;
pub mod notes;
pub mod view;
pub mod void;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

pub use acts::{extend, record_act};
pub use assignment::{assign, set_continuing};
pub use case_page::{case_page, show};
pub use lines::{CaseLine, Urgency, lines_for};
pub use notes::add_note;
pub use view::human_size;
pub use void::void;

use super::member_id_of;
use super::store::reads;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;
use crate::users::Role;
use crate::web::layout::Page;
use crate::web::{db, render};

/// `/grievances`: the cases one filed or is named on, and those one carries.
#[derive(Template)]
#[template(path = "grievances/list.html")]
pub struct ListPage {
    page: Page,
    mine: Vec<CaseLine>,
    carried: Vec<CaseLine>,
    is_steward: bool,
    is_chief: bool,
}

/// `GET /grievances`.
pub async fn list(
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let user_id = current.user.id;
    let today = state.config.today();
    let (mine, carried) = db(&state, move |conn| {
        let mine_rows = match member_id_of(conn, user_id)? {
            Some(member_id) => reads::naming(conn, member_id)?,
            None => Vec::new(),
        };
        let carried_rows = reads::carried_by(conn, user_id)?;
        Ok((
            lines_for(conn, mine_rows, today)?,
            lines_for(conn, carried_rows, today)?,
        ))
    })
    .await?;
    render(
        StatusCode::OK,
        &ListPage {
            page,
            mine,
            carried,
            is_steward: current.user.can(Role::Steward),
            is_chief: current.user.can(Role::ChiefSteward),
        },
    )
}
