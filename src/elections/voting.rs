//! The member's side: the unit's elections, an election's page (roll,
//! challenge, result), and voting: the ballot, a confirmation, the cast and
//! the tracking code. Refused attempts are audited without the choice.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use diesel::prelude::*;

use super::rules;
use super::store::{self, ElectionRow, Question, Refusal};
use super::{local_time, notices};
use crate::audit::{self, Entry};
use crate::auth::CurrentUser;
use crate::db::schema::{elections as el, members};
use crate::db::{DbConnection, write_tx};
use crate::error::AppError;
use crate::state::AppState;
use crate::users::Role;
use crate::web::layout::Page;
use crate::web::{db, render};

/// The election if the viewer may see it (officers, or members of its
/// unit, once published), after letting the clock move it along.
fn visible(
    conn: &mut DbConnection,
    state: &AppState,
    current: &CurrentUser,
    id: i64,
) -> Result<(ElectionRow, Option<(i64, i64)>), AppError> {
    let now = state.config.clock.now();
    let mut row = store::election(conn, id)
        .optional()?
        .ok_or(AppError::NotFound)?;
    // Only a page that finds the clock past a boundary takes the write lock.
    if store::due(&row, now) {
        write_tx(conn, |conn| store::advance(conn, &state.config, id, now))?;
        store::vacuum_ballot_tables(conn);
        row = store::election(conn, id)?;
    }
    let me = crate::roster::belonging(conn, current.user.id)?;
    let officer = current.user.can(Role::Officer);
    let member_of_unit = me.is_some_and(|(_, unit)| unit == row.unit_id);
    if officer || (member_of_unit && row.status != "draft") {
        Ok((row, me))
    } else {
        Err(AppError::NotFound)
    }
}

/// `/elections`.
#[derive(Template)]
#[template(path = "elections/list.html")]
pub struct ListPage {
    page: Page,
    elections: Vec<(i64, String, String, String)>,
    officer: bool,
}

/// How a status reads.
pub fn status_label(row: &ElectionRow) -> &'static str {
    match (row.status.as_str(), row.purged_at.is_some()) {
        ("draft", _) => "Draft",
        ("published", _) => "Roll published for challenges",
        ("open", _) => "Voting open",
        ("closed", false) => "Closed",
        ("closed", true) => "Closed; records purged",
        _ => "Unknown",
    }
}

/// `GET /elections`.
pub async fn list(
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let officer = current.user.can(Role::Officer);
    let config = state.config.clone();
    let elections = db(&state, move |conn| {
        let me = crate::roster::belonging(conn, current.user.id)?;
        let rows: Vec<ElectionRow> = el::table
            .order(el::opens_at.desc())
            .select(ElectionRow::as_select())
            .load(conn)?;
        Ok(rows
            .into_iter()
            .filter(|r| r.status != "draft" && me.is_some_and(|(_, unit)| unit == r.unit_id))
            .map(|r| {
                (
                    r.id,
                    r.title.clone(),
                    status_label(&r).to_owned(),
                    local_time(&config, r.closes_at),
                )
            })
            .collect())
    })
    .await?;
    render(
        StatusCode::OK,
        &ListPage {
            page,
            elections,
            officer,
        },
    )
}

/// One question's result as shown.
#[derive(Debug, Clone)]
pub struct ResultView {
    pub text: String,
    pub rule: String,
    pub counts: Vec<(String, i64)>,
    pub cast: i64,
    pub outcome: String,
    pub reason: String,
}

