//! Voting: the ballot, a confirmation of what was chosen, and the cast with
//! its tracking code. A refused attempt is audited without the choice and
//! answered with a page that says why.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{member_in_unit, visible};
use crate::audit::{self, Entry};
use crate::auth::CurrentUser;
use crate::context::Context;
use crate::crypto::credential::Credential;
use crate::db::write_tx;
use crate::elections::ballot_form::BallotForm;
use crate::elections::local_time;
use crate::elections::notices::{ElectionNotice, Receipt};
use crate::elections::states::{Method, Phase};
use crate::elections::store::{self, ElectionRow, Question, Refusal, casting};
use crate::error::AppError;
use crate::record::entry::BallotEntry;
use crate::state::AppState;
use crate::web::layout::Page;
use crate::web::{db, render};

/// The ballot form, and the confirmation of what was chosen.
#[derive(Template)]
#[template(path = "elections/ballot.html")]
pub struct BallotPage {
    page: Page,
    row: ElectionRow,
    questions: Vec<Question>,
    chosen: HashMap<i64, i64>,
    confirming: bool,
    error: String,
    /// What the ballot code needs: the key, the fingerprint, the questions.
    setup_json: String,
    booth_src: String,
    /// The vote takes a ballot only with a voting credential.
    credentialed: bool,
    /// The credential as typed, carried from the ballot to the cast.
    credential: String,
    /// The member has voted already (a re-vote replaces that ballot).
    voted: bool,
}

impl BallotPage {
    fn is_chosen(&self, question: &i64, choice: &i64) -> bool {
        self.chosen.get(question) == Some(choice)
    }

    fn label_of(&self, question: &Question) -> String {
        self.chosen
            .get(&question.id)
            .and_then(|c| question.choices.iter().find(|(id, _)| id == c))
            .map_or_else(String::new, |(_, l)| l.clone())
    }
}

/// A page that says why no ballot was taken.
#[derive(Template)]
#[template(path = "elections/refused.html")]
pub struct RefusedPage {
    page: Page,
    id: i64,
    heading: String,
    message: String,
}

/// What the ballot page says about casting with a credential.
#[derive(Debug, Clone, Copy)]
struct Standing {
    credentialed: bool,
    voted: bool,
}

/// The member's standing to vote now, read by the clock (a published
/// election past its opening time takes ballots), or why not.
async fn ballot_context(
    req: &HttpRequest,
    current: &CurrentUser,
    state: &web::Data<AppState>,
    id: i64,
) -> Result<Result<(ElectionRow, Vec<Question>, Standing), Refusal>, AppError> {
    let cur = current.clone();
    let now = state.config.clock.now();
    let outcome = db(state, move |conn| {
        let (row, me) = match visible(conn, &cur, id) {
            Err(AppError::NotFound) => return Ok(Err(Refusal::Hidden)),
            other => other?,
        };
        let Some(member_id) = member_in_unit(&row, me) else {
            return Ok(Err(Refusal::NotOnRoll));
        };
        let accepting = row.phase(now) == Phase::Voting && now >= row.opens_at;
        if let Err(refusal) = casting::standing(conn, id, accepting, member_id)? {
            return Ok(Err(refusal));
        }
        let standing = Standing {
            credentialed: row.credential_officer_id.is_some(),
            voted: casting::has_voted(conn, id, member_id)?,
        };
        Ok(Ok((row, store::questions(conn, id)?, standing)))
    })
    .await?;
    if let Err(refusal) = &outcome {
        audit_refusal(req, current, state, id, *refusal).await?;
    }
    Ok(outcome)
}

async fn audit_refusal(
    req: &HttpRequest,
    current: &CurrentUser,
    state: &web::Data<AppState>,
    id: i64,
    refusal: Refusal,
) -> Result<(), AppError> {
    let ctx = Context::new(&state.config, current.actor(req));
    db(state, move |conn| {
        write_tx(conn, |conn| {
            audit::record(
                conn,
                ctx.now,
                Entry {
                    actor: &ctx.actor,
                    action: "vote_refused",
                    target: &format!("election {id}"),
                    detail: &refusal.to_string(),
                },
            )
        })?;
        Ok(())
    })
    .await
}

