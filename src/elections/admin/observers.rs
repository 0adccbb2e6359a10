//! Giving a person an observer link for one election: shown to the officer
//! once, kept only as its hash.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{Done, act};
use crate::auth::OfficerUser;
use crate::elections::store;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct ObserverForm {
    #[serde(default)]
    observer: String,
}

/// Why no link was made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum Refusal {
    #[error("Give the observer's name, for the record of who holds a link.")]
    NoName,
    #[error("An observer link is for a published election: a draft has no record yet.")]
    Draft,
}

/// `POST /officer/elections/{id}/observers`.
pub async fn create(
    req: HttpRequest,
    officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<ObserverForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let name = form.into_inner().observer.trim().to_owned();
    let config = state.config.clone();
    act(
        &req,
        &officer,
        &state,
        id,
        "election_observer",
        move |conn, ctx| {
            if name.is_empty() {
                return Ok(Err(Refusal::NoName));
            }
            if store::election(conn, id)?.status == crate::elections::states::Status::Draft {
                return Ok(Err(Refusal::Draft));
            }
            let token = store::observers::create(conn, id, &name, ctx.now)?;
            Ok(Ok(Done {
                record: format!("Observer link given to {name}"),
                flash: format!(
                    "Observer link for {name}, shown only now: {}",
                    config.link(&format!("/observe/{token}"))
                ),
            }))
        },
    )
    .await
}