/// Results of a closed election, from the certified counts.
pub fn results(
    conn: &mut DbConnection,
    row: &ElectionRow,
) -> QueryResult<(Vec<ResultView>, i64, i64)> {
    use crate::db::schema::election_outcomes as eo;
    let (online, paper): (i32, i32) = eo::table
        .find(row.id)
        .select((eo::participated_online, eo::participated_paper))
        .first(conn)
        .optional()?
        .unwrap_or((0, 0));
    let participated = i64::from(online) + i64::from(paper);
    let eligible = i64::from(row.eligible.unwrap_or(0));
    let mut views = Vec::new();
    for q in store::questions(conn, row.id)? {
        let stored: HashMap<i64, i64> = store::results(conn, q.id)?.into_iter().collect();
        let counts: Vec<i64> = q
            .choices
            .iter()
            .map(|(c, _)| stored.get(c).copied().unwrap_or(0))
            .collect();
        let verdict = rules::decide(&counts, &q.rule, participated, eligible);
        let outcome = match (q.kind.as_str(), verdict.leader) {
            ("yes_no", Some(0)) if verdict.passed => "Passed".to_owned(),
            ("yes_no", _) => "Did not pass".to_owned(),
            (_, Some(i)) if verdict.passed => format!("Won by {}", q.choices[i].1),
            _ => "No choice won".to_owned(),
        };
        views.push(ResultView {
            text: q.text.clone(),
            rule: q.rule.describe(),
            counts: q
                .choices
                .iter()
                .map(|(_, l)| l.clone())
                .zip(counts)
                .collect(),
            cast: verdict.cast,
            outcome,
            reason: verdict.reason,
        });
    }
    Ok((views, i64::from(online), i64::from(paper)))
}

/// `/elections/{id}`.
#[derive(Template)]
#[template(path = "elections/show.html")]
pub struct ShowPage {
    page: Page,
    row: ElectionRow,
    status: &'static str,
    opens: String,
    closes: String,
    questions: Vec<Question>,
    on_roll: bool,
    voted: bool,
    accepting: bool,
    results: Vec<ResultView>,
    turnout: String,
    codes: Vec<String>,
    officer: bool,
    rules: Vec<String>,
}

/// `GET /elections/{id}`.
pub async fn show(
    page: Page,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let st = state.clone();
    let officer = current.user.can(Role::Officer);
    let view = db(&state, move |conn| {
        let (row, me) = visible(conn, &st, &current, id)?;
        let questions = store::questions(conn, id)?;
        let (on_roll, voted) = match me {
            Some((member_id, unit)) if unit == row.unit_id => (
                store::on_roll(conn, id, member_id)?,
                store::has_voted(conn, id, member_id)?,
            ),
            _ => (false, false),
        };
        // Counts exist only once the vote is closed.
        let (results, turnout, codes) = if row.status == "closed" {
            let (results, online, paper) = results(conn, &row)?;
            let turnout = format!(
                "{} of {} eligible members voted ({} online, {} on paper).",
                online + paper,
                row.eligible.unwrap_or(0),
                online,
                paper
            );
            (results, turnout, store::tracking_codes(conn, id)?)
        } else {
            (Vec::new(), String::new(), Vec::new())
        };
        Ok((row, questions, on_roll, voted, results, turnout, codes))
    })
    .await?;
    let (row, questions, on_roll, voted, results, turnout, codes) = view;
    let now = state.config.clock.now();
    render(
        StatusCode::OK,
        &ShowPage {
            status: status_label(&row),
            opens: local_time(&state.config, row.opens_at),
            closes: local_time(&state.config, row.closes_at),
            accepting: row.accepting(now),
            rules: questions.iter().map(|q| q.rule.describe()).collect(),
            page,
            row,
            questions,
            on_roll,
            voted,
            results,
            turnout,
            codes,
            officer,
        },
    )
}