fn refused(page: Page, id: i64, refusal: Refusal) -> Result<HttpResponse, AppError> {
    let (status, heading, message) = match refusal {
        Refusal::Hidden => return Err(AppError::NotFound),
        Refusal::AlreadyVoted => (
            StatusCode::CONFLICT,
            "You have already voted",
            "Your ballot is counted once; it cannot be changed or cast again. Keep your tracking code to check it after the close.",
        ),
        Refusal::NotOpen => (
            StatusCode::FORBIDDEN,
            "Voting is not open",
            "Ballots are taken only between the opening and closing times.",
        ),
        Refusal::NotOnRoll => (
            StatusCode::FORBIDDEN,
            "You are not on the roll",
            "Only members on this election's roll may vote. If you think you should be on it, tell an officer.",
        ),
        Refusal::BadAnswers => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "That ballot cannot be counted",
            "Answer every question with one of the choices on the ballot. Nothing was recorded.",
        ),
        Refusal::BadBallot => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "That encrypted ballot does not check",
            "Its proofs or its tracker are not right for this election, so nothing was recorded. Open the ballot again and vote.",
        ),
        Refusal::Replayed => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "That encrypted ballot is already in the record",
            "A ballot, or any part of one, can be cast only once, so nothing was recorded. Open the ballot again and vote: your device makes a new encryption.",
        ),
        Refusal::NeedsCredential => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Your voting credential is needed",
            "This vote takes a ballot only with the 12-word credential the credential officer gave you, typed exactly. Nothing was recorded. Open the ballot again and type it in; if you lost it, ask the credential officer for a new one.",
        ),
        Refusal::UnknownCredential => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "That credential is not one of this vote's",
            "It may have been replaced by a new one, or belong to another vote. Nothing was recorded. Check the words against your latest letter, or ask the credential officer.",
        ),
        Refusal::NotTheirCredential => (
            StatusCode::CONFLICT,
            "That is not the credential you voted with",
            "You voted before with another credential, and a new ballot must use the same one, so that it replaces your earlier ballot. Nothing was recorded. Vote again with the credential you used the first time.",
        ),
        Refusal::CredentialTaken => (
            StatusCode::CONFLICT,
            "That credential was used from another member's login",
            "Nothing was recorded. If it is the credential you were given, someone else has voted with it: tell the credential officer and an officer at once, before the close. The record shows which ballots were cast with it.",
        ),
    };
    render(
        status,
        &RefusedPage {
            page,
            id,
            heading: heading.into(),
            message: message.into(),
        },
    )
}

/// `GET /elections/{id}/ballot`.
pub async fn ballot(
    req: HttpRequest,
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    match ballot_context(&req, &current, &state, id).await? {
        Ok((row, questions, standing)) => {
            let setup = booth_setup(&state, &row, &questions, standing.credentialed).await?;
            render(
                StatusCode::OK,
                &BallotPage {
                    page,
                    row,
                    questions,
                    chosen: HashMap::new(),
                    confirming: false,
                    error: String::new(),
                    setup_json: setup,
                    booth_src: crate::web::assets::booth_src(),
                    credentialed: standing.credentialed,
                    credential: String::new(),
                    voted: standing.voted,
                },
            )
        }
        Err(refusal) => refused(page, id, refusal),
    }
}

