//! A member's paper ballot, recorded by an officer: counted like an online
//! one, and it stops the member voting online.

use actix_web::{HttpRequest, HttpResponse, web};
use diesel::Connection;

use super::{Done, Returned, admin_page, back, run_act};
use crate::auth::OfficerUser;
use crate::elections::ballot_form::BallotForm;
use crate::elections::states::Method;
use crate::elections::store::{self, Refusal};
use crate::error::AppError;
use crate::forms::{FieldErrors, FieldProblem};
use crate::state::AppState;
use crate::web::layout::Page;

/// Why a paper ballot was not recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaperRefusal {
    #[error("No one has employee number {0}.")]
    UnknownNumber(String),
    #[error("Not recorded: {0}.")]
    Cast(Refusal),
}

impl FieldProblem for PaperRefusal {
    fn field(&self) -> &'static str {
        match self {
            Self::UnknownNumber(_) | Self::Cast(Refusal::NotOnRoll | Refusal::AlreadyVoted) => {
                "employee_number"
            }
            // About the answers marked, or the election: above the form.
            Self::Cast(_) => "",
        }
    }
}

/// A paper ballot sent back to the officer's page: what was typed and
/// marked, and what is wrong with it.
#[derive(Debug, Clone, Default)]
pub struct PaperTyped {
    pub employee_number: String,
    /// (question, choice) as marked.
    pub answers: Vec<(i64, i64)>,
    pub errors: FieldErrors,
}

/// `POST /officer/elections/{id}/paper`: a member's paper ballot.
pub async fn paper(
    req: HttpRequest,
    page: Page,
    officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let ballot = BallotForm::from_pairs(&form);
    let typed = ballot.clone();
    // In a vote with credentials the member writes theirs on the paper
    // ballot; the server signs with it and keeps nothing of it.
    let credential = form
        .iter()
        .find(|(k, _)| k == "credential")
        .and_then(|(_, v)| crate::crypto::credential::Credential::from_words(v).ok());
    let outcome = run_act(&req, &officer, &state, id, "paper_ballot", move |conn, ctx| {
        let number = ballot.employee_number;
        let Some(member) = store::roll::member_by_number(conn, &number, None)? else {
            return Ok(Err(PaperRefusal::UnknownNumber(number)));
        };
        // A savepoint: an online vote racing this one trips the primary key,
        // and the refusal must not leave the transaction unusable.
        let cast = conn.transaction(|c| {
            store::cast(
                c,
                id,
                member,
                &ballot.answers,
                Method::Paper,
                credential.as_ref(),
                ctx.now,
            )
        });
        Ok(match cast {
            // The code goes on the officer's screen to hand over, never in
            // the audit log, which is kept with the member's number.
            Ok(Ok(code)) => {
                let name = store::roll::member_name(conn, member)?;
                Ok(Done {
                    record: format!("Paper ballot recorded for {name} ({number})"),
                    flash: format!(
                        "Paper ballot recorded for {name} ({number}); they can no longer vote online. Its tracking code, to give to them: {code}"
                    ),
                })
            }
            Ok(Err(refusal)) => Err(PaperRefusal::Cast(refusal)),
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => Err(PaperRefusal::Cast(Refusal::AlreadyVoted)),
            Err(e) => return Err(e),
        })
    })
    .await?;
    match outcome {
        // About the number typed: the page again, the ballot as marked,
        // the problem beside the number.
        Err(refusal) if !refusal.field().is_empty() => {
            let mut errors = FieldErrors::new();
            errors.add_problem(&refusal);
            let typed = PaperTyped {
                employee_number: typed.employee_number,
                answers: typed.answers,
                errors,
            };
            let returned = Returned {
                paper: typed,
                ..Returned::default()
            };
            admin_page(page, &state, id, returned).await
        }
        outcome => Ok(back(&state, id, outcome.map_err(|why| why.to_string()))),
    }
}