/// `POST /elections/{id}/challenge`: a member questions the roll.
pub async fn challenge(
    req: HttpRequest,
    current: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let reason = form
        .get("reason")
        .map_or("", |r| r.trim())
        .chars()
        .take(2000)
        .collect::<String>();
    let about = form
        .get("employee_number")
        .map_or("", |r| r.trim())
        .to_owned();
    let st = state.clone();
    let actor = current.actor(&req);
    let now = state.config.clock.now();
    let user_id = current.user.id;
    let message = db(&state, move |conn| {
        let (row, me) = visible(conn, &st, &current, id)?;
        let Some((member_id, _)) = me.filter(|(_, unit)| *unit == row.unit_id) else {
            return Ok(Err(
                "Only members of the unit may challenge its roll.".to_owned()
            ));
        };
        if reason.is_empty() {
            return Ok(Err("Give a reason for the challenge.".to_owned()));
        }
        let (target, kind) = if about.is_empty() {
            (
                member_id,
                if store::on_roll(conn, id, member_id)? {
                    "remove"
                } else {
                    "add"
                },
            )
        } else {
            let target: Option<i64> = members::table
                .filter(members::employee_number.eq(&about))
                .filter(members::unit_id.eq(row.unit_id))
                .select(members::id)
                .first(conn)
                .optional()?;
            match target {
                Some(t) if store::on_roll(conn, id, t)? => (t, "remove"),
                Some(t) => (t, "add"),
                None => {
                    return Ok(Err(format!(
                        "No one in the unit has employee number {about}."
                    )));
                }
            }
        };
        let done = write_tx(conn, |conn| {
            let done = store::challenge(conn, id, target, kind, &reason, user_id, now)?;
            if done {
                audit::record(
                    conn,
                    now,
                    Entry {
                        actor: &actor,
                        action: "roll_challenge",
                        target: &format!("election {id}"),
                        detail: &format!("{kind} member {target}: {reason}"),
                    },
                )?;
            }
            Ok::<_, diesel::result::Error>(done)
        })?;
        Ok(if done {
            Ok(())
        } else {
            Err(
                "The roll can be challenged only while it is published, before the vote opens."
                    .to_owned(),
            )
        })
    })
    .await?;
    let (kind, text) = match message {
        Ok(()) => (
            crate::web::flash::FlashKind::Success,
            "Your challenge is recorded; an officer will resolve it with a reason.".to_owned(),
        ),
        Err(m) => (crate::web::flash::FlashKind::Warning, m),
    };
    Ok(crate::web::flash::redirect_with(
        &format!("/elections/{id}"),
        kind,
        &text,
        state.config.behind_https(),
    ))
}

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

fn answers_of(form: &[(String, String)]) -> Vec<(i64, i64)> {
    form.iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("q_")?.parse().ok()?, v.parse().ok()?)))
        .collect()
}

/// The member's standing to vote now, or the page that says why not.
async fn ballot_context(
    req: &HttpRequest,
    current: &CurrentUser,
    state: &web::Data<AppState>,
    id: i64,
) -> Result<Result<(ElectionRow, Vec<Question>, i64), Refusal>, AppError> {
    let st = state.clone();
    let cur = current.clone();
    let now = state.config.clock.now();
    let outcome = db(state, move |conn| {
        let (row, me) = match visible(conn, &st, &cur, id) {
            Err(AppError::NotFound) => return Ok(Err(Refusal::Hidden)),
            other => other?,
        };
        let Some((member_id, _)) = me.filter(|(_, unit)| *unit == row.unit_id) else {
            return Ok(Err(Refusal::NotOnRoll));
        };
        if !row.accepting(now) {
            return Ok(Err(Refusal::NotOpen));
        }
        if !store::on_roll(conn, id, member_id)? {
            return Ok(Err(Refusal::NotOnRoll));
        }
        if store::has_voted(conn, id, member_id)? {
            return Ok(Err(Refusal::AlreadyVoted));
        }
        Ok(Ok((row, store::questions(conn, id)?, member_id)))
    })
    .await?;
    if let Err(refusal) = &outcome {
        audit_refusal(req, current, state, id, refusal).await?;
    }
    Ok(outcome)
}

