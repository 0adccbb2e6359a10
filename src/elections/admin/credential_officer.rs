//! Naming a vote's credential officer on the draft: the person who makes
//! the members' voting credentials off the server. Blank takes it back to
//! a vote without credentials.

use actix_web::{HttpRequest, HttpResponse, web};
use diesel::prelude::*;
use serde::Deserialize;

use super::{SentBack, run_act, send_back};
use crate::auth::OfficerUser;
use crate::db::schema::users;
use crate::elections::store::credentials::{self, CredentialRefusal};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::layout::Page;

#[derive(Debug, Deserialize)]
pub struct CredentialOfficerForm {
    #[serde(default)]
    credential_officer: String,
}

/// `POST /officer/elections/{id}/credential-officer`.
pub async fn name(
    req: HttpRequest,
    page: Page,
    officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<CredentialOfficerForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let email = form.into_inner().credential_officer.trim().to_lowercase();
    let typed = SentBack {
        credential_officer: email.clone(),
        ..SentBack::default()
    };
    let outcome = run_act(
        &req,
        &officer,
        &state,
        id,
        "election_credential_officer",
        move |conn, _ctx| {
            let user = if email.is_empty() {
                None
            } else {
                let found: Option<i64> = users::table
                    .filter(users::email.eq(&email))
                    .filter(users::active.eq(true))
                    .select(users::id)
                    .first(conn)
                    .optional()?;
                match found {
                    Some(user) => Some(user),
                    None => return Ok(Err(CredentialRefusal::NoAccount)),
                }
            };
            Ok(credentials::name_officer(conn, id, user)?.map(|()| match user {
                Some(_) => format!("{email} is the vote's credential officer: once the vote is published they make one credential per member on the roll."),
                None => "The vote has no credential officer: ballots will carry no credential.".to_owned(),
            }))
        },
    )
    .await?;
    match outcome {
        Ok(done) => Ok(super::back(&state, id, Ok(done))),
        Err(problem) => send_back(page, &state, id, typed, &problem).await,
    }
}