/// The booth's setup, as JSON safe inside a script element.
async fn booth_setup(
    state: &web::Data<AppState>,
    row: &ElectionRow,
    questions: &[Question],
    credentialed: bool,
) -> Result<String, AppError> {
    let id = row.id;
    let (key, fingerprint, trustees) = db(state, move |conn| {
        let (key, fingerprint) = casting::election_key(conn, id)?;
        Ok((key, fingerprint, store::record::trustee_entries(conn, id)?))
    })
    .await?;
    let setup = serde_json::json!({
        "election": id,
        "key": crate::record::hexcode::point(&key),
        "fingerprint": hex::encode(fingerprint),
        "cast_url": format!("/elections/{id}/cast"),
        "credentialed": credentialed,
        // The device checks the key against these before it encrypts.
        "trustees": trustees.iter().map(|t| serde_json::json!({
            "index": t.index,
            "commitments": t.commitments,
            "proof": t.proof,
        })).collect::<Vec<_>>(),
        "questions": questions.iter().map(|q| serde_json::json!({
            "id": q.id,
            "text": q.text,
            "choices": q.choices.iter().map(|(c, label)| serde_json::json!({"id": c, "label": label})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    Ok(setup.to_string().replace('<', "\\u003c"))
}

/// `POST /elections/{id}/confirm`: shows what was chosen before casting.
pub async fn confirm(
    req: HttpRequest,
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (row, questions, standing) = match ballot_context(&req, &current, &state, id).await? {
        Ok(context) => context,
        Err(refusal) => return refused(page, id, refusal),
    };
    let chosen: HashMap<i64, i64> = BallotForm::from_pairs(&form).answers.into_iter().collect();
    let credential = typed_credential(&form).unwrap_or_default();
    let complete = questions.iter().all(|q| {
        chosen
            .get(&q.id)
            .is_some_and(|c| q.choices.iter().any(|(id, _)| id == c))
    });
    let credential_problem = standing
        .credentialed
        .then(|| Credential::from_words(&credential).err())
        .flatten();
    let (status, error) = if !complete {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Answer every question before you confirm.".to_owned(),
        )
    } else if let Some(problem) = credential_problem {
        (StatusCode::UNPROCESSABLE_ENTITY, problem.to_string())
    } else {
        (StatusCode::OK, String::new())
    };
    let complete = status == StatusCode::OK;
    let setup_json = if complete {
        String::new()
    } else {
        booth_setup(&state, &row, &questions, standing.credentialed).await?
    };
    render(
        status,
        &BallotPage {
            page,
            row,
            questions,
            chosen,
            confirming: complete,
            error,
            booth_src: if complete {
                String::new()
            } else {
                crate::web::assets::booth_src()
            },
            setup_json,
            credentialed: standing.credentialed,
            credential,
            voted: standing.voted,
        },
    )
}

/// The credential field as typed, if the form has one.
fn typed_credential(form: &[(String, String)]) -> Option<String> {
    form.iter()
        .find(|(k, _)| k == "credential")
        .map(|(_, v)| v.trim().to_owned())
}

/// The tracking code, once.
#[derive(Template)]
#[template(path = "elections/receipt.html")]
pub struct ReceiptPage {
    page: Page,
    id: i64,
    title: String,
    code: String,
    /// The record's head hash with this ballot in it.
    head: String,
    closes: String,
}

/// A cast that failed: a unique key refused a second ballot, or the database.
#[derive(Debug)]
enum CastError {
    Duplicate,
    Db(diesel::result::Error),
}

impl From<diesel::result::Error> for CastError {
    fn from(error: diesel::result::Error) -> Self {
        match error {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) => Self::Duplicate,
            other => Self::Db(other),
        }
    }
}

/// What a cast that went through hands back.
struct Cast {
    code: String,
    head: String,
    title: String,
    closes_at: chrono::NaiveDateTime,
}

/// `POST /elections/{id}/cast`.
pub async fn cast(
    req: HttpRequest,
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let answers = BallotForm::from_pairs(&form).answers;
    // Typed by a member without JavaScript; used to sign and then dropped.
    let credential = typed_credential(&form).and_then(|t| Credential::from_words(&t).ok());
    // A ballot the voter's device encrypted, when its script ran.
    let encrypted: Option<Result<BallotEntry, ()>> = form
        .iter()
        .find(|(k, _)| k == "ballot")
        .map(|(_, v)| serde_json::from_str(v).map_err(drop));
    let cur = current.clone();
    let config = state.config.clone();
    let actor = current.actor(&req);
    let outcome = db(&state, move |conn| {
        let (row, me) = match visible(conn, &cur, id) {
            Err(AppError::NotFound) => return Ok(Err(Refusal::Hidden)),
            other => other?,
        };
        let Some(member_id) = member_in_unit(&row, me) else {
            return Ok(Err(Refusal::NotOnRoll));
        };
        let mut closed = false;
        let result = write_tx(conn, |conn| {
            // The clock is read once the write lock is held: a ballot that
            // waited past the close is a late ballot.
            let ctx = Context::new(&config, actor.clone());
            closed = store::advance(conn, &ctx, id)?;
            let taken = match encrypted {
                Some(Ok(entry)) => casting::cast_encrypted(conn, id, member_id, entry, ctx.now)?,
                Some(Err(())) => Err(Refusal::BadBallot),
                None => store::cast(
                    conn,
                    id,
                    member_id,
                    &answers,
                    Method::Online,
                    credential.as_ref(),
                    ctx.now,
                )?,
            };
            let code = match taken {
                Ok(code) => code,
                Err(refusal) => return Ok::<_, CastError>(Err(refusal)),
            };
            let head = store::record::head(conn, id)?.hex();
            use crate::mail::Notice;
            let receipt = Receipt(ElectionNotice {
                local_name: config.local_name.clone(),
                name: cur.user.display_name.clone(),
                subject: format!("your ballot in {}", row.title),
                lines: vec![
                    format!("Your ballot in \"{}\" is cast and will be counted.", row.title),
                    format!("Your ballot's tracker is {code}."),
                    format!("The election's record ended at {head} once your ballot was in it."),
                    "Anyone can check the record with the election's verify page or the unionhall verify command; look for your tracker in it.".to_owned(),
                    "Nobody but you can connect this code with you: keep this message to yourself.".to_owned(),
                ],
                link: config.link(&format!("/elections/{id}")),
            })
            .to(&cur.user.email)
            .map_err(|e| CastError::Db(diesel::result::Error::QueryBuilderError(Box::new(e))))?;
            crate::mail::outbox::enqueue(conn, &receipt, &config.mail_domain())?;
            Ok(Ok(Cast {
                code,
                head,
                title: row.title.clone(),
                closes_at: row.closes_at,
            }))
        });
        if closed {
            store::vacuum_ballot_tables(conn);
        }
        match result {
            Ok(outcome) => Ok(outcome),
            // A second submission that raced the first to the same
            // participation row: the database kept one.
            Err(CastError::Duplicate) => Ok(Err(Refusal::AlreadyVoted)),
            Err(CastError::Db(e)) => Err(e.into()),
        }
    })
    .await?;
    match outcome {
        Ok(cast) => {
            state.mail_waker.wake();
            render(
                StatusCode::OK,
                &ReceiptPage {
                    page,
                    id,
                    title: cast.title,
                    closes: local_time(&state.config, cast.closes_at),
                    code: cast.code,
                    head: cast.head,
                },
            )
        }
        Err(refusal) => {
            audit_refusal(&req, &current, &state, id, refusal).await?;
            refused(page, id, refusal)
        }
    }
}