async fn audit_refusal(
    req: &HttpRequest,
    current: &CurrentUser,
    state: &web::Data<AppState>,
    id: i64,
    refusal: &Refusal,
) -> Result<(), AppError> {
    let actor = current.actor(req);
    let now = state.config.clock.now();
    let reason = refusal.as_str();
    db(state, move |conn| {
        write_tx(conn, |conn| {
            audit::record(
                conn,
                now,
                Entry {
                    actor: &actor,
                    action: "vote_refused",
                    target: &format!("election {id}"),
                    detail: reason,
                },
            )
        })?;
        Ok(())
    })
    .await
}

fn refused(page: Page, id: i64, refusal: &Refusal) -> Result<HttpResponse, AppError> {
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
        Ok((row, questions, _)) => render(
            StatusCode::OK,
            &BallotPage {
                page,
                row,
                questions,
                chosen: HashMap::new(),
                confirming: false,
                error: String::new(),
            },
        ),
        Err(refusal) => refused(page, id, &refusal),
    }
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
    let (row, questions, _) = match ballot_context(&req, &current, &state, id).await? {
        Ok(context) => context,
        Err(refusal) => return refused(page, id, &refusal),
    };
    let chosen: HashMap<i64, i64> = answers_of(&form).into_iter().collect();
    let complete = questions.iter().all(|q| {
        chosen
            .get(&q.id)
            .is_some_and(|c| q.choices.iter().any(|(id, _)| id == c))
    });
    let error = if complete {
        String::new()
    } else {
        "Answer every question before you confirm.".to_owned()
    };
    let status = if complete {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
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
        },
    )
}

/// The tracking code, once.
#[derive(Template)]
#[template(path = "elections/receipt.html")]
pub struct ReceiptPage {
    page: Page,
    id: i64,
    title: String,
    code: String,
    closes: String,
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
    let answers = answers_of(&form);
    let st = state.clone();
    let cur = current.clone();
    let config = state.config.clone();
    let email = current.user.email.clone();
    let name = current.user.display_name.clone();
    let outcome = db(&state, move |conn| {
        let (row, me) = match visible(conn, &st, &cur, id) {
            Err(AppError::NotFound) => return Ok(Err(Refusal::Hidden)),
            other => other?,
        };
        let Some((member_id, _)) = me.filter(|(_, unit)| *unit == row.unit_id) else {
            return Ok(Err(Refusal::NotOnRoll));
        };
        let result = write_tx(conn, |conn| {
            // The clock is read once the write lock is held: a ballot that
            // waited past the close is a late ballot.
            let now = config.clock.now();
            let code = match store::cast(conn, id, member_id, &answers, "online", now)? {
                Ok(code) => code,
                Err(refusal) => return Ok::<_, CastError>(Err(refusal)),
            };
            use crate::mail::Notice;
            let receipt = notices::Receipt(notices::ElectionNotice {
                local_name: config.local_name.clone(),
                name: name.clone(),
                subject: format!("your ballot in {}", row.title),
                lines: vec![
                    format!("Your ballot in \"{}\" is cast and will be counted.", row.title),
                    format!("Your tracking code is {code}. After the close, find it in the list of counted ballots on the election's page."),
                    "Nobody but you can connect this code with you: keep this message to yourself.".to_owned(),
                ],
                link: config.link(&format!("/elections/{id}")),
            })
            .to(&email)
            .map_err(|e| CastError::Db(diesel::result::Error::QueryBuilderError(Box::new(e))))?;
            crate::mail::outbox::enqueue(conn, &receipt, &config.mail_domain())?;
            Ok(Ok((code, row.title.clone(), row.closes_at)))
        });
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
        Ok((code, title, closes_at)) => {
            state.mail_waker.wake();
            render(
                StatusCode::OK,
                &ReceiptPage {
                    page,
                    id,
                    title,
                    code,
                    closes: local_time(&state.config, closes_at),
                },
            )
        }
        Err(refusal) => {
            audit_refusal(&req, &current, &state, id, &refusal).await?;
            refused(page, id, &refusal)
        }
    }
}

/// A cast that failed: a unique key refused a second ballot, or the database.
#[derive(Debug)]
pub enum CastError {
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
