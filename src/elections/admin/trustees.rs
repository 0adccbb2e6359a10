//! Naming an election's trustees: the people whose devices make its key
//! and decrypt its sums. Named on the draft, by the email of their account,
//! in the order that numbers them, with how many of them decrypt.

use actix_web::{HttpRequest, HttpResponse, web};
use diesel::prelude::*;
use serde::Deserialize;

use super::{SentBack, run_act, send_back};
use crate::auth::OfficerUser;
use crate::db::schema::users;
use crate::elections::store::trustees::{self, NamingRefusal};
use crate::error::AppError;
use crate::forms::FieldProblem;
use crate::state::AppState;
use crate::web::layout::Page;

#[derive(Debug, Deserialize)]
pub struct TrusteesForm {
    #[serde(default)]
    trustees: String,
    #[serde(default)]
    threshold: String,
}

/// Why the trustees form came back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum Problem {
    #[error("No account has the email {0}. Trustees sign in to take part: invite them first.")]
    Unknown(String),
    #[error("{0}")]
    Naming(NamingRefusal),
    #[error("Give how many trustees decrypt as a whole number, such as 2.")]
    Threshold,
}

impl FieldProblem for Problem {
    fn field(&self) -> &'static str {
        match self {
            Problem::Threshold | Problem::Naming(NamingRefusal::Threshold) => "threshold",
            _ => "trustees",
        }
    }
}

/// `POST /officer/elections/{id}/trustees`.
pub async fn name(
    req: HttpRequest,
    page: Page,
    officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<TrusteesForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let form = form.into_inner();
    let typed = SentBack {
        trustees: form.trustees.clone(),
        threshold: form.threshold.clone(),
        ..SentBack::default()
    };
    let emails: Vec<String> = form
        .trustees
        .split(['\n', ',', ';'])
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty())
        .collect();
    let Ok(threshold) = form.threshold.trim().parse::<usize>() else {
        return send_back(page, &state, id, typed, &Problem::Threshold).await;
    };
    let outcome = run_act(
        &req,
        &officer,
        &state,
        id,
        "election_trustees",
        move |conn, _ctx| {
            let mut people = Vec::with_capacity(emails.len());
            for email in &emails {
                let found: Option<i64> = users::table
                    .filter(users::email.eq(email))
                    .filter(users::active.eq(true))
                    .select(users::id)
                    .first(conn)
                    .optional()?;
                match found {
                    Some(user) => people.push(user),
                    None => return Ok(Err(Problem::Unknown(email.clone()))),
                }
            }
            Ok(trustees::name(conn, id, &people, threshold)?
                .map(|()| {
                    format!(
                        "{} trustees named; any {threshold} of them decrypt the result.",
                        people.len()
                    )
                })
                .map_err(Problem::Naming))
        },
    )
    .await?;
    match outcome {
        Ok(done) => Ok(super::back(&state, id, Ok(done))),
        Err(problem) => send_back(page, &state, id, typed, &problem).await,
    }
}
