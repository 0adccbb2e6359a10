//! The officer decides a challenge to the roll, with a reason; the
//! challenger is told both. The roll's export.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{Done, Returned, act, admin_page};
use crate::auth::OfficerUser;
use crate::elections::store::challenges::{self, Decision, ResolveRefusal};
use crate::error::AppError;
use crate::forms::FieldErrors;
use crate::state::AppState;
use crate::web::layout::Page;

/// The longest reason for a decision kept, in characters.
pub const RESOLUTION_LIMIT: usize = 2000;

/// The decision's form: which button, and why.
#[derive(Debug, Deserialize)]
pub struct ResolveForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    resolution: String,
}

/// A decision sent back to the officer's page: which challenge, what was
/// typed, and what is wrong with it.
pub struct Resolving {
    pub challenge: i64,
    pub resolution: String,
    pub errors: FieldErrors,
}

impl ResolveForm {
    /// Whether the challenge is upheld, and the reason, or what to put right.
    fn parse(&self) -> Result<(bool, String), FieldErrors> {
        let mut errors = FieldErrors::new();
        let uphold = match self.decision.as_str() {
            "uphold" => Some(true),
            "reject" => Some(false),
            _ => {
                errors.add(
                    "decision",
                    "Choose whether to uphold or reject the challenge.",
                );
                None
            }
        };
        let resolution = self.resolution.trim().to_owned();
        let length = resolution.chars().count();
        if resolution.is_empty() {
            errors.add_problem(&ResolveRefusal::NoReason);
        } else if length > RESOLUTION_LIMIT {
            errors.add(
                "resolution",
                format!("Keep the reason to {RESOLUTION_LIMIT} characters; this one has {length}."),
            );
        }
        errors.into_result(|| (uphold.unwrap_or(false), resolution))
    }
}

/// `POST /officer/elections/{id}/challenges/{challenge}`.
pub async fn resolve(
    req: HttpRequest,
    page: Page,
    officer: OfficerUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<ResolveForm>,
) -> Result<HttpResponse, AppError> {
    let (id, challenge) = path.into_inner();
    let form = form.into_inner();
    let (uphold, resolution) = match form.parse() {
        Ok(parsed) => parsed,
        Err(errors) => {
            // Nothing is written: the page comes back with the typing kept.
            let resolving = Resolving {
                challenge,
                resolution: form.resolution,
                errors,
            };
            let returned = Returned {
                resolving: Some(resolving),
                ..Returned::default()
            };
            return admin_page(page, &state, id, returned).await;
        }
    };
    act(
        &req,
        &officer,
        &state,
        id,
        "roll_challenge_resolve",
        move |conn, ctx| {
            let decision = Decision {
                challenge,
                uphold,
                resolution: &resolution,
            };
            Ok(
                challenges::resolve(conn, ctx, id, &decision)?.map(|(c, told)| {
                    let asked = challenges::asks(c.kind, &c.name, &c.number);
                    let decided = if uphold { "upheld" } else { "rejected" };
                    let record = format!("Challenge to {asked} {decided}: {resolution}");
                    Done {
                        flash: if told {
                            format!("{record} The challenger is told by email.")
                        } else {
                            record.clone()
                        },
                        record,
                    }
                }),
            )
        },
    )
    .await
}

/// `GET /officer/elections/{id}/roll.csv`: the roll once drawn, in the
/// published list's order, with what an officer needs to reach each entry
/// (employee number, email, department) beside the name and classification
/// the unit sees. Not found before the roll is drawn or after it is purged.
pub async fn roll_csv(
    _officer: OfficerUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    use crate::elections::states::Status;
    use diesel::OptionalExtension;
    let id = id.into_inner();
    let rows = crate::web::db(&state, move |conn| {
        let row = crate::elections::store::election(conn, id)
            .optional()?
            .ok_or(AppError::NotFound)?;
        if row.status == Status::Draft || row.purged_at.is_some() {
            return Err(AppError::NotFound);
        }
        Ok(crate::elections::store::roll::officer_roll(conn, id)?)
    })
    .await?;
    let header = [
        "employee_number",
        "name",
        "classification",
        "department",
        "email",
    ]
    .map(str::to_owned);
    let lines = std::iter::once(header).chain(rows.into_iter().map(|r| {
        [
            r.number,
            r.name,
            r.classification,
            r.department,
            r.email.unwrap_or_default(),
        ]
    }));
    crate::web::csv::download(&format!("election-{id}-roll.csv"), lines)
}
